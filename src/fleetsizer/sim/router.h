#pragma once
// How a fleet spreads requests over its replicas.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fleetsizer/error.h"
#include "fleetsizer/sim/replica.h"

namespace fleetsizer {

enum class RouterPolicy {
  round_robin,
  random,
  least_outstanding,
  power_of_two,
  least_kv,
  prefix_affinity
};

Result<RouterPolicy> parse_router(const std::string& text);
std::string router_name(RouterPolicy p);

class Router {
 public:
  Router(RouterPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {}
  int pick(const Request& r, const std::vector<ReplicaSim>& replicas);

 private:
  int least_outstanding(const std::vector<ReplicaSim>& replicas) const;
  RouterPolicy policy_;
  std::mt19937_64 rng_;
  std::size_t next_ = 0;
};

}  // namespace fleetsizer
