// plan_replica and verify_fleet: the layouts evaluated, and the fleet check's answer to the
// router and the arrival process.
#include "fleetsizer/plan/replica_plan.h"

#include <gtest/gtest.h>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/roofline.h"

namespace fleetsizer {
namespace {

Scenario llama8b() {
  const Catalog catalog = builtin_catalog();
  Scenario s = default_scenario(catalog);
  s.replica.model = *catalog.model("llama-3.1-8b");
  s.slo = {{Metric::ttft, Percentile::p99, 1000}, {Metric::tpot, Percentile::p99, 30}};
  return s;
}

TEST(ReplicaPlan, EveryValidLayoutFromTheSmallestFitIsEvaluated) {
  Scenario s = llama8b();
  auto plan = plan_replica(s);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->layouts.size(), 4u);  // TP 1, 2, 4, 8
  for (std::size_t i = 0; i < plan->layouts.size(); ++i)
    EXPECT_EQ(plan->layouts[i].spec.tp, 1 << i);
  const LayoutEvaluation* best = plan->best();
  ASSERT_NE(best, nullptr);
  for (const auto& l : plan->layouts) EXPECT_GE(l.gpus_per_rps, best->gpus_per_rps);
  EXPECT_FALSE(plan->efficiency_from_profile);
  // A fixed TP evaluates only that layout.
  s.tp = 2;
  auto fixed = plan_replica(s);
  ASSERT_TRUE(fixed);
  ASSERT_EQ(fixed->layouts.size(), 1u);
  EXPECT_EQ(fixed->layouts[0].spec.tp, 2);
}

// A random router balances worse than least-outstanding, Gamma arrivals with CV 4 are burstier
// than Poisson: starting from the same count, the fleet check needs at least as many replicas and
// sees different latencies, never the same answer by ignoring the setting.
TEST(ReplicaPlan, FleetCheckAnswersToRouterAndArrivals) {
  const Scenario s = llama8b();
  auto plan = plan_replica(s);
  ASSERT_TRUE(plan && plan->best());
  const LayoutEvaluation& best = *plan->best();
  const RooflineModel model(best.spec, plan->efficiency);
  const ReplicaOptions replica = replica_options(best.spec, best.evaluation.footprint);
  const int start = static_cast<int>(std::ceil(60 / best.evaluation.q_rps));
  QSearchOptions o;
  o.requests = 8000;
  auto lo = verify_fleet(model, replica, s.workload, s.slo, RouterPolicy::least_outstanding, 60,
                         start, o);
  auto rnd = verify_fleet(model, replica, s.workload, s.slo, RouterPolicy::random, 60, start, o);
  Workload bursty = s.workload;
  bursty.arrival.kind = ArrivalKind::gamma;
  bursty.arrival.cv = 4;
  auto gam =
      verify_fleet(model, replica, bursty, s.slo, RouterPolicy::least_outstanding, 60, start, o);
  ASSERT_TRUE(lo && rnd && gam);
  ASSERT_TRUE(lo->met && rnd->met && gam->met);
  EXPECT_GE(rnd->replicas, lo->replicas);
  EXPECT_GE(gam->replicas, lo->replicas);
  const auto& a = lo->trials.front().checks;
  const auto& b = rnd->trials.front().checks;
  const auto& c = gam->trials.front().checks;
  EXPECT_NE(a[0].value_ms, b[0].value_ms);
  EXPECT_NE(a[0].value_ms, c[0].value_ms);
  // The random router really is worse at the same count: its TTFT p99 is higher.
  EXPECT_GT(b[0].value_ms, a[0].value_ms);
}

TEST(ReplicaPlan, NothingFitsIsAResult) {
  const Catalog catalog = builtin_catalog();
  Scenario s = default_scenario(catalog);
  s.replica.model = *catalog.model("llama-3.1-405b");
  s.replica.gpu = *catalog.gpu("l4");
  s.fit_bounds.max_pp = 1;
  auto plan = plan_replica(s);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->fit.fits);
  EXPECT_EQ(plan->best(), nullptr);
  EXPECT_FALSE(plan->fit.reason.empty());
}

}  // namespace
}  // namespace fleetsizer
