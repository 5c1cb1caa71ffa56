#pragma once
// Sec-WebSocket-Accept (RFC 6455 §4.2.2): base64(SHA-1(key + GUID)). SHA-1 is implemented here
// because the only other SHA-1 on this machine lives in Beast's `detail` namespace.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshwatch::twin::ws_detail {

std::array<std::uint8_t, 20> sha1(std::string_view data);
std::string base64(const std::uint8_t* data, std::size_t size);
std::string accept_key(std::string_view client_key);

}  // namespace meshwatch::twin::ws_detail
