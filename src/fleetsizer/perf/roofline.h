#pragma once
// Analytic step time of one engine iteration from architecture x GPU. Each operator class is
// timed as max(FLOPs / achieved compute, bytes / achieved bandwidth) and the classes are summed
// (kernels run one after another): GEMMs through the weights, attention over the KV cache, the
// LM head, TP all-reduces, plus fixed per-step and per-sequence overheads.
#include <cstdint>

#include "fleetsizer/catalog/gpu.h"
#include "fleetsizer/catalog/model.h"
#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/units/dtype.h"

namespace fleetsizer {

struct ReplicaConfig {
  ModelSpec model;
  GpuSpec gpu;
  int tp = 1;
  int pp = 1;
  Dtype weights_dtype = Dtype::bf16;
  Dtype kv_dtype = Dtype::bf16;
  Efficiency efficiency;
  EngineLimits limits;
};

// The work of one step: prefill chunks and decode sequences batched together.
struct StepWork {
  double prefill_tokens = 0;
  double prefill_seqs =
      0;  // sequences whose prefill chunk is in this step (each needs logits once done)
  double prefill_attended = 0;  // sum over prefill tokens of the context each attends to
  double decode_seqs = 0;
  double decode_context = 0;  // sum over decode sequences of their context length
};

struct StepTime {
  double gemm_s = 0;
  double attention_s = 0;
  double lm_head_s = 0;
  double comm_s = 0;
  double overhead_s = 0;
  double total_s = 0;
  bool gemm_compute_bound = false;
};

// Precomputed per-configuration constants so that one step costs a few dozen flops.
class RooflineModel {
 public:
  explicit RooflineModel(const ReplicaConfig& config);
  StepTime step(const StepWork& work) const;
  const ReplicaConfig& config() const { return config_; }
  // Bytes of weights one GPU streams in a step that routes `tokens` tokens (MoE: touched experts).
  double weight_bytes_per_gpu(double tokens) const;

 private:
  ReplicaConfig config_;
  double gemm_flops_per_token_ = 0;  // per GPU, excluding LM head
  double lm_head_flops_per_token_ = 0;
  double lm_head_bytes_ = 0;
  double dense_weight_bytes_ = 0;      // per GPU: non-expert linear weights
  double expert_bytes_ = 0;            // per GPU: one routed expert of one layer x layers
  double attn_flops_per_context_ = 0;  // per GPU, per (token x attended context token)
  double kv_bytes_per_token_ = 0;      // per GPU
  double allreduce_bytes_per_token_ = 0;
  double gemm_peak_ = 0, attn_peak_ = 0, bandwidth_ = 0, link_ = 0;
  double gemm_floor_s_ = 0;  // per step: 4 GEMM kernels per layer x kernel_floor_us
};

}  // namespace fleetsizer
