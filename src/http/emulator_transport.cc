#include "http/emulator_transport.h"

#include <fmt/format.h>

#include <chrono>

namespace fleetsizer::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

Result<unsigned short> listen_on(tcp::acceptor& acceptor, const std::string& host,
                                 unsigned short port) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return fail(fmt::format("--host '{}': not an IP address", host));
  const tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail(fmt::format("cannot listen on {}:{}: {}", host, port, ec.message()));
  return acceptor.local_endpoint().port();
}

void run_until_stopped(net::io_context& io, double max_seconds) {
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { io.stop(); });
  net::steady_timer stop(io);
  if (max_seconds > 0) {
    stop.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(max_seconds * 1e6)));
    stop.async_wait([&](beast::error_code ec) {
      if (!ec) io.stop();
    });
  }
  io.run();
}

Session::Session(tcp::socket socket, net::ssl::context* tls, Handler on_request,
                 BadRequestHandler on_bad_request, std::uint64_t max_body_bytes)
    : on_request_(std::move(on_request)),
      on_bad_request_(std::move(on_bad_request)),
      max_body_bytes_(max_body_bytes),
      hold_(socket.get_executor()) {
  if (tls)
    secure_.emplace(std::move(socket), *tls);
  else
    plain_.emplace(std::move(socket));
}

tcp::socket& Session::socket() {
  return secure_ ? secure_->next_layer() : *plain_;
}

void Session::start(double delay_ms) {
  auto begin = [self = shared_from_this()] {
    if (!self->secure_) return self->read_next();
    self->secure_->async_handshake(net::ssl::stream_base::server, [self](beast::error_code ec) {
      if (!ec) self->read_next();  // a failed handshake drops the connection
    });
  };
  if (delay_ms <= 0) {
    begin();
    return;
  }
  hold_.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(delay_ms * 1000)));
  hold_.async_wait([begin](beast::error_code ec) {
    if (!ec) begin();
  });
}

void Session::close_after_write() {
  closing_ = true;
  flush();
}

void Session::abort() {
  beast::error_code ec;
  socket().shutdown(tcp::socket::shutdown_both, ec);
  socket().close(ec);
  aborted_ = true;
}

void Session::read_next() {
  parser_.emplace();
  parser_->body_limit(max_body_bytes_);
  parser_->header_limit(kMaxHeaderBytes);
  with([&](auto& stream) {
    bhttp::async_read(
        stream, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (!ec) return self->on_request_(self, self->parser_->get());
          // The client closed (possibly mid-request): nobody to answer.
          if (ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category() ||
              ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
            return;
          // Bytes that are not an HTTP request: answer, then close (the stream's framing is lost).
          if (ec == bhttp::error::body_limit)
            self->on_bad_request_(self, 413,
                                  fmt::format("request body over {} bytes", self->max_body_bytes_));
          else if (ec == bhttp::error::header_limit)
            self->on_bad_request_(self, 431,
                                  fmt::format("request header over {} bytes", kMaxHeaderBytes));
          else
            self->on_bad_request_(self, 400, "malformed HTTP request: " + ec.message());
        });
  });
}

void Session::send(std::string data) {
  pending_ += data;
  flush();
}

void Session::hold_for(double ms) {
  held_ = true;
  hold_.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000)));
  hold_.async_wait([self = shared_from_this()](beast::error_code) {
    self->held_ = false;
    self->flush();
  });
}

void Session::flush() {
  if (in_write_ || held_ || aborted_) return;
  if (pending_.empty()) {
    if (closing_) {
      beast::error_code ec;
      socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    return;
  }
  writing_.swap(pending_);
  pending_.clear();
  in_write_ = true;
  with([&](auto& stream) {
    net::async_write(stream, net::buffer(writing_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->in_write_ = false;
                       if (ec) {
                         self->aborted_ = true;
                         return;
                       }
                       self->flush();
                     });
  });
}

}  // namespace fleetsizer::http
