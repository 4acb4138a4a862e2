#pragma once
// evaluate_replica: what one replica of a spec delivers for a workload under an SLO. Every command
// that sizes from the model calls this (size, slo without a curve, simulate --find-replicas) and
// none has a copy of its own.
//
// Method (docs/model.md, "The honest q"):
//  1. The footprint: does the spec fit, its KV blocks and running-sequence cap.
//  2. The analytic estimate q_analytic: the largest Poisson rate whose open-loop steady state
//     meets every target (slo/model_search). Closed forms bracket and explain.
//  3. The simulated q: the largest per-replica arrival rate at which a discrete-event run of the
//     replica under the workload's own arrival process and lengths meets every target, found by
//     bracketing around q_analytic and bisecting. Every trial uses the same seed (common random
//     numbers: the arrival gaps scale exactly with 1/rate and the lengths are the same), so the
//     pass/fail boundary is sharp, and runs `requests` requests, so a p99 rests on requests x 1%
//     samples (200 at the default 20,000). Then q must also hold with `confirm_seeds` other seeds
//     (it steps down by the tolerance until it does). The simulator decides: q is the simulated
//     number.
// The binding constraint is data: the target that fails first just above q, or the replica's
// capacity (the run diverges), or nothing fits.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/steady_state.h"
#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/plan/replica_spec.h"
#include "fleetsizer/plan/workload.h"
#include "fleetsizer/progress.h"
#include "fleetsizer/sim/fleet_sim.h"
#include "fleetsizer/sim/router.h"
#include "fleetsizer/slo/model_search.h"
#include "fleetsizer/targets/slo.h"

