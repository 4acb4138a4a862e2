#pragma once
// The fleet's state over simulated time, sampled for a chart: requests waiting, requests running
// and the fraction of KV blocks in use. The run's length is not known in advance, so the sampler
// starts fine and halves its resolution whenever it holds twice the points asked for: it ends
// with between `points` and 2 x `points` samples, evenly spaced, whatever the run's length.
#include <cstdint>
#include <vector>

namespace fleetsizer {

struct TimelinePoint {
  double t_s = 0;
  std::int64_t waiting = 0;
  std::int64_t running = 0;
  double kv_used_fraction = 0;  // used KV blocks over all replicas' blocks
};

class TimelineSampler {
 public:
  // No samples when points <= 0. The first sample is at start_s, then every first_interval_s
  // (doubling as the run grows).
  TimelineSampler(int points, double start_s, double first_interval_s = 1e-3);
  bool enabled() const { return points_ > 0; }
  // A sample falls before t: the caller should gather the state and call record_until.
  bool due(double t) const { return points_ > 0 && next_s_ < t; }
  // `state` held over the span up to t (a discrete-event state is constant between events):
  // it is the value at every sample time before t.
  void record_until(double t, const TimelinePoint& state);
  double interval_s() const { return interval_s_; }
  const std::vector<TimelinePoint>& points() const { return samples_; }
  std::vector<TimelinePoint> take() { return std::move(samples_); }

 private:
  int points_;
  double next_s_;
  double interval_s_;
  std::vector<TimelinePoint> samples_;
};

}  // namespace fleetsizer
