#pragma once
// How close an engine on a GPU gets to the hardware's peaks, and what it spends per step outside
// the kernels. These are the factors `fleetsizer calibrate` fits; the defaults are documented in
// docs/model.md with their sources.
#include <cstdint>
#include <string>

#include "fleetsizer/plan/replica_spec.h"

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
  // Achieved / peak for GEMMs on fp8, int8 or fp4 tensor cores. Much lower than for bf16: in
  // AIConfigurator's vLLM 0.24 H100 GEMM table a 4096 x 4096 fp8 GEMM reaches 894-918 TFLOP/s of
  // the 1,979 peak (0.46), where bf16 reaches 0.8 of its 989.
  double low_precision_compute = 0.45;
  // Fixed time per GEMM kernel (launch gap and tail), 4 GEMMs per layer: the smallest GEMMs of the
  // same table take 6 us however little they compute.
  double kernel_floor_us = 3.0;
  // Closed-loop replays in the simulator (sim/row_replay.h): each request's prompt and output
  // lengths are drawn uniformly within +-phase_noise of the row's means. A replay of exactly fixed
  // lengths keeps clients that started together in lockstep forever; real clients drift apart
  // (client turnaround, tokenization, streaming), and vLLM's measured TTFTs at low concurrency are
  // below what even the ideal machine needs for a synchronized wave. 0: exact lengths.
  double phase_noise = 0.0;
};

struct EngineDefaults {
  Efficiency efficiency;
  EngineLimits limits;
};

// vllm, sglang, trtllm, static, generic; unknown names get generic.
EngineDefaults engine_defaults(const std::string& engine);
bool is_known_engine(const std::string& engine);
inline constexpr const char* kEngineNames = "vllm, sglang, trtllm, static, generic";

}  // namespace fleetsizer
