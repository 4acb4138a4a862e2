#include "http/client.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <limits>
#include <nlohmann/json.hpp>

#include "http/clock.h"
#include "http/openai_protocol.h"

namespace fleetsizer::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using Json = nlohmann::json;
using bench::Failure;
using bench::RequestSample;

// The first address of a host name or numeric address, resolved once before a run (a name
// looked up per request would put DNS time into the latencies).
Result<tcp::endpoint> resolve(net::io_context& io, const std::string& host, unsigned short port) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty())
    return fail(fmt::format("cannot resolve host '{}': {}", host,
                            ec ? ec.message() : std::string("no address")));
  return results.begin()->endpoint();
}

// One keep-alive connection, plain or TLS: `with` hands the stream to read and write to whichever
// it is, so the request/response code is written once.
struct Connection {
  Connection(net::io_context& io, net::ssl::context* tls) {
    if (tls)
      secure.emplace(io, *tls);
    else
      plain.emplace(io);
  }
  std::optional<tcp::socket> plain;
  std::optional<net::ssl::stream<tcp::socket>> secure;
  beast::flat_buffer buffer;
  tcp::socket& socket() { return secure ? secure->next_layer() : *plain; }
  template <class F>
  void with(F&& f) {
    if (secure)
      f(*secure);
    else
      f(*plain);
  }
  void close() {
    beast::error_code ignored;
    socket().close(ignored);
  }
  // SNI and certificate checks (unless insecure) for `host` before the handshake.
  void prepare_tls(const std::string& host, bool verify) {
    beast::error_code ec;
    net::ip::make_address(host, ec);
    if (ec) SSL_set_tlsext_host_name(secure->native_handle(), host.c_str());  // names only
    if (verify) secure->set_verify_callback(net::ssl::host_name_verification(host));
  }
};

