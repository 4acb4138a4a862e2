#include "fleetsizer/fleet/availability.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>

#include "fleetsizer/units/units.h"

namespace fleetsizer {

double replica_down_probability(int gpus, const AvailabilitySpec& spec) {
  const double rate_per_hour =
      static_cast<double>(gpus) * spec.gpu_failures_per_year / units::kHoursPerYear;
  const double x = rate_per_hour * spec.repair_hours;
  // x / (1 + x), written so that an infinite x gives 1 rather than inf / inf.
  return x > 0 ? 1 / (1 + 1 / x) : 0;
}

double at_most_down_probability(std::int64_t n, std::int64_t k, double p) {
  if (k >= n || p <= 0) return 1.0;
  if (p >= 1) return 0.0;
  // The binomial CDF through the regularized incomplete beta function (Boost.Math): constant
  // work for fleets of any size, where summing the pmf term by term is O(k).
  return boost::math::cdf(boost::math::binomial_distribution<double>(static_cast<double>(n), p),
                          static_cast<double>(k));
}

std::int64_t spares_for(std::int64_t serving, double p, double target, std::int64_t max_spares) {
  if (serving <= 0 || p <= 0) return 0;
  // P(Bin(n + k, p) <= k) never falls as k grows (one more replica adds at most one more down),
  // so the smallest k is found by doubling and then bisecting.
  auto enough = [&](std::int64_t k) {
    return at_most_down_probability(serving + k, k, p) >= target;
  };
  if (enough(0)) return 0;
  std::int64_t lo = 0, hi = 1;  // enough(lo) is false
  while (!enough(hi)) {
    if (hi > max_spares) return max_spares + 1;
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (enough(mid) ? hi : lo) = mid;
  }
  return std::min(hi, max_spares + 1);
}

}  // namespace fleetsizer
