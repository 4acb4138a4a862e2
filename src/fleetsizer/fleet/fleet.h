#pragma once
// The fleet equation N = ceil(Q / q), made honest: replicas of g GPUs are packed into hosts of G
// GPUs, a target utilization keeps headroom for bursts, N+k adds redundancy, and the bill is the
// hosts (or GPUs) actually reserved.
#include <cstdint>
#include <string>

#include "fleetsizer/error.h"

namespace fleetsizer {

enum class Billing { per_gpu, per_host };

struct FleetInputs {
  double target_rps = 0;     // Q: requests per second the fleet must sustain
  double replica_rps = 0;    // q: requests per second one replica sustains within the SLO
  int gpus_per_replica = 1;  // g
  int gpus_per_host = 8;     // G
  double usd_per_gpu_hour = 0;
  double usd_per_host_hour = 0;  // when > 0, hosts are priced as a whole (overrides per GPU)
  Billing billing =
      Billing::per_host;            // reservations are of whole hosts; per_gpu bills used GPUs only
  double target_utilization = 1.0;  // run each replica at this fraction of q (headroom)
  int redundancy = 0;               // k spare replicas (N + k)
  double output_tokens_per_request = 0;  // for $/1M output tokens (0: not reported)
  // Serving replicas a fleet simulation found necessary (0: not simulated). When it exceeds the
  // headroom count, the fleet serves with this many (bursts and imperfect routing need them).
  std::int64_t simulated_replicas = 0;
};

struct FleetPlan {
  std::int64_t floor_replicas = 0;     // ceil(Q / q): the textbook floor
  std::int64_t headroom_replicas = 0;  // ceil(Q / (q x utilization))
  std::int64_t serving_replicas = 0;   // max(headroom_replicas, simulated_replicas)
  std::int64_t replicas = 0;           // serving_replicas + k
  std::int64_t replicas_per_host = 0;  // floor(G / g) when a replica fits in a host
  std::int64_t hosts_per_replica = 0;  // ceil(g / G) when it does not
  std::int64_t hosts = 0;
  std::int64_t gpus = 0;           // GPUs in use by replicas
  std::int64_t gpus_reserved = 0;  // GPUs paid for
  double usd_per_gpu_hour = 0;
  double usd_per_replica_hour = 0;
  double usd_per_hour = 0;
  double usd_per_million_output_tokens = 0;
  double usd_per_1k_requests = 0;
  double utilization_at_target = 0;  // Q / (replicas x q)
};

Result<FleetPlan> size_fleet(const FleetInputs& in);

// Hosts needed for n replicas of g GPUs on hosts of G GPUs: replicas do not straddle hosts when
// g <= G (so ceil(n / floor(G/g)), which equals ceil(n g / G) when g divides G), and a replica
// larger than a host takes ceil(g / G) whole hosts.
std::int64_t hosts_for(std::int64_t replicas, int gpus_per_replica, int gpus_per_host);

}  // namespace fleetsizer
