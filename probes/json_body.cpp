#include "probes/json_body.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace meshwatch {

json_body::json_body() : document_(std::make_unique<rapidjson::Document>()) {}
json_body::json_body(json_body&&) noexcept = default;
json_body& json_body::operator=(json_body&&) noexcept = default;
json_body::~json_body() = default;

json_body json_body::parse(std::string_view bytes) {
  // Iterative: RapidJSON's recursive parser overflows the stack on deep nesting.
  // ValidateEncoding: JSON is UTF-8 by definition, and details quote body text.
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  json_body body;
  // RapidJSON reads a NUL byte as the end of input, so `{}\0junk` would pass. A raw NUL is
  // never valid JSON (inside strings it must be escaped), so reject it up front.
  if (const std::size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    body.error_ = "offset " + std::to_string(nul) + ": NUL byte in JSON text.";
    return body;
  }
  // An empty view may have a null data(); RapidJSON asserts on null input.
  const char* data = bytes.empty() ? "" : bytes.data();
  body.document_->Parse<flags>(data, bytes.size());
  if (body.document_->HasParseError()) {
    body.error_ = "offset " + std::to_string(body.document_->GetErrorOffset()) + ": " +
                  rapidjson::GetParseError_En(body.document_->GetParseError());
  }
  return body;
}

const rapidjson::Value& json_body::root() const { return *document_; }

}  // namespace meshwatch
