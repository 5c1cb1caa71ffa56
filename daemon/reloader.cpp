#include "daemon/reloader.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <exception>

namespace meshwatch {
namespace {

// The why of an invalid file lists config errors; a few KiB keeps the answer and log bounded.
constexpr std::size_t max_why_bytes = 4096;

}  // namespace

reloader::reloader(config running, load_fn load, apply_fn apply, prometheus::Registry& registry)
    : running_(std::move(running)), load_(std::move(load)), apply_(std::move(apply)), metrics_(registry) {}

reload_decision reloader::reload(std::string_view trigger) {
  reload_decision decision;
  try {
    auto loaded = load_();
    decision = decide_reload(running_, loaded);
    if (decision.outcome == reload_outcome::applied) {
      apply_(*loaded.value);
      running_ = *loaded.value;
    }
  } catch (const std::exception& e) {
    // Building the new engine failed (e.g. a target it cannot resolve): the old one still runs.
    decision = {reload_outcome::invalid, e.what()};
  }
  if (decision.why.size() > max_why_bytes) {
    // Cut on a UTF-8 boundary so the JSON answer stays valid text.
    std::size_t cut = max_why_bytes;
    while (cut > 0 && (static_cast<unsigned char>(decision.why[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    decision.why.resize(cut);
  }
  metrics_.record(decision.outcome);
  bool ok = decision.outcome == reload_outcome::applied || decision.outcome == reload_outcome::unchanged;
  spdlog::log(ok ? spdlog::level::info : spdlog::level::warn, "{}: config {}: {}{}", trigger,
              to_string(decision.outcome), decision.why,
              decision.outcome == reload_outcome::applied || decision.outcome == reload_outcome::unchanged
                  ? ""
                  : "; keeping the running config");
  return decision;
}

int reload_http_status(reload_outcome outcome) {
  switch (outcome) {
    case reload_outcome::applied:
    case reload_outcome::unchanged: return 200;
    case reload_outcome::invalid: return 400;
    case reload_outcome::restart_required: return 409;
  }
  return 500;
}

std::string reload_response_json(const reload_decision& decision) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("result");
  auto result = to_string(decision.outcome);
  w.String(result.data(), static_cast<rapidjson::SizeType>(result.size()));
  w.Key("why");
  w.String(decision.why.data(), static_cast<rapidjson::SizeType>(decision.why.size()));
  w.EndObject();
  std::string out(buffer.GetString(), buffer.GetSize());
  out += '\n';
  return out;
}

}  // namespace meshwatch
