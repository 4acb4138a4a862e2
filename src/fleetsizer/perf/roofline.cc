#include "fleetsizer/perf/roofline.h"

#include <algorithm>
#include <cmath>

#include "fleetsizer/memory/footprint.h"
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
  const ParamCounts p = count_params(m);
  const double wbytes = weight_element_bytes(c.weights_dtype, c.memory.int4_group_size);
  const double routed_active =
      m.is_moe() ? params_per_expert(m) * d(m.experts_per_token) * d(moe_layers(m)) : 0.0;
  gemm_flops_per_token_ = 2.0 * (p.attention + p.dense_mlp + p.shared_experts + routed_active) / tp;
  lm_head_flops_per_token_ = 2.0 * d(m.vocab) * d(m.hidden) / tp;
  lm_head_bytes_ =
      d(m.vocab) * d(m.hidden) * std::max(2.0, bytes_per_element(c.weights_dtype)) / tp;
  dense_weight_bytes_ = (p.attention + p.dense_mlp + p.shared_experts) * wbytes / tp;
  expert_bytes_ = m.is_moe() ? params_per_expert(m) * d(moe_layers(m)) * wbytes / tp : 0.0;
  // Attention score and value products: 2 FLOPs x 2 matmuls per (query token, key token, head dim).
  const double qk_dim = m.is_mla() ? d(m.kv_lora_rank + m.qk_rope_head_dim) : d(m.head_dim);
  const double v_dim = m.is_mla() ? d(m.kv_lora_rank) : d(m.head_dim);
  attn_flops_per_context_ = 2.0 * d(m.layers) * d(m.heads) * (qk_dim + v_dim) / tp;
  // A pipeline stage reads only its layers' KV, but the stages run one after another for a
  // micro-batch, so a step reads every layer's: the per-GPU size at pp = 1.
  ReplicaSpec one_stage = c;
  one_stage.pp = 1;
  kv_bytes_per_token_ = kv_bytes_per_token_per_gpu(one_stage);
  // Two all-reduces per layer (after attention and after the MLP) of the hidden state in bf16.
  allreduce_bytes_per_token_ = 2.0 * d(m.layers) * d(m.hidden) * 2.0;
  const Dtype gdt = gemm_dtype(c.weights_dtype, c.gpu);
  const bool low_precision = gdt == Dtype::fp8 || gdt == Dtype::int8 || gdt == Dtype::fp4;
  gemm_peak_ = peak_flops(c.gpu, gdt) *
               (low_precision ? efficiency.low_precision_compute : efficiency.compute);
  gemm_floor_s_ = 4.0 * d(m.layers) * efficiency.kernel_floor_us * 1e-6;
  attn_peak_ = peak_flops(c.gpu, Dtype::bf16) * efficiency.compute;
  bandwidth_ = c.gpu.hbm_bandwidth_tb_s * units::kBytesPerTBs * efficiency.memory;
  link_ = c.gpu.interconnect_gb_s * units::kBytesPerGB * efficiency.interconnect;
}

double RooflineModel::weight_bytes_per_gpu(double tokens) const {
  const ModelSpec& m = spec_.model;
  if (!m.is_moe() || tokens <= 0) return dense_weight_bytes_;
  // Expected distinct experts hit when `tokens` tokens each pick k of E uniformly.
  const double e = d(m.experts), k = d(m.experts_per_token);
  const double touched = e * (1.0 - std::pow(1.0 - k / e, tokens));
  return dense_weight_bytes_ + expert_bytes_ * touched;
}

StepTime RooflineModel::step(const StepWork& w) const {
  StepTime t;
  const double tokens = w.prefill_tokens + w.decode_seqs;
  if (tokens <= 0) return t;
  const double gemm_flops = gemm_flops_per_token_ * tokens;
  const double gemm_compute = gemm_flops / gemm_peak_;
  const double gemm_memory = weight_bytes_per_gpu(tokens) / bandwidth_;
  t.gemm_compute_bound = gemm_compute > gemm_memory;
  t.gemm_s = std::max(gemm_compute, gemm_memory) + gemm_floor_s_;
  const double attended = w.prefill_attended + w.decode_context;
  const double kv_bytes = kv_bytes_per_token_ * (w.decode_context + w.prefill_tokens);
  t.attention_s = std::max(attn_flops_per_context_ * attended / attn_peak_, kv_bytes / bandwidth_);
  const double logits = w.decode_seqs + w.prefill_seqs;
  t.lm_head_s = std::max(lm_head_flops_per_token_ * logits / gemm_peak_,
                         logits > 0 ? lm_head_bytes_ / bandwidth_ : 0.0);
  if (spec_.tp > 1) {
    const double ring = 2.0 * (spec_.tp - 1) / spec_.tp;
    const double launches = 2.0 * d(spec_.model.layers);
    // A small all-reduce costs latency that grows with the GPUs it spans (a tree's depth):
    // AIConfigurator's H100 NCCL table measures 6.2, 9.8 and 15.9 us at 2, 4 and 8 GPUs;
    // 0.75 log2(tp) x the catalog's latency (8 us on H100) gives 6, 12 and 18 us.
    const double latency = spec_.gpu.interconnect_latency_us * 1e-6 * 0.75 * std::log2(spec_.tp);
    t.comm_s = ring * allreduce_bytes_per_token_ * tokens / link_ + launches * latency;
  }
  // Pipeline stages run one after another for one micro-batch: same compute, plus a hop per stage.
  if (spec_.pp > 1) t.comm_s += (spec_.pp - 1) * 20e-6;
  t.overhead_s = efficiency_.step_overhead_ms * 1e-3 +
                 efficiency_.per_seq_overhead_us * 1e-6 * (w.decode_seqs + w.prefill_seqs);
  t.total_s = t.gemm_s + t.attention_s + t.lm_head_s + t.comm_s + t.overhead_s;
  return t;
}

}  // namespace fleetsizer
