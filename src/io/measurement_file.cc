#include "io/measurement_file.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "fleetsizer/perf/calibrate.h"
#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/plan/evaluate.h"
#include "io/csv.h"
#include "io/json_member.h"
#include "io/output.h"
#include "io/scenario_file.h"

namespace fleetsizer::io {
namespace {

const char* kRequired[] = {"model", "gpu", "tp", "engine", "isl", "osl"};

std::optional<Percentile> parse_stat(std::string_view t) {
  if (t == "mean") return Percentile::mean;
  if (t == "p50" || t == "median") return Percentile::p50;
  if (t == "p90") return Percentile::p90;
  if (t == "p95") return Percentile::p95;
  if (t == "p99") return Percentile::p99;
  return std::nullopt;
}

// The statistic of a row without a `latency_stat` cell: file name, then source text, then the
// median of DESIGN.md section 5.
void infer_latency_stat(Measurement& m) {
  if (auto p = latency_stat_from_file_name(m.file)) {
    m.latency_stat = *p;
    m.latency_stat_origin = LatencyStatOrigin::file_name;
  } else if (auto q = latency_stat_from_source(m.source)) {
    m.latency_stat = *q;
    m.latency_stat_origin = LatencyStatOrigin::source_text;
  } else {
    m.latency_stat = Percentile::p50;
    m.latency_stat_origin = LatencyStatOrigin::default_median;
  }
}

// The range of each measured number, for CSV cells and result JSON alike: no replay, fit or cast
// runs on 1e300 tokens (a vLLM result's total_input_tokens of 4e124 reached an integer cast:
// found by fuzzing).
constexpr auto kMaxRowTokens = static_cast<double>(kMaxSequenceTokens);
constexpr double kMaxClients = 1e7;      // concurrency: clients of a closed loop
constexpr double kMaxThroughput = 1e12;  // tok/s: far beyond any fleet
constexpr double kMaxLatencyMs = 1e9;    // ms: eleven days

Result<void> read_csv_measurements(const std::string& path, const Catalog& catalog,
                                   MeasurementSet& into) {
  auto table = read_csv(path);
  if (!table) return fail(table.error().message);
  for (const char* name : kRequired)
    if (!table->column(name)) return fail(fmt::format("{}:1: missing column '{}'", path, name));
  if (!table->column("concurrency") && !table->column("request_rate"))
    return fail(fmt::format("{}:1: missing column 'concurrency' or 'request_rate'", path));
  // Rows repeat a handful of names: each is looked up once. An unknown one costs an edit distance
  // to every catalog name and alias for its suggestion, so only the first kSuggestedNames distinct
  // names of a kind get one (a fuzzed 53 KB file of junk rows took 2 s under the sanitizers).
  constexpr std::size_t kSuggestedNames = 16;
  std::map<std::string, Result<ModelSpec>, std::less<>> models;
  std::map<std::string, Result<GpuSpec>, std::less<>> gpus;
  auto lookup = [](auto& memo, const std::string& name, auto find) {
    auto it = memo.find(name);
    if (it == memo.end()) it = memo.emplace(name, find(name, memo.size() < kSuggestedNames)).first;
    return it->second;
  };
  for (const auto& row : table->rows) {
    auto text = [&](const char* name) -> std::string {
      const auto c = table->column(name);
      return c ? table->cell(row, *c) : std::string();
    };
    auto skip = [&](std::string reason) {
      into.skipped.push_back({where(path, row.line, ""), std::move(reason)});
    };
    // A number cell: empty means unknown; anything present must be a positive finite number
    // within its column's range (no replay, fit or cast runs on 1e300 tokens or GPUs).
    std::string bad;
    auto number = [&](const char* name, double max, bool allow_inf = false,
                      bool whole = false) -> std::optional<double> {
      const std::string t = text(name);
      if (t.empty()) return std::nullopt;
      auto v = parse_number(t);
      if (!v || std::isnan(*v) || (!allow_inf && std::isinf(*v)) || *v <= 0 ||
          (std::isfinite(*v) && *v > max) || (whole && *v != std::floor(*v))) {
        if (bad.empty())
          bad = fmt::format("{} must be a positive {} in (0, {}]{}, got '{}'", name,
                            whole ? "whole number" : "number", max, allow_inf ? " or inf" : "", t);
        return std::nullopt;
      }
      return v;
    };
    constexpr auto kGpus = static_cast<double>(kMaxGpusPerReplica);
    Measurement m;
    m.file = path;
    m.line = row.line;
    auto model = lookup(models, text("model"),
                        [&](auto& n, bool suggest) { return catalog.model(n, suggest); });
    if (!model) {
      skip(model.error().message);
      continue;
    }
    auto gpu =
        lookup(gpus, text("gpu"), [&](auto& n, bool suggest) { return catalog.gpu(n, suggest); });
    if (!gpu) {
      skip(gpu.error().message);
      continue;
    }
    m.model = *model;
    m.gpu = *gpu;
    m.engine = text("engine");
    if (!is_known_engine(m.engine)) {
      skip(fmt::format("unknown engine '{}'", m.engine));
      continue;
    }
    // An empty dtype is unknown, not bf16: the documented assumption (docs/formats.md) is applied
    // and recorded on the row.
    for (auto [name, dest, assumed] :
         {std::tuple<const char*, Dtype*, bool*>{"weights_dtype", &m.weights_dtype,
                                                 &m.weights_dtype_assumed},
          {"kv_dtype", &m.kv_dtype, &m.kv_dtype_assumed}}) {
      const std::string t = text(name);
      if (t.empty()) {
        *assumed = true;
        continue;
      }
      auto d = parse_dtype(t);
      if (!d)
        bad = fmt::format("unknown {} '{}'", name, t);
      else
        *dest = *d;
    }
    if (m.weights_dtype_assumed) m.weights_dtype = Dtype::bf16;
    if (m.kv_dtype_assumed) m.kv_dtype = assumed_kv_dtype(m.weights_dtype, m.engine);
    const auto tp = number("tp", kGpus, false, true);
    const auto num_gpus = number("num_gpus", kGpus * 1024, false, true);
    const auto adp = number("attention_dp_size", kGpus, false, true);
    const auto ep = number("moe_ep_size", kGpus, false, true);
    const auto moe_tp = number("moe_tp_size", kGpus, false, true);
    const auto isl = number("isl", kMaxRowTokens);
    const auto osl = number("osl", kMaxRowTokens);
    m.concurrency = number("concurrency", kMaxClients);
    m.request_rate = number("request_rate", kMaxTargetQps, true);
    m.output_tok_s = number("output_tok_s", kMaxThroughput);
    m.total_tok_s = number("total_tok_s", kMaxThroughput);
    m.ttft_ms = number("ttft_ms", kMaxLatencyMs);
    m.tpot_ms = number("tpot_ms", kMaxLatencyMs);
    m.source = text("source");
    if (const std::string stat = text("latency_stat"); !stat.empty()) {
      if (auto p = parse_stat(stat)) {
        m.latency_stat = *p;
        m.latency_stat_origin = LatencyStatOrigin::column;
      } else if (bad.empty()) {
        bad = fmt::format("latency_stat must be mean, p50, p90, p95 or p99, got '{}'", stat);
      }
    } else {
      infer_latency_stat(m);
    }
    if (const auto n = number("requests", static_cast<double>(kMaxSimRequests), false, true)) {
      m.requests = static_cast<std::int64_t>(*n);
    } else {
      m.requests = requests_from_source(m.source);
    }
    if (!bad.empty()) {
      skip(bad);
      continue;
    }
    if (!tp || !isl || !osl) {
      skip("tp, isl and osl are required");
      continue;
    }
    if (!m.concurrency && !m.request_rate) {
      skip("either concurrency or request_rate is required");
      continue;
    }
    if (!m.ttft_ms && !m.tpot_ms && !m.output_tok_s) {
      skip("no measured value (ttft_ms, tpot_ms or output_tok_s)");
      continue;
    }
    m.tp = static_cast<int>(*tp);
    // Optional MoE / attention data-parallel layout (docs/formats.md); empty: plain TP.
    if (adp) m.attention_dp = static_cast<int>(*adp);
    if (ep) m.moe_ep = static_cast<int>(*ep);
    if (moe_tp) m.moe_tp = static_cast<int>(*moe_tp);
    m.num_gpus = num_gpus ? static_cast<int>(*num_gpus) : m.tp * m.attention_dp;
    if (m.moe_tp > 0 && m.moe_tp * m.moe_ep != m.tp * m.attention_dp) {
      skip(fmt::format("moe_tp_size {} x moe_ep_size {} must equal tp {} x attention_dp_size {}",
                       m.moe_tp, m.moe_ep, m.tp, m.attention_dp));
      continue;
    }
    m.isl = *isl;
    m.osl = *osl;
    if (auto why = physics_violation(m); !why.empty()) {
      skip("contradicts physics: " + why);
      continue;
    }
    into.rows.push_back(std::move(m));
  }
  return {};
}

// The part of a row a JSON result from another tool does not record: the replica it measured.
Result<Measurement> json_row(const std::string& path, const Catalog& catalog,
                             const JsonContext& ctx, const std::string& file_model,
                             const char* tool) {
  const std::string model_name = ctx.model.value_or(file_model);
  auto model = catalog.model(model_name);
  if (!model) return fail(fmt::format("{}: {} (pass --model)", path, model.error().message));
  if (!ctx.gpu)
    return fail(fmt::format("{}: a {} result does not record the GPU; pass --gpu", path, tool));
  auto gpu = catalog.gpu(*ctx.gpu);
  if (!gpu) return fail(fmt::format("{}: {}", path, gpu.error().message));
  Measurement m;
  m.file = path;
  m.line = 1;
  m.model = *model;
  m.gpu = *gpu;
  m.tp = ctx.tp.value_or(1);
  m.num_gpus = m.tp;
  m.engine = ctx.engine.value_or("vllm");
  m.weights_dtype = ctx.weights_dtype.value_or(Dtype::bf16);
  m.weights_dtype_assumed = !ctx.weights_dtype;
  m.kv_dtype = ctx.kv_dtype.value_or(assumed_kv_dtype(m.weights_dtype, m.engine));
  m.kv_dtype_assumed = !ctx.kv_dtype;
  m.latency_stat = Percentile::p50;  // every importer reads medians
  m.latency_stat_origin = LatencyStatOrigin::source_text;
  return m;
}

// A number at a path of object keys, if every step is there.
std::optional<double> number_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return std::nullopt;
    at = &(*at)[key];
  }
  if (!at->is_number()) return std::nullopt;
  return at->get<double>();
}

