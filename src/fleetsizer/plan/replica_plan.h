#pragma once
// The replica a scenario gets: every valid tensor-parallel layout from the smallest that fits up to
// a host (or the one the scenario fixes) is evaluated with evaluate_replica on the roofline model
// with the scenario's efficiencies, and the one with the fewest GPUs per simulated req/s wins.
// Then the fleet itself: N = ceil(Q / (q x utilization)) replicas are simulated together behind the
// scenario's router at the target rate, and N grows until every SLO percentile holds.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/plan/evaluate.h"
#include "fleetsizer/plan/scenario.h"

namespace fleetsizer {

struct LayoutEvaluation {
  ReplicaSpec spec;  // with its tp and pp
  ReplicaEvaluation evaluation;
  double gpus_per_rps = 0;  // gpus / q (infinite when infeasible)
  double usd_per_hour = 0;  // the fleet's cost on this layout's q (infinite when infeasible)
};

// What a fleet of replicas of `spec` at q req/s each costs per hour (the caller knows the target
// rate, packing and prices); plan_replica picks the cheapest layout, then the fewest GPUs per
// req/s.
using FleetCost = std::function<double(const ReplicaSpec& spec, double q_rps)>;

struct ReplicaPlan {
  FitResult fit;  // the smallest layout that fits
  Efficiency efficiency;
  bool efficiency_from_profile = false;
  std::vector<LayoutEvaluation> layouts;  // every layout evaluated, smallest first
  int chosen = -1;                        // index into layouts; -1 when none meets the SLO
  const LayoutEvaluation* best() const {
    return chosen >= 0 ? &layouts[static_cast<std::size_t>(chosen)] : nullptr;
  }
};

// The replica spec of the scenario at a layout (model, GPU, dtypes, engine limits, memory).
ReplicaSpec spec_at(const Scenario& s, int tp, int pp);

// Without a cost, the layout with the fewest GPUs per req/s wins.
Result<ReplicaPlan> plan_replica(const Scenario& s, const QSearchOptions& options = {},
                                 const FleetCost& cost = {});

// A fleet check simulates every replica; beyond this many it is skipped and the report says so
// (the same bound as simulate --find-replicas).
inline constexpr std::int64_t kMaxSimulatedReplicas = 4096;

struct FleetTrial {
  int replicas = 0;
  bool meets = false;
  std::vector<TargetCheck> checks;
  bool diverged = false;
  double throughput_rps = 0;
};

struct FleetVerification {
  int start_replicas = 0;  // the closed-form count the check started from
  // Requests longer than one replica's whole KV cache (no fleet size serves them; they are not
  // in the percentiles): the most any run had.
  std::int64_t rejected = 0;
  int replicas = 0;  // the smallest count from there up that meets every target
  bool met = false;
  std::vector<FleetTrial> trials;
};

// Simulates `start`, start + 1, ... replicas behind `router` at `rate` (at most max_extra more)
// until every target holds.
Result<FleetVerification> verify_fleet(const StepTimeModel& model, const ReplicaOptions& replica,
                                       const Workload& workload, const std::vector<SloTarget>& slo,
                                       RouterPolicy router, double rate, int start,
                                       const QSearchOptions& options, int max_extra = 64);

}  // namespace fleetsizer
