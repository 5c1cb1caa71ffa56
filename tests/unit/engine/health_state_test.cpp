#include <gtest/gtest.h>

#include <ostream>

#include <string>
#include <vector>

#include "daemon/health_state.hpp"

namespace meshwatch {
namespace {

// A run sequence in one letter per run: P pass, S slow pass, F fail, I inconclusive.
probe_outcome outcome_of(char c) {
  switch (c) {
    case 'P': return probe_outcome::passed;
    case 'S': return probe_outcome::passed_slow;
    case 'F': return probe_outcome::failed;
    default: return probe_outcome::inconclusive;
  }
}

struct sequence_case {
  std::string_view name;
  std::string_view runs;
  std::string_view states;               // the state after each run: u h d x (unhealthy)
  std::vector<std::string> transitions;  // "from>to", in order
};
void PrintTo(const sequence_case& c, std::ostream* os) { *os << c.name; }

char letter(health_state s) {
  switch (s) {
    case health_state::unknown: return 'u';
    case health_state::healthy: return 'h';
    case health_state::degraded: return 'd';
    case health_state::unhealthy: return 'x';
    case health_state::suspended: return 's';
  }
  return '?';
}

class sequences : public testing::TestWithParam<sequence_case> {};

TEST_P(sequences, move_through_states) {
  const sequence_case& c = GetParam();
  health_machine m{health_policy{2, 3}};
  std::string states;
  std::vector<std::string> transitions;
  for (char run : c.runs) {
    if (auto t = m.apply(outcome_of(run), failure_reason::timeout)) {
      transitions.push_back(std::string{to_string(t->from)} + ">" + std::string{to_string(t->to)});
      EXPECT_EQ(t->to, m.state());
    }
    states += letter(m.state());
  }
  EXPECT_EQ(states, c.states) << c.runs;
  EXPECT_EQ(transitions, c.transitions);
}

INSTANTIATE_TEST_SUITE_P(
    healthy2_unhealthy3, sequences,
    testing::Values(
        sequence_case{"first_pass_is_enough", "PPP", "hhh", {"unknown>healthy"}},
        sequence_case{"one_failure_at_start_stays_unknown", "FP", "uh", {"unknown>healthy"}},
        sequence_case{"three_failures_at_start", "FFFF", "uuxx", {"unknown>unhealthy"}},
        sequence_case{"blips_do_not_flip", "PFFPFFP", "hhhhhhh", {"unknown>healthy"}},
        sequence_case{"down_then_up",
                      "PFFFPPP",
                      "hhhxxhh",
                      {"unknown>healthy", "healthy>unhealthy", "unhealthy>healthy"}},
        sequence_case{
            "a_failure_resets_recovery", "FFFPFPP", "uuxxxxh", {"unknown>unhealthy", "unhealthy>healthy"}},
        sequence_case{"inconclusive_neither_counts_nor_resets",
                      "PFFIIFIPIP",
                      "hhhhhxxxxh",
                      {"unknown>healthy", "healthy>unhealthy", "unhealthy>healthy"}},
        sequence_case{"inconclusive_only", "IIII", "uuuu", {}},
        sequence_case{"slow_streak_degrades",
                      "PSSSPPS",
                      "hhhddhh",
                      {"unknown>healthy", "healthy>degraded", "degraded>healthy"}},
        sequence_case{"slow_blip_is_ignored", "PSSPSSP", "hhhhhhh", {"unknown>healthy"}},
        sequence_case{
            "degraded_needs_fast_streak", "PSSSPSP", "hhhdddd", {"unknown>healthy", "healthy>degraded"}},
        sequence_case{"degraded_to_unhealthy",
                      "PSSSFFF",
                      "hhhdddx",
                      {"unknown>healthy", "healthy>degraded", "degraded>unhealthy"}},
        sequence_case{"recovers_slow",
                      "FFFSSS",
                      "uuxxhd",
                      {"unknown>unhealthy", "unhealthy>healthy", "healthy>degraded"}},
        sequence_case{"slow_counts_as_pass_for_recovery",
                      "FFFSP",
                      "uuxxh",
                      {"unknown>unhealthy", "unhealthy>healthy"}}),
    [](const auto& info) { return std::string{info.param.name}; });

TEST(health_machine, one_slow_pass_after_recovery_does_not_degrade) {
  health_machine m{health_policy{2, 3}};
  for (char run : std::string_view{"PSSSPP"}) {
    m.apply(outcome_of(run));
  }
  EXPECT_EQ(m.state(), health_state::healthy);
  EXPECT_FALSE(m.apply(probe_outcome::passed_slow));
  EXPECT_EQ(m.state(), health_state::healthy);
}

TEST(health_machine, transition_carries_the_tipping_reason_once) {
  health_machine m{health_policy{1, 2}};
  EXPECT_EQ(m.apply(probe_outcome::passed),
            (health_transition{health_state::unknown, health_state::healthy, {}}));
  EXPECT_FALSE(m.apply(probe_outcome::failed, failure_reason::timeout));
  EXPECT_EQ(m.apply(probe_outcome::failed, failure_reason::http_status),
            (health_transition{health_state::healthy, health_state::unhealthy, failure_reason::http_status}));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(m.apply(probe_outcome::failed, failure_reason::http_status));
  }
  EXPECT_EQ(m.consecutive_failures(), 2);  // capped, never overflows
  EXPECT_FALSE(m.healthy());
}

TEST(health_machine, suspension_is_external_and_resets) {
  health_machine m{health_policy{2, 3}};
  m.apply(probe_outcome::passed);
  m.apply(probe_outcome::failed);
  m.apply(probe_outcome::failed);
  EXPECT_EQ(m.suspend(), (health_transition{health_state::healthy, health_state::suspended, {}}));
  EXPECT_FALSE(m.suspend());  // already suspended: no second log line
  EXPECT_FALSE(m.apply(probe_outcome::failed));
  EXPECT_FALSE(m.apply(probe_outcome::passed));
  EXPECT_EQ(m.state(), health_state::suspended);
  EXPECT_FALSE(m.healthy());
  EXPECT_EQ(m.resume(), (health_transition{health_state::suspended, health_state::unknown, {}}));
  EXPECT_FALSE(m.resume());
  // The two failures before suspension are forgotten: three fresh ones are needed.
  m.apply(probe_outcome::failed);
  EXPECT_FALSE(m.apply(probe_outcome::failed));
  EXPECT_EQ(m.state(), health_state::unknown);
  EXPECT_TRUE(m.apply(probe_outcome::failed));
  EXPECT_EQ(m.state(), health_state::unhealthy);
}

TEST(health_machine, thresholds_below_one_act_as_one) {
  health_machine m{health_policy{0, -5}};
  m.apply(probe_outcome::failed);
  EXPECT_EQ(m.state(), health_state::unhealthy);
  m.apply(probe_outcome::passed);
  EXPECT_EQ(m.state(), health_state::healthy);
}

TEST(health_machine, policy_from_config_defaults) {
  probe_defaults d;
  d.healthy_threshold = 4;
  d.unhealthy_threshold = 5;
  const health_policy p = health_policy::from(d);
  EXPECT_EQ(p.healthy_threshold, 4);
  EXPECT_EQ(p.unhealthy_threshold, 5);
}

TEST(health_state, names) {
  EXPECT_EQ(to_string(health_state::unknown), "unknown");
  EXPECT_EQ(to_string(health_state::degraded), "degraded");
  EXPECT_EQ(to_string(health_state::suspended), "suspended");
}

}  // namespace
}  // namespace meshwatch
