#pragma once
// The simulator's disaggregated mode: a prefill pool behind its router, a KV transfer stage, and a
// decode pool behind its own router. Both pools are ordinary fleet simulations of the replica
// scheduler (sim/fleet_sim.h): the prefill pool serves each request as a prompt with one output
// token; the request then leaves for the decode pool when its KV has crossed the link (latency +
// input tokens x KV bytes per token / bandwidth), and the decode pool generates the other
// osl - 1 tokens on a DecodeOnlyModel (its KV arrives ready). The prefill pool never waits on the
// decode pool (its KV leaves as soon as it is made), so the two runs compose exactly in sequence.
// A request's TTFT is its first token's time at the prefill pool plus the transfer (the decode
// pool streams from there); its TPOT is the rest of its life over osl - 1 tokens.
#include <cstdint>

#include "fleetsizer/sim/fleet_sim.h"

namespace fleetsizer {

struct TwoPoolOptions {
  int prefill_replicas = 1, decode_replicas = 1;
  ReplicaOptions prefill, decode;
  RouterPolicy prefill_router = RouterPolicy::least_outstanding;
  RouterPolicy decode_router = RouterPolicy::least_outstanding;
  double transfer_latency_s = 0;
  double transfer_s_per_token = 0;  // KV bytes per token / link bytes per second
  std::uint64_t seed = 1;
  std::int64_t max_waiting = 200000;  // per pool, as SimOptions
};

struct TwoPoolResult {
  SimResult prefill, decode;  // each pool's own run (decode: its own arrivals)
  SimResult combined;         // per request end to end: TTFT, TPOT, E2E; tokens; diverged
  Histogram transfer_ms;
};

// The decode model is the decode pool's full step model; it is wrapped in DecodeOnlyModel here.
// Requests need at least 2 output tokens.
Result<TwoPoolResult> simulate_two_pool(const StepTimeModel& prefill_model,
                                        const StepTimeModel& decode_model, RequestSource& source,
                                        const TwoPoolOptions& options);

}  // namespace fleetsizer
