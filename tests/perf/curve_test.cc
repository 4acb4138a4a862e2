#include "fleetsizer/perf/curve.h"

#include <gtest/gtest.h>

#include "fleetsizer/perf/parametric.h"
#include "fleetsizer/slo/batch_search.h"

namespace fleetsizer {
namespace {

TEST(MonotoneInterpolant, ExactAtKnotsAndMonotoneBetween) {
  const std::vector<double> x{1, 2, 4, 8, 16}, y{10, 11, 30, 31, 100};
  const MonotoneInterpolant f(x, y);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_DOUBLE_EQ(f(x[i]), y[i]);
  double last = f(1);
  for (double v = 1; v <= 16; v += 0.01) {
    EXPECT_GE(f(v), last - 1e-12) << v;
    last = f(v);
  }
  EXPECT_DOUBLE_EQ(f(0.5), 10);  // no extrapolation: clamps
  EXPECT_DOUBLE_EQ(f(99), 100);
}

// The seed's exercise: q(b) = q0 b / (1 + 0.05 b) with P99 latency linear in b and a cap that
// allows at most b = 24 gives q = q0 x 24 / 2.2.
TEST(SloSearch, SeedExerciseBatch24) {
  auto p = parse_parametric("q0=1,alpha=0.05,l0=0,l1=100,metric=e2e:p99");
  ASSERT_TRUE(p);
  const CurveModel curve(sample(*p));
  auto r = largest_batch_meeting(curve, {{Metric::e2e, Percentile::p99, 2400}}, 0);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->feasible);
  EXPECT_EQ(r->max_batch, 24);
  EXPECT_NEAR(r->q_rps, 24 / 2.2, 1e-12);
  EXPECT_NEAR(r->q_rps, 10.909, 1e-3);
  EXPECT_EQ(r->binding, "e2e:p99=2400");
  // A tighter cap permits a smaller batch and a lower q, so the fleet needs more nodes.
  auto tight = largest_batch_meeting(curve, {{Metric::e2e, Percentile::p99, 1200}}, 0);
  EXPECT_EQ(tight->max_batch, 12);
  EXPECT_NEAR(tight->q_rps, 12 / 1.6, 1e-12);
}

TEST(SloSearch, UnmeetableSloNamesTheBindingTarget) {
  Curve c;
  c.source = "c.csv";
  c.batch = {1, 2, 4};
  c.request_rate = {1, 2, 3};
  c.latency_ms["ttft_ms_p99"] = {500, 600, 900};
  const CurveModel curve(*validate(c));
  auto r = largest_batch_meeting(curve, {{Metric::ttft, Percentile::p99, 100}}, 0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->feasible);
  EXPECT_NE(r->reason.find("ttft:p99=100"), std::string::npos) << r->reason;
  auto missing = largest_batch_meeting(curve, {{Metric::tpot, Percentile::p99, 100}}, 0);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no column tpot_ms_p99"), std::string::npos);
}

TEST(SloSearch, MeetingAtTheTopOfTheRangeSaysSo) {
  Curve c;
  c.source = "c.csv";
  c.batch = {1, 8};
  c.request_rate = {1, 6};
  c.latency_ms["e2e_ms_p50"] = {100, 200};
  auto r =
      largest_batch_meeting(CurveModel(*validate(c)), {{Metric::e2e, Percentile::p50, 1000}}, 0);
  EXPECT_TRUE(r->range_limited);
  EXPECT_EQ(r->max_batch, 8);
}

TEST(Slo, Parse) {
  auto t = parse_slo("ttft:p99=2000");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->metric, Metric::ttft);
  EXPECT_EQ(t->percentile, Percentile::p99);
  EXPECT_EQ(t->ms, 2000);
  EXPECT_FALSE(parse_slo("ttft:p99=-1"));
  EXPECT_FALSE(parse_slo("ttft:p99=nan"));
  EXPECT_FALSE(parse_slo("latency:p99=1"));
  EXPECT_EQ(parse_slo("e2el:5000")->metric, Metric::e2e);  // vLLM's --goodput spelling
}

}  // namespace
}  // namespace fleetsizer
