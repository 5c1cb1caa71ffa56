#pragma once
// A response body parsed as JSON, once, so checks, captures and the shape fingerprint share it.

#include <rapidjson/fwd.h>

#include <memory>
#include <string>
#include <string_view>

namespace meshwatch {

/**
 * The result of parsing untrusted bytes as JSON: a document, or why the bytes are not JSON.
 *
 * Parsing is strict RFC 8259 (no comments, NaN or trailing commas; UTF-8 validated) and
 * iterative, so `[[[[…` a million deep costs heap, never stack. Numbers beyond double range
 * (`1e400`) are rejected as invalid rather than silently turned into infinity.
 */
class json_body {
 public:
  static json_body parse(std::string_view bytes);

  json_body(json_body&&) noexcept;
  json_body& operator=(json_body&&) noexcept;
  ~json_body();

  bool ok() const noexcept { return error_.empty(); }
  /** E.g. `offset 12: Missing a comma or '}' after an object member.`; empty when ok(). */
  const std::string& error() const noexcept { return error_; }
  /** The document root. Precondition: ok(). */
  const rapidjson::Value& root() const;

 private:
  json_body();

  std::unique_ptr<rapidjson::Document> document_;
  std::string error_;
};

}  // namespace meshwatch
