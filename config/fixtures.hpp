#pragma once

#include <span>
#include <string>
#include <string_view>

#include "config/text_template.hpp"

namespace meshwatch {

/**
 * The synthetic tenant meshwatch seeds into Mesher's database (mesher/API.md §6.1) and that
 * probes address. Fixed, recognisable ids so a human can tell synthetic rows from real ones;
 * configurable per target in case they collide with real data. Every field is also a template
 * variable of the same name (`${project_id}`).
 */
struct fixtures_config {
  std::string org_id = "5e000000-0000-4000-8000-000000000001";
  std::string user_a_id = "5e000000-0000-4000-8000-000000000002";
  std::string user_b_id = "5e000000-0000-4000-8000-000000000003";
  std::string project_id = "5e000000-0000-4000-8000-000000000010";
  std::string project_slug = "synthetic-probe";
  /** sample_rate 0: events sent here are always dropped, so the bulk probe costs no rate budget. */
  std::string sampled_project_id = "5e000000-0000-4000-8000-000000000011";
  std::string issue_a_id = "5e000000-0000-4000-8000-000000000020";
  std::string issue_b_id = "5e000000-0000-4000-8000-000000000021";
  std::string event_1_id = "5e000000-0000-4000-8000-000000000030";
  std::string event_2_id = "5e000000-0000-4000-8000-000000000031";
  std::string event_3_id = "5e000000-0000-4000-8000-000000000032";
  std::string alert_rule_id = "5e000000-0000-4000-8000-000000000040";
  std::string alert_id = "5e000000-0000-4000-8000-000000000050";
  std::string membership_id = "5e000000-0000-4000-8000-000000000060";
  std::string api_key_id = "5e000000-0000-4000-8000-000000000070";
  std::string sampled_api_key_id = "5e000000-0000-4000-8000-000000000071";
  std::string api_key = "mshr_syntheticprobe0000000000000000000000000000000001";
  std::string sampled_api_key = "mshr_syntheticprobe0000000000000000000000000000000002";

  /** Every field by name, for probe templates. */
  template_vars variables() const;

  bool operator==(const fixtures_config&) const = default;
};

/** How a fixture value is validated. */
enum class fixture_format {
  uuid,   // lowercase canonical: Mesher compares ids as text (WS rooms), so case matters
  slug,   // [a-z0-9-]
  token,  // URL-safe characters only: Mesher does no percent-decoding (API.md §2.1)
};

struct fixture_field {
  std::string_view name;
  std::string fixtures_config::*member;
  fixture_format format;
};

/** The fields of fixtures_config in declaration order: the YAML keys and the variable names. */
std::span<const fixture_field> fixture_fields();

/** True when `value` has the shape `format` requires. */
bool fixture_value_valid(fixture_format format, std::string_view value);

}  // namespace meshwatch
