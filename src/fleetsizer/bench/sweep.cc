#include "fleetsizer/bench/sweep.h"

#include <fmt/format.h>

namespace fleetsizer::bench {

Result<SweepResult> sweep(const MeasureFn& measure, const std::vector<SloTarget>& slo,
                          const SweepOptions& o) {
  if (slo.empty()) return fail("--sweep needs at least one --slo target");
  if (!(o.start_rate > 0)) return fail("--sweep-start must be a positive rate");
  SweepResult result;
  auto run = [&](double rate) -> Result<bool> {
    SweepPoint point{rate, true, {}};
    for (int r = 0; r < std::max(1, o.repeats); ++r) {
      auto s = measure(rate);
      if (!s) return fail(s.error().message);
      const bool ok = meets(*s, slo);
      if (r == 0 || !ok) point.summary = *s;
      if (!ok) {
        point.pass = false;
        break;
      }
    }
    result.points.push_back(point);
    if (point.pass && (!result.found || rate > result.q)) {
      result.found = true;
      result.q = rate;
      result.at_q = point.summary;
    }
    return point.pass;
  };
  double lo = 0, hi = o.start_rate;
  for (;;) {
    auto ok = run(hi);
    if (!ok) return fail(ok.error().message);
    if (!*ok) break;
    lo = hi;
    if (hi >= o.max_rate) return result;
    hi = std::min(o.max_rate, hi * 2);
  }
  if (lo == 0) {
    // Even the start rate fails: look below it.
    for (int i = 0; i < 6 && !result.found; ++i) {
      hi /= 2;
      auto ok = run(hi);
      if (!ok) return fail(ok.error().message);
      if (*ok) lo = hi, hi *= 2;
    }
    if (!result.found) return result;
  }
  for (int i = 0; i < o.bisections; ++i) {
    const double mid = (lo + hi) / 2;
    auto ok = run(mid);
    if (!ok) return fail(ok.error().message);
    (*ok ? lo : hi) = mid;
  }
  return result;
}

}  // namespace fleetsizer::bench