// A result JSON's numbers in the ranges a CSV cell must meet; "" when they are.
std::string range_violation(const Measurement& m) {
  auto outside = [](double v, double max) { return !(v > 0 && v <= max); };  // NaN is outside
  auto message = [](const char* name, double max, double v, bool or_inf = false) {
    return fmt::format("{} must be a positive number in (0, {}]{}, got {}", name, max,
                       or_inf ? " or inf" : "", v);
  };
  if (outside(m.isl, kMaxRowTokens)) return message("isl", kMaxRowTokens, m.isl);
  if (outside(m.osl, kMaxRowTokens)) return message("osl", kMaxRowTokens, m.osl);
  if (m.concurrency && outside(*m.concurrency, kMaxClients))
    return message("concurrency", kMaxClients, *m.concurrency);
  if (m.request_rate && *m.request_rate != INFINITY && outside(*m.request_rate, kMaxTargetQps))
    return message("request_rate", kMaxTargetQps, *m.request_rate, true);
  for (const auto& [name, value, max] : {std::tuple{"output_tok_s", m.output_tok_s, kMaxThroughput},
                                         std::tuple{"total_tok_s", m.total_tok_s, kMaxThroughput},
                                         std::tuple{"ttft_ms", m.ttft_ms, kMaxLatencyMs},
                                         std::tuple{"tpot_ms", m.tpot_ms, kMaxLatencyMs}})
    if (value && outside(*value, max)) return message(name, max, *value);
  return {};
}

