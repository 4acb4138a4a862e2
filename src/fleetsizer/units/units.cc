#include "fleetsizer/units/units.h"

#include <cmath>

namespace fleetsizer::units {

std::int64_t ceil_ratio(double numerator, double denominator) {
  const double ratio = numerator / denominator;
  const double nearest = std::round(ratio);
  if (std::abs(ratio - nearest) <= 1e-9 * std::max(1.0, std::abs(ratio))) {
    return static_cast<std::int64_t>(nearest);
  }
  return static_cast<std::int64_t>(std::ceil(ratio));
}

}  // namespace fleetsizer::units
