#include "http/emulator_faults.h"

#include <algorithm>

namespace fleetsizer::http {

Faults FaultInjector::draw(std::int64_t max_tokens) {
  Faults f;
  f.max_tokens = rates_.ignore_max_tokens ? max_tokens * 2 : max_tokens;
  std::uniform_real_distribution<double> u(0, 1);
  if (u(rng_) < rates_.error_rate) {
    f.status = 500;
    return f;
  }
  if (u(rng_) < rates_.rate_limit_rate) {
    f.status = 429;
    return f;
  }
  const std::int64_t half = std::max<std::int64_t>(1, f.max_tokens / 2);
  if (u(rng_) < rates_.disconnect_rate) f.disconnect_at = half;
  if (u(rng_) < rates_.malformed_rate) f.malformed_at = half;
  f.stall = u(rng_) < rates_.stall_rate;
  return f;
}

}  // namespace fleetsizer::http
