#pragma once
// How close an engine on a GPU gets to the hardware's peaks, and what it spends per step outside
// the kernels. These are the factors `fleetsizer calibrate` fits; the defaults are documented in
// docs/model.md with their sources.
#include <cstdint>
#include <string>

namespace fleetsizer {

struct Efficiency {
  double compute = 0.60;          // achieved / peak dense tensor FLOP/s in large GEMMs
  double memory = 0.80;           // achieved / peak HBM bandwidth streaming weights and KV
  double interconnect = 0.70;     // achieved / peak link bandwidth in all-reduce
  double step_overhead_ms = 4.0;  // per engine step: scheduling, kernel launches, sampling sync
  double per_seq_overhead_us =
      20;  // per running sequence per step: sampling, detokenization, bookkeeping
  // Closed loop: how far the clients stay synchronized in waves (1) rather than spread evenly over
  // the steps (0). Benchmarks start all clients at once; engines differ in how fast that decays.
  double wave_sync = 0.3;
};

// Engine scheduling defaults that cap the batch: running sequences and tokens per step.
struct EngineLimits {
  std::int64_t max_num_seqs = 256;
  std::int64_t max_num_batched_tokens = 8192;
};

struct EngineDefaults {
  Efficiency efficiency;
  EngineLimits limits;
};

// vllm, sglang, trtllm, static, generic; unknown names get generic.
EngineDefaults engine_defaults(const std::string& engine);

}  // namespace fleetsizer
