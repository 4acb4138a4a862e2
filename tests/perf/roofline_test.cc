#include "fleetsizer/perf/roofline.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/predict.h"
#include "fleetsizer/perf/steady_state.h"

namespace fleetsizer {
namespace {

ReplicaSpec spec(const char* model, const char* gpu, int tp, Dtype w) {
  const Catalog c = builtin_catalog();
  ReplicaSpec r;
  r.model = *c.model(model);
  r.gpu = *c.gpu(gpu);
  r.tp = tp;
  r.weights_dtype = w;
  return r;
}

RooflineModel config(const char* model, const char* gpu, int tp, Dtype w, const Efficiency& e) {
  return RooflineModel(spec(model, gpu, tp, w), e);
}

// Decode of one sequence on the ideal machine is bound by streaming the weights: hand computed.
TEST(Roofline, SingleDecodeStepStreamsTheWeights) {
  const RooflineModel m = config("llama-3.1-8b", "h100-sxm", 1, Dtype::bf16, ideal_efficiency());
  StepWork w;
  w.decode_seqs = 1;
  w.decode_context = 1000;
  const StepTime t = m.step(w);
  const ParamCounts p = count_params(*builtin_catalog().model("llama-3.1-8b"));
  const double bw = 3.35e12;
  EXPECT_NEAR(t.gemm_s, (p.attention + p.dense_mlp) * 2.0 / bw, 1e-12);
  EXPECT_NEAR(t.attention_s, 1000 * 131072.0 / bw, 1e-12);  // KV of 1000 tokens read once
  EXPECT_NEAR(t.lm_head_s, 128256.0 * 4096 * 2 / bw, 1e-12);
  EXPECT_EQ(t.comm_s, 0.0);
  EXPECT_EQ(t.overhead_s, 0.0);
  EXPECT_FALSE(t.gemm_compute_bound);
}

TEST(Roofline, LargePrefillIsComputeBound) {
  const RooflineModel m = config("llama-3.1-8b", "h100-sxm", 1, Dtype::bf16, ideal_efficiency());
  StepWork w;
  w.prefill_tokens = 8192;
  w.prefill_seqs = 1;
  const StepTime t = m.step(w);
  EXPECT_TRUE(t.gemm_compute_bound);
  const ParamCounts p = count_params(*builtin_catalog().model("llama-3.1-8b"));
  EXPECT_NEAR(t.gemm_s, 2.0 * (p.attention + p.dense_mlp) * 8192 / 989e12, 1e-12);
}

TEST(Roofline, Fp8UsesFp8TensorCoresOnlyWhereTheGpuHasThem) {
  StepWork w;
  w.prefill_tokens = 8192;
  const double h100_bf16 =
      (config("llama-3.1-8b", "h100-sxm", 1, Dtype::bf16, ideal_efficiency())).step(w).gemm_s;
  const double h100_fp8 =
      (config("llama-3.1-8b", "h100-sxm", 1, Dtype::fp8, ideal_efficiency())).step(w).gemm_s;
  EXPECT_NEAR(h100_bf16 / h100_fp8, 1979.0 / 989.0, 1e-9);
  const double a100_bf16 =
      (config("llama-3.1-8b", "a100-80gb", 1, Dtype::bf16, ideal_efficiency())).step(w).gemm_s;
  const double a100_fp8 =
      (config("llama-3.1-8b", "a100-80gb", 1, Dtype::fp8, ideal_efficiency())).step(w).gemm_s;
  EXPECT_DOUBLE_EQ(a100_bf16, a100_fp8);  // no fp8 tensor cores: same FLOP rate
}

TEST(Roofline, TensorParallelAddsAllReduce) {
  StepWork w;
  w.decode_seqs = 8;
  w.decode_context = 8000;
  Efficiency e = engine_defaults("vllm").efficiency;
  e.kernel_floor_us = 0;  // the per-kernel floor does not shrink with TP; the streamed bytes do
  const StepTime t1 = (config("llama-3.1-70b", "h100-sxm", 1, Dtype::fp8, e)).step(w);
  const StepTime t4 = (config("llama-3.1-70b", "h100-sxm", 4, Dtype::fp8, e)).step(w);
  EXPECT_EQ(t1.comm_s, 0.0);
  EXPECT_GT(t4.comm_s, 0.0);
  EXPECT_LT(t4.gemm_s, t1.gemm_s / 3.9);
}

// The TP all-reduce moves every token's hidden state twice per layer (after attention and after
// the MLP), bf16, in a ring (2 (tp - 1) / tp of it over each GPU's link), plus a latency per
// all-reduce that does not grow with tokens. Hand computed for Llama-3.1-70B at TP 4 on H100:
// 2 x 80 layers x 8192 x 2 bytes = 2,621,440 bytes per token.
TEST(Roofline, AllReduceCostScalesWithTheTokensOfTheStep) {
  const Efficiency e = engine_defaults("vllm").efficiency;
  const RooflineModel m = config("llama-3.1-70b", "h100-sxm", 4, Dtype::bf16, e);
  const GpuSpec gpu = *builtin_catalog().gpu("h100-sxm");
  const double link = gpu.interconnect_gb_s * 1e9 * e.interconnect;
  const double ring = 2.0 * 3 / 4;
  const double bytes_per_token = 2.0 * 80 * 8192 * 2;
  const double latency = 2.0 * 80 * gpu.interconnect_latency_us * 1e-6 * 0.75 * std::log2(4.0);
  for (double tokens : {1.0, 8.0, 512.0, 8192.0}) {
    StepWork w;
    w.decode_seqs = tokens;
    w.decode_context = tokens * 1000;
    EXPECT_NEAR(m.step(w).comm_s, ring * bytes_per_token * tokens / link + latency, 1e-12)
        << tokens << " tokens";
  }
  // Doubling the tokens of a prefill step doubles the bandwidth part exactly.
  StepWork a, b;
  a.prefill_tokens = 2048;
  a.prefill_seqs = 1;
  a.prefill_attended = 2048.0 * 2049 / 2;
  b = a;
  b.prefill_tokens = 4096;
  EXPECT_NEAR(m.step(b).comm_s - m.step(a).comm_s, ring * bytes_per_token * 2048 / link, 1e-12);
}

// Attention data parallelism: each of the 8 copies holds its own sequences' KV, so a decode step
// over 8 x 10,000 tokens of context reads an eighth of them per GPU. Hand computed for
// Qwen3-235B-A22B (94 layers, 4 KV heads of 128, bf16): 2 x 94 x 4 x 128 x 2 = 192,512 bytes
// per token, 24,064 per GPU at DP 8, read at the HBM bandwidth (decode attention is memory
// bound).
TEST(Roofline, AttentionDataParallelismSplitsTheKvRead) {
  const Efficiency e = engine_defaults("vllm").efficiency;
  ReplicaSpec r = spec("qwen3-235b-a22b", "h200", 1, Dtype::bf16);
  r.attention_dp = 8;
  r.moe_ep = 8;
  const RooflineModel m(r, e);
  StepWork w;
  w.decode_seqs = 8;
  w.decode_context = 8 * 10000.0;
  const GpuSpec gpu = *builtin_catalog().gpu("h200");
  const double bandwidth = gpu.hbm_bandwidth_tb_s * 1e12 * e.memory;
  EXPECT_NEAR(m.step(w).attention_s, 8 * 10000.0 * 192512 / 8 / bandwidth, 1e-12);
}

// Physics guard: over a sweep of models, GPUs, TP, lengths and concurrency, no prediction with
// the default (or any sub-unity) efficiencies beats the ideal machine.
TEST(Roofline, NoPredictionExceedsTheHardwareBound) {
  int checked = 0;
  for (const char* model : {"llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "qwen3-32b"}) {
    for (const char* gpu : {"a100-80gb", "h100-sxm", "h200", "b200", "l40s"}) {
      for (int tp : {1, 2, 4, 8}) {
        for (const char* engine : {"vllm", "trtllm", "sglang"}) {
          ReplicaSpec s = spec(model, gpu, tp, Dtype::fp8);
          s.limits = engine_defaults(engine).limits;
          const std::int64_t cap = kv_limited_running(s, 1024, 256);
          if (cap < 1) continue;
          const Efficiency e = engine_defaults(engine).efficiency;
          const RooflineModel real(s, e);
          const RooflineModel ideal(s, ideal_efficiency(e.wave_sync));
          for (double c : {1.0, 8.0, 64.0, 512.0}) {
            for (auto [isl, osl] : {std::pair{128.0, 128.0}, {2048.0, 256.0}, {8192.0, 64.0}}) {
              const SteadyState r = closed_loop(real, {isl, osl}, c, cap, e.wave_sync);
              const SteadyState i = closed_loop(ideal, {isl, osl}, c, cap, e.wave_sync);
              EXPECT_LE(r.output_tok_s, i.output_tok_s * (1 + 1e-9))
                  << model << " " << gpu << " tp" << tp << " c" << c;
              EXPECT_GE(r.tpot_ms.mean, i.tpot_ms.mean * (1 - 1e-9));
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 500);
}

}  // namespace
}  // namespace fleetsizer
