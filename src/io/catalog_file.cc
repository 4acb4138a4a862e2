#include "io/catalog_file.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <type_traits>

#include "io/hf_config.h"
#include "io/scenario_file.h"
#include "io/yaml_util.h"

namespace fleetsizer::io {
namespace {

// A field in [0, max] (or (0, max]); an integer field must be whole. Unbounded, a value such as
// 1e300 overflowed the cast to an integer field (undefined) and every product made from it.
template <class Spec, class Field>
Result<void> read_field(const YAML::Node& node, const char* key, const std::string& path,
                        Spec& spec, Field field, bool allow_zero, double max) {
  if (!node[key]) return {};
  auto v = yaml_number(node[key], path, key);
  if (!v) return fail(v.error().message);
  using T = std::remove_reference_t<decltype(spec.*field)>;
  constexpr bool whole = std::is_integral_v<T>;
  if (*v < 0 || (!allow_zero && *v == 0) || *v > max || (whole && *v != std::floor(*v)))
    return fail(fmt::format("{}: {} must be a {} in {}0, {:.0f}], got {}",
                            yaml_origin(path, node[key]), key, whole ? "whole number" : "number",
                            allow_zero ? "[" : "(", max, *v));
  spec.*field = static_cast<T>(*v);
  return {};
}

// ModelSpec's bounds for a model field: a context length, a vocabulary or a width.
double model_field_limit(std::string_view key) {
  if (key == "max_context") return static_cast<double>(kMaxSequenceTokens);
  if (key == "vocab") return static_cast<double>(kMaxVocab);
  return static_cast<double>(kMaxModelDimension);
}

// The keys a catalog entry may have (one list per entry kind: register new fields here).
constexpr std::string_view kGpuKeys[] = {"name",
                                         "base",
                                         "memory_gib",
                                         "hbm_bandwidth_tb_s",
                                         "bf16_tflops",
                                         "fp8_tflops",
                                         "int8_tops",
                                         "fp4_tflops",
                                         "interconnect_gb_s",
                                         "interconnect_latency_us",
                                         "usd_per_gpu_hour",
                                         "gpus_per_host"};
constexpr std::string_view kModelKeys[] = {"name",
                                           "base",
                                           "config",
                                           "layers",
                                           "hidden",
                                           "heads",
                                           "kv_heads",
                                           "head_dim",
                                           "intermediate",
                                           "vocab",
                                           "max_context",
                                           "experts",
                                           "experts_per_token",
                                           "shared_experts",
                                           "moe_intermediate",
                                           "dense_layers",
                                           "kv_lora_rank",
                                           "q_lora_rank",
                                           "qk_rope_head_dim",
                                           "qk_nope_head_dim",
                                           "v_head_dim"};

Result<GpuSpec> parse_gpu(const YAML::Node& n, const std::string& path, const Catalog& catalog) {
  if (!n.IsMap() || !n["name"])
    return fail(fmt::format("{}: each GPU needs a 'name'", yaml_origin(path, n)));
  if (auto k = check_keys(n, kGpuKeys, path, "a GPU"); !k) return std::unexpected(k.error());
  GpuSpec g;
  if (n["base"]) {
    auto base = catalog.gpu(n["base"].as<std::string>());
    if (!base)
      return fail(fmt::format("{}: base: {}", yaml_origin(path, n["base"]), base.error().message));
    g = *base;
  } else if (auto existing = catalog.gpu(n["name"].as<std::string>())) {
    g = *existing;  // overriding a built-in GPU keeps its other fields
  }
  g.name = n["name"].as<std::string>();
  g.source = fmt::format("{} (user catalog)", yaml_origin(path, n));
  // Upper bounds a thousand times past today's parts (B300: 288 GB, 8 TB/s, 15 PFLOPS FP4).
  for (auto [key, field, zero, max] :
       std::initializer_list<std::tuple<const char*, double GpuSpec::*, bool, double>>{
           {"memory_gib", &GpuSpec::memory_gib, false, 1e6},
           {"hbm_bandwidth_tb_s", &GpuSpec::hbm_bandwidth_tb_s, false, 1e4},
           {"bf16_tflops", &GpuSpec::bf16_tflops, false, 1e7},
           {"fp8_tflops", &GpuSpec::fp8_tflops, true, 1e7},
           {"int8_tops", &GpuSpec::int8_tops, true, 1e7},
           {"fp4_tflops", &GpuSpec::fp4_tflops, true, 1e7},
           {"interconnect_gb_s", &GpuSpec::interconnect_gb_s, false, 1e6},
           {"interconnect_latency_us", &GpuSpec::interconnect_latency_us, true, 1e6},
           {"usd_per_gpu_hour", &GpuSpec::usd_per_gpu_hour, true, 1e6}}) {
    if (auto r = read_field(n, key, path, g, field, zero, max); !r) return fail(r.error().message);
  }
  if (auto r = read_field(n, "gpus_per_host", path, g, &GpuSpec::gpus_per_host, false,
                          static_cast<double>(kMaxGpusPerReplica));
      !r)
    return fail(r.error().message);
  if (g.memory_gib <= 0 || g.hbm_bandwidth_tb_s <= 0 || g.bf16_tflops <= 0 ||
      g.interconnect_gb_s <= 0)
    return fail(fmt::format(
        "{}: GPU '{}' needs memory_gib, hbm_bandwidth_tb_s, bf16_tflops and interconnect_gb_s "
        "(or a 'base')",
        yaml_origin(path, n), g.name));
  return g;
}

Result<ModelSpec> parse_model(const YAML::Node& n, const std::string& path,
                              const Catalog& catalog) {
  if (!n.IsMap() || !n["name"])
    return fail(fmt::format("{}: each model needs a 'name'", yaml_origin(path, n)));
  if (auto k = check_keys(n, kModelKeys, path, "a model"); !k) return std::unexpected(k.error());
  ModelSpec m;
  if (n["config"]) {
    std::string config = n["config"].as<std::string>();
    if (!std::filesystem::path(config).is_absolute())
      config = (std::filesystem::path(path).parent_path() / config).string();
    auto spec = read_hf_config(config);
    if (!spec) return fail(spec.error().message);
    m = *spec;
  } else if (n["base"]) {
    auto base = catalog.model(n["base"].as<std::string>());
    if (!base)
      return fail(fmt::format("{}: base: {}", yaml_origin(path, n["base"]), base.error().message));
    m = *base;
  }
  m.name = n["name"].as<std::string>();
  if (m.source.empty()) m.source = fmt::format("{} (user catalog)", yaml_origin(path, n));
  for (auto [key, field] : std::initializer_list<std::pair<const char*, std::int64_t ModelSpec::*>>{
           {"layers", &ModelSpec::layers},
           {"hidden", &ModelSpec::hidden},
           {"heads", &ModelSpec::heads},
           {"kv_heads", &ModelSpec::kv_heads},
           {"head_dim", &ModelSpec::head_dim},
           {"intermediate", &ModelSpec::intermediate},
           {"vocab", &ModelSpec::vocab},
           {"max_context", &ModelSpec::max_context}}) {
    if (auto r = read_field(n, key, path, m, field, false, model_field_limit(key)); !r)
      return fail(r.error().message);
  }
  for (auto [key, field] : std::initializer_list<std::pair<const char*, std::int64_t ModelSpec::*>>{
           {"experts", &ModelSpec::experts},
           {"experts_per_token", &ModelSpec::experts_per_token},
           {"shared_experts", &ModelSpec::shared_experts},
           {"moe_intermediate", &ModelSpec::moe_intermediate},
           {"dense_layers", &ModelSpec::dense_layers},
           {"kv_lora_rank", &ModelSpec::kv_lora_rank},
           {"q_lora_rank", &ModelSpec::q_lora_rank},
           {"qk_rope_head_dim", &ModelSpec::qk_rope_head_dim},
           {"qk_nope_head_dim", &ModelSpec::qk_nope_head_dim},
           {"v_head_dim", &ModelSpec::v_head_dim}}) {
    if (auto r = read_field(n, key, path, m, field, true, model_field_limit(key)); !r)
      return fail(r.error().message);
  }
  if (m.head_dim == 0 && m.heads > 0) m.head_dim = m.hidden / m.heads;
  if (m.layers <= 0 || m.hidden <= 0 || m.heads <= 0 || m.kv_heads <= 0 || m.intermediate <= 0 ||
      m.vocab <= 0)
    return fail(
        fmt::format("{}: model '{}' needs layers, hidden, heads, kv_heads, intermediate and vocab "
                    "(or a 'base' or 'config')",
                    yaml_origin(path, n), m.name));
  return m;
}

}  // namespace

Result<void> load_catalog_file(const std::string& path, Catalog& catalog) {
  auto loaded = load_yaml_file(path, "catalog file");
  if (!loaded) return std::unexpected(loaded.error());
  const YAML::Node& root = *loaded;
  try {
    if (!root.IsMap())
      return fail(
          fmt::format("{}:1: a catalog file must be a mapping with 'gpus' and/or 'models'", path));
    for (const auto& item : root) {
      const std::string key = item.first.as<std::string>();
      if (key != "gpus" && key != "models")
        return fail(
            fmt::format("{}: unknown key '{}' (gpus, models)", yaml_origin(path, item.first), key));
      if (!item.second.IsSequence())
        return fail(fmt::format("{}: '{}' must be a list", yaml_origin(path, item.second), key));
      for (const auto& n : item.second) {
        if (key == "gpus") {
          auto g = parse_gpu(n, path, catalog);
          if (!g) return fail(g.error().message);
          catalog.put(std::move(*g));
        } else {
          auto m = parse_model(n, path, catalog);
          if (!m) return fail(m.error().message);
          catalog.put(std::move(*m));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  return {};
}

}  // namespace fleetsizer::io