// The client's TLS settings: the system's CA store, a given CA file, or no verification.
Result<std::unique_ptr<net::ssl::context>> tls_context(const ClientOptions& o) {
  if (!o.tls) return std::unique_ptr<net::ssl::context>();
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
  beast::error_code ec;
  if (o.insecure) {
    ctx->set_verify_mode(net::ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(net::ssl::verify_peer, ec);
  if (!o.ca_file.empty())
    ctx->load_verify_file(o.ca_file, ec);
  else
    ctx->set_default_verify_paths(ec);
  if (ec)
    return fail(fmt::format("--ca-file {}: cannot load it: {}",
                            o.ca_file.empty() ? "(system store)" : o.ca_file, ec.message()));
  return ctx;
}

// Host header: the port only when it is not the scheme's default (as browsers and curl send it).
std::string host_header(const ClientOptions& o) {
  const bool v6 = o.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + o.host + "]" : o.host;
  return o.port == (o.tls ? 443 : 80) ? host : fmt::format("{}:{}", host, o.port);
}

// --header pairs and the bearer token, one "Name: value\r\n" line each.
std::string extra_headers(const ClientOptions& o) {
  std::string out;
  for (const auto& [k, v] : o.headers) out += fmt::format("{}: {}\r\n", k, v);
  return out;
}

std::string tls_failure(const std::string& host, const beast::error_code& ec) {
  return fmt::format("TLS handshake with {} failed: {}", host, ec.message());
}

class Load;

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(Load& load, std::size_t index, std::unique_ptr<Connection> conn, bool fresh);
  void start();
  void cancel(Failure why);

 private:
  void connect();
  void write();
  void read_header();
  void read_body();
  void on_event(const std::string& payload, double received_s);
  void finish(Failure f, std::string error = "");
  // A kept-alive connection the server closed meanwhile: retry once on a fresh one.
  bool retry_on_fresh_connection();

  Load& load_;
  std::size_t index_;
  std::unique_ptr<Connection> conn_;
  bool fresh_;
  std::string request_;
  std::unique_ptr<bhttp::response_parser<bhttp::buffer_body>> parser_;
  char scratch_[16384];
  SseDecoder sse_;
  net::steady_timer timeout_;
  bool done_ = false, saw_done_marker_ = false;
  std::int64_t usage_tokens_ = -1;
  std::string error_body_;
};

class Load {
 public:
  Load(const ClientOptions& o, const LoadPlan& p,
       const std::function<void(const Progress&)>& progress, ServerMetrics* metrics,
       double scrape_interval_s)
      : o_(o),
        plan_(p),
        progress_(progress),
        metrics_(metrics),
        scrape_interval_s_(scrape_interval_s),
        timer_(io_),
        progress_timer_(io_),
        stop_timer_(io_),
        scrape_timer_(io_),
        samples_(p.schedule.size()) {
    if (p.requests.empty()) request_ = make_request({"", o.isl, o.osl});
  }

  // The HTTP request for a prompt (or one of `prompt_tokens` one-token words) asking for
  // `output_tokens` tokens.
  std::string make_request(const bench::RequestSpec& spec) const {
    std::string prompt = spec.prompt;
    if (prompt.empty()) {
      prompt.reserve(static_cast<std::size_t>(spec.prompt_tokens) * 4);
      for (std::int64_t i = 0; i < spec.prompt_tokens; ++i) prompt += i == 0 ? "the" : " the";
    }
    Json body = {{"model", o_.model},
                 {"max_tokens", spec.output_tokens},
                 {"stream", true},
                 {"stream_options", {{"include_usage", true}}},
                 {"temperature", 0}};
    if (o_.ignore_eos) {
      body["ignore_eos"] = true;
      body["min_tokens"] = spec.output_tokens;
    }
    if (o_.chat)
      body["messages"] = {{{"role", "user"}, {"content", prompt}}};
    else
      body["prompt"] = prompt;
    const std::string payload = body.dump();
    return fmt::format(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: "
        "text/event-stream\r\nConnection: keep-alive\r\n{}Content-Length: {}\r\n\r\n{}",
        o_.chat ? "/v1/chat/completions" : "/v1/completions", host_header(o_), extra_headers(o_),
        payload.size(), payload);
  }

  std::string request_for(std::size_t i) const {
    return plan_.requests.empty() ? request_ : make_request(plan_.requests[i]);
  }

  Result<std::vector<RequestSample>> run() {
    auto tls = tls_context(o_);
    if (!tls) return fail(tls.error().message);
    tls_ = std::move(*tls);
    auto endpoint = resolve(io_, o_.host, o_.port);
    if (!endpoint) return fail(endpoint.error().message);
    endpoint_ = *endpoint;
    start_abs_ = monotonic_s();
    for (std::size_t i = 0; i < samples_.size(); ++i) {
      samples_[i].index = static_cast<std::int64_t>(i);
      samples_[i].warmup = static_cast<int>(i) < plan_.warmup;
      samples_[i].scheduled_s = plan_.schedule[i];
      samples_[i].sent = false;  // until it is
      samples_[i].prompt_tokens = plan_.requests.empty() ? o_.isl : plan_.requests[i].prompt_tokens;
      samples_[i].max_tokens = plan_.requests.empty() ? o_.osl : plan_.requests[i].output_tokens;
    }
    if (plan_.duration_s > 0) {
      stop_timer_.expires_after(to_duration(plan_.duration_s));
      stop_timer_.async_wait([this](beast::error_code e) {
        if (!e) stop();
      });
    }
    tick_progress();
    schedule_scrape();
    schedule_next();
    io_.run();
    if (metrics_ && metrics_->samples > 0) {
      metrics_->mean_running = running_sum_ / metrics_->samples;
      metrics_->mean_waiting = waiting_sum_ / metrics_->samples;
      metrics_->mean_kv_usage = kv_sum_ / metrics_->samples;
    }
    return std::move(samples_);
  }

  double now() const { return monotonic_s() - start_abs_; }
  double start_abs() const { return start_abs_; }
  net::io_context& io() { return io_; }
  const ClientOptions& options() const { return o_; }
  const tcp::endpoint& endpoint() const { return endpoint_; }
  net::ssl::context* tls() { return tls_.get(); }
  RequestSample& sample(std::size_t i) { return samples_[i]; }

  void finished(std::size_t index, std::unique_ptr<Connection> reusable) {
    --in_flight_;
    ++progress_state_.completed;
    if (!samples_[index].ok()) {
      ++progress_state_.failed;
    } else if (!samples_[index].warmup) {
      ttfts_ms_.push_back((samples_[index].first_token_s - samples_[index].scheduled_s) * 1e3);
    }
    calls_.erase(index);
    if (reusable) idle_.push_back(std::move(reusable));
    launch_pending();
    maybe_done();
  }

 private:
  static std::chrono::steady_clock::duration to_duration(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(0.0, s)));
  }

  void schedule_next() {
    if (stopped_) return;
    // Launch everything due now; wait for the next due time.
    while (next_ < samples_.size() && samples_[next_].scheduled_s <= now()) {
      pending_.push_back(next_++);
    }
    launch_pending();
    if (next_ < samples_.size()) {
      timer_.expires_at(std::chrono::steady_clock::time_point(
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(start_abs_ + samples_[next_].scheduled_s))));
      timer_.async_wait([this](beast::error_code ec) {
        if (!ec) schedule_next();
      });
    }
    maybe_done();
  }

  void launch_pending() {
    while (!stopped_ && !pending_.empty() &&
           (plan_.max_concurrency <= 0 || in_flight_ < plan_.max_concurrency)) {
      const std::size_t i = pending_.front();
      pending_.pop_front();
      std::unique_ptr<Connection> conn;
      bool fresh = true;
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
        fresh = false;
      } else {
        conn = std::make_unique<Connection>(io_, tls_.get());
      }
      ++in_flight_;
      ++progress_state_.sent;
      auto call = std::make_shared<Call>(*this, i, std::move(conn), fresh);
      calls_[i] = call;
      call->start();
    }
  }

  void stop() {
    stopped_ = true;
    timer_.cancel();
    for (std::size_t i : pending_) samples_[i].failure = Failure::stopped;
    for (std::size_t i = next_; i < samples_.size(); ++i) samples_[i].failure = Failure::stopped;
    pending_.clear();
    next_ = samples_.size();
    auto calls = calls_;
    for (auto& [i, c] : calls) c->cancel(Failure::stopped);
    maybe_done();
  }

  void maybe_done() {
    if (next_ >= samples_.size() && pending_.empty() && in_flight_ == 0) {
      finished_ = true;
      scrape_timer_.cancel();
      for (auto& w : scrapes_) {
        if (auto sock = w.lock()) {
          beast::error_code ignored;
          sock->close(ignored);
        }
      }
      timer_.cancel();
      progress_timer_.cancel();
      stop_timer_.cancel();
      idle_.clear();
      if (progress_) {
        progress_state_.elapsed_s = now();
        progress_(progress_state_);
      }
    }
  }

  // Polls GET /metrics on its own short-lived connections, beside the load.
  void schedule_scrape() {
    if (!metrics_ || finished_) return;
    scrape_timer_.expires_after(to_duration(scrape_interval_s_));
    scrape_timer_.async_wait([this](beast::error_code ec) {
      if (ec || finished_) return;
      scrape();
      schedule_scrape();
    });
  }

  void scrape() {
    if (tls_) {
      // The scrape's own connections are plain HTTP.
      if (metrics_->error.empty())
        metrics_->error = "scraping /metrics over https is not supported";
      return;
    }
    auto sock = std::make_shared<tcp::socket>(io_);
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    auto request = std::make_shared<std::string>(
        fmt::format("GET /metrics HTTP/1.1\r\nHost: {}\r\n{}Connection: close\r\n\r\n",
                    host_header(o_), extra_headers(o_)));
    scrapes_.push_back(sock);
    auto failed = [this](const std::string& why) {
      if (metrics_->error.empty()) metrics_->error = why;
    };
    // Each handler holds what the operation it starts still uses (request, buffer, response): the
    // handler that started an operation is gone by the time the operation completes.
    sock->async_connect(
        endpoint_, [this, sock, buffer, response, request, failed](beast::error_code ec) {
          if (ec) return failed("connect: " + ec.message());
          net::async_write(
              *sock, net::buffer(*request),
              [this, sock, buffer, response, request, failed](beast::error_code ec2, std::size_t) {
                if (ec2) return failed("write: " + ec2.message());
                bhttp::async_read(
                    *sock, *buffer, *response,
                    [this, sock, buffer, response, failed](beast::error_code ec3, std::size_t) {
                      beast::error_code ignored;
                      sock->close(ignored);
                      if (ec3) return failed("read: " + ec3.message());
                      if (response->result_int() != 200)
                        return failed(fmt::format("HTTP {}", response->result_int()));
                      record(response->body());
                    });
              });
        });
  }

  void record(const std::string& text) {
    const double running = prometheus_gauge(text, "vllm:num_requests_running").value_or(0);
    const double waiting = prometheus_gauge(text, "vllm:num_requests_waiting").value_or(0);
    auto kv = prometheus_gauge(text, "vllm:kv_cache_usage_perc");
    if (!kv) kv = prometheus_gauge(text, "vllm:gpu_cache_usage_perc");  // before vLLM 0.10
    ServerMetrics& m = *metrics_;
    ++m.samples;
    m.max_running = std::max(m.max_running, running);
    m.max_waiting = std::max(m.max_waiting, waiting);
    m.max_kv_usage = std::max(m.max_kv_usage, kv.value_or(0));
    running_sum_ += running;
    waiting_sum_ += waiting;
    kv_sum_ += kv.value_or(0);
  }

  void tick_progress() {
    if (!progress_) return;
    progress_timer_.expires_after(std::chrono::milliseconds(250));
    progress_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      progress_state_.elapsed_s = now();
      if (!ttfts_ms_.empty()) {
        std::vector<double> copy = ttfts_ms_;
        const auto k = static_cast<std::ptrdiff_t>(0.99 * static_cast<double>(copy.size() - 1));
        std::nth_element(copy.begin(), copy.begin() + k, copy.end());
        progress_state_.p99_ttft_ms = copy[static_cast<std::size_t>(k)];
      }
      progress_(progress_state_);
      tick_progress();
    });
  }

  ClientOptions o_;
  LoadPlan plan_;
  std::function<void(const Progress&)> progress_;
  ServerMetrics* metrics_;
  double scrape_interval_s_;
  net::io_context io_{1};
  net::steady_timer timer_, progress_timer_, stop_timer_;
  net::steady_timer scrape_timer_;
  std::vector<std::weak_ptr<tcp::socket>> scrapes_;  // in flight, closed when the run ends
  double running_sum_ = 0, waiting_sum_ = 0, kv_sum_ = 0;
  bool finished_ = false;
  tcp::endpoint endpoint_;
  std::unique_ptr<net::ssl::context> tls_;
  std::string request_;
  std::vector<RequestSample> samples_;
  std::deque<std::size_t> pending_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::unordered_map<std::size_t, std::shared_ptr<Call>> calls_;
  std::size_t next_ = 0;
  int in_flight_ = 0;
  bool stopped_ = false;
  double start_abs_ = 0;
  Progress progress_state_;
  std::vector<double> ttfts_ms_;  // completed requests, for the live p99
};

