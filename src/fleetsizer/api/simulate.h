#pragma once
// `fleetsizer simulate`: the discrete-event run of R replicas behind a router, and
// (--find-replicas) the smallest R meeting the SLO beside the closed-form floor ceil(rate / q).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/plan/workload.h"
#include "fleetsizer/report/report.h"
#include "fleetsizer/sim/fleet_sim.h"

namespace fleetsizer::api {

struct SimulateRequest {
  Scenario scenario;
  std::string workload;           // in words, for the report
  double arrival_rate = 0;        // mean fleet arrival rate (req/s)
  std::int64_t requests = 10000;  // 0: the whole trace
  int replicas = 1;
  std::uint64_t seed = 1;
  bool closed_form = true;
  bool find_replicas = false;
  std::int64_t max_waiting = 200000;
  // The queue, running batch and KV use over time: between this many and twice this many samples
  // (the report's timeline charts); 0: none.
  int timeline_points = 200;
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
  double model_q = 0;                          // one replica's simulated q (evaluate_replica)
  double analytic_q = 0;
  std::optional<std::int64_t> analytic_floor_replicas;
  std::vector<ReplicaTrial> trials;
  bool found = false;
  std::string unreachable;  // why the search stopped without meeting the SLO
};

Result<SimulateOutput> run_simulate(const SimulateRequest& request);
report::Report simulate_report(const SimulateOutput& output);

}  // namespace fleetsizer::api
