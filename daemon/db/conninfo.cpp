#include "daemon/db/conninfo.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <set>
#include <utility>
#include <vector>

namespace meshwatch {
namespace {

struct conninfo_options_deleter {
  void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};

// Deterministic order (keyword order of libpq), so the redacted text is stable in logs.
using keyword_values = std::vector<std::pair<std::string, std::string>>;

void set_value(keyword_values& values, std::string_view keyword, std::string value) {
  for (auto& [key, existing] : values) {
    if (key == keyword) {
      existing = std::move(value);
      return;
    }
  }
  values.emplace_back(std::string(keyword), std::move(value));
}

const std::string* find_value(const keyword_values& values, std::string_view keyword) {
  for (const auto& [key, value] : values) {
    if (key == keyword) {
      return &value;
    }
  }
  return nullptr;
}

std::string join(const keyword_values& values, bool redact) {
  std::string out;
  for (const auto& [key, value] : values) {
    if (!out.empty()) {
      out += ' ';
    }
    out += key;
    out += '=';
    out += redact && key == "password" ? std::string("'***'") : quote_conninfo_value(value);
  }
  return out;
}

std::string drop_quoted(std::string_view text) {
  std::string out;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      if (!quoted) {
        out += "\"…\"";
      }
      quoted = !quoted;
      continue;
    }
    if (!quoted) {
      out += c;
    }
  }
  return out;
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

}  // namespace

std::string quote_conninfo_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') {
      out += '\\';
    }
    out += c;
  }
  out += '\'';
  return out;
}

parsed<conninfo> build_conninfo(std::string_view dsn, const secret* password,
                                const conninfo_options& options) {
  char* raw_error = nullptr;
  const std::string dsn_text(dsn);
  std::unique_ptr<PQconninfoOption, conninfo_options_deleter> parsed_options(
      PQconninfoParse(dsn_text.c_str(), &raw_error));
  if (!parsed_options) {
    // libpq's message says what is wrong but quotes the offending fragment of the DSN in
    // double quotes, and that fragment may be a password: keep the words, drop the quotes.
    std::string why = raw_error != nullptr ? drop_quoted(raw_error) : "out of memory";
    if (raw_error != nullptr) {
      PQfreemem(raw_error);
    }
    secret hidden;
    if (password != nullptr) {
      hidden = *password;
    }
    return parsed<conninfo>::failure("invalid database DSN: " + bounded_message(why, hidden, 200));
  }

  keyword_values values;
  std::set<std::string, std::less<>> known;
  for (const PQconninfoOption* option = parsed_options.get(); option->keyword != nullptr; ++option) {
    known.insert(option->keyword);
    if (option->val != nullptr) {
      values.emplace_back(option->keyword, option->val);
    }
  }

  if (password != nullptr && !password->empty()) {
    set_value(values, "password", password->reveal());
  }
  const auto millis = options.connect_timeout.count();
  const long long seconds = std::max<long long>(2, (millis + 999) / 1000);
  set_value(values, "connect_timeout", std::to_string(seconds));
  if (find_value(values, "application_name") == nullptr && !options.application_name.empty()) {
    set_value(values, "application_name", options.application_name);
  }
  if (find_value(values, "keepalives") == nullptr) {
    set_value(values, "keepalives", "1");
    set_value(values, "keepalives_idle", std::to_string(options.keepalive_idle.count()));
    set_value(values, "keepalives_interval", "5");
    set_value(values, "keepalives_count", "3");
  }

  conninfo info;
  info.text = join(values, false);
  info.redacted = join(values, true);
  if (const std::string* user = find_value(values, "user")) {
    info.user = *user;
  }
  if (const std::string* pw = find_value(values, "password")) {
    info.password = secret(*pw);
  }
  return parsed<conninfo>::success(std::move(info));
}

std::string bounded_message(std::string_view text, const secret& hidden, std::size_t max_bytes) {
  std::string scrubbed(text);
  const std::string& needle = hidden.reveal();
  if (!needle.empty()) {
    for (auto at = scrubbed.find(needle); at != std::string::npos; at = scrubbed.find(needle, at + 3)) {
      scrubbed.replace(at, needle.size(), "***");
    }
  }

  std::string out;
  out.reserve(std::min(scrubbed.size(), max_bytes + 4));
  bool pending_break = false;
  for (char c : scrubbed) {
    if (c == '\n' || c == '\r') {
      pending_break = !out.empty();
      continue;
    }
    if (pending_break) {
      out += "; ";
      pending_break = false;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7F) ? ' ' : c;
  }
  // Trailing whitespace (libpq messages end in "\n") carries nothing.
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) {
    out.pop_back();
  }
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && is_utf8_continuation(out[cut])) {
      --cut;
    }
    out.resize(cut);
    out += "…";
  }
  return out;
}

}  // namespace meshwatch
