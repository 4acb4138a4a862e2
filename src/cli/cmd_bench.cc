#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "fleetsizer/api/bench.h"
#include "fleetsizer/bench/dataset.h"
#include "fleetsizer/bench/result.h"
#include "fleetsizer/bench/sweep.h"
#include "http/client.h"
#include "http/url.h"
#include "http/vllm_result.h"
#include "io/output.h"
#include "io/sharegpt_file.h"
#include "io/trace_file.h"

namespace fleetsizer::cli {
namespace {

// Flag names and defaults are vLLM `bench serve`'s (docs/cli.md maps each one).
struct BenchFlags {
  std::string base_url;  // empty: http://--host:--port
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string endpoint = "/v1/completions";
  std::string backend = "openai";
  std::string model;  // empty: the first model GET /v1/models lists
  std::string served_model_name, tokenizer, label;
  std::string dataset_name = "random", dataset_path;
  std::int64_t num_prompts = 1000;
  std::string request_rate = "inf";
  double burstiness = 1.0;
  int max_concurrency = 0;
  std::int64_t input_len = 1024, output_len = 128;
  double range_ratio = 0;
  std::int64_t sharegpt_output_len = 0;  // 0: each reply's own length
  bool ignore_eos = false;
  std::vector<std::string> goodput;
  std::string percentile_metrics = "ttft,tpot,itl", metric_percentiles = "99";
  std::vector<std::string> slo;
  bool save_result = false, save_detailed = false, disable_tqdm = false;
  std::string result_dir, result_filename;
  std::vector<std::string> metadata;
  int warmup = 0;
  double timeout_s = 60;
  double duration_s = 0;
  std::uint64_t seed = 0;
  bool sweep = false;
  double sweep_start = 0;  // 0: bracket from an all-at-once probe
  int sweep_repeats = 1;
  double sweep_precision = 0.03;
  int sweep_max_probes = 12;
  double sweep_window_s = 3;
  std::int64_t sweep_window_requests = 50;
  std::string measurement_out, gpu, engine = "generic";
  std::string lengths_from;
  std::string trace;  // timed replay: arrival times and lengths
  double trace_speedup = 1;
  std::vector<std::string> headers;
  std::string api_key;  // OPENAI_API_KEY
  bool insecure = false;
  std::string ca_file;
  bool scrape_metrics = false;
  int tp = 1;
};

Result<http::ClientOptions> client_options(const BenchFlags& f) {
  http::ClientOptions o;
  const std::string url =
      f.base_url.empty() ? fmt::format("http://{}:{}", f.host, f.port) : f.base_url;
  auto base = http::parse_base_url(url);
  if (!base) return fail("--base-url " + base.error().message);
  o.tls = base->tls;
  o.insecure = f.insecure;
  o.ca_file = f.ca_file;
  if (!o.tls && (f.insecure || !f.ca_file.empty()))
    return fail("--insecure and --ca-file apply to https:// base URLs only");
  o.host = base->host;
  o.port = base->port;
  if (f.endpoint == "/v1/chat/completions")
    o.chat = true;
  else if (f.endpoint != "/v1/completions")
    return fail(
        fmt::format("--endpoint '{}': /v1/completions or /v1/chat/completions", f.endpoint));
  if (f.backend == "openai-chat" && !o.chat)
    return fail("--backend openai-chat needs --endpoint /v1/chat/completions");
  if (!(f.timeout_s > 0)) return fail("--timeout must be a positive number of seconds");
  o.timeout_s = f.timeout_s;
  // vLLM sends ignore_eos for the random dataset whatever the flag; synthesized prompts and trace
  // lengths likewise need the exact output length.
  o.ignore_eos = f.ignore_eos || f.dataset_name == "random" || !f.lengths_from.empty();
  // vLLM's --header KEY=VALUE; OPENAI_API_KEY becomes a bearer token unless a header sets one.
  bool has_authorization = false;
  for (const auto& h : f.headers) {
    const auto eq = h.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(fmt::format("--header '{}': expected KEY=VALUE", h));
    const std::string key = h.substr(0, eq), value = h.substr(eq + 1);
    if (h.find_first_of("\r\n") != std::string::npos ||
        key.find_first_of(" :") != std::string::npos)
      return fail(
          fmt::format("--header '{}': a header name has no spaces or ':', and neither "
                      "part a line break",
                      key));
    has_authorization = has_authorization || key == "Authorization" || key == "authorization";
    o.headers.emplace_back(key, value);
  }
  if (!has_authorization && !f.api_key.empty())
    o.headers.emplace_back("Authorization", "Bearer " + f.api_key);
  return o;
}

Result<double> parse_rate(const std::string& text) {
  if (text == "inf") return INFINITY;
  try {
    std::size_t used = 0;
    const double r = std::stod(text, &used);
    if (used == text.size() && r > 0 && std::isfinite(r)) return r;
  } catch (...) {
  }
  return fail(fmt::format("--request-rate must be a positive number or inf, got '{}'", text));
}

// What each request asks for: from a trace's lengths, a ShareGPT file, or vLLM's random dataset.
Result<std::vector<bench::RequestSpec>> plan_requests(const BenchFlags& f, std::int64_t count) {
  if (!f.lengths_from.empty()) {
    auto all = io::read_trace_lengths(f.lengths_from);
    if (!all) return fail(all.error().message);
    std::vector<bench::RequestSpec> v;
    for (std::int64_t i = 0; i < count; ++i) {
      const auto& [in, out] = (*all)[static_cast<std::size_t>(i) % all->size()];
      v.push_back({"", in, out});
    }
    return v;
  }
  if (f.dataset_name == "random") {
    if (!f.dataset_path.empty())
      return fail("--dataset-path: the random dataset reads no file (use --dataset-name sharegpt)");
    return bench::random_requests(count, f.input_len, f.output_len, f.range_ratio, f.seed);
  }
  if (f.dataset_name == "sharegpt") {
    if (f.dataset_path.empty()) return fail("--dataset-name sharegpt needs --dataset-path FILE");
    auto conversations = io::read_sharegpt(f.dataset_path);
    if (!conversations) return fail(conversations.error().message);
    auto v = bench::sharegpt_requests(
        *conversations, count,
        f.sharegpt_output_len > 0 ? std::optional(f.sharegpt_output_len) : std::nullopt, f.seed);
    if (!v) return fail(fmt::format("{}: {}", f.dataset_path, v.error().message));
    return v;
  }
  return fail(fmt::format("--dataset-name '{}': random or sharegpt (the datasets bench reads)",
                          f.dataset_name));
}

// A trace replayed with its own timing (AIPerf's fixed schedule): the first `count` requests'
// arrival offsets divided by `speedup`, and their lengths.
Result<api::TimedTrace> read_timed_trace(const std::string& path, std::int64_t count,
                                         double speedup) {
  if (!(speedup > 0 && std::isfinite(speedup)))
    return fail(fmt::format("--trace-speedup must be a positive number, got {}", speedup));
  io::TraceOptions options;
  options.max_requests = count;
  auto source = io::open_trace(path, options);
  if (!source) return fail(source.error().message);
  api::TimedTrace t;
  Request r;
  for (;;) {
    auto more = (*source)->next(r);
    if (!more) return fail(more.error().message);
    if (!*more) break;
    t.offsets_s.push_back(r.arrival_s / speedup);
    t.requests.push_back({"", r.input_tokens, r.output_tokens});
  }
  if (t.offsets_s.empty()) return fail(fmt::format("--trace {}: no requests", path));
  return t;
}

// The load over HTTP, with a progress line on a terminal.
api::LoadFn http_load(const BenchFlags& f, const http::ClientOptions& client,
                      http::ServerMetrics* server) {
  return [&f, &client,
          server](const api::LoadRun& run) -> Result<std::vector<bench::RequestSample>> {
    http::LoadPlan plan;
    plan.schedule = run.schedule;
    plan.requests = run.requests;
    plan.warmup = run.warmup;
    plan.max_concurrency = f.max_concurrency;
    plan.duration_s = f.duration_s;
    bool printed = false;
    std::function<void(const http::Progress&)> on_progress;
    if (!f.disable_tqdm && ::isatty(STDERR_FILENO)) {
      on_progress = [&](const http::Progress& p) {
        // The ETA: the run's requests at the pace so far, or what is left of --duration.
        const std::string eta =
            f.duration_s > 0 ? eta_text(p.elapsed_s, f.duration_s, p.elapsed_s)
                             : eta_text(static_cast<double>(p.completed),
                                        static_cast<double>(run.requests.size()), p.elapsed_s);
        std::fprintf(
            stderr,
            "\r[%s] %.1f s: sent %lld (%.1f req/s), done %lld, failed %lld, TTFT p99 %.0f ms%s   ",
            run.label.c_str(), p.elapsed_s, static_cast<long long>(p.sent),
            p.elapsed_s > 0 ? static_cast<double>(p.sent) / p.elapsed_s : 0.0,
            static_cast<long long>(p.completed), static_cast<long long>(p.failed), p.p99_ttft_ms,
            eta.c_str());
        printed = true;
      };
    }
    http::ServerMetrics ignored;
    auto samples = http::run_load(client, plan, on_progress,
                                  f.scrape_metrics ? (server ? server : &ignored) : nullptr);
    if (printed) std::fprintf(stderr, "\n");
    return samples;
  };
}

// Python's str(float), which vLLM puts in its default result file name: 10 -> "10.0".
std::string python_float(double v) {
  if (!std::isfinite(v)) return "inf";
  if (v == std::floor(v) && std::abs(v) < 1e15) return fmt::format("{:.1f}", v);
  return fmt::format("{}", v);
}

}  // namespace

void setup_bench(CLI::App& app, Invocation& inv) {
  auto f = std::make_shared<BenchFlags>();
  app.option_defaults()->always_capture_default();  // --help shows every default
  // Where and what
  app.add_option("--base-url", f->base_url,
                 "Server root, http[s]://HOST[:PORT] (default: http://--host:--port)");
  app.add_option("--host", f->host, "Server host when --base-url is not given");
  app.add_option("--port", f->port, "Server port when --base-url is not given");
  app.add_option("--endpoint", f->endpoint, "/v1/completions or /v1/chat/completions");
  app.add_option("--header", f->headers,
                 "KEY=VALUE headers sent with every request (OPENAI_API_KEY, when set, is sent as "
                 "Authorization: Bearer unless a header sets Authorization)");
  app.add_flag("--insecure", f->insecure, "https: do not verify the server's certificate");
  app.add_option("--ca-file", f->ca_file,
                 "https: trust the certificates in this PEM file (default: the system's)");
  app.add_option("--backend", f->backend, "openai, vllm (the same) or openai-chat")
      ->check(CLI::IsMember({"openai", "vllm", "openai-chat"}));
  app.add_option("--model", f->model,
                 "Model id; checked against GET /v1/models (default: the first it lists)");
  app.add_option("--served-model-name", f->served_model_name,
                 "Model name sent in requests, when it differs from --model");
  app.add_option("--tokenizer", f->tokenizer,
                 "Recorded as tokenizer_id (lengths are estimated, docs/cli.md)");
  // What each request asks
  app.add_option("--dataset-name", f->dataset_name, "random or sharegpt");
  app.add_option("--dataset-path", f->dataset_path, "ShareGPT JSON file (--dataset-name sharegpt)");
  app.add_option("--random-input-len,--input-len,--isl", f->input_len,
                 "Random dataset: mean prompt tokens (synthesized one-token words)");
  app.add_option("--random-output-len,--output-len,--osl", f->output_len,
                 "Random dataset: mean output tokens (max_tokens)");
  app.add_option("--random-range-ratio", f->range_ratio,
                 "Random dataset: lengths uniform on [len (1 - r), len (1 + r)], r in [0, 1)");
  app.add_option("--sharegpt-output-len", f->sharegpt_output_len,
                 "ShareGPT: fixed output tokens (0: each reply's own length)");
  app.add_flag("--ignore-eos", f->ignore_eos,
               "Send ignore_eos (always on for the random dataset and --lengths-from)");
  app.add_option("--trace", f->trace,
                 "Replay this trace's arrival times and lengths (Azure CSV or Mooncake JSONL): "
                 "its first --num-prompts requests");
  app.add_option("--trace-speedup", f->trace_speedup,
                 "Divide the trace's arrival offsets by this factor");
  app.add_option("--lengths-from", f->lengths_from,
                 "Take each request's prompt and output lengths from this trace (Azure CSV or "
                 "Mooncake JSONL)");
  // When
  app.add_option("--num-prompts", f->num_prompts, "Requests to measure");
  app.add_option("--request-rate", f->request_rate,
                 "Requests per second (Poisson/Gamma), or inf: all at once");
  app.add_option("--burstiness", f->burstiness, "Gamma shape of the gaps: 1 Poisson, < 1 burstier");
  app.add_option("--max-concurrency", f->max_concurrency,
                 "Cap on in-flight requests (0: none); the wait for a slot is client_queue_time");
  app.add_option("--num-warmups", f->warmup, "Warm-up requests sent first and left out");
  app.add_option("--seed", f->seed, "Seed of the send schedule and the dataset sampling");
  app.add_option("--timeout", f->timeout_s, "Per-request timeout, seconds");
  app.add_option("--duration", f->duration_s, "Time bound of a run, seconds (0: none)");
  // What is reported
  app.add_option("--goodput", f->goodput, "Per-request SLO for goodput: ttft:MS tpot:MS e2el:MS");
  app.add_option("--percentile-metrics", f->percentile_metrics,
                 "Metrics given the --metric-percentiles (ttft, tpot, itl, e2el, "
                 "client_queue_time); p90 and p99 of every metric are always reported");
  app.add_option("--metric-percentiles", f->metric_percentiles,
                 "Comma-separated percentiles, e.g. 25,50,99: p25_ttft_ms ...");
  app.add_flag("--save-result", f->save_result, "Write vLLM's result JSON");
  app.add_flag("--save-detailed", f->save_detailed,
               "Accepted for vLLM compatibility: the result always has the per-request lists");
  app.add_option("--result-dir", f->result_dir, "Directory of the result file (created)");
  app.add_option("--result-filename", f->result_filename,
                 "Result file name (default vLLM's: {label}-{rate}qps[-concurrency{C}]-{model}-"
                 "{date}.json); implies --save-result");
  app.add_option("--label", f->label, "Label of the result (default: --backend)");
  app.add_option("--metadata", f->metadata, "KEY=VALUE pairs recorded in the result file");
  app.add_flag("--disable-tqdm", f->disable_tqdm, "No progress line");
  app.add_flag("--scrape-metrics", f->scrape_metrics,
               "Poll the server's Prometheus /metrics (running, waiting, KV usage) during the run");
  // Sweep
  app.add_flag("--sweep", f->sweep, "Find the highest sustained request rate meeting --slo");
  app.add_option("--slo", f->slo, "Fleet SLO for --sweep: ttft:p99=2000 (repeatable)");
  app.add_option("--sweep-start", f->sweep_start,
                 "First offered rate of the sweep (0: the achieved rate of a first probe that "
                 "sends --num-prompts at once)");
  app.add_option("--sweep-repeats", f->sweep_repeats,
                 "Runs per probe; a probe passes only if all do");
  app.add_option("--sweep-precision", f->sweep_precision,
                 "Stop when the passing and failing offered rates are within this fraction");
  app.add_option("--sweep-max-probes", f->sweep_max_probes, "Stop after this many probes");
  app.add_option("--sweep-window-s", f->sweep_window_s,
                 "Each probe's steady window lasts at least this long (s)");
  app.add_option("--sweep-window-requests", f->sweep_window_requests,
                 "Each probe's steady window holds at least this many requests");
  app.add_option("--measurement-out", f->measurement_out,
                 "Write the sweep's q (achieved rate) as a measurement CSV row");
  app.add_option("--gpu", f->gpu, "GPU of the server, for the measurement row");
  app.add_option("--tp", f->tp, "Tensor parallelism of the server, for the measurement row");
  app.add_option("--engine", f->engine, "Engine of the server, for the measurement row");
  inv.run = [f]() -> Result<report::Report> {
    if (const char* key = std::getenv("OPENAI_API_KEY")) f->api_key = key;
    auto client = client_options(*f);
    if (!client) return fail(client.error().message);
    auto rate = parse_rate(f->request_rate);
    if (!rate) return fail(rate.error().message);
    auto goodput = bench::parse_goodput(f->goodput);
    if (!goodput) return fail(goodput.error().message);
    struct {
      std::string model_id, backend;
      bench::PercentileSelection percentiles;
    } ctx;
    auto selection =
        bench::parse_percentile_selection(f->percentile_metrics, f->metric_percentiles);
    if (!selection) return fail(selection.error().message);
    ctx.percentiles = *selection;
    ctx.backend = client->chat ? "openai-chat" : f->backend;
    if (f->num_prompts < 1) return fail("--num-prompts must be >= 1");
    if (!(f->burstiness > 0)) return fail("--burstiness must be positive");
    if (f->max_concurrency < 0 || f->warmup < 0)
      return fail("--max-concurrency and --num-warmups must be >= 0");
    if (!f->trace.empty() && (f->sweep || !f->lengths_from.empty() || f->warmup > 0 ||
                              f->request_rate != "inf" || f->dataset_name != "random"))
      return fail(
          "--trace sets the arrival times and lengths: it takes no --sweep, --lengths-from, "
          "--num-warmups, --request-rate or --dataset-name");
    for (const auto& m : f->metadata)
      if (m.find('=') == std::string::npos)
        return fail(fmt::format("--metadata '{}': expected KEY=VALUE", m));
    // The dataset is checked before any request is sent.
    if (auto check = plan_requests(*f, 1); !check) return fail(check.error().message);
    std::optional<api::TimedTrace> trace;
    if (!f->trace.empty()) {
      auto t = read_timed_trace(f->trace, f->num_prompts, f->trace_speedup);
      if (!t) return fail(t.error().message);
      trace = std::move(*t);
    }
    // The model: the server's own list decides (vLLM takes the first when none is named).
    auto served = http::served_models(*client);
    if (!served) return fail(served.error().message);
    if (f->model.empty()) {
      ctx.model_id = served->front();
    } else {
      ctx.model_id = f->model;
      const std::string sent_name = f->served_model_name.empty() ? f->model : f->served_model_name;
      if (std::ranges::find(*served, sent_name) == served->end()) {
        std::string list;
        for (const auto& m : *served) list += (list.empty() ? "" : ", ") + m;
        return fail(fmt::format("--model '{}': {}:{} does not serve it (GET /v1/models lists: {})",
                                sent_name, client->host, client->port, list));
      }
    }
    client->model = f->served_model_name.empty() ? ctx.model_id : f->served_model_name;
    api::BenchRequest req;
    req.num_prompts = f->num_prompts;
    req.request_rate = *rate;
    req.burstiness = f->burstiness;
    req.seed = f->seed;
    req.warmup = f->warmup;
    req.max_concurrency = f->max_concurrency;
    req.trace = trace;
    req.goodput = *goodput;
    req.percentiles = ctx.percentiles;
    req.model_id = ctx.model_id;
    req.backend = ctx.backend;
    req.where = fmt::format("{}:{}", client->host, client->port);
    req.timeout_s = client->timeout_s;
    if (f->sweep) {
      req.sweep = true;
      for (const auto& t : f->slo) {
        auto parsed = parse_slo(t);
        if (!parsed) return fail(parsed.error().message);
        req.slo.push_back(*parsed);
      }
      if (f->sweep_start > 0) req.sweep_options.start_rate = f->sweep_start;
      req.sweep_options.repeats = f->sweep_repeats;
      req.sweep_options.precision = f->sweep_precision;
      req.sweep_options.max_probes = f->sweep_max_probes;
      req.sweep_window_s = f->sweep_window_s;
      req.sweep_window_requests = f->sweep_window_requests;
    }
    http::ServerMetrics server;
    auto out = api::run_bench(
        req, [&](std::int64_t count) { return plan_requests(*f, count); },
        http_load(*f, *client, &server),
        [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
    if (!out) return fail(out.error().message);
    report::Report rep = api::bench_report(*out);
    if (f->sweep) {
      if (!f->measurement_out.empty()) {
        auto csv = api::sweep_measurement_csv(*out, f->gpu, f->tp, f->engine);
        if (!csv) return fail(csv.error().message);
        if (auto w = io::write_file_atomically(f->measurement_out, *csv); !w)
          return fail(w.error().message);
      }
      return rep;
    }
    if (f->scrape_metrics) {
      // The server's own view during the run (Prometheus /metrics, vLLM gauge names).
      rep.add("server.samples", report::integer(server.samples));
      rep.add("server.max_running", server.max_running, 1);
      rep.add("server.mean_running", server.mean_running, 2);
      rep.add("server.max_waiting", server.max_waiting, 1);
      rep.add("server.mean_waiting", server.mean_waiting, 2);
      rep.add("server.max_kv_usage", server.max_kv_usage, 4);
      rep.add("server.mean_kv_usage", server.mean_kv_usage, 4);
      if (!server.error.empty()) rep.add("server.scrape_error", server.error);
      rep.why("server.mean_running",
              "mean of vllm:num_requests_running over GET /metrics polls every 0.25 s");
    }
    if (f->save_result || !f->result_filename.empty()) {
      http::VllmRunInfo info;
      const std::time_t now = std::time(nullptr);
      char date[32];
      std::strftime(date, sizeof date, "%Y%m%d-%H%M%S", std::localtime(&now));
      info.date = date;
      info.backend = ctx.backend;
      info.label = f->label;
      info.model_id = ctx.model_id;
      info.tokenizer_id = f->tokenizer.empty() ? ctx.model_id : f->tokenizer;
      info.num_prompts = f->num_prompts;
      info.request_rate = out->rate;
      info.burstiness = f->burstiness;
      info.max_concurrency = f->max_concurrency;
      std::filesystem::path path = f->result_filename.empty()
                                       ? http::vllm_result_file_name(info, python_float(out->rate))
                                       : f->result_filename;
      if (!f->result_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(f->result_dir, ec);
        if (ec)
          return fail(
              fmt::format("--result-dir {}: cannot create it: {}", f->result_dir, ec.message()));
        path = std::filesystem::path(f->result_dir) / path;
      }
      if (!f->trace.empty() && (f->sweep || !f->lengths_from.empty() || f->warmup > 0 ||
                                f->request_rate != "inf" || f->dataset_name != "random"))
        return fail(
            "--trace sets the arrival times and lengths: it takes no --sweep, --lengths-from, "
            "--num-warmups, --request-rate or --dataset-name");
      for (const auto& m : f->metadata) {
        const auto eq = m.find('=');
        info.metadata.emplace_back(m.substr(0, eq), m.substr(eq + 1));
      }
      const std::string json =
          http::vllm_result_json(info, out->summary, ctx.percentiles, out->samples);
      if (auto w = io::write_file_atomically(path.string(), json); !w)
        return fail(w.error().message);
      rep.add("result_file", path.string());
    }
    return rep;
  };
}

}  // namespace fleetsizer::cli
