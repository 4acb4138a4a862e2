// evaluate_replica: the simulated q meets every SLO percentile and 10% more does not; the
// analytic estimate agrees with the simulation at light load; the binding constraint is data.
#include "fleetsizer/plan/evaluate.h"

#include <gtest/gtest.h>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/perf/roofline.h"

namespace fleetsizer {
namespace {

struct Case {
  const char* model;
  const char* gpu;
  int tp;
  Dtype weights;
  double isl, osl;
  std::vector<SloTarget> slo;
};

ReplicaSpec spec_of(const Case& c) {
  const Catalog catalog = builtin_catalog();
  ReplicaSpec s;
  s.model = *catalog.model(c.model);
  s.gpu = *catalog.gpu(c.gpu);
  s.tp = c.tp;
  s.weights_dtype = c.weights;
  s.limits = engine_defaults("vllm").limits;
  return s;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"llama-3.1-8b",
       "h100-sxm",
       1,
       Dtype::bf16,
       1024,
       256,
       {{Metric::ttft, Percentile::p99, 1000}, {Metric::tpot, Percentile::p99, 30}}},
      {"llama-3.1-70b",
       "h100-sxm",
       4,
       Dtype::bf16,
       1024,
       256,
       {{Metric::ttft, Percentile::p99, 2000}, {Metric::tpot, Percentile::p99, 50}}},
      {"qwen3-32b",
       "h200",
       2,
       Dtype::fp8,
       2048,
       128,
       {{Metric::ttft, Percentile::p90, 600}, {Metric::e2e, Percentile::p99, 6000}}},
      {"mixtral-8x7b",
       "a100-80gb",
       2,
       Dtype::bf16,
       512,
       512,
       {{Metric::tpot, Percentile::p50, 40}, {Metric::e2e, Percentile::p90, 30000}}},
  };
  return all;
}

// The property the fleet plan stands on, on four models x GPUs x SLOs: at q a 20,000-request
// simulation meets every target, at 1.1 q at least one misses; with the search's seed and with
// seeds the search never used (q is confirmed with two more seeds, so it is not an accident of one
// sample).
TEST(EvaluateReplica, MeetsAtQAndMissesTenPercentAbove) {
  for (const Case& c : cases()) {
    const ReplicaSpec spec = spec_of(c);
    const RooflineModel model(spec, engine_defaults("vllm").efficiency);
    const Workload w = fixed_workload(c.isl, c.osl);
    auto ev = evaluate_replica(spec, model, w, c.slo, 4096);
    ASSERT_TRUE(ev) << ev.error().message;
    ASSERT_TRUE(ev->feasible) << c.model;
    EXPECT_GT(ev->q_rps, 0);
    const ReplicaOptions replica = replica_options(spec, ev->footprint);
    for (std::uint64_t seed : {1u, 7u, 11u}) {
      QSearchOptions o;
      o.seed = seed;
      auto at = simulate_rate(model, replica, w, c.slo, ev->q_rps, o);
      auto above = simulate_rate(model, replica, w, c.slo, 1.1 * ev->q_rps, o);
      ASSERT_TRUE(at && above);
      EXPECT_TRUE(at->meets) << c.model << " seed " << seed;
      EXPECT_FALSE(above->meets) << c.model << " seed " << seed;
    }
  }
}

// At light load (rho < 0.3) requests barely interact: the analytic open-loop steady state and the
// simulation agree on mean TTFT and TPOT within 5%.
TEST(EvaluateReplica, LightLoadAnalyticAgreesWithSimulation) {
  for (const Case& c : cases()) {
    const ReplicaSpec spec = spec_of(c);
    const RooflineModel model(spec, engine_defaults("vllm").efficiency);
    const Lengths lengths{c.isl, c.osl};
    const Footprint f = footprint_at(spec, static_cast<std::int64_t>(c.isl + c.osl));
    const double rate = 0.25 * max_stable_rate(model, lengths, f.max_running);
    const SteadyState analytic = open_loop(model, lengths, rate, f.max_running);
    const std::vector<SloTarget> mean_targets = {{Metric::ttft, Percentile::mean, 1e9},
                                                 {Metric::tpot, Percentile::mean, 1e9}};
    auto sim = simulate_rate(model, replica_options(spec, footprint_at(spec, 4096)),
                             fixed_workload(c.isl, c.osl), mean_targets, rate, {});
    ASSERT_TRUE(sim);
    EXPECT_NEAR(sim->checks[0].value_ms / analytic.ttft_ms.mean, 1.0, 0.05) << c.model;
    EXPECT_NEAR(sim->checks[1].value_ms / analytic.tpot_ms.mean, 1.0, 0.05) << c.model;
  }
}