// A row read from result JSON: kept unless a number is out of range or it contradicts physics.
void keep(Measurement m, MeasurementSet& into) {
  if (auto why = range_violation(m); !why.empty()) {
    into.skipped.push_back({m.where(), why});
    return;
  }
  if (auto why = physics_violation(m); !why.empty()) {
    into.skipped.push_back({m.where(), "contradicts physics: " + why});
    return;
  }
  into.rows.push_back(std::move(m));
}

Result<void> read_vllm_json(const std::string& path, const nlohmann::json& j,
                            const Catalog& catalog, const JsonContext& ctx, MeasurementSet& into) {
  auto num = [&](const char* key) { return number_at(j, {key}); };
  const auto completed = num("completed");
  if (!completed || *completed <= 0)
    return fail(fmt::format(
        "{}: not a benchmark result fleetsizer reads (vLLM bench serve: no 'completed' count; "
        "GuideLLM: no 'benchmarks'; AIPerf/GenAI-Perf: no 'time_to_first_token')",
        path));
  auto row = json_row(path, catalog, ctx, member_or(j, "model_id", std::string()), "vLLM");
  if (!row) return fail(row.error().message);
  Measurement& m = *row;
  const auto in_tokens = num("total_input_tokens"), out_tokens = num("total_output_tokens");
  if (!in_tokens || !out_tokens)
    return fail(fmt::format("{}: missing total_input_tokens/total_output_tokens", path));
  m.isl = *in_tokens / *completed;
  m.osl = *out_tokens / *completed;
  if (auto c = num("max_concurrency"); c && *c > 0) m.concurrency = c;
  if (j.contains("request_rate")) {
    const auto& r = j["request_rate"];
    if (r.is_number())
      m.request_rate = r.get<double>();
    else if (r.is_string() && r.get<std::string>() == "inf")
      m.request_rate = INFINITY;
  }
  if (!m.concurrency && !m.request_rate) m.request_rate = INFINITY;
  m.output_tok_s = num("output_throughput");
  m.total_tok_s = num("total_token_throughput");
  m.ttft_ms = num("median_ttft_ms");
  m.tpot_ms = num("median_tpot_ms");
  m.source = "vLLM bench serve result";
  m.requests = whole_number_in(*completed, 1, kMaxSimRequests);
  keep(std::move(m), into);
  return {};
}

