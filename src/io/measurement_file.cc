#include "io/measurement_file.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "fleetsizer/perf/calibrate.h"
#include "fleetsizer/perf/efficiency.h"
#include "io/csv.h"

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

Result<void> read_csv_measurements(const std::string& path, const Catalog& catalog,
                                   MeasurementSet& into) {
  auto table = read_csv(path);
  if (!table) return fail(table.error().message);
  for (const char* name : kRequired)
    if (!table->column(name)) return fail(fmt::format("{}:1: missing column '{}'", path, name));
  if (!table->column("concurrency") && !table->column("request_rate"))
    return fail(fmt::format("{}:1: missing column 'concurrency' or 'request_rate'", path));
  for (const auto& row : table->rows) {
    auto text = [&](const char* name) -> std::string {
      const auto c = table->column(name);
      return c ? table->cell(row, *c) : std::string();
    };
    auto skip = [&](std::string reason) {
      into.skipped.push_back({where(path, row.line, ""), std::move(reason)});
    };
    // A number cell: empty means unknown; anything present must be a positive finite number.
    std::string bad;
    auto number = [&](const char* name, bool allow_inf = false) -> std::optional<double> {
      const std::string t = text(name);
      if (t.empty()) return std::nullopt;
      auto v = parse_number(t);
      if (!v || std::isnan(*v) || (!allow_inf && std::isinf(*v)) || *v <= 0) {
        if (bad.empty()) bad = fmt::format("{} must be a positive number, got '{}'", name, t);
        return std::nullopt;
      }
      return v;
    };
    Measurement m;
    m.file = path;
    m.line = row.line;
    auto model = catalog.model(text("model"));
    if (!model) {
      skip(model.error().message);
      continue;
    }
    auto gpu = catalog.gpu(text("gpu"));
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
    const auto tp = number("tp");
    const auto num_gpus = number("num_gpus");
    const auto isl = number("isl");
    const auto osl = number("osl");
    m.concurrency = number("concurrency");
    m.request_rate = number("request_rate", true);
    m.output_tok_s = number("output_tok_s");
    m.total_tok_s = number("total_tok_s");
    m.ttft_ms = number("ttft_ms");
    m.tpot_ms = number("tpot_ms");
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
    if (const auto n = number("requests")) {
      if (*n != std::floor(*n) && bad.empty())
        bad = fmt::format("requests must be a whole number, got '{}'", text("requests"));
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
    m.num_gpus = num_gpus ? static_cast<int>(*num_gpus) : m.tp;
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

Result<void> read_vllm_json(const std::string& path, const Catalog& catalog, const JsonContext& ctx,
                            MeasurementSet& into) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(buffer.str());
  } catch (const nlohmann::json::parse_error& e) {
    return fail(fmt::format("{}: invalid JSON at byte {}", path, e.byte));
  }
  auto num = [&](const char* key) -> std::optional<double> {
    if (!j.contains(key) || !j[key].is_number()) return std::nullopt;
    return j[key].get<double>();
  };
  const auto completed = num("completed");
  if (!completed || *completed <= 0)
    return fail(fmt::format("{}: not a vLLM bench result (no 'completed' count)", path));
  const std::string model_name = ctx.model.value_or(j.value("model_id", std::string()));
  auto model = catalog.model(model_name);
  if (!model) return fail(fmt::format("{}: {} (pass --model)", path, model.error().message));
  if (!ctx.gpu)
    return fail(fmt::format("{}: a vLLM result does not record the GPU; pass --gpu", path));
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
  m.latency_stat = Percentile::p50;  // median_ttft_ms / median_tpot_ms
  m.latency_stat_origin = LatencyStatOrigin::source_text;
  m.requests = static_cast<std::int64_t>(*completed);
  if (auto why = physics_violation(m); !why.empty()) {
    into.skipped.push_back({path, "contradicts physics: " + why});
    return {};
  }
  into.rows.push_back(std::move(m));
  return {};
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
  if (path.ends_with(".json")) return read_vllm_json(path, catalog, context, into);
  return read_csv_measurements(path, catalog, into);
}

}  // namespace fleetsizer::io
