#include "http/emulator.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <unordered_map>

#include "http/clock.h"
#include "http/emulator_faults.h"
#include "http/emulator_metrics.h"
#include "http/emulator_transport.h"
#include "http/openai_protocol.h"

// The emulator's core: timing (fixed mode: a set TTFT and TPOT with a concurrency cap; model mode:
// the simulator's replica on the wall clock) and the wiring of the pieces beside it: the transport
// (emulator_transport), the OpenAI protocol (openai_protocol), fault injection (emulator_faults)
// and metrics (emulator_metrics).

namespace fleetsizer::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

struct Job {
  std::uint64_t id = 0;
  std::shared_ptr<Session> session;  // keeps the connection open while the job streams
  openai::CompletionRequest ask;
  Faults faults;
  std::int64_t sent = 0;
  double arrival_s = 0, first_token_s = -1;
  double arrival_abs_s = 0;  // steady clock, comparable across processes (the client's TTFT check)
  std::unique_ptr<net::steady_timer> timer;   // fixed mode
  std::chrono::steady_clock::time_point due;  // fixed mode: when the next token is due
};

class Server {
 public:
  Server(net::io_context& io, const EmulatorOptions& o)
      : io_(io),
        o_(o),
        acceptor_(io),
        engine_timer_(io),
        faults_({o.error_rate, o.rate_limit_rate, o.disconnect_rate, o.malformed_rate, o.stall_rate,
                 o.ignore_max_tokens},
                o.seed) {
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
    auto port = listen_on(acceptor_, o_.host, o_.port);
    if (!port) return std::unexpected(port.error());
    if (o_.on_listening) o_.on_listening(*port);
    accept();
    return {};
  }

 private:
  double now_s() const { return monotonic_s() - start_s_; }

  // No request may stop the server: anything thrown while handling one is answered as a 500 on
  // that connection, which then closes, and the server keeps serving the others.
  void handle(const std::shared_ptr<Session>& session, const Session::Request& req) {
    try {
      handle_request(session, req);
    } catch (const std::exception& e) {
      reply(session, 500, "application/json",
            openai::error_json(500, std::string("internal error: ") + e.what()), false);
    }
  }

  void handle_request(const std::shared_ptr<Session>& session, const Session::Request& req) {
    // Read before any parsing, so the server's TTFT starts when the request is in.
    const double arrival_abs_s = monotonic_s();
    const std::string target(req.target());
    const bool keep_alive = req.keep_alive();
    // As an OpenAI-compatible server with --api-key: every request needs the bearer token.
    if (!o_.api_key.empty() && req[bhttp::field::authorization] != "Bearer " + o_.api_key) {
      reply(session, 401, "application/json", openai::error_json(401, "invalid API key"),
            keep_alive);
      return;
    }
    if (req.method() == bhttp::verb::get &&
        (target == "/health" || target == "/v1/models" || target == "/metrics")) {
      std::string body, type = "application/json";
      if (target == "/health") body = "{}";
      if (target == "/v1/models") body = openai::models_json(o_.model_name);
      if (target == "/metrics") {
        type = "text/plain; version=0.0.4";
        body = prometheus_text(o_.model_name, gauges());
      }
      reply(session, 200, type, body, keep_alive);
      return;
    }
    const bool chat = target == "/v1/chat/completions";
    if (req.method() != bhttp::verb::post || (!chat && target != "/v1/completions")) {
      reply(session, 404, "application/json", openai::error_json(404, "not found: " + target),
            keep_alive);
      return;
    }
    auto ask = openai::parse_completion(req.body(), chat);
    if (!ask) {
      reply(session, 400, "application/json", openai::error_json(400, ask.error().message),
            keep_alive);
      return;
    }
    // A request that can never fit would never be answered (the scheduler cannot admit it).
    if (auto too_long = openai::context_error(*ask, o_.max_model_len)) {
      reply(session, 400, "application/json", openai::error_json(400, *too_long), keep_alive);
      return;
    }
    auto job = std::make_shared<Job>();
    job->id = next_id_++;
    job->session = session;
    job->ask = *ask;
    ++total_requests_;
    job->faults = faults_.draw(ask->max_tokens);
    if (job->faults.status != 0) {
      reply(session, job->faults.status, "application/json",
            openai::error_json(job->faults.status, job->faults.status == 429
                                                       ? "injected rate limit"
                                                       : "injected server error"),
            keep_alive);
      return;
    }
    job->arrival_s = now_s();
    job->arrival_abs_s = arrival_abs_s;
    if (job->ask.stream) session->send(openai::stream_header());
    jobs_[job->id] = job;
    admit(job);
  }

