#include "fleetsizer/plan/scenario.h"

#include <fmt/format.h>

#include "fleetsizer/units/units.h"

namespace fleetsizer {

Result<void> validate_spec(const ReplicaSpec& spec, std::int64_t context_tokens) {
  const MemoryOptions& m = spec.memory;
  const EngineLimits& l = spec.limits;
  if (!(m.gpu_memory_utilization > 0 && m.gpu_memory_utilization <= 1))
    return fail(
        fmt::format("gpu_memory_utilization must be in (0, 1], got {}", m.gpu_memory_utilization));
  if (context_tokens < 1)
    return fail(fmt::format("context must be >= 1 token, got {}", context_tokens));
  if (l.max_num_seqs < 1)
    return fail(fmt::format("max_num_seqs must be >= 1, got {}", l.max_num_seqs));
  if (l.max_num_batched_tokens < 1)
    return fail(
        fmt::format("max_num_batched_tokens must be >= 1, got {}", l.max_num_batched_tokens));
  if (m.kv_block_tokens < 1) return fail("kv_block_tokens must be >= 1");
  if (m.max_model_len < 0) return fail("max_model_len must be >= 0");
  if (!units::is_nonnegative_finite(m.runtime_overhead_gib) ||
      !units::is_nonnegative_finite(m.nccl_overhead_gib))
    return fail("runtime overheads must be non-negative numbers");
  return {};
}

Scenario default_scenario(const Catalog& catalog) {
  Scenario s;
  s.name = "built-in default";
  s.replica.model = *catalog.model("llama-3.1-70b");
  s.replica.gpu = *catalog.gpu("h100-sxm");
  s.context_tokens = 4096;
  s.target_qps = 100;
  s.workload = fixed_workload(1024, 256);
  s.slo = {{Metric::ttft, Percentile::p99, 2000}, {Metric::tpot, Percentile::p99, 50}};
  s.gpus_per_host = s.replica.gpu.gpus_per_host;
  s.usd_per_gpu_hour = s.replica.gpu.usd_per_gpu_hour;
  s.target_utilization = 0.8;
  s.redundancy = 1;
  return s;
}

}  // namespace fleetsizer
