#include "fleetsizer/search/space.h"

#include <algorithm>

namespace fleetsizer {

std::vector<Dtype> supported_weight_dtypes(const GpuSpec& gpu) {
  std::vector<Dtype> out{Dtype::bf16};
  if (gpu.fp8_tflops > 0) out.push_back(Dtype::fp8);
  if (gpu.int8_tops > 0) out.push_back(Dtype::int8);
  out.push_back(Dtype::int4);
  if (gpu.fp4_tflops > 0) out.push_back(Dtype::fp4);
  return out;
}

std::vector<Dtype> supported_kv_dtypes(const GpuSpec& gpu) {
  std::vector<Dtype> out{Dtype::bf16};
  if (gpu.fp8_tflops > 0) out.push_back(Dtype::fp8);
  return out;
}

namespace {

bool runs(const std::vector<Dtype>& supported, Dtype d) {
  // fp16 and fp32 run wherever bf16 does.
  if (d == Dtype::fp16 || d == Dtype::fp32) return true;
  return std::ranges::find(supported, d) != supported.end();
}

}  // namespace

Enumeration enumerate_space(const ReplicaSpec& base, const SearchSpace& space,
                            std::int64_t context_tokens, int gpus_per_host,
                            const FitBounds& bounds) {
  Enumeration e;
  std::vector<ReplicaSpec>& out = e.specs;
  const std::vector<GpuSpec> gpus = space.gpus.empty() ? std::vector{base.gpu} : space.gpus;
  const std::vector<std::int64_t> caps =
      space.max_num_seqs.empty() ? std::vector{base.limits.max_num_seqs} : space.max_num_seqs;
  const std::vector<std::string> engines =
      space.engines.empty() ? std::vector{base.engine} : space.engines;
  const auto combos = static_cast<std::int64_t>(caps.size() * engines.size());
  std::vector<int> tps = space.tps;
  if (tps.empty())
    for (int tp = 1; tp <= std::min(gpus_per_host, bounds.max_tp); tp *= 2) tps.push_back(tp);
  for (const GpuSpec& gpu : gpus) {
    const auto wsup = supported_weight_dtypes(gpu);
    const auto ksup = supported_kv_dtypes(gpu);
    const auto wlist = space.weights_dtypes.empty() ? wsup : space.weights_dtypes;
    const auto klist = space.kv_dtypes.empty() ? ksup : space.kv_dtypes;
    for (Dtype w : wlist) {
      if (!runs(wsup, w)) continue;
      for (Dtype kv : klist) {
        if (!runs(ksup, kv)) continue;
        ReplicaSpec spec = base;
        spec.gpu = gpu;
        spec.weights_dtype = w;
        spec.kv_dtype = kv;
        // The layouts: every listed TP that fits; else the smallest pipelined layout that does.
        std::vector<std::pair<int, int>> layouts;
        for (int tp : tps) {
          if (!valid_tensor_parallel(spec.model, tp)) continue;
          spec.tp = tp;
          spec.pp = 1;
          e.examined += combos;
          if (footprint_at(spec, context_tokens).fits)
            layouts.emplace_back(tp, 1);
          else
            e.pruned_by_memory += combos;
        }
        if (layouts.empty() && space.tps.empty()) {
          const FitResult fit = find_fit(spec, context_tokens, bounds);
          if (fit.fits) {
            e.examined += combos;
            layouts.emplace_back(fit.footprint.tp, fit.footprint.pp);
          }
        }
        if (layouts.empty()) {
          // Nothing fits: the largest layout tried, so the plan table says why.
          int largest = 1;
          for (int tp : tps)
            if (valid_tensor_parallel(spec.model, tp)) largest = std::max(largest, tp);
          spec.tp = largest;
          spec.pp = 1;
          spec.limits.max_num_seqs = caps.front();
          spec.engine = engines.front();
          e.unfit.push_back(spec);
          continue;
        }
        for (const auto& [tp, pp] : layouts)
          for (std::int64_t cap : caps)
            for (const std::string& engine : engines) {
              ReplicaSpec c = spec;
              c.tp = tp;
              c.pp = pp;
              c.limits.max_num_seqs = cap;
              c.engine = engine;
              out.push_back(std::move(c));
            }
      }
    }
  }
  return e;
}

}  // namespace fleetsizer
