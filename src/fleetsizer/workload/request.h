#pragma once
// A request as the simulator sees it, and a pull-based stream of them: synthetic generators and
// trace readers both implement RequestSource, so a run's memory does not depend on its length.
#include <cstdint>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer {

struct Request {
  std::uint64_t id = 0;
  double arrival_s = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::vector<std::uint64_t> hash_ids;  // prefix blocks (Mooncake); empty when unknown
};

class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // Fills `out` with the next request in arrival order; false at the end; an error for bad input.
  virtual Result<bool> next(Request& out) = 0;
  // Requests a trace reader skipped (with --skip-bad-lines).
  virtual std::int64_t skipped() const { return 0; }
  // Told when a request completes, at simulated time `time_s`: a closed-loop source sends its next
  // request then (next() returns false until it has one, and is asked again after completions).
  virtual void completed(std::uint64_t /*id*/, double /*time_s*/) {}
};

}  // namespace fleetsizer