// GuideLLM's benchmark report (`guidellm benchmark --output-path x.json`): one row per benchmark
// of "benchmarks". Field names from guidellm/benchmark/benchmark.py (GenerativeMetrics,
// BenchmarkArgs) and objects/statistics.py (StatusDistributionSummary): each metric holds
// successful/errored/incomplete/total distributions with mean, median, percentiles. GuideLLM's
// inter_token_latency_ms is (last - first token) / (output tokens - 1), vLLM's TPOT; its
// time_per_output_token_ms divides by all output tokens and is not used.
Result<void> read_guidellm(const std::string& path, const nlohmann::json& j, const Catalog& catalog,
                           const JsonContext& ctx, MeasurementSet& into) {
  std::size_t index = 0;
  for (const auto& b : j["benchmarks"]) {
    ++index;
    const std::string where = fmt::format("{}: benchmark {}", path, index);
    auto metric = [&](const char* name, const char* stat) {
      return number_at(b, {"metrics", name, "successful", stat});
    };
    std::string file_model;
    if (b.contains("worker") && b["worker"].is_object())
      file_model = member_or(b["worker"], "backend_model", std::string());
    auto row = json_row(path, catalog, ctx, file_model, "GuideLLM");
    if (!row) return fail(row.error().message);
    Measurement& m = *row;
    m.line = index;
    const auto in = metric("prompt_token_count", "mean"),
               out = metric("output_token_count", "mean");
    if (!in || !out) {
      into.skipped.push_back({where, "no prompt_token_count/output_token_count"});
      continue;
    }
    m.isl = *in;
    m.osl = *out;
    std::string strategy;
    if (b.contains("args") && b["args"].is_object() && b["args"].contains("strategy") &&
        b["args"]["strategy"].is_object()) {
      const auto& st = b["args"]["strategy"];
      strategy = member_or(st, "type_", std::string());
      if (strategy == "concurrent") m.concurrency = number_at(st, {"streams"});
      if (strategy == "synchronous") m.concurrency = 1;
      if (strategy == "constant" || strategy == "poisson") m.request_rate = number_at(st, {"rate"});
      if (strategy == "throughput") m.request_rate = INFINITY;
    }
    if (!m.concurrency && !m.request_rate) {
      into.skipped.push_back(
          {where, fmt::format("strategy '{}' gives neither a concurrency nor a rate", strategy)});
      continue;
    }
    m.ttft_ms = metric("time_to_first_token_ms", "median");
    m.tpot_ms = metric("inter_token_latency_ms", "median");
    m.output_tok_s = metric("output_tokens_per_second", "mean");
    m.total_tok_s = metric("tokens_per_second", "mean");
    if (auto n = number_at(b, {"total_count", "successful"}))
      m.requests = whole_number_in(*n, 1, kMaxSimRequests);
    m.source = fmt::format("GuideLLM benchmark {} ({})", index, strategy);
    keep(std::move(m), into);
  }
  return {};
}

