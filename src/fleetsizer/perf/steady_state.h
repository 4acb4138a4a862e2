#pragma once
// Steady state of a continuous-batching replica for fixed input/output lengths.
//
// Closed loop (C clients, each sending its next request when the last one ends, as in benchmark
// harnesses and the AIConfigurator silicon runs): the clients synchronize into waves. A wave's
// C prompts are prefilled in chunks of the engine's token budget, each chunk step also carrying
// the decodes of the requests already prefilled; then all C decode together. Request k's TTFT is
// the time until its prompt's last chunk; its TPOT averages the mixed and the decode-only steps it
// saw. Throughput follows from Little's law: X = C / mean E2E. Clients beyond what the engine can
// run (max_num_seqs, KV capacity) queue for a slot, which shows up as TTFT.
//
// Open loop (Poisson arrivals at rate lambda): a mean-field fixed point t = step(lambda*I*t prefill
// tokens, lambda*O*t decoding sequences) gives the step time; it diverges exactly when the replica
// cannot keep up. TTFT adds a queueing wait for the prefill: M/D/1 mean (Pollaczek-Khinchine with
// deterministic service) and an M/M/1 exponential tail for percentiles, which is conservative.
#include <cstdint>
#include <string>

#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/targets/slo.h"

namespace fleetsizer {

// Mean prompt and output lengths of the requests, in tokens.
struct Lengths {
  double isl = 1024;
  double osl = 256;
};

struct LatencyStats {
  double mean = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0;
};

struct SteadyState {
  bool stable = true;
  std::string limit;   // what capped the running batch, if anything
  double offered = 0;  // concurrency (closed loop) or rate (open loop)
  double running = 0;  // sequences running in the engine
  LatencyStats ttft_ms, tpot_ms, e2e_ms;
  double queue_ms = 0;      // mean wait before the engine takes the request
  double request_rate = 0;  // req/s
  double output_tok_s = 0;
  double total_tok_s = 0;
  double prefill_step_ms = 0;  // mean mixed (prefill + decode) step
  double decode_step_ms = 0;   // decode-only step at the mean context
};

// The statistic of a latency distribution that a target (or a measurement) names.
double statistic(const LatencyStats& stats, Percentile p);
double metric_ms(const SteadyState& s, Metric metric, Percentile p);

// max_running: the most sequences the engine runs at once (engine cap and KV capacity).
// wave_sync: how far closed-loop clients stay synchronized in waves (Efficiency::wave_sync).
SteadyState closed_loop(const StepTimeModel& model, const Lengths& w, double concurrency,
                        std::int64_t max_running, double wave_sync);
SteadyState open_loop(const StepTimeModel& model, const Lengths& w, double rate,
                      std::int64_t max_running);
// The largest open-loop rate the replica sustains (the fixed point exists), by bisection: to
// double precision (50 halvings) when rel_tolerance is 0, else until the bracket is that narrow
// relative to its top (plan search screens thousands of specs at 1e-3).
double max_stable_rate(const StepTimeModel& model, const Lengths& w, std::int64_t max_running,
                       double rel_tolerance = 0);

}  // namespace fleetsizer
