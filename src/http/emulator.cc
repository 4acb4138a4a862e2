#include "http/emulator.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>

#include "http/clock.h"

namespace fleetsizer::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

std::string chunk(const std::string& data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server& server, net::ssl::context* tls)
      : server_(server), hold_(socket.get_executor()) {
    if (tls)
      secure_.emplace(std::move(socket), *tls);
    else
      plain_.emplace(std::move(socket));
  }
  void start(double delay_ms);
  void send(std::string data);  // queued; written in order
  void close_after_write() {
    closing_ = true;
    flush();
  }
  void abort() {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
    aborted_ = true;
  }
  void hold_for(double ms);
  void read_next();
  bool aborted() const { return aborted_; }

 private:
  void flush();
  tcp::socket& socket() { return secure_ ? secure_->next_layer() : *plain_; }
  template <class F>
  void with(F&& f) {
    if (secure_)
      f(*secure_);
    else
      f(*plain_);
  }
  std::optional<tcp::socket> plain_;
  std::optional<net::ssl::stream<tcp::socket>> secure_;
  Server& server_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  std::string pending_, writing_;
  bool in_write_ = false, closing_ = false, aborted_ = false, held_ = false;
  net::steady_timer hold_;
};

struct Job {
  std::uint64_t id = 0;
  std::shared_ptr<Session> session;  // keeps the connection open while the job streams
  bool stream = true, chat = false, include_usage = false;
  std::int64_t prompt_tokens = 0, max_tokens = 16, sent = 0;
  std::int64_t disconnect_at = -1, malformed_at = -1;
  bool stall = false;
  double arrival_s = 0, first_token_s = -1;
  double arrival_abs_s = 0;  // steady clock, comparable across processes (the client's TTFT check)
  std::unique_ptr<net::steady_timer> timer;   // fixed mode
  std::chrono::steady_clock::time_point due;  // fixed mode: when the next token is due
};

class Server {
 public:
  Server(net::io_context& io, const EmulatorOptions& o)
      : io_(io), o_(o), acceptor_(io), engine_timer_(io), rng_(o.seed) {
    if (o_.model) {
      replica_ = std::make_unique<ReplicaSim>(*o_.model, o_.replica, 0);
      replica_->set_token_sink(&emissions_);
    }
    start_s_ = monotonic_s();
  }

