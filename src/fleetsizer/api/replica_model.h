#pragma once
// The model-based q of a replica: the roofline step-time model at the scenario's layout, its
// open-loop steady state under Poisson arrivals, and the largest arrival rate meeting the SLO.
// When the scenario leaves TP open, every valid TP from the smallest fit up to a host is tried and
// the cheapest per request wins.
#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/api/size.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/perf/steady_state.h"

namespace fleetsizer::api {

ReplicaConfig replica_config(const Scenario& s, int tp, int pp);
// Running-sequence cap: the engine's max_num_seqs and the KV capacity at isl + osl tokens.
std::int64_t max_running_sequences(const Scenario& s, int tp, int pp);

struct ModelCapacity {
  FitResult fit;
  ReplicaCapacity capacity;
};

Result<ModelCapacity> capacity_from_model(const Scenario& s, const FitResult& smallest_fit);

}  // namespace fleetsizer::api
