#include "fleetsizer/perf/expert_parallel.h"

#include <cmath>

namespace fleetsizer {

MoeLayerCost moe_layer_cost(const ReplicaSpec& spec, double tokens, double weight_element_bytes) {
  MoeLayerCost c;
  const ModelSpec& m = spec.model;
  if (!m.is_moe() || tokens <= 0) return c;
  const double e = static_cast<double>(m.experts);
  const double k = static_cast<double>(m.experts_per_token);
  const double ep = std::max(1, spec.moe_ep);
  const double moe_tp = spec.moe_tp_size();
  const double g = spec.stage_gpus();
  const double expert = params_per_expert(m);
  // Balanced routing: every GPU does 1/g of the token-expert products.
  c.expert_flops = tokens * k * 2.0 * expert / g;
  c.touched_experts = e * (1.0 - std::pow(1.0 - k / e, tokens));
  // A GPU holds E/ep experts, each split moe_tp ways, and streams those its tokens touched.
  c.expert_weight_bytes = c.touched_experts / ep * expert * weight_element_bytes / moe_tp;
  c.uses_all_to_all = ep > 1 || spec.attention_dp > 1;
  if (!c.uses_all_to_all) return c;
  c.expert_groups_hit = ep * (1.0 - std::pow(1.0 - 1.0 / ep, k));
  // Each GPU sends its 1/g of the tokens to every moe_tp rank of each group they route to; the
  // share (g - 1)/g of those ranks that are other GPUs crosses the links.
  c.dispatch_bytes = tokens / g * c.expert_groups_hit * moe_tp * static_cast<double>(m.hidden) *
                     kMoeActivationBytes * (g - 1.0) / g;
  c.combine_bytes = c.dispatch_bytes;
  return c;
}

}  // namespace fleetsizer
