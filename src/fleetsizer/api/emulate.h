#pragma once
// `fleetsizer emulate`: what the emulated server runs. In model mode, the scenario's replica (the
// smallest layout that fits, or its TP) as a roofline step-time model with the profile's
// efficiency, and the simulator's replica scheduler settings; the HTTP server (src/http) runs it on
// the wall clock. Fixed mode needs nothing from here.
#include <memory>
#include <string>

#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/sim/replica.h"

namespace fleetsizer::api {

struct EmulatedReplica {
  std::shared_ptr<const StepTimeModel> model;
  ReplicaOptions replica;   // streamed step by step (closed_form off)
  std::string description;  // "llama-3.1-8b on 1 x h100-sxm (vllm)"
  // Prompt + output tokens one request may hold: the model's context, and at most what the KV
  // cache holds (a longer request could never be scheduled, so it is refused up front).
  std::int64_t max_model_len = 0;
};

Result<EmulatedReplica> emulated_replica(const Scenario& scenario);

// The fault fractions of an emulator, each a probability in [0, 1].
struct EmulatorFaults {
  double error_rate = 0, disconnect_rate = 0, stall_rate = 0, malformed_rate = 0,
         rate_limit_rate = 0;
};
Result<void> check_faults(const EmulatorFaults& faults);

}  // namespace fleetsizer::api
