#include "daemon/process/proc_connector.hpp"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

namespace meshwatch {
namespace asio = boost::asio;

namespace {

constexpr std::size_t max_watched = 64;
constexpr std::size_t max_recorded_exits = 64;
constexpr int max_datagrams_per_wakeup = 512;  // then yield to the rest of the loop
constexpr int receive_buffer_bytes = 4 * 1024 * 1024;

}  // namespace

struct proc_connector::state {
  explicit state(asio::io_context& io) : descriptor(io), signal(io) {}
  asio::posix::stream_descriptor descriptor;
  // Cancelled whenever an exit is recorded, to wake await_exit without polling.
  asio::steady_timer signal;
  std::set<pid_t> watched;
  std::map<pid_t, int> exits;  // pid -> wait status
  std::uint64_t overruns = 0;
  bool active = false;

  void record(pid_t pid, int status) {
    if (watched.count(pid) == 0) {
      return;
    }
    if (exits.size() >= max_recorded_exits) {
      exits.erase(exits.begin());
    }
    exits[pid] = status;
    signal.cancel();
  }

  void drain() {
    if (!active) {
      return;
    }
    alignas(nlmsghdr) std::array<char, 8192> buffer{};
    for (int i = 0; i < max_datagrams_per_wakeup; ++i) {
      ssize_t n = ::recv(descriptor.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n < 0) {
        if (errno == ENOBUFS) {
          ++overruns;  // the kernel dropped events; keep going
          continue;
        }
        if (errno == EINTR) {
          continue;
        }
        return;  // EAGAIN: nothing more queued
      }
      parse(buffer.data(), static_cast<std::size_t>(n));
    }
  }

  void parse(char* data, std::size_t size) {
    auto remaining = static_cast<int>(size);
    for (auto* header = reinterpret_cast<nlmsghdr*>(data); NLMSG_OK(header, remaining);
         header = NLMSG_NEXT(header, remaining)) {
      if (header->nlmsg_type == NLMSG_NOOP || header->nlmsg_type == NLMSG_ERROR) {
        continue;
      }
      auto* message = static_cast<cn_msg*>(NLMSG_DATA(header));
      if (message->id.idx != CN_IDX_PROC || message->id.val != CN_VAL_PROC ||
          message->len < sizeof(proc_event)) {
        continue;
      }
      proc_event event{};
      std::memcpy(&event, message->data, sizeof event);
      // One exit event per thread; only the thread-group leader's ends the process.
      if (event.what == proc_event::PROC_EVENT_EXIT &&
          event.event_data.exit.process_pid == event.event_data.exit.process_tgid) {
        record(event.event_data.exit.process_tgid, static_cast<int>(event.event_data.exit.exit_code));
      }
    }
  }
};

namespace {

asio::awaitable<void> read_events(std::shared_ptr<proc_connector::state> s) {
  while (s->active) {
    auto [ec] = co_await s->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                                  asio::as_tuple(asio::use_awaitable));
    if (ec || !s->active) {
      co_return;
    }
    s->drain();
  }
}

bool send_listen(int fd, proc_cn_mcast_op op) {
  // nlmsghdr | cn_msg | op, laid out by hand: cn_msg ends in a flexible array member.
  constexpr std::size_t size = NLMSG_SPACE(sizeof(cn_msg) + sizeof(proc_cn_mcast_op));
  alignas(nlmsghdr) std::array<char, size> buffer{};
  auto* header = reinterpret_cast<nlmsghdr*>(buffer.data());
  header->nlmsg_len = static_cast<__u32>(size);
  header->nlmsg_type = NLMSG_DONE;
  header->nlmsg_pid = static_cast<__u32>(getpid());
  auto* message = static_cast<cn_msg*>(NLMSG_DATA(header));
  message->id.idx = CN_IDX_PROC;
  message->id.val = CN_VAL_PROC;
  message->len = sizeof(proc_cn_mcast_op);
  std::memcpy(message->data, &op, sizeof op);
  return ::send(fd, buffer.data(), buffer.size(), 0) == static_cast<ssize_t>(buffer.size());
}

}  // namespace

proc_connector::proc_connector(asio::io_context& io) : state_(std::make_shared<state>(io)) {}

proc_connector::~proc_connector() { stop(); }

bool proc_connector::start(std::string* error) {
  if (state_->active) {
    return true;
  }
  auto fail = [&](const char* what) {
    if (error != nullptr) {
      *error = std::string("proc connector: ") + what + ": " + std::strerror(errno);
    }
    return false;
  };
  int fd = ::socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
  if (fd < 0) {
    return fail("socket");
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = CN_IDX_PROC;
  address.nl_pid = 0;  // let the kernel pick a unique port id
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    auto ok = fail("bind (needs CAP_NET_ADMIN)");
    ::close(fd);
    return ok;
  }
  // Every process on the host produces events; a larger buffer rides out bursts. FORCE
  // works for root only; the plain option is the fallback.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer_bytes, sizeof receive_buffer_bytes) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  if (!send_listen(fd, PROC_CN_MCAST_LISTEN)) {
    auto ok = fail("subscribe");
    ::close(fd);
    return ok;
  }
  state_->descriptor.assign(fd);
  state_->active = true;
  asio::co_spawn(state_->descriptor.get_executor(), read_events(state_), asio::detached);
  return true;
}

void proc_connector::stop() {
  if (!state_->active) {
    return;
  }
  state_->active = false;
  send_listen(state_->descriptor.native_handle(), PROC_CN_MCAST_IGNORE);
  boost::system::error_code ignored;
  state_->descriptor.close(ignored);
  state_->signal.cancel();
}

bool proc_connector::active() const { return state_->active; }

void proc_connector::watch(pid_t pid) {
  state_->exits.erase(pid);
  if (state_->watched.size() < max_watched) {
    state_->watched.insert(pid);
  }
}

void proc_connector::unwatch(pid_t pid) {
  state_->watched.erase(pid);
  state_->exits.erase(pid);
}

std::uint64_t proc_connector::overruns() const { return state_->overruns; }

asio::awaitable<std::optional<int>> proc_connector::await_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto s = state_;  // keep the state alive across suspension
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    s->drain();
    if (auto it = s->exits.find(pid); it != s->exits.end()) {
      int status = it->second;
      s->exits.erase(it);
      co_return status;
    }
    if (!s->active || std::chrono::steady_clock::now() >= deadline) {
      co_return std::nullopt;
    }
    // Woken early by record() (cancel) or by the deadline; either way look again. A short
    // cap keeps this responsive even if the reader coroutine is behind this one.
    auto wake = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(2));
    s->signal.expires_at(wake);
    co_await s->signal.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace meshwatch
