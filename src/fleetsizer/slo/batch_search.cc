#include "fleetsizer/slo/batch_search.h"

#include <fmt/format.h>

#include <cmath>

namespace fleetsizer {

Result<BatchSearchResult> largest_batch_meeting(const CurveModel& curve,
                                                const std::vector<SloTarget>& slo, double osl) {
  for (const auto& t : slo)
    if (!curve.has(curve_column(t)))
      return fail(fmt::format("{}: no column {} to check the SLO target {}", curve.curve().source,
                              curve_column(t), format_slo(t)));
  if (!curve.request_rate(curve.curve().min_batch(), osl))
    return fail(fmt::format("{}: curve has output_tok_s but no request_rate, and osl is not set",
                            curve.curve().source));

  auto checks_at = [&](double b) {
    std::vector<TargetCheck> checks;
    for (const auto& t : slo) {
      const double v = curve.latency_ms(curve_column(t), b);
      checks.push_back({t, v, v <= t.ms});
    }
    return checks;
  };
  auto all_hold = [](const std::vector<TargetCheck>& c) {
    for (const auto& x : c)
      if (!x.holds) return false;
    return true;
  };

  BatchSearchResult r;
  const double lo = curve.curve().min_batch(), hi = curve.curve().max_batch();
  std::vector<double> candidates;
  for (double b = std::floor(hi); b >= std::ceil(lo); b -= 1) candidates.push_back(b);
  if (candidates.empty()) candidates.push_back(hi);  // a fractional-only range: test its top
  for (double b : candidates) {
    auto checks = checks_at(b);
    if (all_hold(checks)) {
      r.feasible = true;
      r.max_batch = b;
      r.q_rps = *curve.request_rate(b, osl);
      r.output_tok_s = curve.output_tok_s(b, osl).value_or(0);
      r.checks = std::move(checks);
      r.range_limited = b == candidates.front();
      if (r.range_limited) {
        r.binding = "measured range";
      } else {
        // The target that fails one batch up is the binding one.
        for (const auto& c : checks_at(b + 1))
          if (!c.holds) {
            r.binding = format_slo(c.target);
            break;
          }
      }
      return r;
    }
  }
  r.checks = checks_at(lo);
  for (const auto& c : r.checks)
    if (!c.holds) {
      r.binding = format_slo(c.target);
      r.reason = fmt::format("no batch meets {}: {:.1f} ms even at the smallest measured batch {}",
                             format_slo(c.target), c.value_ms, lo);
      break;
    }
  return r;
}

}  // namespace fleetsizer
