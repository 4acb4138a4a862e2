#include "fleetsizer/memory/footprint.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fleetsizer/units/units.h"

namespace fleetsizer {
namespace {

double d(std::int64_t x) {
  return static_cast<double>(x);
}

std::int64_t round_up(std::int64_t x, std::int64_t multiple) {
  return (x + multiple - 1) / multiple * multiple;
}

// Engines without a token budget (static batching) do not run an unbounded step through one
// forward pass: vLLM without chunked prefill profiles activations at max(max_model_len, 2048)
// tokens and TensorRT-LLM caps a step at max_num_tokens. 65,536 tokens (the longest context of
// the catalog's 64k-context models) bounds the workspace they reserve.
constexpr std::int64_t kMaxActivationTokens = 65536;

}  // namespace

double weight_element_bytes(Dtype dtype, std::int64_t int4_group_size) {
  switch (dtype) {
    case Dtype::int4:
      return 0.5 + 4.0 / d(std::max<std::int64_t>(1, int4_group_size));
    case Dtype::fp4:
      return 0.5 + 1.0 / 16.0;  // NVFP4: one fp8 scale per 16 elements
    default:
      return bytes_per_element(dtype);  // fp8/int8 per-channel scales are negligible
  }
}

double weights_bytes(const ReplicaSpec& spec) {
  const ParamCounts p = count_params(spec.model);
  const double linear =
      p.linear() * weight_element_bytes(spec.weights_dtype, spec.memory.int4_group_size);
  const double unquantized_bytes = std::max(2.0, bytes_per_element(spec.weights_dtype));
  return linear + (p.embeddings + p.norms) * unquantized_bytes;
}

double weights_bytes_per_gpu(const ReplicaSpec& spec) {
  // Routed experts are split over the expert groups and the MoE TP ranks; everything else
  // (attention, dense MLP, shared experts, embeddings) over the attention's TP ranks, replicated
  // on each attention data-parallel copy.
  const double routed = count_params(spec.model).routed_experts *
                        weight_element_bytes(spec.weights_dtype, spec.memory.int4_group_size);
  const double rest = weights_bytes(spec) - routed;
  return rest / (spec.tp * spec.pp) +
         routed / (static_cast<double>(spec.moe_tp_size()) * std::max(1, spec.moe_ep) * spec.pp);
}

bool valid_tensor_parallel(const ModelSpec& model, int tp) {
  if (tp < 1 || model.heads % tp != 0) return false;
  if (model.is_mla()) return true;  // the latent is replicated on every rank
  return model.kv_heads % tp == 0 || tp % model.kv_heads == 0;
}

double kv_bytes_per_token_per_gpu(const ReplicaSpec& spec) {
  const ModelSpec& model = spec.model;
  const double kv_elem = bytes_per_element(spec.kv_dtype);
  const double layers_per_stage = d(model.full_attention_layers()) / spec.pp;
  if (model.is_mla())
    return layers_per_stage * d(model.kv_lora_rank + model.qk_rope_head_dim) * kv_elem;
  const double kv_heads_per_gpu = std::max(1.0, d(model.kv_heads) / spec.tp);
  return layers_per_stage * kv_heads_per_gpu * d(model.head_dim) * 2.0 * kv_elem;
}

Footprint footprint_at(const ReplicaSpec& spec, std::int64_t context_tokens) {
  const ModelSpec& model = spec.model;
  const GpuSpec& gpu = spec.gpu;
  const MemoryOptions& o = spec.memory;
  const EngineLimits& limits = spec.limits;
  const int tp = spec.tp;
  Footprint f;
  f.tp = tp;
  f.pp = spec.pp;
  f.gpus = spec.gpus();
  f.weights_bytes = weights_bytes(spec);
  f.weights_bytes_per_gpu = weights_bytes_per_gpu(spec);
  f.kv_bytes_per_token = kv_bytes_per_token(model, bytes_per_element(spec.kv_dtype));
  f.kv_bytes_per_token_per_gpu = kv_bytes_per_token_per_gpu(spec);
  f.gpu_capacity_bytes = units::bytes_from_gib(gpu.memory_gib);
  f.usable_bytes_per_gpu = f.gpu_capacity_bytes * o.gpu_memory_utilization;
  // Peak activations of the largest step: the MLP's up-projection output (gate and up, split by TP)
  // and a few hidden-sized buffers per token, plus fp32 logits for every running sequence.
  const double mlp_width = model.is_moe()
                               ? std::max(d(model.intermediate),
                                          d(model.experts_per_token) *
                                              d(model.moe_intermediate > 0 ? model.moe_intermediate
                                                                           : model.intermediate))
                               : d(model.intermediate);
  f.activation_bytes_per_gpu = d(std::min(limits.max_num_batched_tokens, kMaxActivationTokens)) *
                                   (2.0 * mlp_width / tp + 4.0 * d(model.hidden)) * 2.0 +
                               d(limits.max_num_seqs) * d(model.vocab) / tp * 4.0;
  f.runtime_bytes_per_gpu =
      units::bytes_from_gib(o.runtime_overhead_gib + (f.gpus > 1 ? o.nccl_overhead_gib : 0.0));
  f.kv_budget_bytes_per_gpu = f.usable_bytes_per_gpu - f.weights_bytes_per_gpu -
                              f.activation_bytes_per_gpu - f.runtime_bytes_per_gpu;
  f.kv_capacity_tokens =
      f.kv_budget_bytes_per_gpu > 0
          ? static_cast<std::int64_t>(f.kv_budget_bytes_per_gpu / f.kv_bytes_per_token_per_gpu)
          : 0;
  if (o.paged_kv) {
    // Only whole blocks are allocated, so capacity counts whole blocks.
    f.kv_capacity_tokens = f.kv_capacity_tokens / o.kv_block_tokens * o.kv_block_tokens;
  }
  f.kv_block_tokens = std::max<std::int64_t>(1, o.kv_block_tokens);
  f.kv_blocks = f.kv_capacity_tokens / f.kv_block_tokens;
  f.context_tokens = context_tokens;
  const std::int64_t max_model_len = o.max_model_len > 0 ? o.max_model_len : model.max_context;
  // Sliding-window and linear-attention layers hold a fixed state per sequence, counted here as
  // the full-attention tokens of the same size.
  const double state_bytes = kv_state_bytes_per_sequence(model, bytes_per_element(spec.kv_dtype));
  f.state_tokens_per_sequence =
      state_bytes > 0 ? static_cast<std::int64_t>(std::ceil(state_bytes / f.kv_bytes_per_token))
                      : 0;
  f.tokens_reserved_per_sequence = (o.paged_kv ? round_up(context_tokens, o.kv_block_tokens)
                                               : std::max(max_model_len, context_tokens)) +
                                   f.state_tokens_per_sequence;
  // Each attention data-parallel copy holds its own sequences in its own KV cache, under its own
  // engine limit.
  f.attention_dp = spec.attention_dp;
  f.max_sequences = f.kv_capacity_tokens / f.tokens_reserved_per_sequence * spec.attention_dp;
  f.max_running =
      std::min(f.max_sequences, limits.max_num_seqs * static_cast<std::int64_t>(spec.attention_dp));
  f.fits = f.max_sequences >= 1;

  const double gb = units::kBytesPerGB;
  if (f.kv_budget_bytes_per_gpu <= 0) {
    f.bottleneck = fmt::format(
        "weights: {:.1f} GB per GPU + {:.1f} GB activations + {:.1f} GB runtime exceed the {:.1f} "
        "GB usable "
        "per GPU ({:.0f}% of {:.1f} GB)",
        f.weights_bytes_per_gpu / gb, f.activation_bytes_per_gpu / gb, f.runtime_bytes_per_gpu / gb,
        f.usable_bytes_per_gpu / gb, o.gpu_memory_utilization * 100, f.gpu_capacity_bytes / gb);
  } else if (!f.fits) {
    f.bottleneck = fmt::format(
        "KV cache: {:.1f} GB left per GPU holds {} tokens, less than one sequence of {} reserved "
        "tokens",
        f.kv_budget_bytes_per_gpu / gb, f.kv_capacity_tokens, f.tokens_reserved_per_sequence);
  } else if (f.max_sequences < limits.max_num_seqs) {
    f.bottleneck = fmt::format(
        "KV cache: {:.1f} GB per GPU holds {} tokens = {} sequences of {} tokens (engine cap {})",
        f.kv_budget_bytes_per_gpu / gb, f.kv_capacity_tokens, f.max_sequences,
        f.tokens_reserved_per_sequence, limits.max_num_seqs);
  } else {
    f.bottleneck =
        fmt::format("engine cap: max_num_seqs {} (KV holds {} sequences of {} tokens)",
                    limits.max_num_seqs, f.max_sequences, f.tokens_reserved_per_sequence);
  }
  return f;
}

FitResult find_fit(const ReplicaSpec& base, std::int64_t context_tokens, FitBounds bounds) {
  const ModelSpec& model = base.model;
  const GpuSpec& gpu = base.gpu;
  FitResult result;
  for (int pp = 1; pp <= bounds.max_pp; pp *= 2) {
    for (int tp = 1; tp <= bounds.max_tp; tp *= 2) {
      // Pipeline stages are added only once TP fills a host: TP over NVLink beats PP's bubbles.
      if (pp > 1 && tp < bounds.max_tp) continue;
      if (!valid_tensor_parallel(model, tp) || model.layers < pp) continue;
      ReplicaSpec spec = base;
      spec.tp = tp;
      spec.pp = pp;
      Footprint f = footprint_at(spec, context_tokens);
      result.layouts.push_back(f);
      if (f.fits) {
        result.fits = true;
        result.footprint = f;
        return result;
      }
    }
  }
  if (result.layouts.empty()) {
    result.reason =
        fmt::format("no valid tensor-parallel degree: {} attention heads and {} KV heads",
                    model.heads, model.kv_heads);
    return result;
  }
  result.footprint = result.layouts.back();
  result.reason = fmt::format("does not fit on up to {} x {}: {}", result.footprint.gpus, gpu.name,
                              result.footprint.bottleneck);
  return result;
}

}  // namespace fleetsizer
