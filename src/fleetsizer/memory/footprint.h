#pragma once
// Memory footprint of one replica: weights, KV cache per token, activation workspace and runtime
// reserve per GPU, and from those the smallest valid tensor x pipeline parallel layout that fits,
// the KV capacity in tokens and how many sequences of a given context it holds.
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/catalog/gpu.h"
#include "fleetsizer/catalog/model.h"
#include "fleetsizer/units/dtype.h"

namespace fleetsizer {

struct MemoryOptions {
  Dtype weights_dtype = Dtype::bf16;
  Dtype kv_dtype = Dtype::bf16;
  // Fraction of each GPU's memory the engine may use (vLLM's gpu_memory_utilization default 0.90).
  double gpu_memory_utilization = 0.90;
  // Per-GPU memory outside the engine's pools: CUDA context, cuBLAS/cuDNN workspaces, CUDA graphs.
  double runtime_overhead_gib = 1.0;
  // Extra per-GPU buffers of NCCL when the replica spans GPUs (AIConfigurator nccl_mem: 342-392
  // MB).
  double nccl_overhead_gib = 0.4;
  // Activation workspace is sized for the engine's largest step (vLLM max_num_batched_tokens).
  std::int64_t max_num_batched_tokens = 8192;
  std::int64_t max_num_seqs = 256;
  // Paged KV (vLLM PagedAttention) reserves blocks as a sequence grows; contiguous KV reserves
  // max_model_len tokens for every sequence up front.
  bool paged_kv = true;
  std::int64_t kv_block_tokens = 16;
  std::int64_t context_tokens = 4096;  // sequence length (prompt + output) the fit must hold
  std::int64_t max_model_len = 0;      // 0: the model's max context
  std::int64_t int4_group_size = 128;  // int4: one fp16 scale + one fp16 zero point per group
  int max_tp = 8;                      // TP stays inside one host's NVLink domain
  int max_pp = 8;
};

struct Footprint {
  int tp = 1;
  int pp = 1;
  int gpus = 1;
  double weights_bytes = 0;  // whole model, as stored
  double weights_bytes_per_gpu = 0;
  double kv_bytes_per_token = 0;  // whole model, all layers
  double kv_bytes_per_token_per_gpu = 0;
  double gpu_capacity_bytes = 0;
  double usable_bytes_per_gpu = 0;  // capacity x gpu_memory_utilization
  double activation_bytes_per_gpu = 0;
  double runtime_bytes_per_gpu = 0;
  double kv_budget_bytes_per_gpu = 0;  // what is left for the KV cache (may be negative)
  std::int64_t kv_capacity_tokens = 0;
  std::int64_t context_tokens = 0;
  std::int64_t tokens_reserved_per_sequence = 0;
  std::int64_t max_sequences = 0;  // memory-limited concurrent sequences at context_tokens
  bool fits = false;
  std::string bottleneck;  // in words: what limits this layout
};

struct FitResult {
  bool fits = false;
  Footprint footprint;  // the smallest layout that fits, or the largest tried if none does
  std::vector<Footprint> layouts;  // every valid layout tried, smallest first
  std::string reason;              // when nothing fits: why
};

// Bytes of the stored weights: linear layers in `weights_dtype` plus its quantization scales;
// embeddings, LM head and norms stay in 16 bits when the weights are quantized below that.
double weights_bytes(const ModelSpec& model, const MemoryOptions& options);
// Bytes per stored weight element including group-scale overhead (int4: 0.5 + 4/group_size).
double weight_element_bytes(Dtype dtype, std::int64_t int4_group_size);
// A TP degree is valid when it splits the attention heads evenly and either splits the KV heads
// evenly or replicates whole KV heads (tp a multiple of kv_heads), as vLLM requires.
bool valid_tensor_parallel(const ModelSpec& model, int tp);
Footprint footprint_at(const ModelSpec& model, const GpuSpec& gpu, const MemoryOptions& options,
                       int tp, int pp);
// Tries layouts in order of GPU count (TP first, then PP once TP is at max_tp) and returns the
// first that fits.
FitResult find_fit(const ModelSpec& model, const GpuSpec& gpu, const MemoryOptions& options);

}  // namespace fleetsizer
