#include "io/scenario_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/units/units.h"
#include "io/catalog_file.h"
#include "io/csv.h"
#include "io/curve_file.h"
#include "io/hf_config.h"
#include "io/output.h"
#include "io/profile_file.h"
#include "io/stack_file.h"
#include "io/trace_file.h"
#include "io/yaml_util.h"

namespace fleetsizer::io {
namespace {

// Groups are only for readability: `fleet: {redundancy: 1}` sets the same key as `redundancy: 1`.
const std::vector<std::string> kGroups = {"fleet",    "memory",         "replica",
                                          "workload", "engine_options", "simulation"};

std::string origin_of(const std::string& path, const YAML::Node& node) {
  return fmt::format("{}:{}", path, node.Mark().line + 1);
}

Result<void> read_map(const YAML::Node& map, const std::string& path, RawScenario& raw) {
  for (const auto& item : map) {
    const std::string key = item.first.as<std::string>();
    const YAML::Node& value = item.second;
    const std::string origin = origin_of(path, item.first);
    if (key == "stack") {
      auto stack = parse_stack_node(value, path);
      if (!stack) return fail(stack.error().message);
      raw.stack = std::move(*stack);
      continue;
    }
    if (std::ranges::find(kGroups, key) != kGroups.end()) {
      if (!value.IsMap()) return fail(fmt::format("{}: '{}' must be a mapping", origin, key));
      if (auto r = read_map(value, path, raw); !r) return r;
      continue;
    }
    if (!key_group(key)) {
      // scenario_keys() is the one list of known keys (docs/formats.md's table is checked
      // against it): the nearest one is the likely typo.
      std::vector<std::string_view> known;
      for (const auto& k : scenario_keys()) known.push_back(k.name);
      for (const auto& g : kGroups) known.push_back(g);
      const std::string near = nearest_name(key, known);
      return fail(fmt::format("{}: unknown key '{}'{}", origin, key,
                              near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    }
    if (value.IsSequence()) {
      for (const auto& element : value) {
        if (!element.IsScalar())
          return fail(fmt::format("{}: '{}' must be a list of strings", origin, key));
        raw.append(key, element.as<std::string>(), origin);
      }
    } else if (value.IsScalar()) {
      raw.set(key, value.as<std::string>(), origin);
    } else if (value.IsNull()) {
      return fail(fmt::format("{}: '{}' has no value", origin, key));
    } else {
      return fail(fmt::format("{}: '{}' must be a value or a list", origin, key));
    }
  }
  return {};
}

// Integer settings are range-checked before the narrowing cast (--tp 4294967300 must not run TP
// 4), with the range in the message; `max` bounds the work any value can ask for.
Result<void> positive_int(const RawScenario& raw, const std::string& key, auto& dest,
                          std::int64_t max) {
  auto v = integer_setting(raw, key);
  if (!v) return fail(v.error().message);
  if (!*v) return {};
  if (**v < 1 || **v > max)
    return fail(
        fmt::format("{}: {} must be in [1, {}], got {}", raw.values.at(key).origin, key, max, **v));
  dest = static_cast<std::remove_reference_t<decltype(dest)>>(**v);
  return {};
}

Result<void> positive_number(const RawScenario& raw, const std::string& key, double& dest,
                             double max) {
  auto v = positive_setting(raw, key);
  if (!v) return fail(v.error().message);
  if (*v && **v > max)
    return fail(
        fmt::format("{}: {} must be in (0, {}], got {}", raw.values.at(key).origin, key, max, **v));
  if (*v) dest = **v;
  return {};
}

Result<bool> bool_setting(const RawScenario& raw, const std::string& key, bool fallback) {
  auto text = string_setting(raw, key);
  if (!text) return fallback;
  if (*text == "true" || *text == "yes") return true;
  if (*text == "false" || *text == "no") return false;
  return fail(
      fmt::format("{}: {} must be true or false, got '{}'", raw.values.at(key).origin, key, *text));
}

// The traffic: arrival process, length distributions, prefix hits, router, or a trace.
Result<void> read_workload(const RawScenario& raw, Scenario& s) {
  auto origin = [&](const std::string& key) { return raw.values.at(key).origin; };
  Workload& w = s.workload;
  if (auto router = string_setting(raw, "router")) {
    auto r = parse_router(*router);
    if (!r) return fail(fmt::format("{}: {}", origin("router"), r.error().message));
    s.router = *r;
  }
  double cv = 1;
  // Beyond these a gamma or lognormal draw is all in one extreme sample (and overflows).
  if (auto r = positive_number(raw, "cv", cv, 100.0); !r) return r;
  if (raw.has("cv") && !raw.has("arrival"))
    return fail(fmt::format("{}: cv applies to gamma arrivals: add arrival: gamma", origin("cv")));
  if (auto arrival = string_setting(raw, "arrival")) {
    auto a = parse_arrival(*arrival, 1.0, cv);
    if (!a) return fail(fmt::format("{}: {}", origin("arrival"), a.error().message));
    if (raw.has("cv") && a->kind != ArrivalKind::gamma)
      return fail(
          fmt::format("{}: cv applies to gamma arrivals, not '{}'", origin("cv"), *arrival));
    w.arrival = *a;
  }
  if (auto v = number_setting(raw, "prefix_hit_rate"); !v) {
    return fail(v.error().message);
  } else if (*v) {
    if (!(**v >= 0 && **v < 1))
      return fail(fmt::format("{}: prefix_hit_rate must be in [0, 1), got {}",
                              origin("prefix_hit_rate"), **v));
    w.prefix_hit_rate = **v;
  }
  double sigma = 1;
  if (auto r = positive_number(raw, "sigma", sigma, 10.0); !r) return r;
  if (auto dist = string_setting(raw, "length_dist")) {
    LengthKind kind;
    if (*dist == "fixed")
      kind = LengthKind::fixed;
    else if (*dist == "uniform")
      kind = LengthKind::uniform;
    else if (*dist == "lognormal")
      kind = LengthKind::lognormal;
    else if (*dist == "exponential")
      kind = LengthKind::exponential;
    else
      return fail(
          fmt::format("{}: length_dist: unknown '{}' (fixed, uniform, lognormal, "
                      "exponential)",
                      origin("length_dist"), *dist));
    for (LengthSpec* l : {&w.input, &w.output}) {
      l->kind = kind;
      l->min = 1;
      l->max = std::max(1.0, 2 * l->mean - 1);  // uniform around the mean
    }
  } else if (raw.has("sigma")) {
    return fail(fmt::format("{}: sigma applies to length_dist: lognormal", origin("sigma")));
  }
  w.input.sigma = w.output.sigma = sigma;
  if (auto from = string_setting(raw, "lengths_from")) {
    if (raw.has("length_dist"))
      return fail(
          fmt::format("{}: give lengths_from or length_dist, not both", origin("lengths_from")));
    auto lengths = read_trace_lengths(resolve_path(raw, *from));
    if (!lengths) return fail(lengths.error().message);
    std::vector<std::int64_t> inputs, outputs;
    double in_sum = 0, out_sum = 0;
    for (const auto& [i, o] : *lengths) {
      inputs.push_back(i);
      outputs.push_back(o);
      in_sum += static_cast<double>(i);
      out_sum += static_cast<double>(o);
    }
    const double n = static_cast<double>(std::max<std::size_t>(1, inputs.size()));
    w.input = empirical(std::move(inputs));
    w.output = empirical(std::move(outputs));
    w.input.mean = in_sum / n;
    w.output.mean = out_sum / n;
  }
  auto skip = bool_setting(raw, "skip_bad_lines", false);
  if (!skip) return fail(skip.error().message);
  if (auto trace = string_setting(raw, "trace")) {
    if (raw.has("lengths_from") || raw.has("length_dist") || raw.has("arrival"))
      return fail(
          fmt::format("{}: a trace brings its own arrivals and lengths: drop "
                      "arrival/length_dist/lengths_from",
                      origin("trace")));
    const std::string path = resolve_path(raw, *trace);
    TraceOptions probe_options;
    probe_options.skip_bad_lines = *skip;
    TraceStats stats;
    auto probe = open_trace(path, probe_options, &stats);
    if (!probe) return fail(probe.error().message);
    // The trace's own mean lengths, for the analytic estimate and the reports.
    auto lengths = read_trace_lengths(path);
    if (lengths && !lengths->empty()) {
      double in_sum = 0, out_sum = 0;
      for (const auto& [i, o] : *lengths) {
        in_sum += static_cast<double>(i);
        out_sum += static_cast<double>(o);
      }
      w.input.mean = in_sum / static_cast<double>(lengths->size());
      w.output.mean = out_sum / static_cast<double>(lengths->size());
    }
    w.trace_name = *trace;
    w.trace_native_rate = stats.rate();
    const bool skip_bad = *skip;
    w.trace = [path, skip_bad](
                  double rate,
                  std::int64_t max_requests) -> Result<std::unique_ptr<RequestSource>> {
      TraceOptions o;
      o.target_rate = rate;
      o.max_requests = max_requests;
      o.skip_bad_lines = skip_bad;
      return open_trace(path, o);
    };
  }
  for (const auto* l : {&w.input, &w.output})
    if (auto v = validate(*l, l == &w.input ? "input lengths" : "output lengths"); !v)
      return fail(v.error().message);
  return {};
}

}  // namespace

void RawScenario::set(const std::string& key, std::string value, std::string origin) {
  values[key] = RawValue{{std::move(value)}, std::move(origin)};
}

void RawScenario::append(const std::string& key, std::string value, std::string origin) {
  auto& v = values[key];
  v.values.push_back(std::move(value));
  v.origin = std::move(origin);
}

const std::vector<ScenarioKey>& scenario_keys() {
  using enum KeyGroup;
  static const std::vector<ScenarioKey> keys = {
      {"catalog", replica},
      {"model", replica},
      {"gpu", replica},
      {"tp", replica},
      {"attention_dp", replica},
      {"moe_ep", replica},
      {"moe_tp", replica},
      {"weights_dtype", replica},
      {"kv_dtype", replica},
      {"engine", replica},
      {"context", replica},
      {"max_model_len", replica},
      {"gpu_memory_utilization", replica},
      {"max_num_seqs", replica},
      {"max_num_batched_tokens", replica},
      {"paged_kv", replica},
      {"runtime_overhead_gib", replica},
      {"profile", profile},
      {"isl", lengths},
      {"osl", lengths},
      {"arrival", traffic},
      {"cv", traffic},
      {"length_dist", traffic},
      {"sigma", traffic},
      {"lengths_from", traffic},
      {"trace", traffic},
      {"skip_bad_lines", traffic},
      {"prefix_hit_rate", prefix_cache},
      {"router", router},
      {"slo", slo},
      {"target_qps", target},
      {"name", fleet},
      {"gpus_per_host", fleet},
      {"usd_per_gpu_hour", fleet},
      {"usd_per_host_hour", fleet},
      {"billing", fleet},
      {"target_utilization", fleet},
      {"redundancy", fleet},
      {"q", given_q},
      {"curve", given_q},
      {"rate", rate},
      {"requests", run},
      {"replicas", run},
      {"gpus", search},
      {"tps", search},
      {"weights_dtypes", search},
      {"kv_dtypes", search},
      {"max_num_seqs_caps", search},
      {"engines", search},
      {"prices", search},
      {"load_profile", search},
      {"budget_usd_per_hour", search},
      {"prefill_gpu", disagg},
      {"prefill_tp", disagg},
      {"prefill_weights_dtype", disagg},
      {"prefill_max_num_seqs", disagg},
      {"prefill_max_num_batched_tokens", disagg},
      {"decode_gpu", disagg},
      {"decode_tp", disagg},
      {"decode_weights_dtype", disagg},
      {"decode_max_num_seqs", disagg},
      {"decode_max_num_batched_tokens", disagg},
      {"kv_link", disagg},
      {"kv_transfer_gb_s", disagg},
      {"kv_transfer_latency_us", disagg},
  };
  return keys;
}

std::optional<KeyGroup> key_group(const std::string& key) {
  for (const auto& k : scenario_keys())
    if (k.name == key) return k.group;
  return std::nullopt;
}

RawScenario select(const RawScenario& raw, KeyGroups groups) {
  RawScenario out;
  out.base_dir = raw.base_dir;
  out.stack = raw.stack;
  for (const auto& [key, value] : raw.values)
    if (auto g = key_group(key); g && groups.contains(*g)) out.values.emplace(key, value);
  return out;
}

Result<RawScenario> parse_scenario_yaml(const std::string& text, const std::string& path) {
  auto loaded = parse_yaml_document(text, path);
  if (!loaded) return std::unexpected(loaded.error());
  const YAML::Node& root = *loaded;
  RawScenario raw;
  raw.base_dir = std::filesystem::path(path).parent_path().string();
  if (root.IsNull()) return raw;
  if (!root.IsMap()) return fail(fmt::format("{}:1: a scenario file must be a YAML mapping", path));
  try {
    if (auto r = read_map(root, path, raw); !r) return fail(r.error().message);
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  return raw;
}

Result<RawScenario> read_scenario_file(const std::string& path) {
  auto text = read_text_file(path, "scenario file", kMaxSettingsFileBytes);
  if (!text) return fail(text.error().message);
  return parse_scenario_yaml(*text, path);
}

void overlay(RawScenario& base, const RawScenario& flags) {
  for (const auto& [key, value] : flags.values) base.values[key] = value;
  if (flags.stack) base.stack = flags.stack;
}

std::string resolve_path(const RawScenario& raw, const std::string& path) {
  if (raw.base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(raw.base_dir) / path).string();
}

std::optional<std::string> string_setting(const RawScenario& raw, const std::string& key) {
  const auto it = raw.values.find(key);
  if (it == raw.values.end() || it->second.values.empty()) return std::nullopt;
  return it->second.values.back();
}

Result<std::optional<double>> number_setting(const RawScenario& raw, const std::string& key) {
  const auto it = raw.values.find(key);
  if (it == raw.values.end() || it->second.values.empty()) return std::optional<double>{};
  const std::string& text = it->second.values.back();
  auto value = parse_number(text);
  if (!value) {
    // YAML spellings of special values reach us as text; name them plainly.
    return fail(fmt::format("{}: {} must be a number, got '{}'", it->second.origin, key, text));
  }
  if (!std::isfinite(*value))
    return fail(
        fmt::format("{}: {} must be a finite number, got '{}'", it->second.origin, key, text));
  return std::optional<double>(*value);
}

Result<std::optional<double>> positive_setting(const RawScenario& raw, const std::string& key) {
  auto v = number_setting(raw, key);
  if (!v) return v;
  if (*v && !(**v > 0))
    return fail(fmt::format("{}: {} must be a positive number, got {}", raw.values.at(key).origin,
                            key, **v));
  return v;
}

Result<std::optional<std::int64_t>> integer_setting(const RawScenario& raw,
                                                    const std::string& key) {
  auto v = number_setting(raw, key);
  if (!v) return fail(v.error().message);
  if (!*v) return std::optional<std::int64_t>{};
  if (std::floor(**v) != **v || std::abs(**v) > 1e15)
    return fail(
        fmt::format("{}: {} must be a whole number, got {}", raw.values.at(key).origin, key, **v));
  return std::optional<std::int64_t>(static_cast<std::int64_t>(**v));
}

Result<Scenario> build_scenario(const RawScenario& raw, Catalog& catalog) {
  if (auto file = string_setting(raw, "catalog")) {
    if (auto r = load_catalog_file(resolve_path(raw, *file), catalog); !r)
      return fail(r.error().message);
  }
  Scenario s = default_scenario(catalog);
  auto origin = [&](const std::string& key) { return raw.values.at(key).origin; };
  if (auto name = string_setting(raw, "name")) s.name = *name;
  if (auto model = string_setting(raw, "model")) {
    const std::string path = resolve_path(raw, *model);
    // The non-throwing query: a model name too long for a path (ENAMETOOLONG) or with bytes no
    // file system takes is a name, not an error thrown through (found by fuzzing).
    std::error_code ec;
    if (model->ends_with(".json") || std::filesystem::is_regular_file(path, ec)) {
      auto spec = read_hf_config(path);
      if (!spec) return fail(spec.error().message);
      s.replica.model = std::move(*spec);
    } else {
      auto spec = catalog.model(*model);
      if (!spec) return fail(fmt::format("{}: {}", origin("model"), spec.error().message));
      s.replica.model = std::move(*spec);
    }
  }
  if (auto gpu = string_setting(raw, "gpu")) {
    auto spec = catalog.gpu(*gpu);
    if (!spec) return fail(fmt::format("{}: {}", origin("gpu"), spec.error().message));
    s.replica.gpu = std::move(*spec);
    s.usd_per_gpu_hour = s.replica.gpu.usd_per_gpu_hour;
    s.gpus_per_host = s.replica.gpu.gpus_per_host;
  }
  for (const char* key : {"weights_dtype", "kv_dtype"}) {
    if (auto text = string_setting(raw, key)) {
      auto dtype = parse_dtype(*text);
      if (!dtype)
        return fail(
            fmt::format("{}: {}: unknown dtype '{}' ({})", origin(key), key, *text, dtype_names()));
      (std::string_view(key) == "weights_dtype" ? s.replica.weights_dtype : s.replica.kv_dtype) =
          *dtype;
    }
  }
  if (auto engine = string_setting(raw, "engine")) {
    if (!is_known_engine(*engine))
      return fail(
          fmt::format("{}: unknown engine '{}' ({})", origin("engine"), *engine, kEngineNames));
    s.replica.engine = *engine;
    // The engine's scheduling caps apply unless the user set them.
    s.replica.limits = engine_defaults(*engine).limits;
  }
  if (raw.has("tp")) {
    int tp = 1;
    if (auto r = positive_int(raw, "tp", tp, kMaxGpusPerReplica); !r)
      return fail(r.error().message);
    s.tp = tp;
  }
  struct NumberKey {
    const char* key;
    double* dest;
    double max;
  };
  for (auto [key, dest, max] :
       {NumberKey{"target_qps", &s.target_qps, kMaxTargetQps},
        NumberKey{"isl", &s.workload.input.mean, static_cast<double>(kMaxSequenceTokens)},
        NumberKey{"osl", &s.workload.output.mean, static_cast<double>(kMaxSequenceTokens)},
        NumberKey{"gpu_memory_utilization", &s.replica.memory.gpu_memory_utilization, 1.0}}) {
    if (auto r = positive_number(raw, key, *dest, max); !r) return fail(r.error().message);
  }
  if (auto r = positive_int(raw, "context", s.context_tokens, kMaxSequenceTokens); !r)
    return fail(r.error().message);
  if (auto r =
          positive_int(raw, "max_model_len", s.replica.memory.max_model_len, kMaxSequenceTokens);
      !r)
    return fail(r.error().message);
  if (auto r = positive_int(raw, "max_num_seqs", s.replica.limits.max_num_seqs, kMaxNumSeqs); !r)
    return fail(r.error().message);
  if (auto r = positive_int(raw, "max_num_batched_tokens", s.replica.limits.max_num_batched_tokens,
                            kMaxSequenceTokens);
      !r)
    return fail(r.error().message);
  if (auto r = positive_int(raw, "gpus_per_host", s.gpus_per_host, kMaxGpusPerReplica); !r)
    return fail(r.error().message);
  // The MoE layout (AIConfigurator's terms): attention_dp copies of the attention, each tp GPUs,
  // and the routed experts over moe_ep groups of moe_tp GPUs on the same tp x attention_dp GPUs.
  for (auto [key, dest] : {std::pair<const char*, int*>{"attention_dp", &s.replica.attention_dp},
                           {"moe_ep", &s.replica.moe_ep},
                           {"moe_tp", &s.replica.moe_tp}})
    if (auto r = positive_int(raw, key, *dest, kMaxGpusPerReplica); !r)
      return fail(r.error().message);
  if ((raw.has("moe_ep") || raw.has("moe_tp")) && !s.replica.model.is_moe())
    return fail(fmt::format("{}: moe_ep and moe_tp lay out routed experts; {} has none",
                            origin(raw.has("moe_ep") ? "moe_ep" : "moe_tp"), s.replica.model.name));
  if (raw.has("moe_ep") || raw.has("moe_tp") || raw.has("attention_dp")) {
    // The experts share the attention's GPUs: their layout needs the attention's width.
    const char* key = raw.has("moe_ep") ? "moe_ep" : raw.has("moe_tp") ? "moe_tp" : "attention_dp";
    if (!s.tp)
      return fail(
          fmt::format("{}: a layout with {} needs tp as well (the experts and the "
                      "attention copies share tp x attention_dp GPUs)",
                      origin(key), key));
    const int stage = *s.tp * s.replica.attention_dp;
    if (stage % s.replica.moe_ep != 0)
      return fail(fmt::format("{}: moe_ep {} does not divide tp x attention_dp = {}", origin(key),
                              s.replica.moe_ep, stage));
    if (s.replica.moe_tp > 0 && s.replica.moe_tp * s.replica.moe_ep != stage)
      return fail(fmt::format("{}: moe_tp x moe_ep = {} x {} must equal tp x attention_dp = {}",
                              origin(key), s.replica.moe_tp, s.replica.moe_ep, stage));
  }
  if (auto v = number_setting(raw, "runtime_overhead_gib"); !v) {
    return fail(v.error().message);
  } else if (*v) {
    if (**v < 0)
      return fail(
          fmt::format("{}: runtime_overhead_gib must be >= 0", origin("runtime_overhead_gib")));
    s.replica.memory.runtime_overhead_gib = **v;
  }
  if (auto paged = string_setting(raw, "paged_kv")) {
    if (*paged == "true" || *paged == "yes")
      s.replica.memory.paged_kv = true;
    else if (*paged == "false" || *paged == "no")
      s.replica.memory.paged_kv = false;
    else
      return fail(
          fmt::format("{}: paged_kv must be true or false, got '{}'", origin("paged_kv"), *paged));
  }
  if (raw.has("slo")) {
    s.slo.clear();
    for (const auto& text : raw.values.at("slo").values) {
      auto t = parse_slo(text);
      if (!t) return fail(fmt::format("{}: {}", origin("slo"), t.error().message));
      s.slo.push_back(*t);
    }
  }
  for (auto [key, dest] : {std::pair<const char*, double*>{"usd_per_gpu_hour", &s.usd_per_gpu_hour},
                           {"usd_per_host_hour", &s.usd_per_host_hour}}) {
    if (auto v = number_setting(raw, key); !v) {
      return fail(v.error().message);
    } else if (*v) {
      if (**v < 0) return fail(fmt::format("{}: {} must be >= 0, got {}", origin(key), key, **v));
      *dest = **v;
      s.price_source = fmt::format("{} ({})", key, origin(key));
    }
  }
  if (auto billing = string_setting(raw, "billing")) {
    if (*billing == "host")
      s.billing = Billing::per_host;
    else if (*billing == "gpu")
      s.billing = Billing::per_gpu;
    else
      return fail(fmt::format("{}: billing must be 'host' or 'gpu', got '{}'", origin("billing"),
                              *billing));
  }
  if (auto v = number_setting(raw, "target_utilization"); !v) {
    return fail(v.error().message);
  } else if (*v) {
    if (!(**v > 0 && **v <= 1))
      return fail(fmt::format("{}: target_utilization must be in (0, 1], got {}",
                              origin("target_utilization"), **v));
    s.target_utilization = **v;
  }
  if (auto v = integer_setting(raw, "redundancy"); !v) {
    return fail(v.error().message);
  } else if (*v) {
    if (**v < 0 || **v > kMaxNumSeqs)
      return fail(fmt::format("{}: redundancy must be in [0, {}], got {}", origin("redundancy"),
                              kMaxNumSeqs, **v));
    s.redundancy = static_cast<int>(**v);
  }
  if (auto q = positive_setting(raw, "q"); !q) {
    return fail(q.error().message);
  } else if (*q) {
    s.replica_qps = **q;
  }
  if (auto curve = string_setting(raw, "curve")) {
    auto c = read_curve_file(resolve_path(raw, *curve));
    if (!c) return fail(c.error().message);
    s.curve = std::move(*c);
  }
  if (auto profile = string_setting(raw, "profile")) {
    auto p = read_profile_file(resolve_path(raw, *profile));
    if (!p) return fail(p.error().message);
    s.profile = std::move(*p);
  }
  if (raw.stack) s.stack = raw.stack;
  if (auto r = read_workload(raw, s); !r) return fail(r.error().message);
  if (auto ok = validate_spec(s.replica, s.context_tokens); !ok) return fail(ok.error().message);
  return s;
}

}  // namespace fleetsizer::io
