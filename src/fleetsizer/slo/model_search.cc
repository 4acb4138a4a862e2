#include "fleetsizer/slo/model_search.h"

#include <fmt/format.h>

#include <cmath>

namespace fleetsizer {
namespace {

bool all_hold(const std::vector<TargetCheck>& checks) {
  for (const auto& c : checks)
    if (!c.holds) return false;
  return true;
}

std::optional<SloTarget> first_failing_target(const std::vector<TargetCheck>& checks) {
  for (const auto& c : checks)
    if (!c.holds) return c.target;
  return std::nullopt;
}

std::string first_failing(const std::vector<TargetCheck>& checks) {
  const auto t = first_failing_target(checks);
  return t ? format_slo(*t) : "";
}

// Largest x in [lo, hi] with ok(x), assuming ok is monotone (true then false); integer or real.
template <class Ok>
double bisect_largest(double lo, double hi, bool integer, Ok ok,
                      double rel_tolerance = kRateRelTolerance) {
  for (int i = 0; i < 60 && hi - lo > (integer ? 1.0 : rel_tolerance * hi); ++i) {
    double mid = (lo + hi) / 2;
    if (integer) mid = std::floor(mid);
    if (mid <= lo) mid = lo + (integer ? 1 : 0);
    (ok(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

std::vector<TargetCheck> check_targets(const SteadyState& s, const std::vector<SloTarget>& slo) {
  std::vector<TargetCheck> out;
  for (const auto& t : slo) {
    const double v = metric_ms(s, t.metric, t.percentile);
    out.push_back({t, v, s.stable && v <= t.ms});
  }
  return out;
}

ModelSearchResult largest_concurrency_meeting(const StepTimeModel& model, const Lengths& w,
                                              const std::vector<SloTarget>& slo,
                                              std::int64_t max_running,
                                              std::int64_t max_concurrency, double wave_sync) {
  ModelSearchResult r;
  auto ok = [&](double c) {
    return all_hold(check_targets(closed_loop(model, w, c, max_running, wave_sync), slo));
  };
  if (!ok(1)) {
    r.state = closed_loop(model, w, 1, max_running, wave_sync);
    r.checks = check_targets(r.state, slo);
    r.binding = first_failing(r.checks);
    r.reason = fmt::format("no concurrency meets the SLO: {} fails even with one request at a time",
                           r.binding);
    return r;
  }
  const double hi = static_cast<double>(max_concurrency);
  const double best = ok(hi) ? hi : bisect_largest(1, hi, true, ok);
  r.feasible = true;
  r.value = best;
  r.state = closed_loop(model, w, best, max_running, wave_sync);
  r.checks = check_targets(r.state, slo);
  r.binding = best >= hi ? "concurrency limit " + std::to_string(max_concurrency)
                         : first_failing(check_targets(
                               closed_loop(model, w, best + 1, max_running, wave_sync), slo));
  return r;
}

ModelSearchResult largest_rate_meeting(const StepTimeModel& model, const Lengths& w,
                                       const std::vector<SloTarget>& slo, std::int64_t max_running,
                                       double rel_tolerance, double known_capacity) {
  ModelSearchResult r;
  const double capacity =
      known_capacity > 0
          ? known_capacity
          : max_stable_rate(model, w, max_running,
                            rel_tolerance == kRateRelTolerance ? 0 : rel_tolerance / 10);
  auto ok = [&](double rate) {
    return all_hold(check_targets(open_loop(model, w, rate, max_running), slo));
  };
  const double tiny = capacity * 1e-4;
  if (capacity <= 0 || !ok(tiny)) {
    r.state = open_loop(model, w, tiny, max_running);
    r.checks = check_targets(r.state, slo);
    r.binding = first_failing(r.checks);
    if (r.binding.empty()) r.binding = r.state.limit;
    r.reason = fmt::format("no arrival rate meets the SLO: {} fails even at a trickle of traffic",
                           r.binding);
    return r;
  }
  const double best = bisect_largest(tiny, capacity, false, ok, rel_tolerance);
  r.feasible = true;
  r.value = best;
  r.state = open_loop(model, w, best, max_running);
  r.checks = check_targets(r.state, slo);
  const SteadyState above = open_loop(model, w, std::min(capacity, best * 1.001), max_running);
  r.binding_target = first_failing_target(check_targets(above, slo));
  r.binding = first_failing(check_targets(above, slo));
  if (r.binding.empty())
    r.binding = "replica capacity (" + (above.limit.empty() ? "saturation" : above.limit) + ")";
  return r;
}

}  // namespace fleetsizer