  Result<void> listen() {
    beast::error_code ec;
    if (!o_.tls_cert_file.empty() || !o_.tls_key_file.empty()) {
      if (o_.tls_cert_file.empty() || o_.tls_key_file.empty())
        return fail("--tls-cert and --tls-key go together");
      tls_ = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
      tls_->use_certificate_chain_file(o_.tls_cert_file, ec);
      if (ec) return fail(fmt::format("--tls-cert {}: {}", o_.tls_cert_file, ec.message()));
      tls_->use_private_key_file(o_.tls_key_file, net::ssl::context::pem, ec);
      if (ec) return fail(fmt::format("--tls-key {}: {}", o_.tls_key_file, ec.message()));
    }
    const auto address = net::ip::make_address(o_.host, ec);
    if (ec) return fail(fmt::format("--host '{}': not an IP address", o_.host));
    const tcp::endpoint endpoint(address, o_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail(fmt::format("cannot listen on {}:{}: {}", o_.host, o_.port, ec.message()));
    if (o_.on_listening) o_.on_listening(acceptor_.local_endpoint().port());
    accept();
    return {};
  }

  void handle(const std::shared_ptr<Session>& session,
              const bhttp::request<bhttp::string_body>& req) {
    // Read before any parsing, so the server's TTFT starts when the request is in.
    const double arrival_abs_s = monotonic_s();
    const std::string target(req.target());
    const bool keep_alive = req.keep_alive();
    // As an OpenAI-compatible server with --api-key: every request needs the bearer token.
    if (!o_.api_key.empty() && req[bhttp::field::authorization] != "Bearer " + o_.api_key) {
      reply(session, 401, "application/json", error_json("invalid API key"), keep_alive);
      return;
    }
    if (req.method() == bhttp::verb::get &&
        (target == "/health" || target == "/v1/models" || target == "/metrics")) {
      std::string body, type = "application/json";
      if (target == "/health") body = "{}";
      if (target == "/v1/models")
        body = Json{{"object", "list"},
                    {"data",
                     {{{"id", o_.model_name}, {"object", "model"}, {"owned_by", "fleetsizer"}}}}}
                   .dump();
      if (target == "/metrics") {
        type = "text/plain; version=0.0.4";
        body = metrics();
      }
      reply(session, 200, type, body, keep_alive);
      return;
    }
    const bool chat = target == "/v1/chat/completions";
    if (req.method() != bhttp::verb::post || (!chat && target != "/v1/completions")) {
      reply(session, 404, "application/json", error_json("not found: " + target), keep_alive);
      return;
    }
    Json body;
    try {
      body = Json::parse(req.body());
    } catch (const Json::parse_error&) {
      reply(session, 400, "application/json", error_json("request body is not JSON"), keep_alive);
      return;
    }
    auto job = std::make_shared<Job>();
    job->id = next_id_++;
    job->session = session;
    job->chat = chat;
    job->stream = body.value("stream", false);
    job->include_usage = body.contains("stream_options") && body["stream_options"].is_object() &&
                         body["stream_options"].value("include_usage", false);
    if (body.contains("max_tokens") && body["max_tokens"].is_number_integer())
      job->max_tokens = std::max<std::int64_t>(1, body["max_tokens"].get<std::int64_t>());
    if (body.contains("max_completion_tokens") && body["max_completion_tokens"].is_number_integer())
      job->max_tokens =
          std::max<std::int64_t>(1, body["max_completion_tokens"].get<std::int64_t>());
    std::string prompt;
    if (chat && body.contains("messages") && body["messages"].is_array()) {
      for (const auto& m : body["messages"])
        if (m.is_object() && m.contains("content") && m["content"].is_string())
          prompt += m["content"].get<std::string>() + " ";
    } else if (body.contains("prompt") && body["prompt"].is_string()) {
      prompt = body["prompt"].get<std::string>();
    }
    job->prompt_tokens = std::max<std::int64_t>(1, count_prompt_tokens(prompt));
    if (o_.ignore_max_tokens) job->max_tokens *= 2;  // a server that does not honour the limit
    ++total_requests_;
    std::uniform_real_distribution<double> u(0, 1);
    if (u(rng_) < o_.error_rate) {
      reply(session, 500, "application/json", error_json("injected server error"), keep_alive);
      return;
    }
    if (u(rng_) < o_.rate_limit_rate) {
      reply(session, 429, "application/json", error_json("injected rate limit"), keep_alive);
      return;
    }
    if (u(rng_) < o_.disconnect_rate)
      job->disconnect_at = std::max<std::int64_t>(1, job->max_tokens / 2);
    if (u(rng_) < o_.malformed_rate)
      job->malformed_at = std::max<std::int64_t>(1, job->max_tokens / 2);
    job->stall = u(rng_) < o_.stall_rate;
    job->arrival_s = now_s();
    job->arrival_abs_s = arrival_abs_s;
    if (job->stream) {
      session->send(
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
          "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n");
    }
    jobs_[job->id] = job;
    admit(job);
  }

 private:
  double now_s() const { return monotonic_s() - start_s_; }

  std::string error_json(const std::string& message) const {
    return Json{{"error", {{"message", message}, {"type", "BadRequestError"}}}}.dump();
  }

  void reply(const std::shared_ptr<Session>& s, int status, const std::string& type,
             const std::string& body, bool keep) {
    const char* reason = status == 200   ? "OK"
                         : status == 400 ? "Bad Request"
                         : status == 401 ? "Unauthorized"
                         : status == 404 ? "Not Found"
                         : status == 429 ? "Too Many Requests"
                                         : "Internal Server Error";
    s->send(fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n{}",
        status, reason, type, body.size(), keep ? "keep-alive" : "close", body));
    if (keep)
      s->read_next();
    else
      s->close_after_write();
  }

