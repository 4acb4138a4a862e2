#include "fleetsizer/sim/timeline.h"

#include <cstddef>

namespace fleetsizer {

TimelineSampler::TimelineSampler(int points, double start_s, double first_interval_s)
    : points_(points > 0 ? points : 0),
      next_s_(start_s),
      interval_s_(first_interval_s > 0 ? first_interval_s : 1e-3) {
  if (points_ > 0) samples_.reserve(2 * static_cast<std::size_t>(points_));
}

void TimelineSampler::record_until(double t, const TimelinePoint& state) {
  if (points_ <= 0) return;
  const auto limit = 2 * static_cast<std::size_t>(points_);
  while (next_s_ < t) {
    TimelinePoint p = state;
    p.t_s = next_s_;
    samples_.push_back(p);
    next_s_ += interval_s_;
    if (samples_.size() >= limit) {
      // Keep every other sample: the kept ones are 2 x interval apart, and the next sample time
      // (one interval after the dropped last one) is 2 x interval after the last kept one.
      std::size_t kept = 0;
      for (std::size_t i = 0; i < samples_.size(); i += 2) samples_[kept++] = samples_[i];
      samples_.resize(kept);
      interval_s_ *= 2;
    }
  }
}

}  // namespace fleetsizer
