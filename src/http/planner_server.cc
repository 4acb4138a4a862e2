#include "http/planner_server.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "http/emulator_transport.h"

namespace fleetsizer::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

std::string planner_error_json(const std::string& message) {
  // Invalid UTF-8 in a message (echoed from a request) becomes U+FFFD, never an exception.
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace) +
         "\n";
}

namespace {

std::string http_response(const PlannerReply& r, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), 11};
  res.set(bhttp::field::server, "fleetsizer-serve");
  res.set(bhttp::field::content_type, r.content_type);
  // The page and its answers are the planner's own: no other origin may script or frame them.
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set(bhttp::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

class PlannerServer {
 public:
  PlannerServer(net::io_context& io, const PlannerServerOptions& o, PlannerHandler handler)
      : io_(io), o_(o), handler_(std::move(handler)), acceptor_(io) {}

  Result<void> listen() {
    auto port = listen_on(acceptor_, o_.host, o_.port);
    if (!port) return std::unexpected(port.error());
    if (o_.on_listening) o_.on_listening(*port);
    accept();
    return {};
  }

 private:
  void accept() {
    acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        auto session = std::make_shared<Session>(
            std::move(s), nullptr,
            [this](const std::shared_ptr<Session>& self, const Session::Request& req) {
              handle(self, req);
            },
            [](const std::shared_ptr<Session>& self, int status, const std::string& why) {
              self->send(
                  http_response({status, "application/json", planner_error_json(why)}, false));
              self->close_after_write();
            },
            o_.max_body_bytes);
        session->start(0);
      }
      accept();
    });
  }

  // A handler that throws answers 500 on that request; the server goes on.
  void handle(const std::shared_ptr<Session>& session, const Session::Request& req) {
    const bool keep_alive = req.keep_alive();
    PlannerReply reply;
    try {
      reply = handler_(std::string(req.method_string()), std::string(req.target()), req.body());
    } catch (const std::exception& e) {
      reply = {500, "application/json",
               planner_error_json(std::string("internal error: ") + e.what())};
    }
    session->send(http_response(reply, keep_alive));
    if (keep_alive)
      session->read_next();
    else
      session->close_after_write();
  }

  net::io_context& io_;
  const PlannerServerOptions& o_;
  PlannerHandler handler_;
  tcp::acceptor acceptor_;
};

}  // namespace

Result<void> run_planner_server(const PlannerServerOptions& options, PlannerHandler handler) {
  net::io_context io(1);
  PlannerServer server(io, options, std::move(handler));
  if (auto r = server.listen(); !r) return r;
  run_until_stopped(io, options.max_seconds);
  return {};
}

}  // namespace fleetsizer::http
