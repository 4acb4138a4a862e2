#pragma once
// The seed calculator's lever stack (Code 22.9.1): each optimization multiplies the per-node memory
// footprint and throughput, applied cumulatively. Reproduced exactly, then extended: a lever may
// declare a conditional throughput factor (so order matters), every ordering can be evaluated, and
// each row is also priced the corrected way, where a replica costs the GPUs it occupies packed into
// hosts instead of a fixed node price.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer {

struct LeverCondition {
  enum class Kind { fits_on_one_gpu, after_lever };
  Kind kind = Kind::fits_on_one_gpu;
  std::string lever;               // for after_lever: the lever that must already be applied
  double throughput_factor = 1.0;  // replaces the lever's factor when the condition holds
};

struct Lever {
  std::string name;
  double memory_factor = 1.0;
  double throughput_factor = 1.0;
  std::vector<LeverCondition> conditions;  // the first that holds wins
};

struct StackScenario {
  double target_qps = 4000;
  double node_usd_per_hour = 12;  // the seed's price of one node, whatever its GPU count
  int gpus_per_host = 8;          // the corrected view packs replicas into hosts of this size
  std::string baseline_label = "fp16, static batch, eager";
  int baseline_gpus = 4;
  double baseline_qps = 18;
  double model_gb = 140;  // footprint that gpus_needed() divides: (model + kv) x memory factor
  double kv_gb = 40;
  double gpu_memory_gb = 80;
  std::vector<Lever> levers;
  // Mechanistic levers ("weights=int8", "paged-kv", ...; io/lever_spec.h) for `stack` on the plan
  // layer, each with where it was written ("plan.yaml:7"); parsed at the edge against the
  // scenario's model.
  struct MechanisticText {
    std::string text;
    std::string origin;
  };
  std::vector<MechanisticText> mechanistic;
};

// The seed's worked example: 70B model, 4000 QPS, $12/h 8-GPU node, five levers.
StackScenario seed_example_scenario();
Result<StackScenario> validate(StackScenario scenario);

struct StackRow {
  std::string label;
  double memory_factor = 1;      // cumulative
  double throughput_factor = 1;  // applied by this row's lever (after conditions)
  std::string factor_reason;     // which condition chose the factor, if any
  int gpus_per_node = 0;
  double qps_per_node = 0;
  std::int64_t nodes = 0;
  double usd_per_hour = 0;  // seed view: nodes x node price
  double fleet_ratio = 1;
  // Corrected view: a replica of g GPUs costs g x (node price / gpus_per_host); replicas pack into
  // hosts.
  std::int64_t hosts = 0;
  double corrected_usd_per_hour = 0;
  double corrected_fleet_ratio = 1;
};

struct StackResult {
  std::vector<StackRow> rows;  // baseline first
  double throughput_gain = 1;  // final q / baseline q
  double final_memory_factor = 1;
  // The corrected final cost if the footprint levers had left the GPU count at the baseline's:
  // the difference is what the footprint levers save once GPUs are what you pay for.
  double corrected_usd_per_hour_without_footprint = 0;
};

// Gpus the seed's gpus_needed() returns for a cumulative memory factor.
int seed_gpus_needed(const StackScenario& s, double memory_factor);
// `order` lists indices into s.levers.
StackResult evaluate_stack(const StackScenario& s, const std::vector<std::size_t>& order);
StackResult evaluate_stack(const StackScenario& s);

struct OrderOutcome {
  std::vector<std::string> sequence;
  std::int64_t final_nodes = 0;
  double final_usd_per_hour = 0;
  double final_corrected_usd_per_hour = 0;
};

struct OrdersResult {
  std::vector<OrderOutcome> orders;  // every permutation, in lexicographic order of indices
  std::size_t best = 0;              // cheapest final fleet (first such)
  std::size_t worst = 0;
  double spread_usd_per_hour = 0;  // worst - best
};

// Evaluates all n! orderings; refuses more than 9 levers (362,880 orders).
Result<OrdersResult> evaluate_orders(const StackScenario& s);

}  // namespace fleetsizer
