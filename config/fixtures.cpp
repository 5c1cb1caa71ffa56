#include "config/fixtures.hpp"

#include <array>

namespace meshwatch {
namespace {

using f = fixtures_config;

constexpr std::array fields{
    fixture_field{"org_id", &f::org_id, fixture_format::uuid},
    fixture_field{"user_a_id", &f::user_a_id, fixture_format::uuid},
    fixture_field{"user_b_id", &f::user_b_id, fixture_format::uuid},
    fixture_field{"project_id", &f::project_id, fixture_format::uuid},
    fixture_field{"project_slug", &f::project_slug, fixture_format::slug},
    fixture_field{"sampled_project_id", &f::sampled_project_id, fixture_format::uuid},
    fixture_field{"issue_a_id", &f::issue_a_id, fixture_format::uuid},
    fixture_field{"issue_b_id", &f::issue_b_id, fixture_format::uuid},
    fixture_field{"event_1_id", &f::event_1_id, fixture_format::uuid},
    fixture_field{"event_2_id", &f::event_2_id, fixture_format::uuid},
    fixture_field{"event_3_id", &f::event_3_id, fixture_format::uuid},
    fixture_field{"alert_rule_id", &f::alert_rule_id, fixture_format::uuid},
    fixture_field{"alert_id", &f::alert_id, fixture_format::uuid},
    fixture_field{"membership_id", &f::membership_id, fixture_format::uuid},
    fixture_field{"api_key_id", &f::api_key_id, fixture_format::uuid},
    fixture_field{"sampled_api_key_id", &f::sampled_api_key_id, fixture_format::uuid},
    fixture_field{"api_key", &f::api_key, fixture_format::token},
    fixture_field{"sampled_api_key", &f::sampled_api_key, fixture_format::token},
};

bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool is_slug_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Non-empty, at most `max` characters, each accepted by `ok`.
bool all_of(std::string_view value, std::size_t max, bool (*ok)(char)) {
  if (value.empty() || value.size() > max) {
    return false;
  }
  for (char c : value) {
    if (!ok(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::span<const fixture_field> fixture_fields() { return fields; }

template_vars fixtures_config::variables() const {
  template_vars vars;
  for (const fixture_field& field : fields) {
    vars.emplace(std::string{field.name}, this->*field.member);
  }
  return vars;
}

bool fixture_value_valid(fixture_format format, std::string_view value) {
  switch (format) {
    case fixture_format::uuid: {
      if (value.size() != 36) {
        return false;
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? value[i] != '-' : !is_hex_lower(value[i])) {
          return false;
        }
      }
      return true;
    }
    case fixture_format::slug: return all_of(value, 128, is_slug_char);
    case fixture_format::token: return all_of(value, 256, is_token_char);
  }
  return false;
}

}  // namespace meshwatch
