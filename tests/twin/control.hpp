#pragma once
// The twin-only loopback control port: fault injection (DESIGN.md §12).
//
//   POST /fault/<name>[?route=<template>&ms=&key=&message=&bytes_per_sec=&max_bytes=&count=]
//   POST /fault/clear        every fault off (hung requests resume, leak freed, fds closed,
//                            stdout unblocked, heartbeats resume, WS flags off)
//   GET  /faults             JSON array of active faults
//
// Answers are JSON; 404 for an unknown name, 400 for a bad parameter.
#include <memory>

#include "tests/twin/http_server.hpp"

namespace meshwatch::twin {

struct twin_context;

class control_plane {
 public:
  explicit control_plane(twin_context& ctx);
  ~control_plane();
  control_plane(const control_plane&) = delete;
  control_plane& operator=(const control_plane&) = delete;

  void handle(http_connection& conn, http_request& req);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace meshwatch::twin
