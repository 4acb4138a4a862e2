#pragma once
// `fleetsizer simulate`: the discrete-event run of R replicas behind a router, and
// (--find-replicas) the smallest R meeting the SLO beside the closed-form floor ceil(rate / q).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/report/report.h"
#include "fleetsizer/sim/fleet_sim.h"

namespace fleetsizer::api {

using SourceFactory = std::function<Result<std::unique_ptr<RequestSource>>()>;

struct SimulateRequest {
  Scenario scenario;
  SourceFactory make_source;  // called once per run (find-replicas runs several)
  std::string workload;       // in words, for the report
  double arrival_rate = 0;    // mean fleet arrival rate (req/s) for the closed-form floor
  int replicas = 1;
  RouterPolicy router = RouterPolicy::least_outstanding;
  std::uint64_t seed = 1;
  double prefix_hit_rate = 0;
  bool closed_form = true;
  bool find_replicas = false;
  std::int64_t max_waiting = 200000;
  std::function<void(const FinishedRequest&)> on_finish;
  std::function<void(double, std::int64_t)> on_progress;
};

struct ReplicaTrial {
  int replicas = 0;
  bool meets = false;
  SimResult result;
};

struct SimulateOutput {
  SimulateRequest request;
  Footprint footprint;
  ReplicaOptions replica;
  SimResult result;  // at `replicas`
  int replicas = 0;
  std::optional<std::int64_t> floor_replicas;  // ceil(rate / q_model) when the model can say
  double model_q = 0;
  std::vector<ReplicaTrial> trials;
  bool found = false;
  std::string unreachable;  // why the search stopped without meeting the SLO
};

Result<SimulateOutput> run_simulate(const SimulateRequest& request);
report::Report simulate_report(const SimulateOutput& output);
// Every SLO target holds on the run's distribution, nothing diverged or was rejected.
bool run_meets_slo(const SimResult& r, const std::vector<SloTarget>& slo);

}  // namespace fleetsizer::api
