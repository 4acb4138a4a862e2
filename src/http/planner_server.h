#pragma once
// The web planner's HTTP server (`fleetsizer serve`): plain HTTP on one thread, each request
// answered by a handler that maps (method, path, body) to a reply. What the routes mean lives
// with the caller; this layer only reads requests (with a body cap: 413 above it), writes
// replies, and never lets one request stop the server.
#include <cstdint>
#include <functional>
#include <string>

#include "fleetsizer/error.h"

namespace fleetsizer::http {

struct PlannerReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using PlannerHandler = std::function<PlannerReply(
    const std::string& method, const std::string& target, const std::string& body)>;

struct PlannerServerOptions {
  std::string host = "127.0.0.1";           // loopback unless asked otherwise
  unsigned short port = 8080;               // 0: any free port
  std::uint64_t max_body_bytes = 8u << 20;  // uploads included; larger: 413
  double max_seconds = 0;                   // stop after this long (0: until SIGINT/SIGTERM)
  std::function<void(unsigned short port)> on_listening;
};

// Serves until SIGINT/SIGTERM or max_seconds. Fails only when it cannot listen.
Result<void> run_planner_server(const PlannerServerOptions& options, PlannerHandler handler);

// {"error": "<message>"}: the body of every refusal.
std::string planner_error_json(const std::string& message);

}  // namespace fleetsizer::http
