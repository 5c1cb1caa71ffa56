#pragma once
// Shared helpers for the probe tests: parse JSON text, build templates.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/text_template.hpp"
#include "probes/json_body.hpp"

namespace meshwatch::test {

/** Parses `text`, failing the test (not crashing) when it is not JSON. */
inline json_body json(std::string_view text) {
  json_body body = json_body::parse(text);
  EXPECT_TRUE(body.ok()) << text << ": " << body.error();
  return body;
}

/** A template with `${vars}`; `${env:…}` is not used by these tests. */
inline text_template tmpl(std::string_view source) {
  parsed<text_template> t = text_template::parse(source, [](const std::string&) { return std::nullopt; });
  EXPECT_TRUE(t) << source << ": " << t.error;
  return t.value.value_or(text_template{});
}

/** `depth` nested arrays: `[[[…]]]`, optionally left unclosed. */
inline std::string nested_arrays(std::size_t depth, bool closed = true) {
  std::string text(depth, '[');
  if (closed) {
    text.append(depth, ']');
  }
  return text;
}

}  // namespace meshwatch::test
