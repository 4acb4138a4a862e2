#include "io/stack_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

#include "io/csv.h"
#include "io/scenario_file.h"
#include "io/yaml_util.h"

namespace fleetsizer::io {
namespace {

Result<void> read_positive(const YAML::Node& map, const char* key, const std::string& path,
                           double& dest) {
  if (!map[key]) return {};
  auto v = yaml_positive(map[key], path, key);
  if (!v) return fail(v.error().message);
  dest = *v;
  return {};
}

Result<Lever> parse_lever(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap())
    return fail(fmt::format("{}: each lever must be a mapping", yaml_origin(path, node)));
  if (auto k = check_keys(node, {"name", "memory", "throughput", "when"}, path, "a lever"); !k)
    return fail(k.error().message);
  Lever l;
  if (!node["name"]) return fail(fmt::format("{}: lever missing 'name'", yaml_origin(path, node)));
  l.name = node["name"].as<std::string>();
  if (auto r = read_positive(node, "memory", path, l.memory_factor); !r)
    return fail(r.error().message);
  if (auto r = read_positive(node, "throughput", path, l.throughput_factor); !r)
    return fail(r.error().message);
  if (const YAML::Node when = node["when"]) {
    if (!when.IsSequence())
      return fail(fmt::format("{}: 'when' must be a list", yaml_origin(path, when)));
    for (const auto& c : when) {
      if (!c.IsMap())
        return fail(fmt::format("{}: a condition must be a mapping", yaml_origin(path, c)));
      if (auto k = check_keys(c, {"fits_on_one_gpu", "after", "throughput"}, path, "a condition");
          !k)
        return fail(k.error().message);
      LeverCondition cond;
      if (c["fits_on_one_gpu"]) {
        cond.kind = LeverCondition::Kind::fits_on_one_gpu;
      } else if (c["after"]) {
        cond.kind = LeverCondition::Kind::after_lever;
        cond.lever = c["after"].as<std::string>();
      } else {
        return fail(
            fmt::format("{}: a condition needs 'fits_on_one_gpu: true' or 'after: <lever name>'",
                        yaml_origin(path, c)));
      }
      if (!c["throughput"])
        return fail(fmt::format("{}: a condition needs 'throughput'", yaml_origin(path, c)));
      if (auto r = read_positive(c, "throughput", path, cond.throughput_factor); !r)
        return fail(r.error().message);
      l.conditions.push_back(std::move(cond));
    }
  }
  return l;
}

}  // namespace

Result<StackScenario> parse_stack_node(const YAML::Node& node, const std::string& path) {
  if (!node.IsMap())
    return fail(fmt::format("{}: 'stack' must be a mapping", yaml_origin(path, node)));
  if (auto k = check_keys(node,
                          {"target_qps", "node_usd_per_hour", "gpus_per_host", "baseline",
                           "footprint", "levers", "mechanistic"},
                          path, "stack");
      !k)
    return fail(k.error().message);
  StackScenario s;
  s.levers.clear();
  if (auto r = read_positive(node, "target_qps", path, s.target_qps); !r)
    return fail(r.error().message);
  if (auto r = read_positive(node, "node_usd_per_hour", path, s.node_usd_per_hour); !r)
    return fail(r.error().message);
  double gpus_per_host = s.gpus_per_host;
  if (auto r = read_positive(node, "gpus_per_host", path, gpus_per_host); !r)
    return fail(r.error().message);
  auto whole_host = whole_number_in(gpus_per_host, 1, kMaxGpusPerReplica);
  if (!whole_host)
    return fail(fmt::format("{}: gpus_per_host must be a whole number in [1, {}], got {}",
                            yaml_origin(path, node["gpus_per_host"]), kMaxGpusPerReplica,
                            gpus_per_host));
  s.gpus_per_host = static_cast<int>(*whole_host);
  if (const YAML::Node b = node["baseline"]) {
    if (!b.IsMap())
      return fail(fmt::format("{}: 'baseline' must be a mapping", yaml_origin(path, b)));
    if (auto k = check_keys(b, {"label", "gpus", "qps"}, path, "baseline"); !k)
      return fail(k.error().message);
    if (b["label"]) s.baseline_label = b["label"].as<std::string>();
    double gpus = s.baseline_gpus;
    if (auto r = read_positive(b, "gpus", path, gpus); !r) return fail(r.error().message);
    // A fleet's GPUs: far beyond any deployment, and within an int (1e54 was cast; fuzzing).
    constexpr std::int64_t kMaxBaselineGpus = 10'000'000;
    auto whole_gpus = whole_number_in(gpus, 1, kMaxBaselineGpus);
    if (!whole_gpus)
      return fail(fmt::format("{}: gpus must be a whole number in [1, {}], got {}",
                              yaml_origin(path, b["gpus"]), kMaxBaselineGpus, gpus));
    s.baseline_gpus = static_cast<int>(*whole_gpus);
    if (auto r = read_positive(b, "qps", path, s.baseline_qps); !r) return fail(r.error().message);
  }
  if (const YAML::Node f = node["footprint"]) {
    if (!f.IsMap())
      return fail(fmt::format("{}: 'footprint' must be a mapping", yaml_origin(path, f)));
    if (auto k = check_keys(f, {"model_gb", "kv_gb", "gpu_memory_gb"}, path, "footprint"); !k)
      return fail(k.error().message);
    if (auto r = read_positive(f, "model_gb", path, s.model_gb); !r) return fail(r.error().message);
    if (auto r = read_positive(f, "kv_gb", path, s.kv_gb); !r) return fail(r.error().message);
    if (auto r = read_positive(f, "gpu_memory_gb", path, s.gpu_memory_gb); !r)
      return fail(r.error().message);
  }
  if (const YAML::Node levers = node["levers"]) {
    if (!levers.IsSequence())
      return fail(fmt::format("{}: 'levers' must be a list", yaml_origin(path, levers)));
    for (const auto& l : levers) {
      auto lever = parse_lever(l, path);
      if (!lever) return fail(lever.error().message);
      s.levers.push_back(std::move(*lever));
    }
  }
  if (const YAML::Node m = node["mechanistic"]) {
    if (!m.IsSequence())
      return fail(fmt::format("{}: 'mechanistic' must be a list of levers such as \"weights=int8\"",
                              yaml_origin(path, m)));
    for (const auto& l : m) {
      if (!l.IsScalar())
        return fail(fmt::format("{}: a mechanistic lever is a string such as \"paged-kv\"",
                                yaml_origin(path, l)));
      s.mechanistic.push_back({l.as<std::string>(), yaml_origin(path, l)});
    }
  }
  auto valid = validate(std::move(s));
  if (!valid)
    return fail(fmt::format("{}: stack: {}", yaml_origin(path, node), valid.error().message));
  return valid;
}

}  // namespace fleetsizer::io
