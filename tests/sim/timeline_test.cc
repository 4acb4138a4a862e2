#include "fleetsizer/sim/timeline.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fleetsizer/sim/fleet_sim.h"
#include "tests/sim/sim_test_support.h"

namespace fleetsizer::testing {
namespace {

// A staircase state (the value k over [k, k+1) seconds) sampled over 100 s: whatever the
// resolution it ends at, every sample reads the stair it falls on, the samples are evenly spaced
// and there are between `points` and twice `points` of them.
TEST(TimelineSampler, KeepsBetweenNAndTwoNEvenSamplesOfAStepFunction) {
  for (int points : {1, 7, 50, 200}) {
    TimelineSampler s(points, 0.0, 1e-3);
    for (int k = 0; k < 100; ++k) {
      TimelinePoint state;
      state.waiting = k;
      state.running = 2 * k;
      state.kv_used_fraction = k / 100.0;
      s.record_until(k + 1.0, state);
    }
    const auto& p = s.points();
    ASSERT_GE(p.size(), static_cast<std::size_t>(points)) << points;
    ASSERT_LT(p.size(), 2 * static_cast<std::size_t>(points)) << points;
    EXPECT_EQ(p.front().t_s, 0.0);
    for (std::size_t i = 0; i < p.size(); ++i) {
      EXPECT_NEAR(p[i].t_s, static_cast<double>(i) * s.interval_s(), 1e-9) << points;
      const auto stair = static_cast<std::int64_t>(std::floor(p[i].t_s));
      EXPECT_EQ(p[i].waiting, stair) << p[i].t_s;
      EXPECT_EQ(p[i].running, 2 * stair) << p[i].t_s;
    }
    // The samples cover the run: the last is within one interval of its end.
    EXPECT_GT(p.back().t_s + s.interval_s(), 100.0 - 1e-9);
  }
}

TEST(TimelineSampler, DisabledRecordsNothing) {
  TimelineSampler s(0, 0.0);
  EXPECT_FALSE(s.due(10.0));
  s.record_until(10.0, TimelinePoint{});
  EXPECT_TRUE(s.points().empty());
}

// The sampled requests in the fleet (waiting + running) average to the simulator's own time
// average of requests in system (which Little's law ties to throughput x mean E2E), and the KV
// samples to its mean KV occupancy: two independent integrals of the same state.
TEST(FleetSimTimeline, SamplesAverageToTheRunsTimeAverages) {
  const RooflineModel model = h100_llama8b();
  SyntheticSource source = chat_source({ArrivalKind::poisson, 12, 1.0, 0, 0}, 20000, 5);
  SimOptions o;
  o.replicas = 2;
  o.replica.kv_blocks = 20000;
  o.timeline_points = 400;
  auto r = simulate(model, source, o);
  ASSERT_TRUE(r);
  ASSERT_GE(r->timeline.size(), 400u);
  ASSERT_LE(r->timeline.size(), 801u);
  double in_system = 0, kv = 0;
  std::int64_t max_running = 0;
  // The last point is the end state (an empty fleet); the others are the even samples.
  const std::size_t n = r->timeline.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const TimelinePoint& p = r->timeline[i];
    in_system += static_cast<double>(p.waiting + p.running);
    kv += p.kv_used_fraction;
    max_running = std::max(max_running, p.running);
    EXPECT_GE(p.kv_used_fraction, 0.0);
    EXPECT_LE(p.kv_used_fraction, 1.0);
  }
  EXPECT_NEAR(in_system / static_cast<double>(n) / r->mean_in_system, 1.0, 0.08);
  EXPECT_NEAR(kv / static_cast<double>(n) / r->kv_occupancy, 1.0, 0.08);
  EXPECT_LE(max_running, 2 * o.replica.max_num_seqs);
  EXPECT_EQ(r->timeline.back().waiting + r->timeline.back().running, 0);
  // Sampling observes the run without changing it.
  SyntheticSource again = chat_source({ArrivalKind::poisson, 12, 1.0, 0, 0}, 20000, 5);
  o.timeline_points = 0;
  auto plain = simulate(model, again, o);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->timeline.empty());
  EXPECT_EQ(plain->events, r->events);
  EXPECT_EQ(plain->ttft_ms.percentile(0.99), r->ttft_ms.percentile(0.99));
}

}  // namespace
}  // namespace fleetsizer::testing
