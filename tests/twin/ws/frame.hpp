#pragma once
// RFC 6455 framing with mesh-rt's limits and quirks: client masking is not enforced, frame-level
// errors end the connection without a Close frame, message-level errors get a Close with a
// reason. Pure functions; the connection does the I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshwatch::twin::ws_detail {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

inline constexpr std::size_t max_message_bytes = 16u * 1024u * 1024u;

/** The fixed two bytes plus what they say about the rest of the header. */
struct frame_start {
  bool fin = false;
  opcode op = opcode::continuation;
  bool masked = false;
  std::uint8_t length7 = 0;  // 0..125, or 126 / 127 = 16- / 64-bit length follows
  std::size_t extra_header_bytes() const {
    return (length7 == 126 ? 2u : length7 == 127 ? 8u : 0u) + (masked ? 4u : 0u);
  }
};

/** nullopt = frame-level error (non-zero RSV bits, unknown opcode): drop the connection. */
std::optional<frame_start> parse_frame_start(std::uint8_t b0, std::uint8_t b1);

/**
 * Payload length from the extended-length bytes (`length7` 126/127). nullopt when the 64-bit
 * length has its MSB set or the payload exceeds the 16 MiB frame cap: both drop the connection.
 */
std::optional<std::size_t> parse_payload_length(const frame_start& start, const std::uint8_t* ext);

void unmask(std::string& payload, const std::uint8_t* key);

/** A complete unmasked, unfragmented server frame (server frames are never masked). */
std::string encode_frame(opcode op, std::string_view payload);

/** Close payload: code then reason, reason truncated so the payload stays within 125 bytes. */
std::string encode_close(std::uint16_t code, std::string_view reason);

/** Status code of a received Close; 1005 when the payload has none (and mesh-rt echoes 1005). */
std::uint16_t close_code_of(std::string_view payload);

namespace close_code {
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t invalid_data = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

/** Reassembly of fragmented data messages, control frames handled by the caller. */
class message_assembler {
 public:
  enum class result { complete, accumulating, too_big, protocol_error };

  result add(const frame_start& start, std::string payload);
  opcode message_opcode() const { return message_op_; }
  std::string take_message() { return std::move(message_); }
  const char* protocol_error_reason() const { return error_reason_; }

 private:
  bool assembling_ = false;
  opcode message_op_ = opcode::text;
  std::string message_;
  const char* error_reason_ = "";
};

}  // namespace meshwatch::twin::ws_detail
