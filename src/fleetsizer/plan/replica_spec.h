#pragma once
// One serving replica as configured: the model, the GPU, the parallel layout, the number formats,
// the engine's scheduling limits and its memory options. This is the ONE description of a replica
// that the footprint, the step-time models, the simulator, the emulator and the sizing commands
// all take; every derived quantity (per-GPU KV bytes, KV blocks, running-sequence cap) is computed
// from it in memory/footprint.cc and nowhere else.
//
// Types only: this header sits just above catalog/ in the dependency order (memory/, perf/ and
// sim/ include it); the rest of plan/ (evaluate_replica) sits above sim/.
#include <algorithm>
#include <cstdint>
#include <string>

#include "fleetsizer/catalog/gpu.h"
#include "fleetsizer/catalog/model.h"
#include "fleetsizer/units/dtype.h"

namespace fleetsizer {

// Engine scheduling limits that cap the batch (vLLM's max_num_seqs, max_num_batched_tokens).
struct EngineLimits {
  std::int64_t max_num_seqs = 256;
  std::int64_t max_num_batched_tokens = 8192;
};

// How the engine lays out GPU memory.
struct MemoryOptions {
  // Fraction of each GPU's memory the engine may use (vLLM's gpu_memory_utilization default 0.90).
  double gpu_memory_utilization = 0.90;
  // Per-GPU memory outside the engine's pools: CUDA context, cuBLAS/cuDNN workspaces, CUDA graphs.
  double runtime_overhead_gib = 1.0;
  // Extra per-GPU buffers of NCCL when the replica spans GPUs (AIConfigurator nccl_mem: 342-392
  // MB).
  double nccl_overhead_gib = 0.4;
  // Paged KV (vLLM PagedAttention) reserves blocks as a sequence grows; contiguous KV reserves
  // max_model_len tokens for every sequence up front.
  bool paged_kv = true;
  std::int64_t kv_block_tokens = 16;   // vLLM's default block size
  std::int64_t max_model_len = 0;      // 0: the model's max context
  std::int64_t int4_group_size = 128;  // int4: one fp16 scale + one fp16 zero point per group
};

// The parallel layout of one pipeline stage (AIConfigurator's and TensorRT-LLM's terms): the
// attention runs `attention_dp` data-parallel copies of `tp` GPUs each, every copy with its own
// sequences and KV cache; the routed experts of a MoE model are split over the same
// tp x attention_dp GPUs as moe_ep expert groups of moe_tp GPUs each (moe_tp x moe_ep = tp x
// attention_dp). Dense layers, shared experts and the LM head follow the attention.
struct ReplicaSpec {
  ModelSpec model;
  GpuSpec gpu;
  int tp = 1;  // attention tensor parallelism within one attention data-parallel copy
  int pp = 1;
  int attention_dp = 1;  // attention data parallelism
  int moe_ep = 1;        // expert parallelism: groups the routed experts are divided among
  int moe_tp = 0;        // MoE tensor parallelism; 0: tp x attention_dp / moe_ep
  Dtype weights_dtype = Dtype::bf16;
  Dtype kv_dtype = Dtype::bf16;
  std::string engine = "vllm";
  EngineLimits limits;
  MemoryOptions memory;
  int gpus() const { return tp * attention_dp * pp; }
  int stage_gpus() const { return tp * attention_dp; }
  int moe_tp_size() const {
    return moe_tp > 0 ? moe_tp : std::max(1, stage_gpus() / std::max(1, moe_ep));
  }
};

}  // namespace fleetsizer
