#pragma once
// Plan search: the cheapest fleet that meets the SLO at the target rate, over a configuration
// space (search/space.h), on the plan layer (evaluate_replica) and simulator-verified q.
//
// Method (docs/model.md, "Plan search"):
//  1. Enumerate the space; a layout whose weights and KV do not fit is pruned by memory before
//     any timing.
//  2. Screen each fitting spec in microseconds: an upper bound on its q from the decode roofline
//     (every step that carries R running sequences takes at least the decode-only step at R, and
//     R is capped by the KV cache and the token budget: q <= R / ((osl - 1) step(R))), which gives
//     a lower bound on its fleet cost; and lower bounds on its latencies (a lone request's TPOT is
//     the decode step at batch 1, its TTFT its prompt's prefill), which rule out specs whose
//     targets are below them.
//  3. Evaluate the closed-form q (evaluate_analytic) in order of the cost bound, in fixed-size
//     batches, until the next spec's cost bound exceeds prune_ratio x the verify_top-th cheapest
//     analytic cost found: no spec left can be among the verify_top cheapest, nor within
//     prune_ratio of them (the simulated and analytic q of one spec differ by far less).
//  4. Simulate the verify_top cheapest (analytic cost); then, while a plan not simulated is
//     cheaper by the closed form than the cheapest verified one (or, never evaluated, has a cost
//     bound below it), evaluate and simulate it too. Confirm the cheapest with more seeds (which
//     can only lower its q; the loop then runs again) and simulate its whole fleet at the target
//     rate behind the scenario's router, raising N until the SLO holds. On exit no plan left
//     unverified is cheaper than the chosen one by its closed form or its bound (the fleet check
//     can still raise the chosen plan's N afterwards; the report shows both).
// Every plan then gets its spares for failures (fleet/availability.h) and error bars (search/
// error_bands.h). Work runs on `threads` threads; results are placed by index, so the output does
// not depend on the thread count or timing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/fleet/availability.h"
#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/fleet/prices.h"
#include "fleetsizer/plan/evaluate.h"
#include "fleetsizer/plan/replica_plan.h"
#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/progress.h"
#include "fleetsizer/search/error_bands.h"
#include "fleetsizer/search/space.h"