  std::string metrics() const {
    const std::int64_t running = replica_ ? replica_->outstanding() - replica_->waiting() : active_;
    const std::int64_t waiting =
        replica_ ? replica_->waiting() : static_cast<std::int64_t>(queue_.size());
    const double kv = replica_ && o_.replica.kv_blocks > 0
                          ? static_cast<double>(replica_->used_blocks()) /
                                static_cast<double>(o_.replica.kv_blocks)
                          : 0.0;
    return fmt::format(
        "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{{model_name=\"{0}\"}} "
        "{1}\n"
        "# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{{model_name=\"{0}\"}} "
        "{2}\n"
        "# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{{model_name=\"{0}\"}} "
        "{3}\n"
        "# TYPE fleetsizer_requests_total counter\nfleetsizer_requests_total {4}\n",
        o_.model_name, running, waiting, kv, total_requests_);
  }

  // ----- timing: fixed mode -----
  void admit(const std::shared_ptr<Job>& job) {
    if (replica_) {
      replica_->enqueue({job->id, job->arrival_s, job->prompt_tokens, job->max_tokens, {}},
                        job->arrival_s);
      if (!replica_->busy()) run_engine();
      return;
    }
    if (o_.max_concurrency > 0 && active_ >= o_.max_concurrency) {
      queue_.push_back(job);
      return;
    }
    start_fixed(job);
  }

  void start_fixed(const std::shared_ptr<Job>& job) {
    ++active_;
    job->timer = std::make_unique<net::steady_timer>(io_);
    job->due = std::chrono::steady_clock::now();
    schedule_fixed(job, o_.ttft_ms);
  }

  // Token times are absolute (due += interval), so timer latency never accumulates into drift.
  void schedule_fixed(const std::shared_ptr<Job>& job, double after_ms) {
    job->due += std::chrono::microseconds(static_cast<std::int64_t>(after_ms * 1000));
    job->timer->expires_at(job->due);
    job->timer->async_wait([this, job](beast::error_code ec) {
      if (ec) return;
      const bool done = emit(*job, 1);
      if (done) {
        finish_fixed();
      } else {
        schedule_fixed(job, o_.tpot_ms + (job->stall && job->sent == 1 ? o_.stall_ms : 0.0));
      }
    });
  }

  void finish_fixed() {
    --active_;
    if (!queue_.empty()) {
      auto next = queue_.front();
      queue_.pop_front();
      start_fixed(next);
    }
  }

