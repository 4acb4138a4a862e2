#pragma once
// Predicting one operating point (closed loop at a concurrency, open loop at a rate, or offline)
// with the roofline model, and the physics bound no prediction or measurement may beat.
#include <cstdint>
#include <optional>

#include "fleetsizer/perf/measurement.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/perf/steady_state.h"

namespace fleetsizer {

struct OperatingPoint {
  ReplicaSpec spec;
  Efficiency efficiency;
  Lengths workload;
  std::optional<double> concurrency;
  std::optional<double> rate;  // inf: offline
  std::int64_t max_running = 256;
};

SteadyState predict(const OperatingPoint& point);

// The replica's KV-limited running-sequence cap for a measurement's lengths, with its engine's
// default max_num_seqs and the memory defaults of the footprint model.
std::int64_t kv_limited_running(const ReplicaSpec& spec, double isl, double osl);

OperatingPoint operating_point(const Measurement& m, const Efficiency& efficiency);

// The ideal machine: efficiency 1 and no overheads, under the same scheduling assumption
// (wave_sync) as the model it bounds. Nothing real is faster.
Efficiency ideal_efficiency(double wave_sync = 1.0);

}  // namespace fleetsizer
