// Plan search: pruning against exhaustive evaluation, the bound, ranking, determinism,
// infeasibility and the Pareto frontier.
#include "fleetsizer/search/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"

namespace fleetsizer {
namespace {

// A small space: two GPUs, two weight dtypes, bf16 KV, TP 1-8, two batch caps (a few dozen specs).
struct Small {
  Catalog catalog = builtin_catalog();
  Scenario s = default_scenario(catalog);
  SearchSpace space;
  SearchOptions o;
  Small() {
    s.replica.model = *catalog.model("llama-3.1-8b");
    s.target_qps = 40;
    space.gpus = {*catalog.gpu("h100-sxm"), *catalog.gpu("l40s")};
    space.weights_dtypes = {Dtype::bf16, Dtype::fp8};
    space.kv_dtypes = {Dtype::bf16};
    space.max_num_seqs = {64, 256};
    o.prices = catalog_prices(catalog.gpus);
    o.verify_top = 3;
    o.prune_ratio = 1.0;
    o.q.requests = 1000;
    o.q.search_requests = 1000;
    o.q.confirm_seeds = 0;
    o.simulate_fleet = false;
    o.threads = 2;
  }
};

TEST(Search, PruningNeverDropsOneOfTheCheapestAnalyticPlans) {
  Small t;
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GT(r->counts.bounded_out, 0) << "the bound pruned nothing: the test checks nothing";
  // Exhaustive: every fitting spec's closed-form fleet cost.
  const Enumeration e =
      enumerate_space(t.s.replica, t.space, t.s.context_tokens, t.s.gpus_per_host, t.s.fit_bounds);
  std::vector<double> costs;
  QSearchOptions q = t.o.q;
  q.analytic_rel_tolerance = kSearchAnalyticTolerance;
  for (const ReplicaSpec& spec : e.specs) {
    const RooflineModel model(spec, efficiency_for(t.s.profile, spec.gpu.name, spec.engine));
    auto ev = evaluate_analytic(spec, model, t.s.workload, t.s.slo, t.s.context_tokens, q);
    ASSERT_TRUE(ev);
    if (!ev->fits || !ev->analytic_feasible) continue;
    auto f = priced_fleet(t.s, t.o, spec, ev->q_analytic_rps,
                          t.o.prices.find(spec.gpu.name)->usd_per_gpu_hour);
    ASSERT_TRUE(f);
    costs.push_back(f->fleet.usd_per_hour);
  }
  std::ranges::sort(costs);
  ASSERT_GE(costs.size(), 3u);
  // The search evaluated (closed form) every plan as cheap as the 3rd cheapest.
  std::vector<double> found;
  for (const PlanEvaluation& p : r->plans)
    if (p.evaluated && p.evaluation.analytic_feasible)
      found.push_back(p.analytic_fleet.usd_per_hour);
  std::ranges::sort(found);
  ASSERT_GE(found.size(), 3u);
  for (int i = 0; i < 3; ++i)
    EXPECT_DOUBLE_EQ(found[static_cast<std::size_t>(i)], costs[static_cast<std::size_t>(i)]);
  // Every bounded-out plan's cost bound is above the 3rd cheapest cost.
  for (const PlanEvaluation& p : r->plans)
    if (p.status == PlanStatus::bounded_out) {
      EXPECT_GT(p.usd_per_hour_lower_bound, costs[2]);
    }
}

// The closed-form stage goes as far as its stated threshold: every plan whose cost bound is
// within prune_ratio x the verify_top-th cheapest closed-form cost is evaluated, not left out.
TEST(Search, TheClosedFormCoversEveryPlanWithinThePruneRatio) {
  Small t;
  t.o.prune_ratio = 1.5;
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r) << r.error().message;
  std::vector<double> costs;
  for (const PlanEvaluation& p : r->plans)
    if (p.evaluated && p.evaluation.analytic_feasible)
      costs.push_back(p.analytic_fleet.usd_per_hour);
  std::ranges::sort(costs);
  ASSERT_GE(costs.size(), 3u);
  const double threshold = 1.5 * costs[2];
  int near = 0;
  for (const PlanEvaluation& p : r->plans) {
    if (p.usd_per_hour_lower_bound <= threshold) {
      EXPECT_NE(p.status, PlanStatus::bounded_out) << p.usd_per_hour_lower_bound;
      ++near;
    }
  }
  EXPECT_GT(near, 3) << "no plan between the cheapest and the threshold: the test checks nothing";
}

// Plans of equal cost (whole hosts are billed, so many layouts cost one host) go to the one using
// the fewest GPUs.
TEST(Search, EqualCostGoesToTheFewestGpus) {
  Small t;
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r) << r.error().message;
  const PlanEvaluation* chosen = r->best();
  ASSERT_NE(chosen, nullptr);
  int ties = 0;
  for (const PlanEvaluation& p : r->plans) {
    if (&p == chosen || !p.verified() || !(p.q_rps > 0)) continue;
    if (p.fleet.usd_per_hour != chosen->fleet.usd_per_hour) continue;
    ++ties;
    EXPECT_GE(p.fleet.gpus, chosen->fleet.gpus);
  }
  EXPECT_GT(ties, 0) << "no plan ties with the chosen one: the test checks nothing";
}

