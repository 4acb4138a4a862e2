#pragma once
// Disaggregated prefill/decode sizing (DistServe, Splitwise): a prefill pool whose replicas only
// run prompts and a decode pool whose replicas only generate, with the KV cache sent between them
// over a link. Each pool has its own GPU type, TP, dtypes and engine limits, and its own capacity:
//   prefill q_p: the largest Poisson rate at which TTFT = queueing + prefill (the open-loop steady
//     state of a replica serving prompts of isl x (1 - prefix hit rate) tokens and one output
//     token) + the KV transfer meets every TTFT target, capped at kLinkUtilizationCap of the link
//     (beyond that the transfers queue and the fixed transfer time no longer holds);
//   decode q_d: the largest Poisson rate at which a replica whose KV arrives ready
//   (DecodeOnlyModel:
//     no prompt compute) meets every TPOT/ITL target with its KV-limited running cap at isl + osl.
// Each pool is then a fleet of its own at the target rate (fleet equation, packing, prices). The
// plan sits beside the best colocated single pool (chunked prefill, the same SLO and workload) and
// the colocated model's interference: its cost minus that of a replica time-sharing the two
// phases without slowing either (rate 1 / (1/q_p + 1/q_d) on the same spec, no transfer).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/disagg/link.h"
#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/perf/steady_state.h"
#include "fleetsizer/plan/scenario.h"

namespace fleetsizer {

// The link may run at most this busy: at 80% an M/D/1 transfer queue waits 2x the transfer time
// on average, already beyond what the TTFT budget assumed.
inline constexpr double kLinkUtilizationCap = 0.8;

// Relative precision of each pool's q (and of the capacity it is searched under): a sweep plans
// every pool on every candidate GPU and TP at each prompt length, and whole replicas round far
// more than 1e-4 of q.
inline constexpr double kDisaggRateTolerance = 1e-4;

// One pool's options: candidate GPUs (the cheapest pool wins), TP (unset: every valid TP from the
// smallest that fits up to a host), dtypes and engine limits.
struct PoolOptions {
  std::vector<GpuSpec> gpus;
  std::optional<int> tp;
  Dtype weights_dtype = Dtype::bf16;
  Dtype kv_dtype = Dtype::bf16;
  EngineLimits limits;
};

struct DisaggInputs {
  Scenario base;  // model, workload, SLO, target rate, fleet settings, profile, colocated replica
  PoolOptions prefill, decode;
  KvLink link;
};

enum class PoolKind { prefill, decode, colocated };
std::string_view pool_name(PoolKind kind);

// One pool's choice: the spec, its per-replica q, and its fleet.
struct PoolPlan {
  PoolKind kind = PoolKind::prefill;
  bool feasible = false;
  std::string reason;   // why not (which pool, which constraint)
  std::string binding;  // what limits q: an SLO target, "capacity", "kv link"
  ReplicaSpec spec;
  double q_rps = 0;
  double q_compute_rps = 0;  // prefill: before the link cap
  double q_link_rps = 0;     // prefill: kLinkUtilizationCap x link bytes/s / KV bytes per request
  double kv_bytes_per_request = 0;
  double transfer_ms = 0;
  bool link_binds = false;
  std::int64_t running_cap = 0;
  SteadyState at_q;  // the open-loop steady state at q (prefill: TTFT before the transfer)
  double usd_per_gpu_hour = 0;
  FleetPlan fleet;
};

struct DisaggPlan {
  double isl = 0, osl = 0;
  PoolPlan prefill, decode, colocated;
  bool feasible = false;  // both pools
  double usd_per_hour = 0;
  double saving_usd_per_hour = 0;  // colocated - disaggregated (negative: a loss)
  double prefill_share = 0;        // prefill GPUs / all GPUs
  std::string winner;              // "disaggregated" or "colocated" ("" when neither is feasible)
  // On the colocated spec: the rate of an ideal time-shared replica and what the colocated fleet
  // pays above that fleet's cost (negative when batching the phases together helps).
  double ideal_time_shared_rps = 0;
  double interference_usd_per_hour = 0;
};

// The SLO targets each pool answers for: TTFT to prefill, TPOT and ITL to decode. E2E and
// throughput targets span both pools and are rejected, naming the target.
struct SplitSlo {
  std::vector<SloTarget> prefill, decode;
};
Result<SplitSlo> split_slo(const std::vector<SloTarget>& slo);

// The capacity of one pool's replica (no fleet yet): prefill with the link's transfer, decode.
PoolPlan prefill_replica(const ReplicaSpec& spec, const Scenario& base, const KvLink& link,
                         const std::vector<SloTarget>& ttft);
PoolPlan decode_replica(const ReplicaSpec& spec, const Scenario& base,
                        const std::vector<SloTarget>& tpot);
PoolPlan colocated_replica(const ReplicaSpec& spec, const Scenario& base);

// Prices a feasible pool as a fleet at the base's target rate; `simulated_replicas` (> 0) is what
// a simulation found the pool needs (FleetInputs::simulated_replicas).
Result<void> price_pool(PoolPlan& p, const Scenario& base, std::int64_t simulated_replicas = 0);
// The plan's totals from its pools: $/hour, saving, prefill share, winner.
void total_plan(DisaggPlan& plan);

// The whole plan at the base workload's isl/osl.
Result<DisaggPlan> plan_disagg(const DisaggInputs& in);

// Prompt lengths from a to b: `points` geometric steps rounded to whole tokens (distinct).
std::vector<double> sweep_lengths(double a, double b, int points);

// The first prompt length of a sweep at which the winner differs from the one before (0: none).
double crossover_isl(const std::vector<DisaggPlan>& sweep);

}  // namespace fleetsizer
