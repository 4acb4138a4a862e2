#pragma once
// A measurement row predicted by replaying its benchmark in the simulator (harness.h), so that the
// prediction is taken the way the measurement was:
//  - a row with `concurrency`: closed loop, C clients starting together (AIConfigurator's silicon
//    runs, `vllm bench serve --max-concurrency`);
//  - a row with a finite `request_rate`: Poisson arrivals at that rate (`vllm bench serve
//    --request-rate`);
//  - a row with request_rate `inf`: offline, every request queued at t = 0 and admitted by the KV
//    and batch limits (trtllm-bench, `vllm bench serve` without a rate).
// Requests: the row's own count (`requests`, or `completed=N` in its source), else
// default_requests(). Lengths are the row's mean ISL and OSL (whole tokens); a closed loop draws
// them within +-Efficiency::phase_noise of the means (the drift that keeps real clients from
// staying in lockstep). The seed is fixed, so a replay is deterministic. The replica is the row's:
// ReplicaOptions from replica_options(spec, footprint_at(spec, ceil(isl + osl))) and the step model
// RooflineModel(spec, efficiency).
#include <cstdint>
#include <functional>
#include <memory>

#include "fleetsizer/perf/predict.h"
#include "fleetsizer/sim/harness.h"

namespace fleetsizer {

struct ReplayPolicy {
  // 0: the row's request count (or the default). > 0: at most this many, but never fewer than
  // three rounds of a closed loop's clients (calibrate fits with a cap to bound its run time).
  std::int64_t max_requests = 0;
  std::uint64_t seed = 1;
};

// Requests in a replay of a row that does not record its count: closed loop max(10 C, 500) (ten
// rounds of every client after the synchronized start, and at least 500 for a p99 resting on 5
// samples); Poisson and offline 1000.
std::int64_t default_requests(const Measurement& row);

// The harness the row's benchmark ran (kind, clients or rate, request count).
Harness harness_for(const Measurement& row, const ReplayPolicy& policy = {});

// What a replay runs on: the row's step-time model and scheduler limits.
struct ReplayReplica {
  std::unique_ptr<StepTimeModel> model;
  ReplicaOptions options;
};
using ReplicaFactory = std::function<ReplayReplica(const Measurement&, const Efficiency&)>;
// The row's own replica: RooflineModel(spec, efficiency) and replica_options(spec,
// footprint_at(spec, ceil(isl + osl))) for the spec of operating_point(row, efficiency).
ReplayReplica roofline_replica(const Measurement& row, const Efficiency& efficiency);

class ReplayPredictor final : public RowPredictor {
 public:
  // `replica` (tests: a hand-computable step model) defaults to roofline_replica.
  explicit ReplayPredictor(ReplayPolicy policy = {}, ReplicaFactory replica = roofline_replica)
      : policy_(policy), replica_(std::move(replica)) {}
  // Every statistic is infinite when no request completes (the prompt does not fit in the KV
  // cache, or the model does not fit at all).
  RowForecast forecast(const Measurement& row, const Efficiency& efficiency) const override;
  PredictionMethod method() const override { return PredictionMethod::sim; }
  bool uses_wave_sync() const override { return false; }
  const ReplayPolicy& policy() const { return policy_; }

 private:
  ReplayPolicy policy_;
  ReplicaFactory replica_;
};

}  // namespace fleetsizer
