#pragma once
// Analytic step time of one engine iteration from architecture x GPU. Each operator class is
// timed as max(FLOPs / achieved compute, bytes / achieved bandwidth) and the classes are summed
// (kernels run one after another): GEMMs through the weights, attention over the KV cache, the
// LM head, TP all-reduces, plus fixed per-step and per-sequence overheads.
#include <cstdint>

#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/perf/expert_parallel.h"
#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/plan/replica_spec.h"

namespace fleetsizer {

// Precomputed per-configuration constants so that one step costs a few dozen flops.
class RooflineModel final : public StepTimeModel {
 public:
  RooflineModel(const ReplicaSpec& spec, const Efficiency& efficiency);
  StepTime step(const StepWork& work) const override;
  // Every term is constant in the context except the attention's max(FLOPs, KV bytes), and both
  // of those are proportional to it: for a fixed batch the step is affine in the context.
  bool linear_in_context() const override { return true; }
  double token_budget() const override {
    return static_cast<double>(spec_.limits.max_num_batched_tokens);
  }
  const ReplicaSpec& spec() const { return spec_; }
  const Efficiency& efficiency() const { return efficiency_; }
  // Bytes of weights one GPU streams in a step that routes `tokens` tokens (MoE: touched experts).
  double weight_bytes_per_gpu(double tokens) const;

 private:
  ReplicaSpec spec_;
  Efficiency efficiency_;
  // The routed experts of one MoE layer for a step of `tokens` tokens (expert_parallel.h).
  MoeLayerCost moe_cost(double tokens) const;

  double wbytes_ = 0;                // bytes per stored weight element
  double gemm_flops_per_token_ = 0;  // per GPU, excluding LM head and routed experts
  double lm_head_flops_per_token_ = 0;
  double lm_head_bytes_ = 0;
  double dense_weight_bytes_ = 0;  // per GPU: non-expert linear weights
  double moe_layers_ = 0;
  double attn_flops_per_context_ = 0;  // per GPU, per (token x attended context token)
  double kv_bytes_per_token_ = 0;      // per GPU, per token of the replica's context
  double state_flops_per_token_ = 0;   // per GPU: sliding-window and linear-attention layers
  double state_bytes_per_token_ = 0;   // per GPU, per decoding sequence: their fixed state
  double allreduce_bytes_per_token_ = 0;
  double allreduce_launches_ = 0;
  double gemm_peak_ = 0, attn_peak_ = 0, bandwidth_ = 0, link_ = 0, a2a_link_ = 0;
  double gemm_floor_s_ = 0;  // per step: 4 GEMM kernels per layer x kernel_floor_us
};

}  // namespace fleetsizer
