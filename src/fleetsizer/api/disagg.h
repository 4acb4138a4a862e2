#pragma once
// `fleetsizer disagg`: a disaggregated prefill/decode plan (disagg/disagg.h) beside the best
// colocated single pool, optionally over a sweep of prompt lengths (where the split and the winner
// move, and the crossover), and verified in the simulator's two-pool mode: the plan's pools are
// replayed at the target rate under the scenario's arrivals or trace, and the pool whose targets
// fail grows until every simulated percentile holds.
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/disagg/disagg.h"
#include "fleetsizer/disagg/validate.h"
#include "fleetsizer/plan/evaluate.h"
#include "fleetsizer/report/report.h"
#include "fleetsizer/sim/two_pool.h"

namespace fleetsizer::api {

struct DisaggRequest {
  DisaggInputs inputs;
  std::optional<std::pair<double, double>> sweep_isl;  // A:B
  int sweep_points = 16;
  bool verify = false;
  std::int64_t verify_requests = 5000;
  std::uint64_t seed = 1;
  int max_extra_replicas = 64;  // per pool, in the verification
};

struct TwoPoolTrial {
  int prefill_replicas = 0, decode_replicas = 0;
  bool meets = false;
  bool diverged = false;
  std::vector<TargetCheck> checks;
  std::int64_t requests = 0;
};

struct TwoPoolVerification {
  int start_prefill = 0, start_decode = 0;
  int prefill_replicas = 0, decode_replicas = 0;
  bool met = false;
  std::vector<TwoPoolTrial> trials;
  TwoPoolResult last;  // the run at the final sizes
};

struct DisaggOutput {
  DisaggRequest request;
  DisaggPlan plan;  // priced with the verified pool sizes when verified
  std::optional<TwoPoolVerification> verification;
  std::vector<DisaggPlan> sweep;
  double crossover_isl = 0;  // 0: the winner does not change over the sweep
};

// The plan's pools replayed together at the target rate (used by run_disagg with verify).
Result<TwoPoolVerification> verify_disagg(const DisaggInputs& in, const DisaggPlan& plan,
                                          std::int64_t requests, std::uint64_t seed, int max_extra);

Result<DisaggOutput> run_disagg(const DisaggRequest& request);
report::Report disagg_report(const DisaggOutput& output);

// `disagg --validate F`: the measured disaggregated runs against the model (disagg/validate.h):
// coverage counts by reason, per-row predictions and errors, and their median and p90.
report::Report disagg_validation_report(const DisaggValidation& validation,
                                        const std::string& path);

}  // namespace fleetsizer::api