Call::Call(Load& load, std::size_t index, std::unique_ptr<Connection> conn, bool fresh)
    : load_(load), index_(index), conn_(std::move(conn)), fresh_(fresh), timeout_(load.io()) {}

void Call::start() {
  // Sent when the client starts the request, as vLLM's start_time: a new connection's TCP and TLS
  // setup is part of the request's latency, not of the client's queue.
  load_.sample(index_).sent_s = load_.now();
  load_.sample(index_).sent = true;
  timeout_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(load_.options().timeout_s)));
  timeout_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->cancel(Failure::timeout);
  });
  if (fresh_)
    connect();
  else
    write();
}

void Call::cancel(Failure why) {
  if (done_) return;
  conn_->close();
  finish(why, why == Failure::timeout ? "no complete response within the timeout"
                                      : "stopped at the time bound");
}

void Call::connect() {
  conn_->socket().async_connect(
      load_.endpoint(), [self = shared_from_this()](beast::error_code ec) {
        if (self->done_) return;
        if (ec) return self->finish(Failure::connect, ec.message());
        beast::error_code ignored;
        self->conn_->socket().set_option(tcp::no_delay(true), ignored);
        if (!self->conn_->secure) return self->write();
        self->conn_->prepare_tls(self->load_.options().host, !self->load_.options().insecure);
        self->conn_->secure->async_handshake(
            net::ssl::stream_base::client, [self](beast::error_code ec2) {
              if (self->done_) return;
              if (ec2)
                return self->finish(Failure::connect, tls_failure(self->load_.options().host, ec2));
              self->write();
            });
      });
}

