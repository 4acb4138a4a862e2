#include "fleetsizer/sim/router.h"

#include <fmt/format.h>

namespace fleetsizer {

Result<RouterPolicy> parse_router(const std::string& t) {
  if (t == "round_robin" || t == "rr") return RouterPolicy::round_robin;
  if (t == "random") return RouterPolicy::random;
  if (t == "least_outstanding" || t == "lor") return RouterPolicy::least_outstanding;
  if (t == "power_of_two" || t == "p2c") return RouterPolicy::power_of_two;
  if (t == "least_kv") return RouterPolicy::least_kv;
  if (t == "prefix_affinity" || t == "prefix") return RouterPolicy::prefix_affinity;
  return fail(
      fmt::format("router: unknown policy '{}' (round_robin, random, least_outstanding, "
                  "power_of_two, least_kv, prefix_affinity)",
                  t));
}

std::string router_name(RouterPolicy p) {
  switch (p) {
    case RouterPolicy::round_robin:
      return "round_robin";
    case RouterPolicy::random:
      return "random";
    case RouterPolicy::least_outstanding:
      return "least_outstanding";
    case RouterPolicy::power_of_two:
      return "power_of_two";
    case RouterPolicy::least_kv:
      return "least_kv";
    case RouterPolicy::prefix_affinity:
      return "prefix_affinity";
  }
  return "?";
}

int Router::least_outstanding(const std::vector<ReplicaSim>& replicas) const {
  int best = 0;
  for (int i = 1; i < static_cast<int>(replicas.size()); ++i)
    if (replicas[i].outstanding() < replicas[best].outstanding()) best = i;
  return best;
}

int Router::pick(const Request& r, const std::vector<ReplicaSim>& replicas) {
  const int n = static_cast<int>(replicas.size());
  if (n == 1) return 0;
  switch (policy_) {
    case RouterPolicy::round_robin:
      return static_cast<int>(next_++ % replicas.size());
    case RouterPolicy::random:
      return std::uniform_int_distribution<int>(0, n - 1)(rng_);
    case RouterPolicy::least_outstanding:
      return least_outstanding(replicas);
    case RouterPolicy::power_of_two: {
      std::uniform_int_distribution<int> u(0, n - 1);
      const int a = u(rng_);
      int b = u(rng_);
      if (b == a) b = (a + 1) % n;
      return replicas[b].outstanding() < replicas[a].outstanding() ? b : a;
    }
    case RouterPolicy::least_kv: {
      int best = 0;
      for (int i = 1; i < n; ++i) {
        const auto key = [&](int j) {
          return std::pair(replicas[j].used_blocks(), replicas[j].outstanding());
        };
        if (key(i) < key(best)) best = i;
      }
      return best;
    }
    case RouterPolicy::prefix_affinity: {
      // Requests sharing their first prefix block go to the same replica, unless it is twice as
      // loaded as the least loaded one (then balance wins).
      if (r.hash_ids.empty()) return least_outstanding(replicas);
      const int home =
          static_cast<int>(std::hash<std::uint64_t>{}(r.hash_ids.front()) % replicas.size());
      const int least = least_outstanding(replicas);
      return replicas[home].outstanding() > 2 * replicas[least].outstanding() + 4 ? least : home;
    }
  }
  return 0;
}

}  // namespace fleetsizer
