#pragma once
// Memory footprint of one replica: weights, KV cache per token, activation workspace and runtime
// reserve per GPU, and from those the smallest valid tensor x pipeline parallel layout that fits,
// the KV capacity in tokens and how many sequences of a given context it holds.
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/plan/replica_spec.h"

namespace fleetsizer {

// How far the layout search may go: TP stays inside one host's NVLink domain.
struct FitBounds {
  int max_tp = 8;
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
  std::int64_t tokens_reserved_per_sequence = 0;  // including state_tokens_per_sequence
  // Sliding-window and linear-attention state of one sequence, in full-attention KV tokens.
  std::int64_t state_tokens_per_sequence = 0;
  int attention_dp = 1;            // max_sequences and max_running count every attention DP copy
  std::int64_t max_sequences = 0;  // memory-limited concurrent sequences at context_tokens
  // The running-sequence cap the scheduler sees: min(max_sequences, engine max_num_seqs).
  std::int64_t max_running = 0;
  std::int64_t kv_block_tokens = 16;
  std::int64_t kv_blocks = 0;  // kv_capacity_tokens in whole blocks
  bool fits = false;
  std::string bottleneck;  // in words: what limits this layout
};

struct FitResult {
  bool fits = false;
  Footprint footprint;  // the smallest layout that fits, or the largest tried if none does
  std::vector<Footprint> layouts;  // every valid layout tried, smallest first
  std::string reason;              // when nothing fits: why
};

// Bytes of the stored weights: linear layers in the spec's weights dtype plus its quantization
// scales; embeddings, LM head and norms stay in 16 bits when the weights are quantized below that.
double weights_bytes(const ReplicaSpec& spec);
// Weight bytes one GPU holds: routed experts / (moe_tp x moe_ep x pp), the rest / (tp x pp).
double weights_bytes_per_gpu(const ReplicaSpec& spec);
// Bytes per stored weight element including group-scale overhead (int4: 0.5 + 4/group_size).
double weight_element_bytes(Dtype dtype, std::int64_t int4_group_size);
// KV bytes one GPU holds per token of context: its share of the KV heads (GQA heads are
// replicated when TP exceeds them; an MLA latent is replicated on every rank) over its pipeline
// stage's layers. The step-time models read the KV cache at this size.
double kv_bytes_per_token_per_gpu(const ReplicaSpec& spec);
// A TP degree is valid when it splits the attention heads evenly and either splits the KV heads
// evenly or replicates whole KV heads (tp a multiple of kv_heads), as vLLM requires.
bool valid_tensor_parallel(const ModelSpec& model, int tp);
// The footprint of the spec's layout (spec.tp x spec.pp) holding sequences of `context_tokens`.
Footprint footprint_at(const ReplicaSpec& spec, std::int64_t context_tokens);
// Tries layouts in order of GPU count (TP first, then PP once TP is at max_tp) and returns the
// first that fits; the spec's own tp and pp are ignored.
FitResult find_fit(const ReplicaSpec& spec, std::int64_t context_tokens, FitBounds bounds = {});

}  // namespace fleetsizer
