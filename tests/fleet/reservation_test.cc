// A year's reservation: the optimal split against a hand-computed two-price example and brute
// force.
#include "fleetsizer/fleet/reservation.h"

#include <gtest/gtest.h>

#include <random>

namespace fleetsizer {
namespace {

TEST(Reservation, HandComputedTwoPriceExample) {
  // Four hours needing 2, 2, 4, 8 replicas; reserved $1, on demand $2 per replica-hour: the
  // break-even is 50% of the hours. R = 2: hours above 2 are 2 of 4 = 50% <= 50%, so R = 2.
  // C(2) = 8760 x (2 x 1 + (0 + 0 + 2 + 6) / 4 x 2) = 8760 x 6 = 52,560.
  // C(4) = 8760 x (4 + 4/4 x 2) = 52,560 as well (a tie: the smallest R is taken);
  // C(0) = 8760 x 16/4 x 2 = 70,080; C(8) = 70,080.
  auto p = plan_reservation({2, 2, 4, 8}, 1.0, 2.0);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->reserved_replicas, 2);
  EXPECT_DOUBLE_EQ(p->usd_per_year, 52560.0);
  EXPECT_DOUBLE_EQ(p->all_on_demand_usd_per_year, 70080.0);
  EXPECT_DOUBLE_EQ(p->all_reserved_usd_per_year, 70080.0);
  EXPECT_DOUBLE_EQ(p->break_even_utilization, 0.5);
  EXPECT_EQ(p->peak_replicas, 8);
  EXPECT_DOUBLE_EQ(p->on_demand_replica_hours_per_year, 8.0 / 4 * 8760);
}

TEST(Reservation, OptimalAgainstBruteForce) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> count(0, 40);
  std::uniform_real_distribution<double> ratio(0.2, 1.2);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::int64_t> n(24);
    for (auto& v : n) v = count(rng);
    const double c_o = 3.0, c_r = c_o * ratio(rng);
    auto p = plan_reservation(n, c_r, c_o);
    ASSERT_TRUE(p);
    double best = 1e300;
    for (std::int64_t r = 0; r <= 40; ++r)
      best = std::min(best, reservation_usd_per_year(n, r, c_r, c_o));
    EXPECT_NEAR(p->usd_per_year, best, 1e-6 * best) << trial;
  }
}

TEST(Reservation, RejectsBadInput) {
  EXPECT_FALSE(plan_reservation({}, 1, 2));
  EXPECT_FALSE(plan_reservation({1, -1}, 1, 2));
  EXPECT_FALSE(plan_reservation({1, 2}, 0, 2));
  // Reserved dearer than on demand: reserve nothing.
  auto p = plan_reservation({3, 5}, 3, 2);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->reserved_replicas, 0);
}

}  // namespace
}  // namespace fleetsizer
