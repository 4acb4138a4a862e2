#pragma once
// A transformer's architecture, as far as memory and FLOPs care: the fields of a Hugging Face
// config.json plus the MoE and MLA extensions. Parameter counts are derived from the shapes
// (and checked in tests against the published totals), so a config.json alone is enough.
#include <cstdint>
#include <string>

namespace fleetsizer {

struct ModelSpec {
  std::string name;
  std::string source;
  std::string hf_id;  // Hugging Face repository ("meta-llama/Llama-3.1-70B"); empty when unknown
  std::int64_t layers = 0;
  std::int64_t hidden = 0;
  std::int64_t heads = 0;
  std::int64_t kv_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t intermediate = 0;  // dense MLP width (SwiGLU: gate, up, down)
  std::int64_t vocab = 0;
  std::int64_t max_context = 0;
  bool tied_embeddings = false;
  bool qkv_bias = false;
  // Mixture of experts (0 experts: dense).
  std::int64_t experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t shared_experts = 0;
  std::int64_t moe_intermediate = 0;  // width of one expert; 0 means `intermediate`
  std::int64_t dense_layers =
      0;  // leading layers with a dense MLP (DeepSeek first_k_dense_replace)
  // Multi-head latent attention (kv_lora_rank > 0): the KV cache holds the compressed latent.
  std::int64_t kv_lora_rank = 0;
  std::int64_t q_lora_rank = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t v_head_dim = 0;
  // Attention layers without a growing KV cache. Sliding-window layers (gpt-oss) keep the last
  // `sliding_window` tokens; linear-attention layers (Qwen3.5's Gated DeltaNet) keep a fixed state
  // of `linear_state_elements` per layer. Both are a per-sequence constant, not a per-token cost.
  std::int64_t sliding_window = 0;
  std::int64_t sliding_window_layers = 0;
  std::int64_t linear_attention_layers = 0;
  std::int64_t linear_attention_params = 0;  // per linear-attention layer (replaces q/k/v/o)
  std::int64_t linear_state_elements = 0;    // per linear-attention layer and sequence
  bool attention_bias = false;               // bias on q, k, v and o (gpt-oss)
  bool attention_output_gate = false;        // q_proj also emits a sigmoid gate per head (Qwen3.5)
  bool expert_bias = false;       // bias on each expert's gate/up and down projections (gpt-oss)
  double published_params_b = 0;  // total parameters from the model card (0: unknown)

  bool is_moe() const { return experts > 0; }
  bool is_mla() const { return kv_lora_rank > 0; }
  // Layers whose KV cache grows with the context (full attention).
  std::int64_t full_attention_layers() const {
    return layers - sliding_window_layers - linear_attention_layers;
  }
};

// Parameter counts by where they live; the footprint and roofline models need the split because
// embeddings stay in 16 bits under weight quantization and only the routed experts are sparse.
struct ParamCounts {
  double attention = 0;       // all layers: projections (+ biases)
  double dense_mlp = 0;       // all dense MLP layers
  double routed_experts = 0;  // all routed experts of all MoE layers
  double shared_experts = 0;  // shared experts + routers
  double embeddings = 0;      // input embedding + untied LM head
  double norms = 0;
  double total() const {
    return attention + dense_mlp + routed_experts + shared_experts + embeddings + norms;
  }
  double linear() const { return attention + dense_mlp + routed_experts + shared_experts; }
};

ParamCounts count_params(const ModelSpec& model);
// Parameters one token's forward pass multiplies through (MoE: only its k routed experts),
// including the LM head but not the input embedding (a lookup, not a matmul).
double active_params_per_token(const ModelSpec& model);
// Parameters of one routed expert of one layer.
double params_per_expert(const ModelSpec& model);
std::int64_t moe_layers(const ModelSpec& model);

// KV cache per token of context, full-attention layers, for an element size in bytes:
// GQA: layers x kv_heads x head_dim x 2 (K and V) x bytes; MLA: layers x (kv_lora_rank + rope dim)
// x bytes.
double kv_bytes_per_token(const ModelSpec& model, double bytes_per_element);
// KV of one layer per token (the same for full and sliding-window layers).
double kv_bytes_per_token_per_layer(const ModelSpec& model, double bytes_per_element);
// What one sequence holds whatever its length: the sliding-window layers' last `sliding_window`
// tokens and the linear-attention layers' state (fp32, as vLLM and SGLang keep it).
double kv_state_bytes_per_sequence(const ModelSpec& model, double bytes_per_element);

}  // namespace fleetsizer
