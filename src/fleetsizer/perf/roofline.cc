#include "fleetsizer/perf/roofline.h"

#include <algorithm>
#include <cmath>

#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/expert_parallel.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer {
namespace {

double d(std::int64_t x) {
  return static_cast<double>(x);
}

// The dtype GEMMs run in: fp8/int8 weights use fp8/int8 tensor cores where the GPU has them
// (W8A8), 4-bit weights are dequantized to bf16 (W4A16) unless the GPU has fp4 tensor cores.
Dtype gemm_dtype(Dtype weights, const GpuSpec& gpu) {
  switch (weights) {
    case Dtype::fp8:
      return gpu.fp8_tflops > 0 ? Dtype::fp8 : Dtype::bf16;
    case Dtype::int8:
      return gpu.int8_tops > 0 ? Dtype::int8 : Dtype::bf16;
    case Dtype::fp4:
      return gpu.fp4_tflops > 0 ? Dtype::fp4 : Dtype::bf16;
    case Dtype::fp32:
      return Dtype::fp32;
    default:
      return Dtype::bf16;
  }
}

}  // namespace

RooflineModel::RooflineModel(const ReplicaSpec& c, const Efficiency& efficiency)
    : spec_(c), efficiency_(efficiency) {
  const ModelSpec& m = c.model;
  const double tp = c.tp;
  // Every GPU of a stage does 1/g of the step's token work: the attention data-parallel copies
  // split the sequences, each copy's tp ranks split the heads and the MLP.
  const double g = c.stage_gpus();
  const ParamCounts p = count_params(m);
  wbytes_ = weight_element_bytes(c.weights_dtype, c.memory.int4_group_size);
  gemm_flops_per_token_ = 2.0 * (p.attention + p.dense_mlp + p.shared_experts) / g;
  lm_head_flops_per_token_ = 2.0 * d(m.vocab) * d(m.hidden) / g;
  lm_head_bytes_ =
      d(m.vocab) * d(m.hidden) * std::max(2.0, bytes_per_element(c.weights_dtype)) / tp;
  dense_weight_bytes_ = (p.attention + p.dense_mlp + p.shared_experts) * wbytes_ / tp;
  moe_layers_ = d(moe_layers(m));
  // Attention score and value products: 2 FLOPs x 2 matmuls per (query token, key token, head dim).
  const double qk_dim = m.is_mla() ? d(m.kv_lora_rank + m.qk_rope_head_dim) : d(m.head_dim);
  const double v_dim = m.is_mla() ? d(m.kv_lora_rank) : d(m.head_dim);
  const double attn_flops_per_layer = 2.0 * d(m.heads) * (qk_dim + v_dim) / g;
  attn_flops_per_context_ = attn_flops_per_layer * d(m.full_attention_layers());
  // A pipeline stage reads only its layers' KV, but the stages run one after another for a
  // micro-batch, so a step reads every layer's: the per-GPU size at pp = 1.
  ReplicaSpec one_stage = c;
  one_stage.pp = 1;
  kv_bytes_per_token_ = kv_bytes_per_token_per_gpu(one_stage) / c.attention_dp;
  // Sliding-window layers attend (and read) at most their window per token, a constant once the
  // context exceeds it; linear-attention layers update a fixed state, read and written per token.
  const double kv_elem = bytes_per_element(c.kv_dtype);
  const double heads_share =
      m.is_mla() ? 1.0 : std::max(1.0, d(m.kv_heads) / tp) / std::max<double>(1.0, d(m.kv_heads));
  state_flops_per_token_ = attn_flops_per_layer * d(m.sliding_window_layers) * d(m.sliding_window) +
                           4.0 * d(m.linear_attention_layers) * d(m.linear_state_elements) / g;
  state_bytes_per_token_ = kv_state_bytes_per_sequence(m, kv_elem) * heads_share / c.attention_dp;
  // The attention's TP all-reduce after attention and, in dense layers (and MoE layers without
  // expert or attention data parallelism), after the MLP: hidden state in bf16 per copy's token.
  const bool moe_all_to_all = m.is_moe() && (c.moe_ep > 1 || c.attention_dp > 1);
  const double allreduces_per_layer =
      tp > 1 ? (moe_all_to_all ? d(m.layers) + d(m.layers) - moe_layers_ : 2.0 * d(m.layers)) : 0;
  allreduce_launches_ = allreduces_per_layer;
  allreduce_bytes_per_token_ = allreduces_per_layer * d(m.hidden) * 2.0 / c.attention_dp;
  const Dtype gdt = gemm_dtype(c.weights_dtype, c.gpu);
  const bool low_precision = gdt == Dtype::fp8 || gdt == Dtype::int8 || gdt == Dtype::fp4;
  gemm_peak_ = peak_flops(c.gpu, gdt) *
               (low_precision ? efficiency.low_precision_compute : efficiency.compute);
  gemm_floor_s_ = 4.0 * d(m.layers) * efficiency.kernel_floor_us * 1e-6;
  attn_peak_ = peak_flops(c.gpu, Dtype::bf16) * efficiency.compute;
  bandwidth_ = c.gpu.hbm_bandwidth_tb_s * units::kBytesPerTBs * efficiency.memory;
  link_ = c.gpu.interconnect_gb_s * units::kBytesPerGB * efficiency.interconnect;
  // All-to-all beyond the NVLink domain crosses the scale-out network (400 Gb/s = 50 GB/s per GPU).
  a2a_link_ =
      (c.stage_gpus() > c.gpu.nvlink_domain_gpus ? c.gpu.scale_out_gb_s : c.gpu.interconnect_gb_s) *
      units::kBytesPerGB * efficiency.interconnect;
}

