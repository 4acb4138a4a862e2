#pragma once
// SLO search on the performance model: the largest closed-loop concurrency, or the largest
// open-loop arrival rate, at which every target holds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/perf/steady_state.h"
#include "fleetsizer/slo/batch_search.h"

namespace fleetsizer {

struct ModelSearchResult {
  bool feasible = false;
  double value = 0;   // concurrency or rate
  SteadyState state;  // at `value` (or at the smallest tried when infeasible)
  std::vector<TargetCheck> checks;
  std::string binding;
  std::optional<SloTarget> binding_target;  // set when an SLO target (not capacity) binds
  std::string reason;
};

std::vector<TargetCheck> check_targets(const SteadyState& s, const std::vector<SloTarget>& slo);

inline constexpr double kRateRelTolerance = 1e-6;

ModelSearchResult largest_concurrency_meeting(const StepTimeModel& model, const Lengths& w,
                                              const std::vector<SloTarget>& slo,
                                              std::int64_t max_running,
                                              std::int64_t max_concurrency, double wave_sync);
// The largest open-loop rate whose steady state meets every target, bisected to rel_tolerance
// (relative); `capacity` is max_stable_rate's answer, or any rate at or above it, when the caller
// has one (0: computed here, to double precision when rel_tolerance is the default 1e-6, else to
// rel_tolerance / 10): rates above the true capacity have no steady state and fail the check.
ModelSearchResult largest_rate_meeting(const StepTimeModel& model, const Lengths& w,
                                       const std::vector<SloTarget>& slo, std::int64_t max_running,
                                       double rel_tolerance = kRateRelTolerance,
                                       double capacity = 0);

}  // namespace fleetsizer
