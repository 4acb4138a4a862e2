#pragma once
// The emulator's transport: one accepted connection, plain or TLS, reading HTTP requests one at a
// time and writing queued bytes in order (a stream's events never interleave). `hold_for` pauses
// the writes (the stall fault); `abort` cuts the connection (the disconnect fault).
// clang-format off
// <utility> first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.
#include <utility>
// clang-format on
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fleetsizer/error.h"

namespace fleetsizer::http {

// The servers' (emulate, serve) one way to listen: open, reuse the address, bind host:port and
// listen; the bound port, or one line naming the host and port.
Result<unsigned short> listen_on(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host,
                                 unsigned short port);
// Runs `io` until SIGINT or SIGTERM, or until max_seconds have passed (0: no limit).
void run_until_stopped(boost::asio::io_context& io, double max_seconds);

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Handler = std::function<void(const std::shared_ptr<Session>&, const Request&)>;
  // A request that could not be read as HTTP: the status to answer (413 body too large, 431
  // header too large, 400 otherwise) and why. The connection closes after the answer.
  using BadRequestHandler =
      std::function<void(const std::shared_ptr<Session>&, int status, const std::string& why)>;

  // The largest request body read (larger: 413), and the largest header block (larger: 431).
  static constexpr std::uint64_t kMaxBodyBytes = 16u << 20;
  static constexpr std::uint32_t kMaxHeaderBytes = 64u << 10;

  Session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls, Handler on_request,
          BadRequestHandler on_bad_request, std::uint64_t max_body_bytes = kMaxBodyBytes);
  // Starts reading after `delay_ms` (the slow-accept fault) and, for TLS, the handshake.
  void start(double delay_ms);
  void send(std::string data);  // queued; written in order
  void close_after_write();
  void abort();
  void hold_for(double ms);
  void read_next();
  bool aborted() const { return aborted_; }

 private:
  void flush();
  boost::asio::ip::tcp::socket& socket();
  template <class F>
  void with(F&& f) {
    if (secure_)
      f(*secure_);
    else
      f(*plain_);
  }
  std::optional<boost::asio::ip::tcp::socket> plain_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> secure_;
  Handler on_request_;
  BadRequestHandler on_bad_request_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string pending_, writing_;
  std::uint64_t max_body_bytes_;
  bool in_write_ = false, closing_ = false, aborted_ = false, held_ = false;
  boost::asio::steady_timer hold_;
};

}  // namespace fleetsizer::http