  void reply(const std::shared_ptr<Session>& s, int status, const std::string& type,
             const std::string& body, bool keep) {
    s->send(openai::response(status, type, body, keep));
    if (keep)
      s->read_next();
    else
      s->close_after_write();
  }

  EmulatorGauges gauges() const {
    EmulatorGauges g;
    g.running = replica_ ? replica_->outstanding() - replica_->waiting() : active_;
    g.waiting = replica_ ? replica_->waiting() : static_cast<std::int64_t>(queue_.size());
    g.kv_usage = replica_ && o_.replica.kv_blocks > 0
                     ? static_cast<double>(replica_->used_blocks()) /
                           static_cast<double>(o_.replica.kv_blocks)
                     : 0.0;
    g.requests_total = total_requests_;
    return g;
  }

  void admit(const std::shared_ptr<Job>& job) {
    if (replica_) {
      replica_->enqueue(
          {job->id, job->arrival_s, job->ask.prompt_tokens, job->faults.max_tokens, {}},
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

  // ----- timing: fixed mode -----
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
        schedule_fixed(job, o_.tpot_ms + (job->faults.stall && job->sent == 1 ? o_.stall_ms : 0.0));
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
    const std::int64_t total = job.faults.max_tokens;
    for (std::int64_t i = 0; i < tokens && job.sent < total; ++i) {
      ++job.sent;
      if (job.sent == 1) {
        job.first_token_s = monotonic_s();
        // Fixed mode stalls by delaying the next token (schedule_fixed); model mode holds writes.
        if (job.faults.stall && replica_) session->hold_for(o_.stall_ms);
      }
      if (job.ask.stream) {
        if (job.sent == job.faults.malformed_at) {
          session->send(openai::sse_chunk(openai::malformed_event()));
          continue;
        }
        session->send(openai::sse_chunk(
            openai::token_event(job.id, job.ask.chat, o_.model_name, job.sent == total)));
      }
      if (job.sent == job.faults.disconnect_at) {
        session->abort();
        return over();
      }
    }
    if (job.sent < total) return false;
    if (job.ask.stream) {
      if (job.ask.include_usage)
        session->send(openai::sse_chunk(openai::usage_event(job.id, job.ask.chat, o_.model_name,
                                                            job.ask.prompt_tokens, job.sent,
                                                            job.arrival_abs_s, job.first_token_s)));
      session->send(openai::stream_end());
      session->read_next();
    } else {
      reply(session, 200, "application/json",
            openai::completion_body(job.id, job.ask.chat, o_.model_name, job.ask.prompt_tokens,
                                    job.sent, job.arrival_abs_s, job.first_token_s),
            true);
    }
    return over();
  }

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(
            std::move(socket), tls_.get(),
            [this](const std::shared_ptr<Session>& s, const Session::Request& r) { handle(s, r); },
            [this](const std::shared_ptr<Session>& s, int status, const std::string& why) {
              reply(s, status, "application/json", openai::error_json(status, why), false);
            })
            ->start(o_.slow_accept_ms);
      }
      if (acceptor_.is_open()) accept();
    });
  }

  net::io_context& io_;
  EmulatorOptions o_;
  tcp::acceptor acceptor_;
  net::steady_timer engine_timer_;
  std::unique_ptr<net::ssl::context> tls_;
  FaultInjector faults_;
  std::unique_ptr<ReplicaSim> replica_;
  std::vector<TokenEmission> emissions_;
  Histogram itl_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::int64_t active_ = 0, total_requests_ = 0;
  std::uint64_t next_id_ = 1;
  double start_s_ = 0;
};

}  // namespace

std::int64_t count_prompt_tokens(const std::string& text) {
  return openai::count_words(text);
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
  run_until_stopped(io, o.max_seconds);
  return {};
}

}  // namespace fleetsizer::http
