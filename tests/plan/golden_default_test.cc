// Golden values of the model on the built-in default scenario (Llama-3.1-70B bf16 on H100-SXM,
// 1024 in / 256 out, TTFT p99 <= 2 s, TPOT p99 <= 50 ms, 100 req/s): any change to the step-time
// model, the steady state, the simulator or the q search moves one of these numbers, and the
// change shows up in review with its new values. Regenerate by printing them when the change is
// intended.
#include <gtest/gtest.h>

#include "fleetsizer/api/predict.h"
#include "fleetsizer/api/size.h"
#include "fleetsizer/catalog/catalog.h"

namespace fleetsizer {
namespace {

void expect_golden(double actual, double golden, const char* what) {
  EXPECT_NEAR(actual, golden, 1e-9 * golden) << what << " = " << actual;
}

TEST(GoldenDefault, Size) {
  const Catalog catalog = builtin_catalog();
  auto out = api::run_size(default_scenario(catalog));
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_TRUE(out->feasible);
  EXPECT_EQ(out->fit.footprint.tp, 4);
  expect_golden(out->replica.q_rps, 5.65624414034807, "replica.q");
  expect_golden(out->replica.q_analytic_rps, 6.766695739820732, "replica.q_analytic");
  EXPECT_EQ(out->plan.floor_replicas, 18);
  EXPECT_EQ(out->plan.headroom_replicas, 23);
  ASSERT_TRUE(out->verification);
  EXPECT_EQ(out->verification->replicas, 23);
  EXPECT_EQ(out->plan.replicas, 24);
  EXPECT_DOUBLE_EQ(out->plan.usd_per_hour, 240.0);
}

TEST(GoldenDefault, Predict) {
  const Catalog catalog = builtin_catalog();
  api::PredictRequest closed{default_scenario(catalog), 32.0, std::nullopt};
  auto c = api::run_predict(closed);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->footprint.tp, 2);
  expect_golden(c->state.ttft_ms.mean, 7030.4871450380415, "closed ttft_ms");
  expect_golden(c->state.tpot_ms.mean, 35.0025719281699, "closed tpot_ms");
  expect_golden(c->state.output_tok_s, 513.40728187365505, "closed output_tok_s");
  Scenario tp4 = default_scenario(catalog);
  tp4.tp = 4;
  api::PredictRequest open{tp4, std::nullopt, 5.0};
  auto o = api::run_predict(open);
  ASSERT_TRUE(o) << o.error().message;
  expect_golden(o->state.ttft_ms.mean, 122.91255531992785, "open ttft_ms");
  expect_golden(o->state.tpot_ms.mean, 32.973665849316838, "open tpot_ms");
  expect_golden(o->state.ttft_ms.p99, 147.08536020358858, "open ttft_ms_p99");
  expect_golden(o->state.tpot_ms.p99, 36.847719167624035, "open tpot_ms_p99");
}

}  // namespace
}  // namespace fleetsizer