void Call::write() {
  if (request_.empty()) request_ = load_.request_for(index_);
  conn_->with([&](auto& stream) {
    net::async_write(stream, net::buffer(request_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (self->done_) return;
                       if (ec) {
                         if (self->retry_on_fresh_connection()) return;
                         return self->finish(Failure::disconnect, ec.message());
                       }
                       self->read_header();
                     });
  });
}

bool Call::retry_on_fresh_connection() {
  if (fresh_) return false;
  fresh_ = true;
  beast::error_code ignored;
  conn_->socket().close(ignored);
  conn_ = std::make_unique<Connection>(load_.io(), load_.tls());
  connect();
  return true;
}

void Call::read_header() {
  parser_ = std::make_unique<bhttp::response_parser<bhttp::buffer_body>>();
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  conn_->with([&](auto& stream) {
    bhttp::async_read_header(stream, conn_->buffer, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (self->done_) return;
                               if (ec) {
                                 const bool stale = ec == bhttp::error::end_of_stream ||
                                                    ec == net::error::eof ||
                                                    ec == net::error::connection_reset ||
                                                    ec == net::ssl::error::stream_truncated;
                                 if (stale && self->retry_on_fresh_connection()) return;
                                 return self->finish(Failure::disconnect, ec.message());
                               }
                               self->read_body();
                             });
  });
}