  // ----- timing: model mode (the simulator's replica on the wall clock) -----
  void run_engine() {
    if (!replica_->start(now_s())) return;
    const double wait = std::max(0.0, replica_->step_end() - now_s());
    engine_timer_.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(wait * 1e6)));
    engine_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      std::vector<FinishedRequest> done;
      emissions_.clear();
      replica_->complete(done, itl_);
      for (const auto& e : emissions_) {
        auto it = jobs_.find(e.id);
        if (it != jobs_.end()) emit(*it->second, e.tokens);
      }
      run_engine();
    });
  }

  // Streams `tokens` more tokens of a job; returns true when the job is over (finished or cut).
  bool emit(Job& job, std::int64_t tokens) {
    auto session = job.session;
    const auto over = [&] {
      job.session.reset();
      jobs_.erase(job.id);
      return true;
    };
    if (!session || session->aborted()) return over();
    for (std::int64_t i = 0; i < tokens && job.sent < job.max_tokens; ++i) {
      ++job.sent;
      if (job.sent == 1) {
        job.first_token_s = monotonic_s();
        if (job.stall && !replica_) {
          // fixed mode stalls by delaying the next token (schedule_fixed)
        } else if (job.stall) {
          session->hold_for(o_.stall_ms);
        }
      }
      if (job.stream) {
        if (job.sent == job.malformed_at) {
          session->send(chunk("data: {\"choices\": [{\"text\": \n\n"));
          continue;
        }
        const bool last = job.sent == job.max_tokens;
        Json ev = job.chat ? Json{{"id", fmt::format("chatcmpl-{}", job.id)},
                                  {"object", "chat.completion.chunk"},
                                  {"model", o_.model_name},
                                  {"choices",
                                   {{{"index", 0},
                                     {"delta", {{"content", " tok"}}},
                                     {"finish_reason", last ? Json("length") : Json(nullptr)}}}}}
                           : Json{{"id", fmt::format("cmpl-{}", job.id)},
                                  {"object", "text_completion"},
                                  {"model", o_.model_name},
                                  {"choices",
                                   {{{"index", 0},
                                     {"text", " tok"},
                                     {"finish_reason", last ? Json("length") : Json(nullptr)}}}}};
        session->send(chunk("data: " + ev.dump() + "\n\n"));
      }
      if (job.sent == job.disconnect_at) {
        session->abort();
        return over();
      }
    }
    if (job.sent < job.max_tokens) return false;
    const Json usage{{"prompt_tokens", job.prompt_tokens},
                     {"completion_tokens", job.sent},
                     {"total_tokens", job.prompt_tokens + job.sent}};
    const Json timing{{"arrival_s", job.arrival_abs_s},
                      {"first_token_s", job.first_token_s},
                      {"clock", "steady"}};
    if (job.stream) {
      if (job.include_usage) {
        const Json ev{{"id", fmt::format("cmpl-{}", job.id)},
                      {"object", job.chat ? "chat.completion.chunk" : "text_completion"},
                      {"model", o_.model_name},
                      {"choices", Json::array()},
                      {"usage", usage},
                      {"fleetsizer", timing}};
        session->send(chunk("data: " + ev.dump() + "\n\n"));
      }
      session->send(chunk("data: [DONE]\n\n") + "0\r\n\r\n");
      session->read_next();
    } else {
      std::string text;
      for (std::int64_t i = 0; i < job.sent; ++i) text += " tok";
      const Json body =
          job.chat
              ? Json{{"id", fmt::format("chatcmpl-{}", job.id)},
                     {"object", "chat.completion"},
                     {"model", o_.model_name},
                     {"choices",
                      {{{"index", 0},
                        {"message", {{"role", "assistant"}, {"content", text}}},
                        {"finish_reason", "length"}}}},
                     {"usage", usage},
                     {"fleetsizer", timing}}
              : Json{{"id", fmt::format("cmpl-{}", job.id)},
                     {"object", "text_completion"},
                     {"model", o_.model_name},
                     {"choices", {{{"index", 0}, {"text", text}, {"finish_reason", "length"}}}},
                     {"usage", usage},
                     {"fleetsizer", timing}};
      reply(session, 200, "application/json", body.dump(), true);
    }
    return over();
  }

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), *this, tls_.get())->start(o_.slow_accept_ms);
      }
      if (acceptor_.is_open()) accept();
    });
  }

  net::io_context& io_;
  EmulatorOptions o_;
  tcp::acceptor acceptor_;
  net::steady_timer engine_timer_;
  std::unique_ptr<net::ssl::context> tls_;
  std::mt19937_64 rng_;
  std::unique_ptr<ReplicaSim> replica_;
  std::vector<TokenEmission> emissions_;
  Histogram itl_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::int64_t active_ = 0, total_requests_ = 0;
  std::uint64_t next_id_ = 1;
  double start_s_ = 0;
  friend class Session;
};

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

void Session::read_next() {
  request_ = {};
  with([&](auto& stream) {
    bhttp::async_read(stream, buffer_, request_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;  // client closed or sent garbage: drop the connection
                        self->server_.handle(self, self->request_);
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

}  // namespace

std::int64_t count_prompt_tokens(const std::string& text) {
  std::int64_t n = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    const bool space = std::isspace(c) != 0;
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

Result<void> run_emulator(const EmulatorOptions& o) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);  // thousands of streams need thousands of sockets
  }
  net::io_context io(1);
  Server server(io, o);
  if (auto r = server.listen(); !r) return r;
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { io.stop(); });
  net::steady_timer stop(io);
  if (o.max_seconds > 0) {
    stop.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(o.max_seconds * 1e6)));
    stop.async_wait([&](beast::error_code ec) {
      if (!ec) io.stop();
    });
  }
  io.run();
  return {};
}

}  // namespace fleetsizer::http