// AIPerf's profile_export_aiperf.json and GenAI-Perf's profile_export_genai_perf.json: one run,
// each metric an object {unit, avg, p50, p90, p99, ...} (aiperf docs/tutorials/
// working-with-profile-exports.md). Their inter_token_latency is (request latency - TTFT) /
// (output tokens - 1), vLLM's TPOT. The load comes from input_config: AIPerf nests it under
// "loadgen", GenAI-Perf under "perf_analyzer.stimulus" (its newer config, sections model_names,
// endpoint, perf_analyzer, ... as its tests/test_json_exporter.py lists) or at the top (older).
Result<void> read_aiperf(const std::string& path, const nlohmann::json& j, const Catalog& catalog,
                         const JsonContext& ctx, MeasurementSet& into) {
  std::string file_model;
  if (j.contains("input_config") && j["input_config"].is_object()) {
    const auto& c = j["input_config"];
    const nlohmann::json* names = nullptr;
    if (c.contains("endpoint") && c["endpoint"].is_object() &&
        c["endpoint"].contains("model_names"))
      names = &c["endpoint"]["model_names"];
    else if (c.contains("model_names"))
      names = &c["model_names"];  // GenAI-Perf's newer config
    else if (c.contains("model"))
      names = &c["model"];
    if (names && names->is_array() && !names->empty() && (*names)[0].is_string())
      file_model = (*names)[0].get<std::string>();
  }
  auto row = json_row(path, catalog, ctx, file_model, "AIPerf");
  if (!row) return fail(row.error().message);
  Measurement& m = *row;
  const auto in = number_at(j, {"input_sequence_length", "avg"});
  const auto out = number_at(j, {"output_sequence_length", "avg"});
  if (!in || !out)
    return fail(fmt::format("{}: missing input_sequence_length/output_sequence_length", path));
  m.isl = *in;
  m.osl = *out;
  for (const auto& prefix :
       {std::initializer_list<const char*>{"input_config", "loadgen"},
        std::initializer_list<const char*>{"input_config", "perf_analyzer", "stimulus"},
        std::initializer_list<const char*>{"input_config"}}) {
    const nlohmann::json* at = &j;
    bool ok = true;
    for (const char* k : prefix) {
      if (!at->is_object() || !at->contains(k)) {
        ok = false;
        break;
      }
      at = &(*at)[k];
    }
    if (!ok) continue;
    if (!m.request_rate) m.request_rate = number_at(*at, {"request_rate"});
    if (!m.request_rate && !m.concurrency) m.concurrency = number_at(*at, {"concurrency"});
  }
  if (!m.concurrency && !m.request_rate)
    return fail(fmt::format("{}: input_config gives neither concurrency nor request_rate", path));
  m.ttft_ms = number_at(j, {"time_to_first_token", "p50"});
  m.tpot_ms = number_at(j, {"inter_token_latency", "p50"});
  m.output_tok_s = number_at(j, {"output_token_throughput", "avg"});
  m.total_tok_s = number_at(j, {"total_token_throughput", "avg"});
  if (auto n = number_at(j, {"request_count", "avg"}))
    m.requests = whole_number_in(*n, 1, kMaxSimRequests);
  m.source = "AIPerf/GenAI-Perf profile export";
  keep(std::move(m), into);
  return {};
}

