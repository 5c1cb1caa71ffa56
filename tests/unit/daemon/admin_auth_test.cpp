// The admin token as a bearer token (API clients) and as the password of Basic credentials
// (a browser's login prompt), and what is not accepted.
#include "daemon/admin_auth.hpp"

#include <gtest/gtest.h>

#include <string>

namespace meshwatch {
namespace {

TEST(admin_auth, bearer_token_must_match_exactly) {
  EXPECT_TRUE(admin_authorized("Bearer tok", "tok"));
  EXPECT_FALSE(admin_authorized("Bearer to", "tok"));
  EXPECT_FALSE(admin_authorized("Bearer toke", "tok"));
  EXPECT_FALSE(admin_authorized("Bearer tok ", "tok"));
  EXPECT_FALSE(admin_authorized("Bearer ", "tok"));
  EXPECT_FALSE(admin_authorized("Bearer", "tok"));
  EXPECT_FALSE(admin_authorized("Bearertok", "tok"));
  EXPECT_FALSE(admin_authorized("tok", "tok"));
  EXPECT_FALSE(admin_authorized("", "tok"));
}

TEST(admin_auth, scheme_names_are_case_insensitive) {
  EXPECT_TRUE(admin_authorized("bearer tok", "tok"));
  EXPECT_TRUE(admin_authorized("BEARER tok", "tok"));
  EXPECT_TRUE(admin_authorized("basic dTp0b2s=", "tok"));  // u:tok
  EXPECT_FALSE(admin_authorized("Bearer TOK", "tok"));     // the secret is not
}

TEST(admin_auth, basic_password_is_the_token_and_any_user_name_will_do) {
  EXPECT_TRUE(admin_authorized("Basic dTp0b2s=", "tok"));  // u:tok
  EXPECT_TRUE(admin_authorized("Basic OnRvaw==", "tok"));  // empty user name
  EXPECT_TRUE(admin_authorized("Basic OnRvaw", "tok"));    // padding is optional
  // Only the first colon separates: a token may contain colons.
  EXPECT_TRUE(admin_authorized("Basic bWVzaHdhdGNoOnRvazplbg==", "tok:en"));  // meshwatch:tok:en
  EXPECT_FALSE(admin_authorized("Basic dTp0bw==", "tok"));                    // u:to
  EXPECT_FALSE(admin_authorized("Basic bm9jb2xvbg==", "nocolon"));            // no password at all
}

TEST(admin_auth, malformed_basic_credentials_are_refused_not_misread) {
  EXPECT_FALSE(admin_authorized("Basic tok", "tok"));        // not base64 of user:token
  EXPECT_FALSE(admin_authorized("Basic dTp0b2s=!", "tok"));  // a byte outside the alphabet
  EXPECT_FALSE(admin_authorized("Basic dTp0b2s=x", "tok"));  // data after padding
  EXPECT_FALSE(admin_authorized("Basic d", "tok"));          // a lone sextet is no byte
  EXPECT_FALSE(admin_authorized("Basic ", "tok"));
  EXPECT_FALSE(admin_authorized("Basic " + std::string(8192, 'A'), "tok"));  // over the bound
  EXPECT_FALSE(admin_authorized(std::string("Basic dTp0b2s=\0", 15), "tok"));
}

TEST(admin_auth, an_empty_token_authorises_nobody) {
  EXPECT_FALSE(admin_authorized("Bearer ", ""));
  EXPECT_FALSE(admin_authorized("Basic dTo=", ""));  // u:
}

TEST(admin_auth, a_401_challenges_for_both_schemes) {
  auto challenges = admin_auth_challenges();
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0], (std::pair<std::string, std::string>{"WWW-Authenticate", "Bearer"}));
  EXPECT_EQ(challenges[1].first, "WWW-Authenticate");
  EXPECT_TRUE(challenges[1].second.starts_with("Basic realm=\"meshwatch\"")) << challenges[1].second;
}

}  // namespace
}  // namespace meshwatch
