#pragma once
// Room membership (mesh-rt `ws/rooms.rs`): a subscriber is in exactly one room, joined on connect
// and left when the connection ends. Thread-safe; broadcasts work on a snapshot so that no lock
// is held while writing (mesh-rt snapshots too, but keeps raw pointers: F-18; weak_ptr here).
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace meshwatch::twin::ws_detail {

class connection;

class room_registry {
 public:
  void join(const std::string& room, const std::shared_ptr<connection>& member);
  void leave(const std::string& room, const connection* member);
  std::vector<std::shared_ptr<connection>> members(const std::string& room) const;
  std::size_t room_size(const std::string& room) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_map<const connection*, std::weak_ptr<connection>>> rooms_;
};

}  // namespace meshwatch::twin::ws_detail