void Call::read_body() {
  auto& body = parser_->get().body();
  body.data = scratch_;
  body.size = sizeof(scratch_);
  conn_->with([&](auto& stream) {
    bhttp::async_read_some(
        stream, conn_->buffer, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (self->done_) return;
          if (ec == bhttp::error::need_buffer) ec = {};
          const std::size_t got = sizeof(self->scratch_) - self->parser_->get().body().size;
          const int status = self->parser_->get().result_int();
          if (got > 0) {
            if (status != 200) {
              self->error_body_.append(self->scratch_, got);
            } else {
              // Chunks count from when their bytes arrived, not from when their JSON was parsed.
              const double received_s = self->load_.now();
              self->sse_.feed(self->scratch_, got, [&](const std::string& payload) {
                self->on_event(payload, received_s);
              });
              if (self->done_) return;
            }
          }
          if (ec) return self->finish(Failure::disconnect, "stream ended early: " + ec.message());
          if (self->parser_->is_done()) {
            if (status != 200) {
              self->load_.sample(self->index_).http_status = status;
              return self->finish(
                  status == 429 ? Failure::rate_limited : Failure::http_status,
                  fmt::format("HTTP {}: {}", status,
                              openai::escape_invalid_utf8(self->error_body_.substr(0, 200))));
            }
            if (!self->saw_done_marker_)
              return self->finish(Failure::disconnect, "stream ended without [DONE]");
            return self->finish(Failure::none);
          }
          self->read_body();
        });
  });
}

void Call::on_event(const std::string& payload, double received_s) {
  if (done_) return;
  RequestSample& s = load_.sample(index_);
  if (payload == "[DONE]") {
    saw_done_marker_ = true;
    return;
  }
  Json j;
  try {
    j = Json::parse(payload);
  } catch (const Json::exception&) {  // not JSON, or a number past a double (found by fuzzing)
    conn_->close();
    return finish(Failure::malformed, "unparseable event: " + payload.substr(0, 80));
  }
  if (j.contains("usage") && j["usage"].is_object()) {
    const Json& u = j["usage"];
    if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer())
      usage_tokens_ = u["completion_tokens"].get<std::int64_t>();
    if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer())
      s.prompt_tokens = u["prompt_tokens"].get<std::int64_t>();
  }
  if (j.contains("fleetsizer") && j["fleetsizer"].is_object()) {
    const Json& t = j["fleetsizer"];
    if (t.contains("first_token_s") && t["first_token_s"].is_number())
      s.server_first_token_s = t["first_token_s"].get<double>() - load_.start_abs();
    if (t.contains("arrival_s") && t["arrival_s"].is_number())
      s.server_arrival_s = t["arrival_s"].get<double>() - load_.start_abs();
  }
  if (j.contains("error")) return finish(Failure::http_status, j["error"].dump().substr(0, 200));
  if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) return;
  const Json& c = j["choices"][0];
  std::string text;
  if (c.contains("text") && c["text"].is_string()) text = c["text"].get<std::string>();
  if (c.contains("delta") && c["delta"].is_object() && c["delta"].contains("content") &&
      c["delta"]["content"].is_string())
    text = c["delta"]["content"].get<std::string>();
  if (text.empty()) return;
  if (s.first_token_s < 0) s.first_token_s = received_s;
  s.chunk_s.push_back(received_s);
}

void Call::finish(Failure f, std::string error) {
  if (done_) return;
  done_ = true;
  timeout_.cancel();
  RequestSample& s = load_.sample(index_);
  s.failure = f;
  s.error = std::move(error);
  s.end_s = load_.now();
  s.output_tokens =
      usage_tokens_ >= 0 ? usage_tokens_ : static_cast<std::int64_t>(s.chunk_s.size());
  const bool reusable = f == Failure::none && parser_ && parser_->keep_alive();
  load_.finished(index_, reusable ? std::move(conn_) : nullptr);
}

}  // namespace

