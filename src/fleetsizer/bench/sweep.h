#pragma once
// --sweep: the sustained rate, the highest *achieved* request rate at which every SLO target holds.
//
// Each probe offers a rate, and the injected measure function reports the steady window of the run
// (bench::summarize_window): its request_throughput is the achieved rate, its percentiles are the
// window's. A probe passes when every target holds and nothing failed. q is the achieved rate of
// the best passing probe, so q never exceeds what the server actually completed, however much was
// offered.
//
// Bracket: from `start_rate` when given, else from the achieved rate of a first probe that sends
// everything at once (the server's throughput when saturated). The offered rate doubles while
// probes pass, halves while they fail, then bisects between the highest passing and the lowest
// failing offered rate. A passing probe that achieves less than `saturated_fraction` of its offered
// rate is saturated: offering more cannot raise the achieved rate, so the sweep stops there.
//
// Stopping rule: the bracket [passing, failing) of offered rates is at most `precision` of its
// upper end wide, or `max_probes` probes have run. Precision: the SLO-limited offered rate lies in
// that bracket; q is additionally subject to the noise of one window's achieved rate.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/bench/load.h"

namespace fleetsizer::bench {

struct SweepOptions {
  std::optional<double> start_rate;  // none: bracket from an all-at-once probe
  double max_rate = 1e5;
  int repeats = 1;          // runs per probe; a probe passes only if all do
  double precision = 0.03;  // final bracket width as a fraction of its upper end
  int max_probes = 12;
  double saturated_fraction = 0.8;
};

struct SweepProbe {
  int number = 0;           // 1, 2, ... in the order run
  double offered_rate = 0;  // req/s (infinity: all at once)
  double achieved_rate = 0;
  bool pass = false;
  bool saturated = false;
  BenchSummary summary;  // the worst repeat (a failing one if any)
};

enum class SweepStop {
  precision,
  saturated,
  max_rate,
  max_probes,
  all_at_once_passed,
  none_passed
};
std::string sweep_stop_name(SweepStop s);

struct SweepResult {
  bool found = false;
  double q = 0;             // the sustained rate: achieved rate of the best passing probe
  double offered_rate = 0;  // what that probe offered
  double achieved_rate = 0;
  std::vector<SweepProbe> probes;
  BenchSummary at_q;
  SweepStop stop = SweepStop::none_passed;
};

// Runs one probe at `offered_rate` (infinity: everything at once) and summarizes its steady window.
using MeasureFn = std::function<Result<BenchSummary>(double offered_rate, int probe_number)>;

Result<SweepResult> sweep(const MeasureFn& measure, const std::vector<SloTarget>& slo,
                          const SweepOptions& options);

}  // namespace fleetsizer::bench