namespace fleetsizer {

enum class Binding {
  none,          // nothing checked yet
  slo_target,    // `binding_target` fails just above q
  capacity,      // the replica cannot keep up just above q (queue grows without bound)
  no_rate,       // no rate meets the SLO: a target fails even at a trickle
  does_not_fit,  // the KV cache holds no sequence of the workload's length
};
std::string_view binding_name(Binding b);

// The fewest requests a simulated run may have: a p99 over 1,000 requests rests on 10 samples.
inline constexpr std::int64_t kMinRequests = 1000;
// The most requests one simulated run may have, and the most replicas one run simulates: bounds on
// the work (and memory) of any run whatever the flags say.
inline constexpr std::int64_t kMaxSimRequests = 10'000'000;
inline constexpr std::int64_t kMaxSimReplicas = 100'000;

// The q search's stated bounds on its probes: the downward bracket stops at 1e-3 of its start
// rate (31 steps of x0.8), the upward one after 40 steps of x1.25, the bisection after
// kMaxBisectionProbes, the confirmation after 50 step-downs of confirm_seeds + 1 runs each.
inline constexpr int kMaxBisectionProbes = 64;

struct QSearchOptions {
  std::int64_t requests = 20000;  // per confirming run (and per run when confirm_seeds is 0)
  // Per run of the bracket and bisection, which only need to find the boundary; q itself is then
  // confirmed with `requests`-request runs.
  std::int64_t search_requests = 10000;
  std::uint64_t seed = 1;
  double rel_tolerance = 0.01;  // bisection stops when the bracket is this narrow (relative)
  // After the bisection, q must also hold with this many other seeds (seed + 1, ...): a p99 over
  // one run's requests has a sampling spread of about 1%, and a plan must not rest on one draw.
  // While one fails (or the search's own seed at full size), q steps down.
  int confirm_seeds = 2;
  // The confirming runs must meet every target with this relative margin: the sampling spread of
  // a percentile between seeds (about 1% for a p99 over 20,000 requests; percentiles are also
  // binned at 1%), so that a seed the search never used meets the targets too.
  double confirm_margin = 0.01;
  // Relative precision of the closed-form q (and of the capacity it is searched under). Plan
  // search screens thousands of specs and ranks them at 1e-3; sizing one spec keeps 1e-6.
  double analytic_rel_tolerance = kRateRelTolerance;
  // Called after each simulated rate (the bracket, the bisection and the confirming seeds).
  ProgressFn progress;
};

// One simulated rate: its pooled statistics and which targets hold.
struct RateTrial {
  double rate_rps = 0;
  std::uint64_t seed = 0;
  std::int64_t requests = 0;
  std::int64_t rejected = 0;  // requests longer than the whole KV cache (never served)
  bool meets = false;
  bool diverged = false;
  std::vector<TargetCheck> checks;
  double output_tok_s = 0;
  double mean_running = 0;  // mean requests in the replica (Little's law)
  double utilization = 0;
};

struct ReplicaEvaluation {
  Footprint footprint;
  ReplicaOptions replica;        // the scheduler limits the runs used
  std::int64_t running_cap = 0;  // the analytic model's running cap at isl + osl
  double capacity_rps = 0;       // the largest stable open-loop rate (0: not computed)
  bool simulated = false;        // false: only the analytic estimate was computed
  bool fits = false;
  // Analytic (open-loop steady state at the mean lengths).
  bool analytic_feasible = false;
  double q_analytic_rps = 0;
  SteadyState analytic;  // at q_analytic
  Binding analytic_binding = Binding::none;
  std::optional<SloTarget> analytic_binding_target;
  // Simulated.
  bool feasible = false;
  double q_rps = 0;
  RateTrial at_q;                    // the full-size run at q (every target holds)
  std::optional<RateTrial> above_q;  // the nearest failing rate tried
  Binding binding = Binding::none;
  std::optional<SloTarget> binding_target;
  std::vector<RateTrial> trials;         // every rate tried with the search's seed, in order
  std::vector<RateTrial> confirmations;  // runs with the other seeds
  QSearchOptions options;
  double gap() const {  // (q - q_analytic) / q_analytic
    return q_analytic_rps > 0 ? (q_rps - q_analytic_rps) / q_analytic_rps : 0;
  }
};

// `replicas` replicas behind `router` under the workload at `rate` (options.requests requests,
// options.seed); a run whose queue exceeds a tenth of its requests stops as diverged.
Result<SimResult> simulate_workload(const StepTimeModel& model, const ReplicaOptions& replica,
                                    const Workload& workload, const std::vector<SloTarget>& slo,
                                    double rate, int replicas, RouterPolicy router,
                                    const QSearchOptions& options);

// Simulates one replica at `rate` with options.requests requests and options.seed.
Result<RateTrial> simulate_rate(const StepTimeModel& model, const ReplicaOptions& replica,
                                const Workload& workload, const std::vector<SloTarget>& slo,
                                double rate, const QSearchOptions& options);

// The footprint and the analytic estimate only (steps 1 and 2); simulate_q adds step 3.
// `rate_upper_bound` (> 0: a rate no stable steady state reaches, such as plan search's roofline
// bound) replaces the capacity bisection as the top of the rate search when the tolerance is
// coarser than the default; capacity_rps is then left 0 (unknown).
Result<ReplicaEvaluation> evaluate_analytic(const ReplicaSpec& spec, const StepTimeModel& model,
                                            const Workload& workload,
                                            const std::vector<SloTarget>& slo,
                                            std::int64_t context_tokens,
                                            const QSearchOptions& options = {},
                                            double rate_upper_bound = 0);
Result<ReplicaEvaluation> simulate_q(ReplicaEvaluation analytic, const StepTimeModel& model,
                                     const Workload& workload, const std::vector<SloTarget>& slo,
                                     const QSearchOptions& options = {});

// Checks q with options.confirm_seeds other seeds and steps it down by the tolerance while any
// run misses (evaluate_replica does this itself when options.confirm_seeds > 0).
Result<ReplicaEvaluation> confirm_q(ReplicaEvaluation evaluation, const StepTimeModel& model,
                                    const Workload& workload, const std::vector<SloTarget>& slo,
                                    const QSearchOptions& options);

Result<ReplicaEvaluation> evaluate_replica(const ReplicaSpec& spec, const StepTimeModel& model,
                                           const Workload& workload,
                                           const std::vector<SloTarget>& slo,
                                           std::int64_t context_tokens,
                                           const QSearchOptions& options = {});

}  // namespace fleetsizer
