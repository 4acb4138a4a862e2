#include "fleetsizer/plan/evaluate.h"

#include <algorithm>
#include <cmath>

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

Result<RateTrial> simulate_rate(const StepTimeModel& model, const ReplicaOptions& replica,
                                const Workload& workload, const std::vector<SloTarget>& slo,
                                double rate, const QSearchOptions& options) {
  auto source = make_source(workload, rate, options.requests, options.seed);
  if (!source) return fail(source.error().message);
  SimOptions o;
  o.replicas = 1;
  o.replica = replica;
  o.replica.prefix_hit_rate = workload.prefix_hit_rate;
  o.seed = options.seed;
  o.slo = slo;
  // A queue of a tenth of the run means the replica cannot keep up: stop early, it fails anyway.
  o.max_waiting = std::max<std::int64_t>(100, options.requests / 10);
  auto r = simulate(model, **source, o);
  if (!r) return fail(r.error().message);
  RateTrial t;
  t.rate_rps = rate;
  t.requests = r->requests;
  t.diverged = r->diverged;
  t.checks = check_targets(*r, slo);
  t.meets = run_meets_slo(*r, slo);
  t.output_tok_s = r->output_tok_s();
  t.mean_running = r->mean_in_system;
  t.utilization = r->utilization;
  return t;
}

Result<ReplicaEvaluation> evaluate_analytic(const ReplicaSpec& spec, const StepTimeModel& model,
                                            const Workload& workload,
                                            const std::vector<SloTarget>& slo,
                                            std::int64_t context_tokens,
                                            const QSearchOptions& options) {
  if (slo.empty())
    return fail("the q search needs at least one SLO target (--slo ttft:p99=2000 ...)");
  if (options.requests < 100) return fail("the q search needs at least 100 requests per run");
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
  const ModelSearchResult analytic = largest_rate_meeting(model, lengths, slo, cap);
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

Result<ReplicaEvaluation> simulate_q(ReplicaEvaluation ev, const StepTimeModel& model,
                                     const Workload& workload, const std::vector<SloTarget>& slo,
                                     const QSearchOptions& options) {
  if (!ev.fits) return ev;
  ev.simulated = true;
  const Lengths lengths{workload.isl(), workload.osl()};
  const std::int64_t cap = ev.running_cap;
  // 3. The simulated q: bracket around the analytic estimate, then bisect.
  const ReplicaOptions replica = ev.replica;
  auto trial = [&](double rate) -> Result<RateTrial> {
    auto t = simulate_rate(model, replica, workload, slo, rate, options);
    if (t) ev.trials.push_back(*t);
    return t;
  };
  const double capacity = max_stable_rate(model, lengths, cap);
  double start = ev.q_analytic_rps > 0 ? ev.q_analytic_rps : 0.5 * capacity;
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
  while ((hi - lo) > options.rel_tolerance * lo) {
    const double mid = (lo + hi) / 2;
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
  ev.binding_target = worst_failing(hi_trial->checks);
  ev.binding = hi_trial->diverged || !ev.binding_target ? Binding::capacity : Binding::slo_target;
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
  for (int step = 0; step < 50; ++step) {
    bool all = lo_trial->meets;
    for (int k = 1; k <= options.confirm_seeds && all; ++k) {
      QSearchOptions other = options;
      other.seed = options.seed + static_cast<std::uint64_t>(k);
      auto t = simulate_rate(model, replica, workload, slo, lo, other);
      if (!t) return fail(t.error().message);
      ev.confirmations.push_back(*t);
      if (!t->meets) {
        all = false;
        hi_trial = *t;
      }
    }
    if (all) break;
    // Latency percentiles grow about in proportion to the rate near q (and faster beyond it):
    // step down by how far the failing run is over its target, at least the tolerance.
    double over = 0;
    for (const auto& ch : hi_trial->checks)
      if (!ch.holds && std::isfinite(ch.value_ms))
        over = std::max(over, ch.value_ms / ch.target.ms - 1);
    lo *= 1 - std::clamp(over, options.rel_tolerance, 0.2);
    auto t = simulate_rate(model, replica, workload, slo, lo, options);
    if (t) ev.trials.push_back(*t);
    if (!t) return fail(t.error().message);
    lo_trial = *t;
    if (!t->meets) hi_trial = *t;
  }
  ev.feasible = lo_trial->meets;
  ev.q_rps = lo;
  ev.at_q = *lo_trial;
  if (hi_trial) ev.above_q = *hi_trial;
  const std::optional<SloTarget> worst =
      ev.above_q ? worst_failing(ev.above_q->checks) : std::nullopt;
  ev.binding_target = worst;
  ev.binding =
      (ev.above_q && ev.above_q->diverged) || !worst ? Binding::capacity : Binding::slo_target;
  return ev;
}

}  // namespace fleetsizer
