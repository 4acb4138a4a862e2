#pragma once
// The seed's exercise 1, answered by search: when does a throughput lever that doubles q save more
// than a footprint lever that quarters the GPUs per replica, and when is it the other way round?
// Both act on C = N x c with N = ceil(Q / q) and c = g x price: doubling q halves N (up to the
// ceiling), quartering g quarters c (down to one GPU, a replica cannot be smaller), and with the
// seed's fixed node price c does not depend on g at all. For every catalog model (size) on every
// catalog GPU (memory, price) under both pricings, the baseline replica is fitted and its q found
// by the plan layer's analytic search, each lever is applied, and the case where each lever wins
// by the widest margin is kept.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/plan/scenario.h"

namespace fleetsizer {

enum class Pricing { per_gpu, fixed_node };  // fixed_node: the seed's $/node whatever its GPUs
std::string_view pricing_name(Pricing p);

// Why the winner won, as data (the printer makes the sentence).
enum class ContrastReason {
  replica_is_one_gpu,      // g = 1 cannot shrink: the footprint lever saves nothing
  fixed_node_price,        // c does not depend on g: the footprint lever saves nothing
  replica_count_floor,     // N is already at its floor of 1 (or the ceiling ate the halving)
  gpus_fall_more_than_n,   // c falls 4x (or 2x) while N falls 2x
  n_falls_more_than_gpus,  // g falls by less than N does (it can only halve, or less)
  equal_factors,           // g and N fall by the same factor: the levers save the same
};
std::string_view contrast_reason_name(ContrastReason r);

struct ContrastCase {
  std::string model, gpu;
  double gpu_memory_gib = 0;
  double model_params_b = 0;
  Pricing pricing = Pricing::per_gpu;
  double usd_per_gpu_hour = 0;
  double usd_per_node_hour = 0;  // fixed_node pricing
  int gpus = 0;                  // baseline GPUs per replica
  double q_rps = 0;
  std::int64_t replicas = 0;
  double usd_per_hour = 0;
  // Throughput lever: q x 2, same g.
  std::int64_t throughput_replicas = 0;
  double throughput_usd_per_hour = 0;
  // Footprint lever: g / 4 (at least 1), same q.
  int footprint_gpus = 0;
  double footprint_usd_per_hour = 0;
  double throughput_saved_usd_per_hour = 0;
  double footprint_saved_usd_per_hour = 0;
  ContrastReason reason = ContrastReason::gpus_fall_more_than_n;
};

struct ContrastResult {
  std::optional<ContrastCase> throughput_wins;
  std::optional<ContrastCase> footprint_wins;
  std::optional<ContrastCase> this_scenario;  // the scenario's own model and GPU, per GPU
  int cases = 0;                              // (model, GPU, pricing) triples evaluated
};

// Evaluates one case (exposed for tests): q comes from `q_rps`.
ContrastCase contrast_case(const Scenario& s, int gpus, double q_rps, Pricing pricing);

Result<ContrastResult> search_lever_contrast(const Scenario& s, const Catalog& catalog);

}  // namespace fleetsizer
