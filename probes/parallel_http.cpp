#include "probes/parallel_http.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace meshwatch {
namespace asio = boost::asio;

namespace {

// perform_http_step reports outcomes as values; an exception here is a bug or bad_alloc.
check_result internal_failure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return check_result::fail(failure_reason::internal, e.what());
  } catch (...) {
    return check_result::fail(failure_reason::internal, "unknown exception");
  }
}

std::string failure_detail(std::size_t failed, std::size_t count, std::size_t first,
                           const std::string& detail) {
  std::string out = std::to_string(failed) + " of " + std::to_string(count) + " failed";
  out += failed == 1 ? " (request " : ", first request ";
  out += std::to_string(first + 1);
  out += failed == 1 ? "): " : ": ";
  return out + detail;
}

}  // namespace

asio::awaitable<probe_result> run_parallel_http_probe(probe_target target, probe_config probe,
                                                      template_vars vars, std::size_t body_cap) {
  const auto& request = std::get<http_request>(probe.kind);
  probe_result result = begin_http_result(target, probe);
  const auto count = static_cast<std::size_t>(std::clamp(probe.parallel, 1, max_parallel_requests));

  // Every request gets the whole probe timeout from the same start, so together they end
  // within one timeout; none is cancelled when another fails, since all N are the test.
  auto executor = co_await asio::this_coro::executor;
  using step_op =
      decltype(asio::co_spawn(executor, std::declval<asio::awaitable<http_step_outcome>>(), asio::deferred));
  std::vector<step_op> ops;
  ops.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    asio::awaitable<http_step_outcome> step =
        perform_http_step(target.http, request, probe.expect, vars, probe.timeout, body_cap);
    ops.push_back(asio::co_spawn(executor, std::move(step), asio::deferred));
  }
  const asio::experimental::wait_for_all all;
  auto group = asio::experimental::make_parallel_group(std::move(ops));
  auto [order, errors, outcomes] = co_await group.async_wait(all, asio::use_awaitable);
  result.duration = std::chrono::steady_clock::now() - result.started;

  // Completion order: the request that failed first is the likeliest cause (F-09: one
  // request crashed Mesher and the others were reset).
  std::size_t failed = 0;
  std::optional<std::size_t> first_failure;
  bool degraded = false;
  for (std::size_t index : order) {
    check_result& check = outcomes[index].check;
    if (errors[index]) {
      check = internal_failure(errors[index]);
    }
    degraded = degraded || check.degraded;
    if (!check.passed) {
      ++failed;
      first_failure = first_failure.value_or(index);
    }
  }
  std::size_t slowest = 0;
  for (std::size_t i = 1; i < outcomes.size(); ++i) {
    if (outcomes[i].exchange.total > outcomes[slowest].exchange.total) {
      slowest = i;
    }
  }
  record_http_phases(outcomes[slowest].exchange, result);

  const http_step_outcome& reported = outcomes[first_failure.value_or(slowest)];
  result.http_status = reported.exchange.status;
  result.passed = failed == 0;
  if (result.passed) {
    result.degraded = degraded;
    result.detail = reported.check.detail;
    result.shape = reported.shape;
  } else {
    result.reason = reported.check.reason;
    result.detail = failure_detail(failed, count, *first_failure, reported.check.detail);
  }
  co_return result;
}

}  // namespace meshwatch