namespace fleetsizer {

// The closed-form q of a screened spec to 0.1%: enough to rank plans whose fleets differ by whole
// replicas, and ~5x cheaper than the 1e-6 one spec is sized to.
inline constexpr double kSearchAnalyticTolerance = 1e-3;

inline constexpr int kMaxThreads = 256;

struct SearchOptions {
  QSearchOptions q;
  int verify_top = 20;       // plans simulated (the cheapest by analytic cost)
  double prune_ratio = 1.5;  // analytic evaluation stops beyond this x the verify_top-th cost
  int threads = 0;           // 0: every hardware thread
  bool simulate_fleet = true;
  bool availability = true;  // add spares for failures (N + k) from `failures`
  AvailabilitySpec failures;
  std::optional<double> budget_usd_per_hour;  // plans above it are marked over budget
  PriceBook prices;                           // $/GPU-hour per GPU (catalog_prices by default)
  double reserved_discount = kIllustrativeReservedDiscount;
  ErrorBands bands;
  // The plans simulated so far (from the worker threads), of the batch being simulated.
  ProgressFn progress;
};

enum class PlanStatus {
  chosen,        // the cheapest verified plan
  feasible,      // meets the SLO, dearer than the chosen one
  over_budget,   // meets the SLO, above the budget cap
  misses_slo,    // no rate meets the SLO (binding says which target)
  does_not_fit,  // weights + KV do not fit the layout
  bounded_out,   // never evaluated: its cost lower bound exceeds prune_ratio x the verify_top-th
  no_price,      // no price for its GPU
};
std::string_view plan_status_name(PlanStatus s);

enum class QSource { bound, analytic, simulation };
std::string_view q_source_name(QSource s);

// A latency target that no load can meet: its lower bound (a lone request) already misses.
struct LatencyFloor {
  SloTarget target;
  double floor_ms = 0;
};

// Step 2 of the method for one spec: the q upper bound and a latency floor that misses a target.
struct Screen {
  double q_bound = INFINITY;  // infinite when osl < 2 (no decode to bound)
  std::optional<LatencyFloor> floor;
};
Screen screen_spec(const StepTimeModel& model, const Workload& workload,
                   const std::vector<SloTarget>& slo, std::int64_t running_cap);

struct PlanEvaluation {
  ReplicaSpec spec;
  Footprint footprint;
  double usd_per_gpu_hour = 0;
  std::string price_source;
  bool illustrative_price = true;
  // The screen.
  double q_bound_rps = 0;               // upper bound on q (infinite when osl < 2)
  double usd_per_hour_lower_bound = 0;  // the fleet at q_bound
  std::optional<LatencyFloor> latency_floor;
  // The closed form and, for the verified plans, the simulator.
  bool evaluated = false;
  ReplicaEvaluation evaluation;  // evaluate_analytic, then simulate_q / confirm_q
  QSource q_source = QSource::bound;
  double q_rps = 0;          // what the fleet is sized on (simulated when verified, else analytic)
  FleetPlan analytic_fleet;  // N on the analytic q
  FleetPlan fleet;           // N on q_rps, with spares and (chosen plan) the fleet check
  std::int64_t spares = 0;   // max(the scenario's redundancy, availability_spares)
  std::int64_t availability_spares = 0;  // for failures at the target availability
  double replica_down_probability = 0;
  // Error bars: N when the real q is the band's median (p50) or its 5th percentile (p95) of
  // measured / predicted throughput.
  BandChoice band;
  std::int64_t replicas_p50 = 0, replicas_p95 = 0;
  double usd_per_hour_p50 = 0, usd_per_hour_p95 = 0;
  // The Pareto axes at the plan's operating point (closed form at q_analytic).
  double output_tok_s_per_gpu = 0;
  double output_tok_s_per_user = 0;  // 1000 / mean TPOT
  PlanStatus status = PlanStatus::bounded_out;
  // misses_slo: how far the closest failing target is off (value / target), for ranking.
  double miss_ratio = 0;
  double dearer_pct = 0;  // over the chosen plan's $/hour (feasible and over_budget plans)
  bool verified() const { return q_source == QSource::simulation; }
};

struct SearchCounts {
  std::int64_t examined = 0;
  std::int64_t pruned_by_memory = 0;
  std::int64_t screened = 0;  // specs that got the bound
  std::int64_t ruled_out_by_floor = 0;
  std::int64_t analytic = 0;  // closed-form evaluations
  std::int64_t bounded_out = 0;
  std::int64_t simulated = 0;
};

struct SearchResult {
  // Every spec that fits or was ruled out with a reason, ranked: verified plans by $/hour, then
  // the other feasible ones by analytic $/hour, then the infeasible ones.
  std::vector<PlanEvaluation> plans;
  int chosen = -1;          // index into plans (0 when any plan is feasible); -1 when none is
  std::vector<int> pareto;  // indices into plans on the frontier, by tok/s per user
  std::optional<FleetVerification> verification;  // the chosen plan's fleet check
  std::string fleet_check_skipped;
  SearchCounts counts;
  const PlanEvaluation* best() const {
    return chosen >= 0 ? &plans[static_cast<std::size_t>(chosen)] : nullptr;
  }
};

// The fleet of `spec` at q (one replica's req/s) for the scenario's target, packing and billing,
// at `usd_per_gpu_hour`, with `spares` spare replicas.
Result<FleetPlan> fleet_for(const Scenario& s, const ReplicaSpec& spec, double q,
                            double usd_per_gpu_hour, std::int64_t spares,
                            std::int64_t simulated_replicas = 0);

// The fleet of `spec` at q with its spares for failures (when options.availability), as every
// plan is priced: the spares depend on the serving count, so the fleet is sized twice.
struct PricedFleet {
  FleetPlan fleet;
  std::int64_t spares = 0;  // max(scenario redundancy, availability_spares)
  std::int64_t availability_spares = 0;
  double replica_down_probability = 0;
};
Result<PricedFleet> priced_fleet(const Scenario& s, const SearchOptions& o, const ReplicaSpec& spec,
                                 double q, double usd_per_gpu_hour,
                                 std::int64_t simulated_replicas = 0);

// Between two plans of equal cost, the one the search prefers: the fewest GPUs in use, then the
// highest q per GPU (the chosen plan and the ranking both break ties this way).
bool tie_breaks_before(const PlanEvaluation& a, const PlanEvaluation& b);

Result<SearchResult> search_plans(const Scenario& s, const SearchSpace& space,
                                  const SearchOptions& options);

// Indices of the points not dominated in both coordinates (larger is better in each), sorted by
// x ascending. Ties keep the first index.
std::vector<int> pareto_frontier(const std::vector<std::pair<double, double>>& points);

}  // namespace fleetsizer
