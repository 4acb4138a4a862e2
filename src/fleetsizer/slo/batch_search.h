#pragma once
// The honest q: throughput at the largest batch whose latencies all meet the SLO.
#include <string>
#include <vector>

#include "fleetsizer/error.h"
#include "fleetsizer/perf/curve.h"
#include "fleetsizer/targets/slo.h"

namespace fleetsizer {

struct BatchSearchResult {
  bool feasible = false;
  double max_batch = 0;
  double q_rps = 0;
  double output_tok_s = 0;
  std::vector<TargetCheck> checks;
  std::string binding;         // the target that stops a larger batch, or "measured range"
  bool range_limited = false;  // every target still holds at the largest measured batch
  std::string reason;          // when infeasible: which target no batch meets
};

// Scans integer batches of the curve's range from the top down. The SLO columns must exist in the
// curve (a target that cannot be checked is an error, not a pass).
Result<BatchSearchResult> largest_batch_meeting(const CurveModel& curve,
                                                const std::vector<SloTarget>& slo, double osl);

}  // namespace fleetsizer
