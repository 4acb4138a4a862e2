#include "fleetsizer/plan/replica_plan.h"

#include <algorithm>
#include <cmath>

#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"

namespace fleetsizer {
namespace {

constexpr double kPruneRatio = 1.5;

}  // namespace

ReplicaSpec spec_at(const Scenario& s, int tp, int pp) {
  ReplicaSpec spec = s.replica;
  spec.tp = tp;
  spec.pp = pp;
  return spec;
}

Result<ReplicaPlan> plan_replica(const Scenario& s, const QSearchOptions& options,
                                 const FleetCost& cost) {
  ReplicaPlan plan;
  const ReplicaSpec& r = s.replica;
  const EfficiencyChoice choice = choose_efficiency(s.profile, r.gpu.name, r.engine);
  plan.efficiency = choice.efficiency;
  plan.efficiency_from_profile = choice.from_profile;
  if (s.tp) {
    plan.fit.footprint = footprint_at(spec_at(s, *s.tp, 1), s.context_tokens);
    plan.fit.fits = plan.fit.footprint.fits;
    plan.fit.layouts = {plan.fit.footprint};
    if (!plan.fit.fits)
      plan.fit.reason =
          "does not fit at TP " + std::to_string(*s.tp) + ": " + plan.fit.footprint.bottleneck;
  } else {
    plan.fit = find_fit(r, s.context_tokens, s.fit_bounds);
  }
  if (!plan.fit.fits) return plan;
  const Footprint& smallest = plan.fit.footprint;
  std::vector<ReplicaSpec> specs;
  if (s.tp || smallest.pp > 1) {
    specs.push_back(spec_at(s, smallest.tp, smallest.pp));
  } else {
    for (int tp = smallest.tp; tp <= s.fit_bounds.max_tp; tp *= 2)
      if (valid_tensor_parallel(r.model, tp)) specs.push_back(spec_at(s, tp, 1));
  }
  // Layouts compare by the fleet's $/hour (when a cost is given), then by GPUs per req/s.
  auto score = [&](LayoutEvaluation& le) {
    const bool ok = le.evaluation.feasible && le.evaluation.q_rps > 0;
    le.gpus_per_rps = ok ? static_cast<double>(le.spec.gpus()) / le.evaluation.q_rps : INFINITY;
    le.usd_per_hour = ok ? (cost ? cost(le.spec, le.evaluation.q_rps) : 0.0) : INFINITY;
  };
  auto better = [](const LayoutEvaluation& a, const LayoutEvaluation& b) {
    if (a.usd_per_hour < b.usd_per_hour * (1 - 1e-12)) return true;
    if (a.usd_per_hour > b.usd_per_hour * (1 + 1e-12)) return false;
    return a.gpus_per_rps < b.gpus_per_rps * (1 - 1e-9);
  };
  auto choose = [&] {
    plan.chosen = -1;
    for (std::size_t j = 0; j < plan.layouts.size(); ++j) {
      const LayoutEvaluation& l = plan.layouts[j];
      if (!std::isfinite(l.gpus_per_rps)) continue;
      if (plan.chosen < 0 || better(l, plan.layouts[static_cast<std::size_t>(plan.chosen)]))
        plan.chosen = static_cast<int>(j);
    }
  };
  // Every layout is bisected with the search's seed; only the chosen one is confirmed with the
  // other seeds (the choice compares layouts on common random numbers).
  QSearchOptions single = options;
  single.confirm_seeds = 0;
  single.requests = std::min(options.search_requests, options.requests);
  // The analytic estimate of every layout first: one whose closed-form GPUs per req/s is more
  // than kPruneRatio times the best one's is not simulated (the simulated and analytic q of one
  // layout differ by far less; the layouts table says which were skipped).
  std::vector<ReplicaEvaluation> analytic;
  double best_analytic = INFINITY;
  for (const auto& spec : specs) {
    const RooflineModel model(spec, plan.efficiency);
    auto ev = evaluate_analytic(spec, model, s.workload, s.slo, s.context_tokens, single);
    if (!ev) return fail(ev.error().message);
    if (ev->analytic_feasible && ev->q_analytic_rps > 0)
      best_analytic =
          std::min(best_analytic, static_cast<double>(spec.gpus()) / ev->q_analytic_rps);
    analytic.push_back(std::move(*ev));
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const ReplicaSpec& spec = specs[i];
    const RooflineModel model(spec, plan.efficiency);
    const ReplicaEvaluation& a = analytic[i];
    const bool prune =
        std::isfinite(best_analytic) && a.analytic_feasible &&
        static_cast<double>(spec.gpus()) / a.q_analytic_rps > kPruneRatio * best_analytic;
    auto ev =
        prune ? Result<ReplicaEvaluation>(a) : simulate_q(a, model, s.workload, s.slo, single);
    if (!ev) return fail(ev.error().message);
    LayoutEvaluation le{spec, std::move(*ev), INFINITY, INFINITY};
    score(le);
    plan.layouts.push_back(std::move(le));
  }
  choose();
  // Confirm the chosen layout's q with the other seeds; confirmation can only lower a q, so when
  // another layout now beats it, that one is confirmed in turn. The layout finally chosen is
  // confirmed and no other (confirmed or not) has fewer GPUs per req/s.
  std::vector<char> confirmed(plan.layouts.size(), 0);
  while (plan.chosen >= 0 && options.confirm_seeds > 0 &&
         !confirmed[static_cast<std::size_t>(plan.chosen)]) {
    const auto i = static_cast<std::size_t>(plan.chosen);
    LayoutEvaluation& chosen = plan.layouts[i];
    const RooflineModel model(chosen.spec, plan.efficiency);
    auto c = confirm_q(chosen.evaluation, model, s.workload, s.slo, options);
    if (!c) return fail(c.error().message);
    chosen.evaluation = std::move(*c);
    confirmed[i] = 1;
    score(chosen);
    choose();
  }
  return plan;
}

Result<FleetVerification> verify_fleet(const StepTimeModel& model, const ReplicaOptions& replica,
                                       const Workload& workload, const std::vector<SloTarget>& slo,
                                       RouterPolicy router, double rate, int start,
                                       const QSearchOptions& options, int max_extra) {
  FleetVerification v;
  v.start_replicas = std::max(1, start);
  for (int n = v.start_replicas; n <= v.start_replicas + max_extra; ++n) {
    // At least 200 requests per replica, so that each one reaches its steady state.
    QSearchOptions run = options;
    run.requests = std::max<std::int64_t>(options.requests, 200 * static_cast<std::int64_t>(n));
    auto res = simulate_workload(model, replica, workload, slo, rate, n, router, run);
    if (!res) return fail(res.error().message);
    const std::vector<TargetCheck> checks = check_targets(*res, slo);
    const bool meets = std::ranges::all_of(checks, [](const TargetCheck& ch) { return ch.holds; });
    FleetTrial t{n, meets, checks, res->diverged, res->throughput_rps()};
    v.trials.push_back(t);
    v.rejected = std::max(v.rejected, res->rejected);
    if (t.meets) {
      v.met = true;
      v.replicas = n;
      return v;
    }
  }
  v.replicas = v.start_replicas + max_extra;
  return v;
}

}  // namespace fleetsizer
