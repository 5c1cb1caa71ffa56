#include "tests/twin/ws/frame.hpp"

namespace meshwatch::twin::ws_detail {

std::optional<frame_start> parse_frame_start(std::uint8_t b0, std::uint8_t b1) {
  if ((b0 & 0x70) != 0) {
    return std::nullopt;
  }
  const std::uint8_t op = b0 & 0x0F;
  switch (op) {
    case 0x0:
    case 0x1:
    case 0x2:
    case 0x8:
    case 0x9:
    case 0xA: break;
    default: return std::nullopt;
  }
  frame_start start;
  start.fin = (b0 & 0x80) != 0;
  start.op = static_cast<opcode>(op);
  start.masked = (b1 & 0x80) != 0;
  start.length7 = b1 & 0x7F;
  return start;
}

std::optional<std::size_t> parse_payload_length(const frame_start& start, const std::uint8_t* ext) {
  std::uint64_t length = start.length7;
  if (start.length7 == 126) {
    length = (std::uint64_t{ext[0]} << 8) | ext[1];
  } else if (start.length7 == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) {
      length = (length << 8) | ext[i];
    }
    if ((length >> 63) != 0) {
      return std::nullopt;
    }
  }
  if (length > max_message_bytes) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(length);
}

void unmask(std::string& payload, const std::uint8_t* key) {
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ key[i % 4]);
  }
}

std::string encode_frame(opcode op, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 10);
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(op)));
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    for (int i = 7; i >= 0; --i) {
      out.push_back(static_cast<char>((n >> (i * 8)) & 0xFF));
    }
  }
  out.append(payload);
  return out;
}

std::string encode_close(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, 123));
  return encode_frame(opcode::close, payload);
}

std::uint16_t close_code_of(std::string_view payload) {
  if (payload.size() < 2) {
    return 1005;
  }
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                    static_cast<std::uint8_t>(payload[1]));
}

message_assembler::result message_assembler::add(const frame_start& start, std::string payload) {
  const bool data = start.op == opcode::text || start.op == opcode::binary;
  if (data && assembling_) {
    assembling_ = false;
    message_.clear();
    error_reason_ = "new message during fragmented sequence";
    return result::protocol_error;
  }
  if (data) {
    message_op_ = start.op;
    message_ = std::move(payload);
    assembling_ = !start.fin;
    return start.fin ? result::complete : result::accumulating;
  }
  // Continuation frame.
  if (!assembling_) {
    error_reason_ = "unexpected continuation frame";
    return result::protocol_error;
  }
  if (message_.size() + payload.size() > max_message_bytes) {
    assembling_ = false;
    message_.clear();
    return result::too_big;
  }
  message_.append(payload);
  if (start.fin) {
    assembling_ = false;
    return result::complete;
  }
  return result::accumulating;
}

}  // namespace meshwatch::twin::ws_detail
