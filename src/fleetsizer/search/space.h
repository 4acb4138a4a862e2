#pragma once
// The configuration space plan search walks: GPU types, the weight and KV dtypes each GPU runs,
// tensor-parallel degrees (pipeline stages where the model needs them), engine batch caps
// (max_num_seqs) and engines. Enumeration is in a fixed order, so a search is deterministic.
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/catalog/gpu.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/plan/replica_spec.h"
#include "fleetsizer/units/dtype.h"

namespace fleetsizer {

struct SearchSpace {
  std::vector<GpuSpec> gpus;               // empty: the base spec's GPU
  std::vector<Dtype> weights_dtypes;       // empty: supported_weight_dtypes(gpu)
  std::vector<Dtype> kv_dtypes;            // empty: supported_kv_dtypes(gpu)
  std::vector<int> tps;                    // empty: 1, 2, 4, ... up to the host
  std::vector<std::int64_t> max_num_seqs;  // empty: the base spec's limit
  std::vector<std::string> engines;        // empty: the base spec's engine
};

// bf16 everywhere; fp8 where the GPU has fp8 tensor cores; int8 (W8A8) where it has int8 tensor
// cores; int4 weight-only (AWQ/GPTQ kernels dequantize to bf16 on any of these GPUs); fp4 where
// it has fp4 tensor cores. fp16 is bf16's twin and fp32 is not served.
std::vector<Dtype> supported_weight_dtypes(const GpuSpec& gpu);
// bf16, and fp8 where the GPU has fp8 tensor cores.
std::vector<Dtype> supported_kv_dtypes(const GpuSpec& gpu);

// Every replica spec in the space, ordered by GPU, weights dtype, KV dtype, layout, batch cap and
// engine (a GPU/dtype pair where nothing fits goes to `unfit`, so the plan table can say why).
// Layouts: each TP of the list (default powers of two up to
// `gpus_per_host`) that divides the model's heads; when none of them holds the model, the smallest
// TP x PP layout that does (find_fit within `bounds`) instead. A dtype the GPU does not run (an
// explicit list can name one) is skipped.
struct Enumeration {
  std::vector<ReplicaSpec> specs;
  // A GPU/dtype pair on which no listed layout holds the model: its largest listed layout, shown
  // as not fitting (never evaluated).
  std::vector<ReplicaSpec> unfit;
  std::int64_t examined = 0;          // configurations looked at (layouts x caps x engines)
  std::int64_t pruned_by_memory = 0;  // of those, layouts whose weights + KV do not fit
};
Enumeration enumerate_space(const ReplicaSpec& base, const SearchSpace& space,
                            std::int64_t context_tokens, int gpus_per_host,
                            const FitBounds& bounds);

}  // namespace fleetsizer
