#pragma once
// --sweep: the highest request rate at which the SLO holds, by bracketing (doubling from a start
// rate until a run fails) and then bisection, each rate measured `repeats` times and passing only
// if every repeat passes (one lucky run does not raise q).
#include <functional>
#include <vector>

#include "fleetsizer/bench/load.h"

namespace fleetsizer::bench {

struct SweepOptions {
  double start_rate = 1;
  double max_rate = 1e5;
  int repeats = 2;
  int bisections = 5;  // final bracket is 2^-5 ~ 3% wide
};

struct SweepPoint {
  double rate = 0;
  bool pass = false;
  BenchSummary summary;  // the worst repeat (a failing one if any)
};

struct SweepResult {
  bool found = false;
  double q = 0;  // highest passing rate
  std::vector<SweepPoint> points;
  BenchSummary at_q;
};

using MeasureFn = std::function<Result<BenchSummary>(double rate)>;

Result<SweepResult> sweep(const MeasureFn& measure, const std::vector<SloTarget>& slo,
                          const SweepOptions& options);

}  // namespace fleetsizer::bench