// A JSON result: vLLM bench serve (and fleetsizer bench), GuideLLM or AIPerf/GenAI-Perf, told
// apart by their top-level keys.
Result<void> read_json_result(const std::string& path, const Catalog& catalog,
                              const JsonContext& ctx, MeasurementSet& into) {
  auto text = read_text_file(path, "result file");
  if (!text) return fail(text.error().message);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(fmt::format("{}: invalid JSON at byte {}", path, e.byte));
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax the library cannot hold, such as a number past a double (2e4142; found by
    // fuzzing): it threw through as an internal error.
    return fail(fmt::format("{}: invalid JSON: {}", path, e.what()));
  }
  if (!j.is_object()) return fail(fmt::format("{}: expected a JSON object", path));
  if (j.contains("benchmarks") && j["benchmarks"].is_array())
    return read_guidellm(path, j, catalog, ctx, into);
  if (j.contains("time_to_first_token") && j["time_to_first_token"].is_object())
    return read_aiperf(path, j, catalog, ctx, into);
  return read_vllm_json(path, j, catalog, ctx, into);
}

}  // namespace

std::optional<Percentile> latency_stat_from_file_name(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  const auto dash = stem.rfind('-');
  if (dash == std::string::npos) return std::nullopt;
  return parse_stat(std::string_view(stem).substr(dash + 1));
}

std::optional<Percentile> latency_stat_from_source(const std::string& source) {
  // The first field named wins; a source naming two statistics is read as the first.
  std::optional<Percentile> found;
  std::size_t at = std::string::npos;
  for (auto [field, stat] : {std::pair{"mean_ttft_ms", Percentile::mean},
                             {"mean_tpot_ms", Percentile::mean},
                             {"median_ttft_ms", Percentile::p50},
                             {"median_tpot_ms", Percentile::p50},
                             {"p90_ttft_ms", Percentile::p90},
                             {"p95_ttft_ms", Percentile::p95},
                             {"p99_ttft_ms", Percentile::p99},
                             {"p99_tpot_ms", Percentile::p99}}) {
    const auto pos = source.find(field);
    if (pos != std::string::npos && pos < at) {
      at = pos;
      found = stat;
    }
  }
  return found;
}

std::optional<std::int64_t> requests_from_source(const std::string& source) {
  const auto pos = source.find("completed=");
  if (pos == std::string::npos) return std::nullopt;
  std::int64_t n = 0;
  const char* begin = source.data() + pos + 10;
  const auto [end, ec] = std::from_chars(begin, source.data() + source.size(), n);
  if (ec != std::errc() || end == begin || n < 1) return std::nullopt;
  return n;
}

Result<void> read_measurements(const std::string& path, const Catalog& catalog,
                               const JsonContext& context, MeasurementSet& into) {
  std::ifstream probe(path);
  if (!probe) return fail(fmt::format("{}: cannot open measurement file", path));
  if (path.ends_with(".json")) return read_json_result(path, catalog, context, into);
  return read_csv_measurements(path, catalog, into);
}

}  // namespace fleetsizer::io
