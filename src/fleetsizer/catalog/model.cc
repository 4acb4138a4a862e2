#include "fleetsizer/catalog/model.h"

namespace fleetsizer {
namespace {

double d(std::int64_t x) {
  return static_cast<double>(x);
}

double attention_params_per_layer(const ModelSpec& m) {
  const double h = d(m.hidden);
  if (m.is_mla()) {
    const double qk_head = d(m.qk_nope_head_dim + m.qk_rope_head_dim);
    const double q = m.q_lora_rank > 0
                         ? h * d(m.q_lora_rank) + d(m.q_lora_rank) * d(m.heads) * qk_head
                         : h * d(m.heads) * qk_head;
    const double kv_down = h * d(m.kv_lora_rank + m.qk_rope_head_dim);
    const double kv_up = d(m.kv_lora_rank) * d(m.heads) * d(m.qk_nope_head_dim + m.v_head_dim);
    const double out = d(m.heads) * d(m.v_head_dim) * h;
    return q + kv_down + kv_up + out;
  }
  const double q_width = d(m.heads * m.head_dim);
  const double kv_width = d(m.kv_heads * m.head_dim);
  double p = h * q_width * (m.attention_output_gate ? 2.0 : 1.0) + 2.0 * h * kv_width + q_width * h;
  if (m.qkv_bias || m.attention_bias) p += q_width + 2.0 * kv_width;
  if (m.attention_bias) p += h;
  return p;
}

std::int64_t expert_width(const ModelSpec& m) {
  return m.moe_intermediate > 0 ? m.moe_intermediate : m.intermediate;
}

}  // namespace

std::int64_t moe_layers(const ModelSpec& m) {
  return m.is_moe() ? m.layers - m.dense_layers : 0;
}

double params_per_expert(const ModelSpec& m) {
  const double bias = m.expert_bias ? 2.0 * d(expert_width(m)) + d(m.hidden) : 0.0;
  return 3.0 * d(m.hidden) * d(expert_width(m)) + bias;
}

ParamCounts count_params(const ModelSpec& m) {
  ParamCounts p;
  p.attention = attention_params_per_layer(m) * d(m.layers - m.linear_attention_layers) +
                d(m.linear_attention_params) * d(m.linear_attention_layers);
  const std::int64_t dense = m.layers - moe_layers(m);
  p.dense_mlp = 3.0 * d(m.hidden) * d(m.intermediate) * d(dense);
  if (m.is_moe()) {
    const double per_layer_router = d(m.hidden) * d(m.experts) + (m.expert_bias ? d(m.experts) : 0);
    p.routed_experts = params_per_expert(m) * d(m.experts) * d(moe_layers(m));
    p.shared_experts =
        (params_per_expert(m) * d(m.shared_experts) + per_layer_router) * d(moe_layers(m));
  }
  p.embeddings = d(m.vocab) * d(m.hidden) * (m.tied_embeddings ? 1.0 : 2.0);
  p.norms = d(m.hidden) * (2.0 * d(m.layers) + 1.0);
  return p;
}

double active_params_per_token(const ModelSpec& m) {
  const ParamCounts p = count_params(m);
  double routed = 0;
  if (m.is_moe()) routed = params_per_expert(m) * d(m.experts_per_token) * d(moe_layers(m));
  const double lm_head = d(m.vocab) * d(m.hidden);
  return p.attention + p.dense_mlp + p.shared_experts + routed + lm_head;
}

double kv_bytes_per_token_per_layer(const ModelSpec& m, double bytes_per_element) {
  if (m.is_mla()) return d(m.kv_lora_rank + m.qk_rope_head_dim) * bytes_per_element;
  return d(m.kv_heads) * d(m.head_dim) * 2.0 * bytes_per_element;
}

double kv_bytes_per_token(const ModelSpec& m, double bytes_per_element) {
  return d(m.full_attention_layers()) * kv_bytes_per_token_per_layer(m, bytes_per_element);
}

double kv_state_bytes_per_sequence(const ModelSpec& m, double bytes_per_element) {
  return d(m.sliding_window_layers) * d(m.sliding_window) *
             kv_bytes_per_token_per_layer(m, bytes_per_element) +
         d(m.linear_attention_layers) * d(m.linear_state_elements) * 4.0;
}

}  // namespace fleetsizer
