#include "io/disagg_settings.h"

#include <fmt/format.h>

#include <cmath>
#include <tuple>

namespace fleetsizer::io {
namespace {

Result<void> pool_settings(const RawScenario& raw, const Scenario& base, const Catalog& catalog,
                           const std::string& pool, PoolOptions& o) {
  auto origin = [&](const std::string& key) { return raw.values.at(key).origin; };
  o.gpus = {base.replica.gpu};
  o.tp = base.tp;
  o.weights_dtype = base.replica.weights_dtype;
  o.kv_dtype = base.replica.kv_dtype;  // one KV format on both sides of the link
  o.limits = base.replica.limits;
  if (auto name = string_setting(raw, pool + "_gpu")) {
    auto gpu = catalog.gpu(*name);
    if (!gpu) return fail(fmt::format("{}: {}", origin(pool + "_gpu"), gpu.error().message));
    o.gpus = {*gpu};
  }
  if (auto tp = integer_setting(raw, pool + "_tp"); !tp) {
    return fail(tp.error().message);
  } else if (*tp) {
    if (**tp < 1 || **tp > 64)
      return fail(
          fmt::format("{}: {}_tp must be in [1, 64], got {}", origin(pool + "_tp"), pool, **tp));
    o.tp = static_cast<int>(**tp);
  }
  if (auto text = string_setting(raw, pool + "_weights_dtype")) {
    auto dtype = parse_dtype(*text);
    if (!dtype)
      return fail(fmt::format("{}: {}_weights_dtype: unknown dtype '{}' ({})",
                              origin(pool + "_weights_dtype"), pool, *text, dtype_names()));
    o.weights_dtype = *dtype;
  }
  // The same ranges as the colocated keys (scenario_file.h), stated in the error.
  for (auto [key, dest, max] :
       {std::tuple<std::string, std::int64_t*, std::int64_t>{pool + "_max_num_seqs",
                                                             &o.limits.max_num_seqs, kMaxNumSeqs},
        {pool + "_max_num_batched_tokens", &o.limits.max_num_batched_tokens, kMaxSequenceTokens}}) {
    auto v = integer_setting(raw, key);
    if (!v) return fail(v.error().message);
    if (!*v) continue;
    if (**v < 1 || **v > max)
      return fail(fmt::format("{}: {} must be in [1, {}], got {}", origin(key), key, max, **v));
    *dest = **v;
  }
  return {};
}

}  // namespace

Result<DisaggInputs> build_disagg(const RawScenario& raw, const Scenario& base,
                                  const Catalog& catalog, const std::vector<std::string>& gpus) {
  DisaggInputs in;
  in.base = base;
  if (auto r = pool_settings(raw, base, catalog, "prefill", in.prefill); !r)
    return fail(r.error().message);
  if (auto r = pool_settings(raw, base, catalog, "decode", in.decode); !r)
    return fail(r.error().message);
  if (!gpus.empty()) {
    std::vector<GpuSpec> specs;
    for (const auto& name : gpus) {
      auto gpu = catalog.gpu(name);
      if (!gpu) return fail(fmt::format("--gpus: {}", gpu.error().message));
      specs.push_back(*gpu);
    }
    in.prefill.gpus = in.decode.gpus = specs;
  }
  auto link = link_preset(string_setting(raw, "kv_link").value_or("infiniband"));
  if (!link)
    return fail(fmt::format("{}: {}", raw.values.at("kv_link").origin, link.error().message));
  in.link = *link;
  for (auto [key, dest] : {std::pair<const char*, double*>{"kv_transfer_gb_s", &in.link.gb_s},
                           {"kv_transfer_latency_us", &in.link.latency_us}}) {
    auto v = number_setting(raw, key);
    if (!v) return fail(v.error().message);
    if (!*v) continue;
    const bool latency = std::string_view(key) == "kv_transfer_latency_us";
    if (!(latency ? **v >= 0 : **v > 0) || !std::isfinite(**v))
      return fail(fmt::format("{}: {} must be {}, got {}", raw.values.at(key).origin, key,
                              latency ? ">= 0" : "> 0", **v));
    *dest = **v;
    in.link.name = "custom";
  }
  return in;
}

}  // namespace fleetsizer::io
