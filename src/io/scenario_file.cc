#include "io/scenario_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleetsizer/api/fit.h"
#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/units/units.h"
#include "io/catalog_file.h"
#include "io/csv.h"
#include "io/curve_file.h"
#include "io/hf_config.h"
#include "io/profile_file.h"
#include "io/stack_file.h"

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
    const auto& keys = scenario_keys();
    if (std::ranges::find(keys, key) == keys.end())
      return fail(fmt::format("{}: unknown key '{}'", origin, key));
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

Result<void> positive_int(const RawScenario& raw, const std::string& key, auto& dest) {
  auto v = integer_setting(raw, key);
  if (!v) return fail(v.error().message);
  if (!*v) return {};
  if (**v < 1)
    return fail(fmt::format("{}: {} must be >= 1, got {}", raw.values.at(key).origin, key, **v));
  dest = static_cast<std::remove_reference_t<decltype(dest)>>(**v);
  return {};
}

Result<void> positive_number(const RawScenario& raw, const std::string& key, double& dest) {
  auto v = positive_setting(raw, key);
  if (!v) return fail(v.error().message);
  if (*v) dest = **v;
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

const std::vector<std::string>& scenario_keys() {
  static const std::vector<std::string> keys = {"name",
                                                "catalog",
                                                "model",
                                                "gpu",
                                                "tp",
                                                "weights_dtype",
                                                "kv_dtype",
                                                "engine",
                                                "profile",
                                                "target_qps",
                                                "isl",
                                                "osl",
                                                "slo",
                                                "context",
                                                "max_model_len",
                                                "gpu_memory_utilization",
                                                "max_num_seqs",
                                                "max_num_batched_tokens",
                                                "paged_kv",
                                                "runtime_overhead_gib",
                                                "q",
                                                "curve",
                                                "gpus_per_host",
                                                "usd_per_gpu_hour",
                                                "usd_per_host_hour",
                                                "billing",
                                                "target_utilization",
                                                "redundancy",
                                                "trace",
                                                "rate",
                                                "requests",
                                                "replicas",
                                                "seed",
                                                "arrival",
                                                "cv",
                                                "router",
                                                "prefix_hit_rate",
                                                "prefill_gpu",
                                                "prefill_tp",
                                                "decode_gpu",
                                                "decode_tp",
                                                "kv_transfer_gb_s",
                                                "gpus",
                                                "tps",
                                                "weights_dtypes"};
  return keys;
}

Result<RawScenario> parse_scenario_yaml(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return fail(fmt::format("{}:{}: YAML syntax error: {}", path, e.mark.line + 1, e.msg));
  }
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
  std::ifstream in(path);
  if (!in) return fail(fmt::format("{}: cannot open scenario file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_scenario_yaml(buffer.str(), path);
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
    if (model->ends_with(".json") || std::filesystem::is_regular_file(path)) {
      auto spec = read_hf_config(path);
      if (!spec) return fail(spec.error().message);
      s.model = std::move(*spec);
    } else {
      auto spec = catalog.model(*model);
      if (!spec) return fail(fmt::format("{}: {}", origin("model"), spec.error().message));
      s.model = std::move(*spec);
    }
  }
  if (auto gpu = string_setting(raw, "gpu")) {
    auto spec = catalog.gpu(*gpu);
    if (!spec) return fail(fmt::format("{}: {}", origin("gpu"), spec.error().message));
    s.gpu = std::move(*spec);
    s.usd_per_gpu_hour = s.gpu.usd_per_gpu_hour;
    s.gpus_per_host = s.gpu.gpus_per_host;
  }
  for (const char* key : {"weights_dtype", "kv_dtype"}) {
    if (auto text = string_setting(raw, key)) {
      auto dtype = parse_dtype(*text);
      if (!dtype)
        return fail(
            fmt::format("{}: {}: unknown dtype '{}' ({})", origin(key), key, *text, dtype_names()));
      (std::string_view(key) == "weights_dtype" ? s.memory.weights_dtype : s.memory.kv_dtype) =
          *dtype;
    }
  }
  if (auto engine = string_setting(raw, "engine")) {
    if (!is_known_engine(*engine))
      return fail(
          fmt::format("{}: unknown engine '{}' ({})", origin("engine"), *engine, kEngineNames));
    s.engine = *engine;
    // The engine's scheduling caps apply unless the user set them.
    const EngineLimits limits = engine_defaults(*engine).limits;
    if (!raw.has("max_num_seqs")) s.memory.max_num_seqs = limits.max_num_seqs;
    if (!raw.has("max_num_batched_tokens"))
      s.memory.max_num_batched_tokens =
          std::min<std::int64_t>(limits.max_num_batched_tokens, 65536);
  }
  if (raw.has("tp")) {
    int tp = 1;
    if (auto r = positive_int(raw, "tp", tp); !r) return fail(r.error().message);
    s.tp = tp;
  }
  for (auto [key, dest] : {std::pair<const char*, double*>{"target_qps", &s.target_qps},
                           {"isl", &s.isl},
                           {"osl", &s.osl},
                           {"gpu_memory_utilization", &s.memory.gpu_memory_utilization}}) {
    if (auto r = positive_number(raw, key, *dest); !r) return fail(r.error().message);
  }
  if (auto r = positive_int(raw, "context", s.memory.context_tokens); !r)
    return fail(r.error().message);
  if (auto r = positive_int(raw, "max_model_len", s.memory.max_model_len); !r)
    return fail(r.error().message);
  if (auto r = positive_int(raw, "max_num_seqs", s.memory.max_num_seqs); !r)
    return fail(r.error().message);
  if (auto r = positive_int(raw, "max_num_batched_tokens", s.memory.max_num_batched_tokens); !r)
    return fail(r.error().message);
  if (auto r = positive_int(raw, "gpus_per_host", s.gpus_per_host); !r)
    return fail(r.error().message);
  if (auto v = number_setting(raw, "runtime_overhead_gib"); !v) {
    return fail(v.error().message);
  } else if (*v) {
    if (**v < 0)
      return fail(
          fmt::format("{}: runtime_overhead_gib must be >= 0", origin("runtime_overhead_gib")));
    s.memory.runtime_overhead_gib = **v;
  }
  if (auto paged = string_setting(raw, "paged_kv")) {
    if (*paged == "true" || *paged == "yes")
      s.memory.paged_kv = true;
    else if (*paged == "false" || *paged == "no")
      s.memory.paged_kv = false;
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
    if (**v < 0)
      return fail(fmt::format("{}: redundancy must be >= 0, got {}", origin("redundancy"), **v));
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
  if (auto ok = api::validate(s.memory); !ok) return fail(ok.error().message);
  return s;
}

}  // namespace fleetsizer::io
