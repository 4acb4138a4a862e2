#pragma once
// `fleetsizer size`: the full plan for one configuration. The replica's q comes from (in order of
// preference) a given number, a measured curve searched under the SLO, or the performance model.
#include <optional>
#include <string>

#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/report/report.h"
#include "fleetsizer/slo/batch_search.h"

namespace fleetsizer::api {

struct ReplicaCapacity {
  std::string q_source;  // "given", "curve", "model"
  double q_rps = 0;
  double max_batch = 0;  // largest batch/concurrency meeting the SLO (0 when given)
  double output_tok_s = 0;
  std::string binding;  // the SLO target that limits the batch
  std::vector<TargetCheck> checks;
  std::vector<std::pair<std::string, std::string>> explain;
};

struct SizeOutput {
  Scenario scenario;
  FitResult fit;
  bool feasible = false;
  std::string reason;  // when not feasible
  ReplicaCapacity replica;
  FleetInputs fleet_inputs;
  FleetPlan plan;
};

Result<SizeOutput> run_size(const Scenario& scenario);
report::Report size_report(const SizeOutput& output);
FleetInputs fleet_inputs(const Scenario& s, double replica_rps, int gpus_per_replica);

}  // namespace fleetsizer::api