MoeLayerCost RooflineModel::moe_cost(double tokens) const {
  return moe_layer_cost(spec_, tokens, wbytes_);
}

double RooflineModel::weight_bytes_per_gpu(double tokens) const {
  if (!spec_.model.is_moe() || tokens <= 0) return dense_weight_bytes_;
  return dense_weight_bytes_ + moe_cost(tokens).expert_weight_bytes * moe_layers_;
}

StepTime RooflineModel::step(const StepWork& w) const {
  StepTime t;
  const double tokens = w.prefill_tokens + w.decode_seqs;
  if (tokens <= 0) return t;
  const MoeLayerCost moe = moe_cost(tokens);
  const double gemm_flops = gemm_flops_per_token_ * tokens + moe.expert_flops * moe_layers_;
  const double gemm_compute = gemm_flops / gemm_peak_;
  const double gemm_memory =
      (dense_weight_bytes_ + moe.expert_weight_bytes * moe_layers_) / bandwidth_;
  t.gemm_compute_bound = gemm_compute > gemm_memory;
  t.gemm_s = std::max(gemm_compute, gemm_memory) + gemm_floor_s_;
  const double attended = w.prefill_attended + w.decode_context;
  const double kv_bytes = kv_bytes_per_token_ * (w.decode_context + w.prefill_tokens);
  t.attention_s =
      std::max((attn_flops_per_context_ * attended + state_flops_per_token_ * tokens) / attn_peak_,
               (kv_bytes + state_bytes_per_token_ * w.decode_seqs) / bandwidth_);
  const double logits = w.decode_seqs + w.prefill_seqs;
  t.lm_head_s = std::max(lm_head_flops_per_token_ * logits / gemm_peak_,
                         logits > 0 ? lm_head_bytes_ / bandwidth_ : 0.0);
  // A small collective costs latency that grows with the GPUs it spans (a tree's depth):
  // AIConfigurator's H100 NCCL table measures 6.2, 9.8 and 15.9 us at 2, 4 and 8 GPUs;
  // 0.75 log2(n) x the catalog's latency (8 us on H100) gives 6, 12 and 18 us.
  auto latency = [&](double n) {
    return spec_.gpu.interconnect_latency_us * 1e-6 * 0.75 * std::log2(n);
  };
  if (spec_.tp > 1) {
    const double ring = 2.0 * (spec_.tp - 1) / spec_.tp;
    t.comm_s = ring * allreduce_bytes_per_token_ * tokens / link_ +
               allreduce_launches_ * latency(spec_.tp);
  }
  // Expert parallelism: a dispatch and a combine all-to-all per MoE layer.
  if (moe.uses_all_to_all)
    t.comm_s += moe_layers_ * ((moe.dispatch_bytes + moe.combine_bytes) / a2a_link_ +
                               2.0 * latency(spec_.stage_gpus()));
  // Pipeline stages run one after another for one micro-batch: same compute, plus a hop per stage.
  if (spec_.pp > 1) t.comm_s += (spec_.pp - 1) * 20e-6;
  t.overhead_s = efficiency_.step_overhead_ms * 1e-3 +
                 efficiency_.per_seq_overhead_us * 1e-6 * (w.decode_seqs + w.prefill_seqs);
  t.total_s = t.gemm_s + t.attention_s + t.lm_head_s + t.comm_s + t.overhead_s;
  return t;
}

}  // namespace fleetsizer
