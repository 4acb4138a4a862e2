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

Result<ReplicaEvaluation> evaluate_replica(const ReplicaSpec& spec, const StepTimeModel& model,
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

  // 3. The simulated q: bracket around the analytic estimate, then bisect.
  const ReplicaOptions replica = replica_options(spec, ev.footprint);
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
  return ev;
}

}  // namespace fleetsizer
