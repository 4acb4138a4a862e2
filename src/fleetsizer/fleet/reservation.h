#pragma once
// A year's reservation against a load that changes by the hour: reserve R replicas for the whole
// year at the reserved price and rent the rest on demand in the hours that need them.
//
// With n_h replicas needed in hour h of a repeating profile of H hours, the yearly cost is
//   C(R) = 8,760 x [ R c_r + (1/H) sum_h max(0, n_h - R) c_o ]
// (c_r, c_o: reserved and on-demand $ per replica-hour). One more reserved replica costs c_r per
// hour and saves c_o in the hours that need more than R, so C(R + 1) - C(R) = 8,760 (c_r - c_o
// f(R)) with f(R) the fraction of hours with n_h > R. C is convex; the optimum is the smallest R
// with f(R) <= c_r / c_o. That ratio is the break-even utilization: a replica is worth reserving
// when it is needed in more than that fraction of the hours.
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer {

// Requests per second hour by hour over a repeating day or week (parsed at the edge).
struct LoadProfile {
  std::vector<double> rate_rps;
  std::string source;
};

struct ReservationPlan {
  std::int64_t reserved_replicas = 0;
  std::int64_t peak_replicas = 0;               // max n_h
  double on_demand_replica_hours_per_year = 0;  // sum over the year of max(0, n_h - R)
  double break_even_utilization = 0;            // c_r / c_o
  double usd_per_year = 0;                      // at the optimum
  double all_reserved_usd_per_year = 0;         // R = peak
  double all_on_demand_usd_per_year = 0;        // R = 0
  double average_replicas = 0;                  // mean n_h
};

// Yearly cost of reserving `reserved` replicas for the profile (see the header comment).
double reservation_usd_per_year(const std::vector<std::int64_t>& replicas_per_hour,
                                std::int64_t reserved, double reserved_usd_per_replica_hour,
                                double on_demand_usd_per_replica_hour);

// The cheapest split (a reserved price at or above the on-demand one reserves nothing). Errors:
// an empty profile, negative counts, prices that are not positive.
Result<ReservationPlan> plan_reservation(const std::vector<std::int64_t>& replicas_per_hour,
                                         double reserved_usd_per_replica_hour,
                                         double on_demand_usd_per_replica_hour);

}  // namespace fleetsizer