std::optional<double> prometheus_gauge(const std::string& text, const std::string& name) {
  std::optional<double> total;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (!line.starts_with(name) || line.size() == name.size()) continue;
    const char next = line[name.size()];
    if (next != '{' && next != ' ') continue;  // a longer metric name with this prefix
    const std::size_t value_at = line.rfind(' ');
    try {
      total = total.value_or(0) + std::stod(std::string(line.substr(value_at + 1)));
    } catch (...) {
    }
  }
  return total;
}

Result<std::vector<std::string>> served_models(const ClientOptions& o) {
  net::io_context io(1);
  auto tls = tls_context(o);
  if (!tls) return fail(tls.error().message);
  auto endpoint = resolve(io, o.host, o.port);
  if (!endpoint) return fail(endpoint.error().message);
  const std::string where = fmt::format("{}:{}", o.host, o.port);
  Connection conn(io, tls->get());
  bhttp::response<bhttp::string_body> response;
  const std::string request = fmt::format(
      "GET /v1/models HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n{}Connection: "
      "close\r\n\r\n",
      host_header(o), extra_headers(o));
  std::string error;
  auto get = [&] {
    conn.with([&](auto& stream) {
      net::async_write(stream, net::buffer(request), [&](beast::error_code ec2, std::size_t) {
        if (ec2) {
          error = fmt::format("GET /v1/models on {}: {}", where, ec2.message());
          return;
        }
        conn.with([&](auto& s2) {
          bhttp::async_read(s2, conn.buffer, response, [&](beast::error_code ec3, std::size_t) {
            if (!ec3) return;
            const bool closed = ec3 == bhttp::error::end_of_stream || ec3 == net::error::eof ||
                                ec3 == net::error::connection_reset;
            error = closed ? fmt::format(
                                 "GET /v1/models on {}: the server closed the connection "
                                 "without answering (disconnect; is it an https server?)",
                                 where)
                           : fmt::format("GET /v1/models on {}: {}", where, ec3.message());
          });
        });
      });
    });
  };
  conn.socket().async_connect(*endpoint, [&](beast::error_code ec) {
    if (ec) {
      error = fmt::format("cannot connect to {}: {}", where, ec.message());
      return;
    }
    if (!conn.secure) return get();
    conn.prepare_tls(o.host, !o.insecure);
    conn.secure->async_handshake(net::ssl::stream_base::client, [&](beast::error_code ec2) {
      if (ec2) {
        error = tls_failure(o.host, ec2);
        return;
      }
      get();
    });
  });
  io.run_for(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o.timeout_s)));
  if (!io.stopped())
    return fail(fmt::format("no response from {} within --timeout {} s (GET /v1/models)", where,
                            o.timeout_s));
  if (!error.empty()) return fail(error);
  const int status = response.result_int();
  if (status == 401 || status == 403)
    return fail(fmt::format(
        "{} refused the credentials (HTTP {} on GET /v1/models): set OPENAI_API_KEY or --header "
        "Authorization='Bearer ...'",
        where, status));
  if (status == 429)
    return fail(fmt::format("{} rate-limited GET /v1/models (HTTP 429): {}", where,
                            openai::escape_invalid_utf8(response.body().substr(0, 120))));
  if (status != 200)
    return fail(fmt::format("GET /v1/models on {}: HTTP {}: {}", where, status,
                            openai::escape_invalid_utf8(response.body().substr(0, 120))));
  Json j;
  try {
    j = Json::parse(response.body());
  } catch (const Json::exception&) {
    const bool html = response.body().find('<') != std::string::npos;
    return fail(
        fmt::format("GET /v1/models on {} returned {}, not JSON: is --base-url an "
                    "OpenAI-compatible server?",
                    where, html ? "HTML" : "text"));
  }
  std::vector<std::string> ids;
  if (j.is_object() && j.contains("data") && j["data"].is_array())
    for (const auto& m : j["data"])
      if (m.is_object() && m.contains("id") && m["id"].is_string())
        ids.push_back(m["id"].get<std::string>());
  if (ids.empty()) return fail(fmt::format("GET /v1/models on {} lists no model", where));
  return ids;
}

Result<std::vector<RequestSample>> run_load(const ClientOptions& options, const LoadPlan& plan,
                                            const std::function<void(const Progress&)>& on_progress,
                                            ServerMetrics* metrics, double scrape_interval_s) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (metrics) *metrics = ServerMetrics{};
  Load load(options, plan, on_progress, metrics, scrape_interval_s);
  return load.run();
}

}  // namespace fleetsizer::http
