#include "fleetsizer/plan/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ranges>

#include "fleetsizer/slo/model_search.h"

namespace fleetsizer {
namespace {

// The target furthest over its threshold (value / threshold), if any fails.
std::optional<SloTarget> worst_failing(const std::vector<TargetCheck>& checks) {
  std::optional<SloTarget> worst;
  double ratio = 0;
  for (const auto& c : checks) {
    if (c.holds) continue;
    const double r = c.value_ms / c.target.ms;
    if (!worst || r > ratio) {
      worst = c.target;
      ratio = r;
    }
  }
  return worst;
}

// The largest value / threshold over the targets (above 1: a target fails); infinite when the
// run diverged or rejected requests.
double worst_ratio(const RateTrial& t) {
  double r = 0;
  for (const auto& c : t.checks) r = std::max(r, c.value_ms / c.target.ms);
  return t.diverged ? INFINITY : r;
}

// The binding constraint from the run that stopped q: the target closest to (or furthest over)
// its threshold there (a confirming run may have missed only by the margin), or the replica's
// capacity when that run diverged.
void bind_above_q(ReplicaEvaluation& ev) {
  ev.binding_target.reset();
  double worst = 0;
  if (ev.above_q && !ev.above_q->diverged)
    for (const auto& ch : ev.above_q->checks)
      if (!ev.binding_target || ch.value_ms / ch.target.ms > worst) {
        ev.binding_target = ch.target;
        worst = ch.value_ms / ch.target.ms;
      }
  ev.binding = ev.binding_target ? Binding::slo_target : Binding::capacity;
}

}  // namespace

std::string_view binding_name(Binding b) {
  switch (b) {
    case Binding::none:
      return "none";
    case Binding::slo_target:
      return "slo_target";
    case Binding::capacity:
      return "capacity";
    case Binding::no_rate:
      return "no_rate";
    case Binding::does_not_fit:
      return "does_not_fit";
  }
  return "none";
}

Result<SimResult> simulate_workload(const StepTimeModel& model, const ReplicaOptions& replica,
                                    const Workload& workload, const std::vector<SloTarget>& slo,
                                    double rate, int replicas, RouterPolicy router,
                                    const QSearchOptions& options) {
  auto source = make_source(workload, rate, options.requests, options.seed);
  if (!source) return fail(source.error().message);
  SimOptions o;
  o.replicas = replicas;
  o.replica = replica;
  o.replica.prefix_hit_rate = workload.prefix_hit_rate;
  o.router = router;
  o.seed = options.seed;
  o.slo = slo;
  // A queue of a tenth of the run means the fleet cannot keep up: stop early, it fails anyway.
  o.max_waiting = std::max<std::int64_t>(100, options.requests / 10);
  return simulate(model, **source, o);
}

Result<RateTrial> simulate_rate(const StepTimeModel& model, const ReplicaOptions& replica,
                                const Workload& workload, const std::vector<SloTarget>& slo,
                                double rate, const QSearchOptions& options) {
  auto r = simulate_workload(model, replica, workload, slo, rate, 1,
                             RouterPolicy::least_outstanding, options);
  if (!r) return fail(r.error().message);
  RateTrial t;
  t.rate_rps = rate;
  t.seed = options.seed;
  t.requests = r->requests;
  t.rejected = r->rejected;
  t.diverged = r->diverged;
  t.checks = check_targets(*r, slo);
  // A request no replica can hold (rejected) is the workload's problem, not this rate's: it is
  // counted and reported, and the served requests decide.
  t.meets = std::ranges::all_of(t.checks, [](const TargetCheck& ch) { return ch.holds; });
  t.output_tok_s = r->output_tok_s();
  t.mean_running = r->mean_in_system;
  t.utilization = r->utilization;
  return t;
}

Result<ReplicaEvaluation> evaluate_analytic(const ReplicaSpec& spec, const StepTimeModel& model,
                                            const Workload& workload,
                                            const std::vector<SloTarget>& slo,
                                            std::int64_t context_tokens,
                                            const QSearchOptions& options,
                                            double rate_upper_bound) {
  if (slo.empty())
    return fail("the q search needs at least one SLO target (--slo ttft:p99=2000 ...)");
  if (options.requests < kMinRequests)
    return fail(
        fmt::format("the q search needs at least {} requests per run (a p99 over fewer "
                    "rests on fewer than 10 samples), got {}",
                    kMinRequests, options.requests));
  // TPOT and ITL are the gaps between output tokens: a request of one output token has none.
  for (const auto& t : slo)
    if ((t.metric == Metric::tpot || t.metric == Metric::itl) && workload.osl() < 2)
      return fail(fmt::format("{}: {} is undefined for requests of one output token (osl {})",
                              format_slo(t), metric_name(t.metric), workload.osl()));
  ReplicaEvaluation ev;
  ev.options = options;
  ev.footprint = footprint_at(spec, context_tokens);
  const Lengths lengths{workload.isl(), workload.osl()};
  const std::int64_t cap =
      footprint_at(spec, static_cast<std::int64_t>(std::ceil(lengths.isl + lengths.osl)))
          .max_running;
  ev.running_cap = cap;
  ev.fits = ev.footprint.fits && cap >= 1;
  if (!ev.fits) {
    ev.binding = ev.analytic_binding = Binding::does_not_fit;
    return ev;
  }

  // 2. The analytic estimate.
  const double tol = options.analytic_rel_tolerance;
  const bool coarse = tol != kRateRelTolerance;
  if (!(coarse && rate_upper_bound > 0 && std::isfinite(rate_upper_bound)))
    ev.capacity_rps = max_stable_rate(model, lengths, cap, coarse ? tol / 10 : 0);
  const ModelSearchResult analytic = largest_rate_meeting(
      model, lengths, slo, cap, tol, ev.capacity_rps > 0 ? ev.capacity_rps : rate_upper_bound);
  ev.analytic_feasible = analytic.feasible;
  ev.q_analytic_rps = analytic.feasible ? analytic.value : 0;
  ev.analytic = analytic.state;
  if (!analytic.feasible) {
    ev.analytic_binding = Binding::no_rate;
    ev.analytic_binding_target = worst_failing(analytic.checks);
  } else if (analytic.binding_target) {
    ev.analytic_binding = Binding::slo_target;
    ev.analytic_binding_target = analytic.binding_target;
  } else {
    ev.analytic_binding = Binding::capacity;
  }

  ev.replica = replica_options(spec, ev.footprint);
  return ev;
}

Result<ReplicaEvaluation> evaluate_replica(const ReplicaSpec& spec, const StepTimeModel& model,
                                           const Workload& workload,
                                           const std::vector<SloTarget>& slo,
                                           std::int64_t context_tokens,
                                           const QSearchOptions& options) {
  auto analytic = evaluate_analytic(spec, model, workload, slo, context_tokens, options);
  if (!analytic) return analytic;
  return simulate_q(std::move(*analytic), model, workload, slo, options);
}

namespace {
// The q search does not know in advance how many rates it will try (the bracket's width decides),
// so its progress is a count with no ETA.
void report_rates_tried(const ReplicaEvaluation& ev, const QSearchOptions& options) {
  if (options.progress)
    options.progress({"searching the SLO-limited rate",
                      static_cast<double>(ev.trials.size() + ev.confirmations.size()), 0,
                      "rates simulated"});
}
}  // namespace

Result<ReplicaEvaluation> simulate_q(ReplicaEvaluation ev, const StepTimeModel& model,
                                     const Workload& workload, const std::vector<SloTarget>& slo,
                                     const QSearchOptions& options) {
  if (!ev.fits) return ev;
  ev.simulated = true;
  const Lengths lengths{workload.isl(), workload.osl()};
  const std::int64_t cap = ev.running_cap;
  // 3. The simulated q: bracket around the analytic estimate, then bisect.
  const ReplicaOptions replica = ev.replica;
  // The bracket and bisection run shorter simulations; confirm_q runs the full size.
  QSearchOptions search = options;
  if (options.confirm_seeds > 0)
    search.requests = std::min(options.search_requests, options.requests);
  auto trial = [&](double rate) -> Result<RateTrial> {
    auto t = simulate_rate(model, replica, workload, slo, rate, search);
    if (t) ev.trials.push_back(*t);
    report_rates_tried(ev, options);
    return t;
  };
  // The capacity is needed only to start from when the closed form found no rate.
  double start = ev.q_analytic_rps;
  if (!(start > 0))
    start = 0.5 * (ev.capacity_rps > 0 ? ev.capacity_rps : max_stable_rate(model, lengths, cap));
  if (!(start > 0) || !std::isfinite(start)) start = 1.0;
  double lo = 0, hi = 0;
  std::optional<RateTrial> lo_trial, hi_trial;
  auto first = trial(start);
  if (!first) return fail(first.error().message);
  if (first->meets) {
    lo = start;
    lo_trial = *first;
    for (int i = 0; i < 40; ++i) {
      const double r = lo * 1.25;
      auto t = trial(r);
      if (!t) return fail(t.error().message);
      if (!t->meets) {
        hi = r;
        hi_trial = *t;
        break;
      }
      lo = r;
      lo_trial = *t;
    }
  } else {
    hi = start;
    hi_trial = *first;
    // A trickle: 1e-3 of the start rate leaves requests essentially alone in the replica.
    const double floor_rate = start * 1e-3;
    while (true) {
      const double r = std::max(hi * 0.8, floor_rate);
      auto t = trial(r);
      if (!t) return fail(t.error().message);
      if (t->meets) {
        lo = r;
        lo_trial = *t;
        break;
      }
      hi = r;
      hi_trial = *t;
      if (r <= floor_rate) break;
    }
  }
  if (!lo_trial) {
    ev.binding = Binding::no_rate;
    ev.binding_target = worst_failing(hi_trial->checks);
    ev.at_q = *hi_trial;
    return ev;
  }
  if (!hi_trial) {  // meets at 1.25^40 x the start: the SLO does not limit in any useful range
    ev.feasible = true;
    ev.q_rps = lo;
    ev.at_q = *lo_trial;
    ev.binding = Binding::capacity;
    return ev;
  }
  // Safeguarded regula falsi on the worst value/target ratio (smooth in the rate while the run
  // does not diverge): the next rate interpolates where the ratio crosses 1, kept at least a
  // quarter of the bracket from either end so the bracket always shrinks; bisection when a side
  // diverged.
  // At most kMaxBisectionProbes rates: each shrinks the bracket by a quarter or more, so 64 reach a
  // width of 1e-8 of it, below any tolerance the flags accept; the cap keeps a tolerance at the
  // limit of floating point from probing for ever.
  for (int probe = 0; probe < kMaxBisectionProbes && (hi - lo) > options.rel_tolerance * lo;
       ++probe) {
    double mid = (lo + hi) / 2;
    const double r_lo = worst_ratio(*lo_trial), r_hi = worst_ratio(*hi_trial);
    if (std::isfinite(r_lo) && std::isfinite(r_hi) && r_hi > r_lo) {
      const double guess = lo + (hi - lo) * (1 - r_lo) / (r_hi - r_lo);
      mid = std::clamp(guess, lo + 0.25 * (hi - lo), hi - 0.25 * (hi - lo));
    }
    auto t = trial(mid);
    if (!t) return fail(t.error().message);
    if (t->meets) {
      lo = mid;
      lo_trial = *t;
    } else {
      hi = mid;
      hi_trial = *t;
    }
  }
  ev.feasible = true;
  ev.q_rps = lo;
  ev.at_q = *lo_trial;
  ev.above_q = *hi_trial;
  bind_above_q(ev);
  if (options.confirm_seeds > 0) return confirm_q(ev, model, workload, slo, options);
  return ev;
}

Result<ReplicaEvaluation> confirm_q(ReplicaEvaluation ev, const StepTimeModel& model,
                                    const Workload& workload, const std::vector<SloTarget>& slo,
                                    const QSearchOptions& options) {
  if (!ev.feasible) return ev;
  const ReplicaOptions replica = ev.replica;
  double lo = ev.q_rps;
  std::optional<RateTrial> lo_trial = ev.at_q, hi_trial = ev.above_q;
  // Confirm q with other seeds; step down while one of them (or the search's own) misses.
  // Every run here has the full number of requests; the search's own seed first.
  for (int step = 0; step < 50; ++step) {
    bool all = true;
    for (int k = 0; k <= options.confirm_seeds && all; ++k) {
      QSearchOptions other = options;
      other.seed = options.seed + static_cast<std::uint64_t>(k);
      auto t = simulate_rate(model, replica, workload, slo, lo, other);
      if (!t) return fail(t.error().message);
      if (k == 0) lo_trial = *t;
      ev.confirmations.push_back(*t);
      report_rates_tried(ev, options);
      if (!t->meets || worst_ratio(*t) > 1 - options.confirm_margin) {
        all = false;
        hi_trial = *t;
      }
    }
    if (all) break;
    // Tail latencies grow at least in proportion to the rate near q (faster toward saturation),
    // so half the excess is a step that rarely overshoots; the loop repeats if it is too short.
    const double over = worst_ratio(*hi_trial) - (1 - options.confirm_margin);
    lo *= 1 - std::clamp(std::isfinite(over) ? over / 2 : 0.1, options.rel_tolerance, 0.1);
  }
  ev.feasible = lo_trial->meets;
  ev.q_rps = lo;
  ev.at_q = *lo_trial;
  if (hi_trial) ev.above_q = *hi_trial;
  bind_above_q(ev);
  return ev;
}

}  // namespace fleetsizer
