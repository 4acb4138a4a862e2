#include "fleetsizer/fleet/reservation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fleetsizer/units/units.h"

namespace fleetsizer {

double reservation_usd_per_year(const std::vector<std::int64_t>& n, std::int64_t reserved,
                                double c_r, double c_o) {
  double on_demand = 0;
  for (std::int64_t h : n)
    on_demand += static_cast<double>(std::max<std::int64_t>(0, h - reserved));
  const double hours = static_cast<double>(n.size());
  return units::kHoursPerYear * (static_cast<double>(reserved) * c_r + on_demand / hours * c_o);
}

Result<ReservationPlan> plan_reservation(const std::vector<std::int64_t>& n, double c_r,
                                         double c_o) {
  if (n.empty()) return fail("the load profile has no hours");
  if (std::ranges::any_of(n, [](std::int64_t v) { return v < 0; }))
    return fail("replicas per hour must be >= 0");
  if (!(c_r > 0) || !(c_o > 0) || !std::isfinite(c_r) || !std::isfinite(c_o))
    return fail(
        fmt::format("reserved and on-demand prices must be positive, got {} and {}", c_r, c_o));
  ReservationPlan p;
  p.break_even_utilization = c_r / c_o;
  p.peak_replicas = *std::ranges::max_element(n);
  double total = 0;
  for (std::int64_t v : n) total += static_cast<double>(v);
  p.average_replicas = total / static_cast<double>(n.size());
  // The smallest R whose fraction of hours needing more than R is at most c_r / c_o: with m =
  // floor(H c_r / c_o) hours allowed above R, R is the (H - 1 - m)-th smallest count (or 0).
  std::vector<std::int64_t> sorted = n;
  std::ranges::sort(sorted);
  const double hours = static_cast<double>(n.size());
  const double allowed = std::floor(hours * p.break_even_utilization);
  const std::int64_t best =
      allowed >= hours ? 0 : sorted[static_cast<std::size_t>(hours - 1 - allowed)];
  p.reserved_replicas = best;
  double on_demand = 0;
  for (std::int64_t v : n) on_demand += static_cast<double>(std::max<std::int64_t>(0, v - best));
  p.on_demand_replica_hours_per_year = on_demand / hours * units::kHoursPerYear;
  p.usd_per_year = reservation_usd_per_year(n, best, c_r, c_o);
  p.all_reserved_usd_per_year = reservation_usd_per_year(n, p.peak_replicas, c_r, c_o);
  p.all_on_demand_usd_per_year = reservation_usd_per_year(n, 0, c_r, c_o);
  return p;
}

}  // namespace fleetsizer
