#pragma once
// A fleet of identical replicas behind a router, driven by a request stream: a discrete-event
// simulation whose events are arrivals and replica step (or jump) ends, held in a binary heap.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/sim/histogram.h"
#include "fleetsizer/sim/replica.h"
#include "fleetsizer/sim/router.h"
#include "fleetsizer/sim/timeline.h"
#include "fleetsizer/targets/slo.h"
#include "fleetsizer/workload/request.h"

namespace fleetsizer {

struct SimOptions {
  int replicas = 1;
  ReplicaOptions replica;
  RouterPolicy router = RouterPolicy::least_outstanding;
  std::uint64_t seed = 1;
  std::vector<SloTarget> slo;  // per-request thresholds for goodput
  // Stop when the fleet cannot catch up: more waiting requests than this (memory stays bounded).
  std::int64_t max_waiting = 200000;
  std::function<void(const FinishedRequest&)> on_finish;  // per-request records (CSV at the edge)
  std::function<void(double sim_time_s, std::int64_t done)>
      on_progress;  // called every 65,536 events
  // > 0: sample the fleet's queue, running batch and KV use this many to twice this many times,
  // evenly over the run (SimResult::timeline); 0 (searches): no sampling.
  int timeline_points = 0;
};

struct SimResult {
  std::int64_t requests = 0;  // completed
  std::int64_t arrived = 0;
  std::int64_t good = 0;  // met every per-request SLO threshold
  std::int64_t rejected = 0;
  std::int64_t rejected_max_tokens = 0;  // longest rejected sequence (prompt + output tokens)
  std::int64_t kv_capacity_tokens = 0;   // KV tokens of the smallest replica (for the reason)
  std::int64_t preemptions = 0;
  std::int64_t events = 0, steps = 0;
  bool diverged = false;
  std::string divergence;
  double first_arrival_s = 0, last_finish_s = 0;
  Histogram ttft_ms, tpot_ms, itl_ms, e2e_ms, queue_ms;
  double input_tokens = 0, output_tokens = 0;
  double utilization = 0;     // mean over replicas of busy time / makespan
  double kv_occupancy = 0;    // mean used KV fraction over replicas and time
  double mean_in_system = 0;  // time average of requests in the fleet (Little's law check)
  double prefix_hit_fraction = 0;
  std::vector<TimelinePoint> timeline;  // when SimOptions::timeline_points > 0
  double makespan_s() const { return last_finish_s - first_arrival_s; }
  double throughput_rps() const {
    return makespan_s() > 0 ? static_cast<double>(requests) / makespan_s() : 0;
  }
  double goodput_rps() const {
    return makespan_s() > 0 ? static_cast<double>(good) / makespan_s() : 0;
  }
  double output_tok_s() const { return makespan_s() > 0 ? output_tokens / makespan_s() : 0; }
};

Result<SimResult> simulate(const StepTimeModel& model, RequestSource& source,
                           const SimOptions& options);

// A run's statistic for a target (its percentile or mean of the metric's distribution).
double metric_value_ms(const SimResult& r, const SloTarget& target);
std::vector<TargetCheck> check_targets(const SimResult& r, const std::vector<SloTarget>& slo);
// Every SLO target holds on the run's distribution, nothing diverged or was rejected.
bool run_meets_slo(const SimResult& r, const std::vector<SloTarget>& slo);

// Per-request SLO check for goodput (a target's percentile is a fleet statistic; per request the
// threshold applies to the request's own value, as DistServe defines goodput).
bool meets_slo(const FinishedRequest& r, const std::vector<SloTarget>& slo);

}  // namespace fleetsizer
