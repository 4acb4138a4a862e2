#pragma once
// What one MoE layer costs each GPU of a pipeline stage for the tokens of one engine step, under
// the replica's expert parallelism (moe_ep), MoE tensor parallelism (moe_tp) and attention data
// parallelism (attention_dp): the routed experts' FLOPs and weight bytes, and the activations the
// all-to-all dispatch (tokens to their experts) and combine (expert outputs back) move over the
// links. The roofline adds these per MoE layer; tests check them against a hand computation.
#include "fleetsizer/plan/replica_spec.h"

namespace fleetsizer {

struct MoeLayerCost {
  double expert_flops = 0;         // per GPU: its share of tokens x k x 2 x params_per_expert
  double touched_experts = 0;      // expected distinct experts the step's tokens route to, of all
  double expert_weight_bytes = 0;  // per GPU: its slice of the touched experts it holds
  double expert_groups_hit = 0;    // expected distinct EP groups one token is sent to
  double dispatch_bytes = 0;       // per GPU, sent over the links (all-to-all or all-gather)
  double combine_bytes = 0;        // per GPU, the expert outputs returned (same volume)
  bool uses_all_to_all = false;    // false: plain TP, whose all-reduce the attention's TP covers
};

// What the step-time model leaves out for MoE and the newer attention variants, said in
// docs/model.md and in --explain wherever a MoE model is predicted.
inline constexpr const char* kMoeUnmodeled =
    "not modeled: multi-token prediction (the MTP head's speculative decoding, which DeepSeek-R1, "
    "GLM-5 and MiniMax-M2.5 runs may use, lowers the measured TPOT), expert load imbalance and "
    "its rebalancing (EPLB; routing is taken as uniform), overlap of the all-to-all with compute, "
    "and DeepSeek Sparse Attention (GLM-5 decode is costed over the full KV, not its top 2,048 "
    "tokens)";

// The --explain line of any answer that models a MoE model's step: what is counted, and
// kMoeUnmodeled.
inline constexpr const char* kMoeStepExplain =
    "routed experts: FLOPs of k of E experts per token, weights of the experts the step touches; "
    "expert parallelism adds an all-to-all dispatch and combine per MoE layer (docs/model.md); ";

// Activations cross the links in 16 bits (bf16), as the engines' default dispatch does.
inline constexpr double kMoeActivationBytes = 2.0;

// `tokens`: all tokens of the step across the replica's attention data-parallel copies;
// `weight_element_bytes`: bytes per stored expert weight (weight_element_bytes()).
// Uniform routing: each token picks k of E experts at random, so E (1 - (1 - k/E)^tokens) experts
// are touched and a token reaches ep (1 - (1 - 1/ep)^k) of the ep groups.
MoeLayerCost moe_layer_cost(const ReplicaSpec& spec, double tokens, double weight_element_bytes);

}  // namespace fleetsizer
