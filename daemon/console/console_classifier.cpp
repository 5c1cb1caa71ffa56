#include "daemon/console/console_classifier.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <charconv>
#include <stdexcept>

#include "daemon/console/console_patterns.hpp"

namespace meshwatch {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);  // a bad user regex is reported to the caller, not to stderr
  return o;
}

bool stream_allowed(stream_rule rule, console_stream stream) {
  switch (rule) {
    case stream_rule::out: return stream != console_stream::err;
    case stream_rule::err: return stream != console_stream::out;
    case stream_rule::any: return true;
  }
  return true;
}

std::optional<std::int64_t> to_int(const std::string& s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

struct console_classifier::impl {
  impl() : set(options(), RE2::ANCHOR_BOTH) {}

  RE2::Set set;                            // one pass over the line finds the candidate rows
  std::vector<std::unique_ptr<RE2>> rows;  // same order as builtin_patterns(), for captures
  std::vector<user_pattern> users;
  std::vector<std::unique_ptr<RE2>> user_res;
};

console_classifier::console_classifier(std::vector<user_pattern> user_patterns)
    : impl_(std::make_unique<impl>()) {
  for (const auto& row : builtin_patterns()) {
    std::string error;
    if (impl_->set.Add(row.regex, &error) < 0) {
      throw std::logic_error("built-in console pattern does not compile: " + error);
    }
    impl_->rows.push_back(std::make_unique<RE2>(row.regex, options()));
  }
  if (!impl_->set.Compile()) {
    throw std::logic_error("built-in console pattern set does not compile");
  }
  for (auto& p : user_patterns) {
    auto re = std::make_unique<RE2>(p.regex, options());
    if (!re->ok()) {
      throw std::invalid_argument("console pattern '" + p.name + "': " + re->error());
    }
    impl_->user_res.push_back(std::move(re));
    impl_->users.push_back(std::move(p));
  }
}

console_classifier::~console_classifier() = default;
console_classifier::console_classifier(console_classifier&&) noexcept = default;
console_classifier& console_classifier::operator=(console_classifier&&) noexcept = default;

classification console_classifier::classify(std::string_view text, console_stream stream) const {
  classification out;
  std::vector<int> hits;
  re2::StringPiece piece(text.data(), text.size());
  re2::RE2::Set::ErrorInfo info{};
  if (!impl_->set.Match(piece, &hits, &info)) {
    if (info.kind == re2::RE2::Set::kNoError) {
      return out;
    }
    // The set's DFA ran out of memory on this line: fall back to trying each row.
    hits.clear();
    for (std::size_t i = 0; i < impl_->rows.size(); ++i) {
      if (RE2::FullMatch(piece, *impl_->rows[i])) {
        hits.push_back(static_cast<int>(i));
      }
    }
  }
  auto rows = builtin_patterns();
  int best = -1;
  for (int h : hits) {
    if (stream_allowed(rows[static_cast<std::size_t>(h)].stream, stream) && (best < 0 || h < best)) {
      best = h;
    }
  }
  if (best < 0) {
    return out;
  }
  const auto& row = rows[static_cast<std::size_t>(best)];
  const RE2& re = *impl_->rows[static_cast<std::size_t>(best)];
  out.kind = row.kind;
  out.severity = row.severity;
  out.beat = row.beat;
  out.panic = row.panic;
  out.stdout_text = row.stream == stream_rule::out;

  int groups = re.NumberOfCapturingGroups();
  std::vector<std::string> caps(static_cast<std::size_t>(groups));
  std::vector<RE2::Arg> args(caps.size());
  std::vector<const RE2::Arg*> argp(caps.size());
  for (std::size_t i = 0; i < caps.size(); ++i) {
    args[i] = &caps[i];
    argp[i] = &args[i];
  }
  RE2::FullMatchN(piece, re, argp.data(), groups);

  if (row.panic == panic_line::header) {
    out.thread = caps[0];
    out.os_tid = to_int(caps[1]);
    out.location = caps[2];
  } else if (row.panic == panic_line::legacy_header) {
    out.thread = caps[0];
    out.os_tid = to_int(caps[1]);
    out.message = caps[2];
    out.location = caps[3];
  } else if (!caps.empty()) {
    out.detail = caps[0];
  }
  // Severity refinements the table cannot express.
  if (out.kind == console_event_kind::accept_error && out.detail.find("os error 24") != std::string::npos) {
    out.severity = console_severity::error;  // fd exhaustion: accept loop spins (F-34)
  }
  if (out.kind == console_event_kind::ws_connection_closed && out.detail != "1000") {
    out.severity = console_severity::warning;
  }
  return out;
}

const user_pattern* console_classifier::match_user(std::string_view text) const {
  re2::StringPiece piece(text.data(), text.size());
  for (std::size_t i = 0; i < impl_->user_res.size(); ++i) {
    if (RE2::PartialMatch(piece, *impl_->user_res[i])) {
      return &impl_->users[i];
    }
  }
  return nullptr;
}

const std::vector<user_pattern>& console_classifier::user_patterns() const { return impl_->users; }

std::optional<std::string> console_classifier::check_user_regex(const std::string& regex) {
  RE2 re(regex, options());
  if (re.ok()) {
    return std::nullopt;
  }
  return re.error();
}

}  // namespace meshwatch
