// Harness replays on a replica whose every step takes exactly 10 ms, so every latency is a count
// of steps computed by hand.
#include "fleetsizer/sim/harness.h"

#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace fleetsizer::testing {
namespace {

LengthSpec fixed(double n) {
  LengthSpec l;
  l.kind = LengthKind::fixed;
  l.mean = n;
  return l;
}

ReplicaOptions roomy(std::int64_t max_num_seqs) {
  ReplicaOptions o;
  o.max_num_seqs = max_num_seqs;
  o.kv_blocks = 100000;
  return o;
}

// Two clients start together: step 1 prefills both prompts (first token at 10 ms), steps 2-5
// decode the other four tokens (finish at 50 ms); both send again at 50 ms; the next request
// joins at the step after that boundary. Ten requests = five rounds of 50 ms.
TEST(Harness, ClosedLoopClientsStartTogetherAndResendOnCompletion) {
  const LinearStepModel model = fixed_step_model(10);
  Harness h;
  h.kind = HarnessKind::closed_loop;
  h.concurrency = 2;
  h.requests = 10;
  auto r = replay(model, roomy(256), h, fixed(100), fixed(5));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->requests, 10);
  EXPECT_NEAR(r->ttft_ms.mean(), 10.0, 1e-9);
  EXPECT_NEAR(r->tpot_ms.mean(), 10.0, 0.1);
  EXPECT_NEAR(r->makespan_s(), 0.25, 1e-9);
  EXPECT_NEAR(r->throughput_rps(), 40.0, 1e-6);
}

// Offline: four requests at t = 0, two running slots. The first two run 0-50 ms, the other two
// wait and are admitted at 50 ms: TTFTs 10, 10, 60, 60 ms.
TEST(Harness, OfflineAdmitsByTheBatchLimit) {
  const LinearStepModel model = fixed_step_model(10);
  Harness h;
  h.kind = HarnessKind::offline;
  h.requests = 4;
  auto r = replay(model, roomy(2), h, fixed(100), fixed(5));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->requests, 4);
  EXPECT_NEAR(r->ttft_ms.mean(), 35.0, 1e-9);
  EXPECT_NEAR(r->ttft_ms.max(), 60.0, 0.5);
  EXPECT_NEAR(r->makespan_s(), 0.10, 1e-9);
}

// Poisson with one running slot and one-token outputs is an M/D/1 queue with a 10 ms service:
// mean wait rho / (2 (1 - rho)) x service (Pollaczek-Khinchine) at rho = 0.5 is 5 ms, so the
// mean TTFT is 15 ms.
TEST(Harness, PoissonWithOneSlotIsMD1) {
  const LinearStepModel model = fixed_step_model(10);
  Harness h;
  h.kind = HarnessKind::poisson;
  h.rate = 50;
  h.requests = 200000;
  h.seed = 3;
  auto r = replay(model, roomy(1), h, fixed(100), fixed(1));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->ttft_ms.mean(), 15.0, 0.3);
}

TEST(Harness, BadInputIsAnError) {
  const LinearStepModel model = fixed_step_model(10);
  Harness h;
  h.requests = 0;
  EXPECT_FALSE(replay(model, roomy(1), h, fixed(10), fixed(10)));
  h.requests = 10;
  h.kind = HarnessKind::poisson;
  h.rate = 0;
  EXPECT_FALSE(replay(model, roomy(1), h, fixed(10), fixed(10)));
}

}  // namespace
}  // namespace fleetsizer::testing
