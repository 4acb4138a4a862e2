#pragma once
// Latency service-level objectives: a target on TTFT, TPOT, ITL or E2E at a percentile. A target
// holds when the metric is at or below it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer {

enum class Metric { ttft, tpot, itl, e2e };
enum class Percentile { mean, p50, p90, p95, p99 };

struct SloTarget {
  Metric metric = Metric::ttft;
  Percentile percentile = Percentile::p99;
  double ms = 0;
};

// One target checked against a predicted or measured value.
struct TargetCheck {
  SloTarget target;
  double value_ms = 0;  // at the chosen operating point (or the smallest tried when infeasible)
  bool holds = false;
};

std::string_view metric_name(Metric m);
std::string_view percentile_name(Percentile p);
// 0.5, 0.9, ... (mean: 0.5 as the closest order statistic for symmetric models)
double percentile_fraction(Percentile p);
// "ttft:p99=2000" (milliseconds). Also accepts vLLM's "ttft:2000" (meaning the p99 is not stated:
// we read it as mean, as vLLM's --goodput does per request).
Result<SloTarget> parse_slo(std::string_view text);
std::string format_slo(const SloTarget& t);
// "ttft_ms_p99": the curve-file column that measures this target.
std::string curve_column(const SloTarget& t);

}  // namespace fleetsizer
