#pragma once
// `fleetsizer size`: the full plan for one configuration. The replica's q comes from (in order of
// preference) a given number, a measured curve searched under the SLO, or the performance model.
#include <optional>
#include <string>

#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/fleet/scenario_fleet.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/plan/replica_plan.h"
#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/report/report.h"
#include "fleetsizer/slo/batch_search.h"

namespace fleetsizer::api {

struct ReplicaCapacity {
  std::string q_source;       // "given", "curve", "simulation"
  double q_rps = 0;           // what the fleet is sized on
  double q_analytic_rps = 0;  // the closed-form estimate beside it (model only)
  double max_batch = 0;       // largest batch/concurrency meeting the SLO (0 when given)
  double output_tok_s = 0;
  std::string binding;  // the SLO target that limits the batch (curve), or the Binding name
  std::optional<SloTarget> binding_target;
  std::vector<TargetCheck> checks;
  std::vector<std::pair<std::string, std::string>> explain;
};

struct SizeOptions {
  QSearchOptions search;       // the per-replica q search
  bool simulate_fleet = true;  // verify N by simulating the fleet at the target rate
};

struct SizeOutput {
  Scenario scenario;
  SizeOptions options;
  FitResult fit;
  std::optional<ReplicaPlan> model;  // the model path: every layout's evaluation
  std::optional<FleetVerification> verification;
  std::string fleet_check_skipped;     // why the fleet was not simulated (too many replicas)
  std::int64_t analytic_replicas = 0;  // ceil(Q / (q_analytic x utilization)) (model only)
  bool feasible = false;
  std::string reason;  // when not feasible
  ReplicaCapacity replica;
  FleetInputs fleet_inputs;
  FleetPlan plan;
};

Result<SizeOutput> run_size(const Scenario& scenario, const SizeOptions& options = {});
report::Report size_report(const SizeOutput& output);

}  // namespace fleetsizer::api
