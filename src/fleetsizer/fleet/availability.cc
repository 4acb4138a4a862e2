#include "fleetsizer/fleet/availability.h"

#include <algorithm>
#include <cmath>

#include "fleetsizer/units/units.h"

namespace fleetsizer {

double replica_down_probability(int gpus, const AvailabilitySpec& spec) {
  const double rate_per_hour =
      static_cast<double>(gpus) * spec.gpu_failures_per_year / units::kHoursPerYear;
  const double x = rate_per_hour * spec.repair_hours;
  return x / (1 + x);
}

double at_most_down_probability(std::int64_t n, std::int64_t k, double p) {
  if (k >= n || p <= 0) return 1.0;
  if (p >= 1) return 0.0;
  // Sum the pmf in log space from 0 up: lgamma keeps C(n, i) finite for fleets of any size.
  const double lp = std::log(p), lq = std::log1p(-p);
  const double nn = static_cast<double>(n);
  double sum = 0;
  for (std::int64_t i = 0; i <= k; ++i) {
    const double ii = static_cast<double>(i);
    const double log_pmf = std::lgamma(nn + 1) - std::lgamma(ii + 1) - std::lgamma(nn - ii + 1) +
                           ii * lp + (nn - ii) * lq;
    sum += std::exp(log_pmf);
  }
  return std::min(1.0, sum);
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
