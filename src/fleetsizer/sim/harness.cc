#include "fleetsizer/sim/harness.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace fleetsizer {

ClosedLoopSource::ClosedLoopSource(std::int64_t clients, std::int64_t total, LengthSpec input,
                                   LengthSpec output, std::uint64_t seed)
    : initial_(std::min(clients, total)),
      remaining_(total),
      lengths_({ArrivalKind::deterministic, 1.0, 1, 0, 0}, std::move(input), std::move(output),
               total, seed) {}

Result<bool> ClosedLoopSource::next(Request& out) {
  if (remaining_ <= 0) return false;
  double at;
  if (initial_ > 0) {
    at = 0;
    --initial_;
  } else if (!ready_.empty()) {
    // The earliest completion first (completions arrive in time order; keep it robust anyway).
    auto it = std::ranges::min_element(ready_);
    at = *it;
    ready_.erase(it);
  } else {
    return false;  // nothing to send until a request completes
  }
  auto more = lengths_.next(out);
  if (!more) return fail(more.error().message);
  if (!*more) return false;
  out.arrival_s = at;
  --remaining_;
  return true;
}

void ClosedLoopSource::completed(std::uint64_t /*id*/, double time_s) {
  if (remaining_ > static_cast<std::int64_t>(ready_.size()) + initial_) ready_.push_back(time_s);
}

Result<SimResult> replay(const StepTimeModel& model, const ReplicaOptions& replica,
                         const Harness& h, const LengthSpec& input, const LengthSpec& output) {
  if (h.requests < 1) return fail("a harness replay needs at least one request");
  std::unique_ptr<RequestSource> source;
  switch (h.kind) {
    case HarnessKind::closed_loop: {
      if (!(h.concurrency >= 1)) return fail("closed-loop concurrency must be >= 1");
      const auto clients = static_cast<std::int64_t>(std::llround(h.concurrency));
      source = std::make_unique<ClosedLoopSource>(clients, h.requests, input, output, h.seed);
      break;
    }
    case HarnessKind::poisson:
      if (!(h.rate > 0) || !std::isfinite(h.rate))
        return fail("a Poisson replay needs a positive finite rate");
      source = std::make_unique<SyntheticSource>(ArrivalSpec{ArrivalKind::poisson, h.rate, 1, 0, 0},
                                                 input, output, h.requests, h.seed);
      break;
    case HarnessKind::offline: {
      // Every request at t = 0: a deterministic process at an effectively infinite rate.
      source = std::make_unique<ClosedLoopSource>(h.requests, h.requests, input, output, h.seed);
      break;
    }
  }
  SimOptions o;
  o.replica = replica;
  o.seed = h.seed;
  o.max_waiting = std::max<std::int64_t>(h.requests + 1, 200000);
  return simulate(model, *source, o);
}

}  // namespace fleetsizer
