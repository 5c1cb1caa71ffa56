#include "tests/twin/ws/rooms.hpp"

namespace meshwatch::twin::ws_detail {

void room_registry::join(const std::string& room, const std::shared_ptr<connection>& member) {
  std::lock_guard lock(mutex_);
  rooms_[room][member.get()] = member;
}

void room_registry::leave(const std::string& room, const connection* member) {
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(room);
  if (it == rooms_.end()) {
    return;
  }
  it->second.erase(member);
  if (it->second.empty()) {
    rooms_.erase(it);
  }
}

std::vector<std::shared_ptr<connection>> room_registry::members(const std::string& room) const {
  std::vector<std::shared_ptr<connection>> out;
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(room);
  if (it == rooms_.end()) {
    return out;
  }
  out.reserve(it->second.size());
  for (const auto& [raw, weak] : it->second) {
    if (auto member = weak.lock()) {
      out.push_back(std::move(member));
    }
  }
  return out;
}

std::size_t room_registry::room_size(const std::string& room) const {
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.size();
}

}  // namespace meshwatch::twin::ws_detail
