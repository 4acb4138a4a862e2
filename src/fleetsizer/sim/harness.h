#pragma once
// Benchmark harnesses replayed in the simulator, so that a prediction is compared with a
// measurement taken the same way:
//  - closed loop: C clients start together at t = 0 and each sends its next request the moment
//    its last one finishes (AIConfigurator's silicon runs, `vllm bench serve --max-concurrency`);
//  - Poisson: open-loop arrivals at a rate (`vllm bench serve --request-rate`);
//  - offline: every request queued at t = 0 and admitted as KV and batch limits allow
//    (trtllm-bench, vLLM's offline throughput benchmark).
// The statistics are the simulator's: mean and percentiles of TTFT, TPOT, ITL and E2E, and
// throughput over the makespan (first arrival to last finish), as a benchmark reports them.
#include <cstdint>

#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/sim/fleet_sim.h"
#include "fleetsizer/sim/replica.h"
#include "fleetsizer/workload/synthetic.h"

namespace fleetsizer {

enum class HarnessKind { closed_loop, poisson, offline };

struct Harness {
  HarnessKind kind = HarnessKind::closed_loop;
  double concurrency = 1;        // closed loop: clients
  double rate = 1;               // Poisson: req/s
  std::int64_t requests = 1000;  // requests in the run
  std::uint64_t seed = 1;
};

// The closed-loop request stream: `clients` requests at t = 0, then one more each time a request
// completes, at its completion time, until `total` have been sent.
class ClosedLoopSource final : public RequestSource {
 public:
  ClosedLoopSource(std::int64_t clients, std::int64_t total, LengthSpec input, LengthSpec output,
                   std::uint64_t seed);
  Result<bool> next(Request& out) override;
  void completed(std::uint64_t id, double time_s) override;

 private:
  std::int64_t initial_;
  std::int64_t remaining_;
  std::vector<double> ready_;  // completion times not yet turned into requests
  SyntheticSource lengths_;    // lengths only (its arrival times are ignored)
};

Result<SimResult> replay(const StepTimeModel& model, const ReplicaOptions& replica,
                         const Harness& harness, const LengthSpec& input, const LengthSpec& output);

}  // namespace fleetsizer
