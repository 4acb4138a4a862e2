// Spares for failures: the binomial model of fleet/availability.h against hand computations.
#include "fleetsizer/fleet/availability.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fleetsizer {
namespace {

TEST(Availability, ReplicaDownProbabilityIsRenewalFraction) {
  // 4 GPUs x 0.876 failures per GPU-year = 4 x 1e-4 per hour; x 10 h repair = 4e-3; p = x / (1+x).
  const AvailabilitySpec spec{0.876, 10, 0.999};
  EXPECT_NEAR(replica_down_probability(4, spec), 0.004 / 1.004, 1e-12);
  EXPECT_EQ(replica_down_probability(4, {0, 10, 0.999}), 0.0);
}

TEST(Availability, AtMostDownMatchesBinomialSum) {
  // n = 5, p = 0.1: P(X <= 1) = 0.9^5 + 5 x 0.1 x 0.9^4.
  EXPECT_NEAR(at_most_down_probability(5, 1, 0.1), std::pow(0.9, 5) + 5 * 0.1 * std::pow(0.9, 4),
              1e-12);
  // P(X <= 2) adds C(5,2) 0.01 x 0.9^3.
  EXPECT_NEAR(at_most_down_probability(5, 2, 0.1),
              std::pow(0.9, 5) + 5 * 0.1 * std::pow(0.9, 4) + 10 * 0.01 * std::pow(0.9, 3), 1e-12);
  EXPECT_EQ(at_most_down_probability(5, 5, 0.1), 1.0);
  EXPECT_EQ(at_most_down_probability(5, 0, 0.0), 1.0);
}

TEST(Availability, SparesAreTheSmallestCountMeetingTheTarget) {
  const double p = 0.01;
  for (std::int64_t serving : {1, 10, 100, 1000}) {
    const std::int64_t k = spares_for(serving, p, 0.999);
    EXPECT_GE(at_most_down_probability(serving + k, k, p), 0.999) << serving;
    if (k > 0) {
      EXPECT_LT(at_most_down_probability(serving + k - 1, k - 1, p), 0.999) << serving;
    }
  }
  // Hand check: 10 serving, p = 0.01: k = 1 gives P(X <= 1 of 11) = 0.99^11 + 11 x 0.01 x 0.99^10
  // = 0.99482 < 0.999; k = 2 gives 0.99979 >= 0.999.
  EXPECT_EQ(spares_for(10, 0.01, 0.999), 2);
  EXPECT_EQ(spares_for(10, 0.0, 0.999), 0);
  // A billion replicas: constant work per probability (the incomplete beta function), and the
  // answer near the normal approximation n p + 3.09 sqrt(n p (1 - p)) for 99.9%.
  const double n = 1e9, q = 5e-4;
  const auto big = static_cast<double>(spares_for(1'000'000'000, q, 0.999));
  const double normal = n * q + 3.09 * std::sqrt(n * q * (1 - q));
  EXPECT_NEAR(big, normal, 0.01 * normal);
  // An infinite repair time means always down, not NaN.
  EXPECT_EQ(replica_down_probability(1, {0.1, INFINITY, 0.999}), 1.0);
  // More replicas or a stricter target never need fewer spares.
  EXPECT_LE(spares_for(100, p, 0.99), spares_for(100, p, 0.9999));
  EXPECT_LE(spares_for(100, p, 0.999), spares_for(1000, p, 0.999));
}

}  // namespace
}  // namespace fleetsizer