// The tie-break itself, on plans built to tie: equal cost, 8 GPUs against 16 (whole-host
// billing makes such ties real: two TP4 replicas and one TP8 on a host of 8 cost the same), then
// equal GPUs with unequal q per GPU.
TEST(Search, TiesGoToTheFewestGpusThenTheHighestQPerGpu) {
  PlanEvaluation few, many;
  few.fleet.usd_per_hour = many.fleet.usd_per_hour = 40;
  few.fleet.gpus = 8;
  many.fleet.gpus = 16;
  few.spec.tp = 4;
  many.spec.tp = 8;
  few.q_rps = 10;   // 2.5 req/s per GPU of a replica
  many.q_rps = 40;  // 5 req/s per GPU: the better replica, yet more GPUs in use
  EXPECT_TRUE(tie_breaks_before(few, many));
  EXPECT_FALSE(tie_breaks_before(many, few));
  many.fleet.gpus = 8;  // equal GPUs: the higher q per GPU goes first
  EXPECT_TRUE(tie_breaks_before(many, few));
  EXPECT_FALSE(tie_breaks_before(few, many));
  EXPECT_FALSE(tie_breaks_before(few, few));
}

TEST(Search, TheBoundIsAnUpperBoundOnQ) {
  Small t;
  t.o.prune_ratio = 1e9;  // evaluate everything
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r);
  int checked = 0;
  for (const PlanEvaluation& p : r->plans)
    if (p.evaluated && p.evaluation.analytic_feasible) {
      EXPECT_LE(p.evaluation.q_analytic_rps, p.q_bound_rps * (1 + 1e-9)) << p.spec.gpu.name;
      EXPECT_LE(p.usd_per_hour_lower_bound, p.analytic_fleet.usd_per_hour + 1e-9);
      ++checked;
    }
  EXPECT_GT(checked, 5);
}

TEST(Search, RankedByCostAndDeterministic) {
  Small t;
  auto a = search_plans(t.s, t.space, t.o);
  t.o.threads = 1;
  auto b = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->plans.size(), b->plans.size());
  for (std::size_t i = 0; i < a->plans.size(); ++i) {
    EXPECT_EQ(a->plans[i].spec.gpu.name, b->plans[i].spec.gpu.name);
    EXPECT_EQ(a->plans[i].spec.tp, b->plans[i].spec.tp);
    EXPECT_EQ(a->plans[i].q_rps, b->plans[i].q_rps);
  }
  ASSERT_EQ(a->chosen, 0);
  double last = 0;
  for (const PlanEvaluation& p : a->plans) {
    if (!p.verified() || (p.status != PlanStatus::chosen && p.status != PlanStatus::feasible))
      continue;
    EXPECT_GE(p.fleet.usd_per_hour, last);
    last = p.fleet.usd_per_hour;
  }
  // The chosen plan is the cheapest verified one and has a simulated q.
  EXPECT_TRUE(a->plans[0].verified());
  EXPECT_GE(a->counts.simulated, 3);
  // No plan left unverified is cheaper than the chosen one by its closed form or its bound.
  const double chosen = a->plans[0].fleet.usd_per_hour;
  for (const PlanEvaluation& p : a->plans) {
    if (p.status == PlanStatus::feasible && !p.verified()) {
      EXPECT_GE(p.fleet.usd_per_hour, chosen) << p.spec.gpu.name << " TP" << p.spec.tp;
    }
    if (p.status == PlanStatus::bounded_out) {
      EXPECT_GE(p.usd_per_hour_lower_bound, chosen);
    }
  }
}

TEST(Search, OutputDoesNotDependOnTheThreadCount) {
  Small t;
  t.o.threads = 1;
  auto a = search_plans(t.s, t.space, t.o);
  t.o.threads = 3;
  auto b = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->counts.analytic, b->counts.analytic);
  EXPECT_EQ(a->counts.simulated, b->counts.simulated);
  ASSERT_EQ(a->plans.size(), b->plans.size());
  for (std::size_t i = 0; i < a->plans.size(); ++i) {
    EXPECT_EQ(a->plans[i].status, b->plans[i].status);
    EXPECT_EQ(a->plans[i].q_rps, b->plans[i].q_rps);
  }
}

TEST(Search, PrefixHitsRaiseTheClosedFormQ) {
  Small t;
  t.s.workload.input.mean = 4000;
  t.s.workload.output.mean = 64;
  t.space.gpus = {*t.catalog.gpu("h100-sxm")};
  t.space.weights_dtypes = {Dtype::fp8};
  t.space.tps = {1};
  t.space.max_num_seqs = {256};
  t.o.verify_top = 1;
  auto cold = search_plans(t.s, t.space, t.o);
  t.s.workload.prefix_hit_rate = 0.9;
  auto warm = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(cold && warm);
  ASSERT_EQ(cold->chosen, 0);
  ASSERT_EQ(warm->chosen, 0);
  // A tenth of each prompt left to prefill: the closed form must see the cheaper prefill.
  EXPECT_GT(warm->plans[0].evaluation.q_analytic_rps,
            1.5 * cold->plans[0].evaluation.q_analytic_rps);
}

