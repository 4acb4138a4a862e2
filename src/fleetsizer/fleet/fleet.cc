#include "fleetsizer/fleet/fleet.h"

#include <fmt/format.h>

#include <algorithm>

#include "fleetsizer/units/units.h"

namespace fleetsizer {

std::int64_t hosts_for(std::int64_t replicas, int g, int G) {
  if (g <= G) {
    const std::int64_t per_host = G / g;
    return (replicas + per_host - 1) / per_host;
  }
  return replicas * ((g + G - 1) / G);
}

Result<FleetPlan> size_fleet(const FleetInputs& in) {
  using units::is_positive_finite;
  if (!is_positive_finite(in.target_rps))
    return fail(fmt::format("target_qps must be a positive number, got {}", in.target_rps));
  if (!is_positive_finite(in.replica_rps))
    return fail(fmt::format("replica q must be a positive number, got {}", in.replica_rps));
  if (in.gpus_per_replica < 1)
    return fail(fmt::format("gpus per replica must be >= 1, got {}", in.gpus_per_replica));
  if (in.gpus_per_host < 1)
    return fail(fmt::format("gpus_per_host must be >= 1, got {}", in.gpus_per_host));
  if (!(in.target_utilization > 0 && in.target_utilization <= 1))
    return fail(fmt::format("target_utilization must be in (0, 1], got {}", in.target_utilization));
  if (in.redundancy < 0) return fail(fmt::format("redundancy must be >= 0, got {}", in.redundancy));
  if (!units::is_nonnegative_finite(in.usd_per_gpu_hour) ||
      !units::is_nonnegative_finite(in.usd_per_host_hour))
    return fail("prices must be non-negative numbers");

  // Replica counts are 64-bit integers; a fleet beyond a trillion replicas is a unit mistake,
  // not a plan, and would overflow the cost arithmetic.
  if (in.target_rps / (in.replica_rps * in.target_utilization) > 1e12)
    return fail(
        fmt::format("target_qps {} over a replica's {:.4g} req/s needs more than 1e12 replicas: "
                    "check the units",
                    in.target_rps, in.replica_rps));
  FleetPlan p;
  p.floor_replicas = units::ceil_ratio(in.target_rps, in.replica_rps);
  p.headroom_replicas = units::ceil_ratio(in.target_rps, in.replica_rps * in.target_utilization);
  if (in.simulated_replicas < 0) return fail("simulated replicas must be >= 0");
  p.serving_replicas = std::max(p.headroom_replicas, in.simulated_replicas);
  p.replicas = p.serving_replicas + in.redundancy;
  const int g = in.gpus_per_replica;
  const int G = in.gpus_per_host;
  p.replicas_per_host = g <= G ? G / g : 0;
  p.hosts_per_replica = g <= G ? 0 : (g + G - 1) / G;
  p.hosts = hosts_for(p.replicas, g, G);
  p.gpus = p.replicas * g;
  p.usd_per_gpu_hour = in.usd_per_host_hour > 0 ? in.usd_per_host_hour / G : in.usd_per_gpu_hour;
  const bool whole_hosts = in.usd_per_host_hour > 0 || in.billing == Billing::per_host;
  p.gpus_reserved = whole_hosts ? p.hosts * G : p.gpus;
  p.usd_per_hour = static_cast<double>(p.gpus_reserved) * p.usd_per_gpu_hour;
  p.usd_per_replica_hour = g * p.usd_per_gpu_hour;
  const double requests_per_hour = in.target_rps * units::kSecondsPerHour;
  p.usd_per_1k_requests = p.usd_per_hour / requests_per_hour * 1e3;
  if (in.output_tokens_per_request > 0)
    p.usd_per_million_output_tokens =
        p.usd_per_hour / (requests_per_hour * in.output_tokens_per_request) * 1e6;
  p.utilization_at_target = in.target_rps / (static_cast<double>(p.replicas) * in.replica_rps);
  return p;
}

}  // namespace fleetsizer
