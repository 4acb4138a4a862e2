#pragma once
// Spare replicas for failures (N + k), from a failure rate and a repair time.
//
// Model: each replica is down independently of the others. A replica of g GPUs fails when any of
// its GPUs does, at g x f failures per GPU-hour (f = failures per GPU-year / 8,760), and is out
// for the repair time R; over a long run it is down for the fraction p = gfR / (1 + gfR) (an
// alternating renewal process: mean up time 1/(gf), mean down time R). With n serving replicas
// needed and k spares, the fleet serves the target while at most k of its n + k replicas are
// down: P(X <= k) for X ~ Binomial(n + k, p). spares_for() is the smallest k for which that
// probability reaches the target availability.
//
// Failures that take down a whole host (power, NIC) and correlated failures are not modeled: the
// binomial is the independent-failure floor.
#include <cstdint>

namespace fleetsizer {

struct AvailabilitySpec {
  // Interruptions per GPU-year. Default: 419 unexpected interruptions in 54 days on 16,384 H100s
  // (Llama 3 paper, Dubey et al. 2024, section 3.3.4): 419 / (16,384 x 54 / 365) = 0.173.
  double gpu_failures_per_year = 0.173;
  double repair_hours = 24;  // time until a failed replica serves again (illustrative)
  double target = 0.999;     // probability that at least the serving replicas are up
};

// A replica down this often is an input mistake (a failure rate or repair time off by orders of
// magnitude), not a fleet to plan spares for.
inline constexpr double kMaxDownProbability = 0.5;

// The long-run fraction of time one replica of `gpus` GPUs is down.
double replica_down_probability(int gpus, const AvailabilitySpec& spec);

// P(X <= k), X ~ Binomial(n, p): the probability that at most k of n replicas are down.
double at_most_down_probability(std::int64_t n, std::int64_t k, double p);

// The fewest spares k such that at most k of serving + k replicas are down with probability
// >= target. `serving` replicas of down probability p; k never exceeds `max_spares` (returned as
// max_spares + 1 when even that is not enough).
std::int64_t spares_for(std::int64_t serving, double p, double target,
                        std::int64_t max_spares = std::int64_t{1} << 40);

}  // namespace fleetsizer