TEST(Search, RejectsATpTheModelCannotUse) {
  Small t;
  t.space.tps = {3};
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("TP 3"), std::string::npos) << r.error().message;
}

TEST(Search, AnEmptySpaceIsAnError) {
  Small t;
  t.space.weights_dtypes = {Dtype::fp4};  // neither the H100 nor the L40S runs fp4
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("empty"), std::string::npos) << r.error().message;
}

TEST(Search, ALayoutThatDoesNotFitIsShownNotEvaluated) {
  Small t;
  t.s.replica.model = *t.catalog.model("llama-3.1-70b");
  t.space.gpus = {*t.catalog.gpu("h100-sxm")};
  t.space.weights_dtypes = {Dtype::bf16};
  t.space.tps = {1};
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chosen, -1);
  ASSERT_FALSE(r->plans.empty());
  for (const PlanEvaluation& p : r->plans) {
    EXPECT_EQ(p.status, PlanStatus::does_not_fit);
    EXPECT_EQ(p.spec.tp, 1);
  }
}

TEST(Search, NoPlanMeetsAnImpossibleSloButTheTableSaysWhy) {
  Small t;
  t.s.slo = {{Metric::tpot, Percentile::p99, 0.5}};  // half a millisecond per token
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chosen, -1);
  ASSERT_FALSE(r->plans.empty());
  EXPECT_EQ(r->plans.front().status, PlanStatus::misses_slo);
  ASSERT_TRUE(r->plans.front().latency_floor);
  EXPECT_GT(r->plans.front().latency_floor->floor_ms, 0.5);
}

TEST(Search, ABudgetNothingMeetsLeavesNoChosenPlan) {
  Small t;
  t.o.budget_usd_per_hour = 0.01;
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chosen, -1);
  EXPECT_EQ(r->plans.front().status, PlanStatus::over_budget);
}

TEST(Search, SparesFollowTheBinomialModel) {
  Small t;
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r);
  const PlanEvaluation& p = r->plans[0];
  const double down = replica_down_probability(p.spec.gpus(), t.o.failures);
  EXPECT_DOUBLE_EQ(p.replica_down_probability, down);
  EXPECT_EQ(p.spares, spares_for(p.fleet.serving_replicas, down, t.o.failures.target));
  EXPECT_EQ(p.fleet.replicas, p.fleet.serving_replicas + p.spares);
}

TEST(Search, ErrorBarsScaleQ) {
  Small t;
  ErrorBand band{"vllm", "h100-sxm", 50, 0.5, 1.0, 1.2};
  t.o.bands.bands = {band};
  auto r = search_plans(t.s, t.space, t.o);
  ASSERT_TRUE(r);
  for (const PlanEvaluation& p : r->plans) {
    if (p.status != PlanStatus::chosen && p.status != PlanStatus::feasible) continue;
    if (p.spec.gpu.name == "h100-sxm") {
      EXPECT_EQ(p.band.basis, BandBasis::gpu_engine);
      EXPECT_EQ(p.replicas_p50, p.fleet.replicas);
      // Half the q: about twice the serving replicas (plus spares).
      auto half = priced_fleet(t.s, t.o, p.spec, p.q_rps * 0.5, p.usd_per_gpu_hour);
      ASSERT_TRUE(half);
      if (static_cast<int>(&p - r->plans.data()) != r->chosen) {
        EXPECT_EQ(p.replicas_p95, half->fleet.replicas);
      }
      EXPECT_GT(p.replicas_p95, p.replicas_p50);
    } else {
      EXPECT_EQ(p.band.basis, BandBasis::none);  // no band for l40s or for the engine
    }
  }
}

TEST(Search, ParetoFrontierKeepsUndominatedPoints) {
  // (x, y): (1, 5) (2, 4) (3, 1) (2, 3) (1, 4): (2, 3) and (1, 4) are dominated.
  const auto f = pareto_frontier({{1, 5}, {2, 4}, {3, 1}, {2, 3}, {1, 4}});
  EXPECT_EQ(f, (std::vector<int>{0, 1, 2}));
}

TEST(Search, EnumerationSkipsDtypesTheGpuDoesNotRun) {
  Catalog c = builtin_catalog();
  ReplicaSpec base = default_scenario(c).replica;
  base.model = *c.model("llama-3.1-8b");
  SearchSpace space;
  space.gpus = {*c.gpu("a100-80gb")};
  space.weights_dtypes = {Dtype::bf16, Dtype::fp8, Dtype::fp4};
  space.kv_dtypes = {Dtype::bf16};
  space.tps = {1};
  const Enumeration e = enumerate_space(base, space, 4096, 8, {});
  ASSERT_EQ(e.specs.size(), 1u);  // the A100 has no fp8 or fp4 tensor cores
  EXPECT_EQ(e.specs[0].weights_dtype, Dtype::bf16);
}

}  // namespace
}  // namespace fleetsizer