TEST(EvaluateReplica, BindingConstraintIsData) {
  const Case base = cases()[0];
  const ReplicaSpec spec = spec_of(base);
  const RooflineModel model(spec, engine_defaults("vllm").efficiency);
  const Workload w = fixed_workload(base.isl, base.osl);
  // A tight TTFT target and a loose TPOT one: TTFT binds.
  auto ttft = evaluate_replica(
      spec, model, w, {{Metric::ttft, Percentile::p99, 150}, {Metric::tpot, Percentile::p99, 500}},
      4096);
  ASSERT_TRUE(ttft && ttft->feasible);
  EXPECT_EQ(ttft->binding, Binding::slo_target);
  ASSERT_TRUE(ttft->binding_target);
  EXPECT_EQ(ttft->binding_target->metric, Metric::ttft);
  // A TPOT below one request's own decode step: no rate meets it.
  auto none = evaluate_replica(spec, model, w, {{Metric::tpot, Percentile::p99, 1}}, 4096);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->feasible);
  EXPECT_EQ(none->binding, Binding::no_rate);
  ASSERT_TRUE(none->binding_target);
  EXPECT_EQ(none->binding_target->metric, Metric::tpot);
  // 405B in bf16 on one L4 does not fit.
  Case big = base;
  big.model = "llama-3.1-405b";
  big.gpu = "l4";
  const ReplicaSpec huge = spec_of(big);
  auto nofit = evaluate_replica(huge, RooflineModel(huge, engine_defaults("vllm").efficiency), w,
                                base.slo, 4096);
  ASSERT_TRUE(nofit);
  EXPECT_FALSE(nofit->fits);
  EXPECT_EQ(nofit->binding, Binding::does_not_fit);
}

// Burstier arrivals (Gamma gaps with CV 3) queue more: the same replica sustains a lower q.
TEST(EvaluateReplica, BurstyArrivalsLowerQ) {
  const Case c = cases()[0];
  const ReplicaSpec spec = spec_of(c);
  const RooflineModel model(spec, engine_defaults("vllm").efficiency);
  Workload poisson = fixed_workload(c.isl, c.osl);
  Workload bursty = poisson;
  bursty.arrival.kind = ArrivalKind::gamma;
  bursty.arrival.cv = 3;
  auto p = evaluate_replica(spec, model, poisson, c.slo, 4096);
  auto b = evaluate_replica(spec, model, bursty, c.slo, 4096);
  ASSERT_TRUE(p && b && p->feasible && b->feasible);
  EXPECT_LT(b->q_rps, 0.9 * p->q_rps);
  // The analytic estimate assumes Poisson: it does not move, the gap shows it.
  EXPECT_DOUBLE_EQ(b->q_analytic_rps, p->q_analytic_rps);
}

TEST(EvaluateReplica, BadOptionsAreErrors) {
  const Case c = cases()[0];
  const ReplicaSpec spec = spec_of(c);
  const RooflineModel model(spec, engine_defaults("vllm").efficiency);
  EXPECT_FALSE(evaluate_replica(spec, model, fixed_workload(1024, 256), {}, 4096));
  QSearchOptions o;
  o.requests = 10;
  EXPECT_FALSE(evaluate_replica(spec, model, fixed_workload(1024, 256), c.slo, 4096, o));
}

}  // namespace
}  // namespace fleetsizer
