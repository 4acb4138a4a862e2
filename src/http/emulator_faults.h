#pragma once
// The emulator's fault injection: for each completion request, whether it fails and how, drawn
// from one seeded generator in a fixed order (500, 429, disconnect, malformed, stall) so a seed
// reproduces a run.
#include <cstdint>
#include <random>

namespace fleetsizer::http {

struct FaultRates {
  double error_rate = 0, rate_limit_rate = 0, disconnect_rate = 0, malformed_rate = 0,
         stall_rate = 0;
  bool ignore_max_tokens = false;
};

struct Faults {
  int status = 0;                   // 500 or 429: answered at once with this status
  std::int64_t disconnect_at = -1;  // cut the stream after this token
  std::int64_t malformed_at = -1;   // this token's event is not JSON
  bool stall = false;               // pause after the first token
  std::int64_t max_tokens = 0;      // what the server will generate
};

class FaultInjector {
 public:
  FaultInjector(const FaultRates& rates, std::uint64_t seed) : rates_(rates), rng_(seed) {}
  Faults draw(std::int64_t max_tokens);

 private:
  FaultRates rates_;
  std::mt19937_64 rng_;
};

}  // namespace fleetsizer::http
