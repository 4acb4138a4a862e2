#include "fleetsizer/bench/sweep.h"

#include <fmt/format.h>

#include <cmath>

namespace fleetsizer::bench {

std::string sweep_stop_name(SweepStop s) {
  switch (s) {
    case SweepStop::precision:
      return "precision";
    case SweepStop::saturated:
      return "saturated";
    case SweepStop::max_rate:
      return "max_rate";
    case SweepStop::max_probes:
      return "max_probes";
    case SweepStop::all_at_once_passed:
      return "all_at_once_passed";
    case SweepStop::none_passed:
      return "none_passed";
  }
  return "?";
}

Result<SweepResult> sweep(const MeasureFn& measure, const std::vector<SloTarget>& slo,
                          const SweepOptions& o) {
  if (slo.empty()) return fail("--sweep needs at least one --slo target");
  if (o.start_rate && !(*o.start_rate > 0 && std::isfinite(*o.start_rate)))
    return fail("--sweep-start must be a positive rate");
  if (!(o.precision > 0 && o.precision < 1))
    return fail("--sweep-precision must be between 0 and 1");
  if (o.max_probes < 2) return fail("--sweep-max-probes must be at least 2");
  SweepResult result;
  auto probe = [&](double offered) -> Result<SweepProbe> {
    SweepProbe p;
    p.number = static_cast<int>(result.probes.size()) + 1;
    p.offered_rate = offered;
    p.pass = true;
    for (int r = 0; r < std::max(1, o.repeats); ++r) {
      auto s = measure(offered, p.number);
      if (!s) return fail(s.error().message);
      const bool ok = meets(*s, slo);
      if (r == 0 || !ok) p.summary = *s;
      if (!ok) {
        p.pass = false;
        break;
      }
    }
    p.achieved_rate = p.summary.request_throughput;
    p.saturated = !std::isfinite(offered) || p.achieved_rate < o.saturated_fraction * offered;
    result.probes.push_back(p);
    if (p.pass && p.achieved_rate > result.q) {
      result.found = true;
      result.q = p.achieved_rate;
      result.offered_rate = offered;
      result.achieved_rate = p.achieved_rate;
      result.at_q = p.summary;
    }
    return p;
  };
  auto out_of_probes = [&] { return static_cast<int>(result.probes.size()) >= o.max_probes; };
  auto finish = [&](SweepStop why) {
    result.stop = result.found ? why : SweepStop::none_passed;
    return result;
  };

  double rate = 0;
  if (o.start_rate) {
    rate = *o.start_rate;
  } else {
    auto first = probe(INFINITY);
    if (!first) return fail(first.error().message);
    if (first->pass) return finish(SweepStop::all_at_once_passed);
    if (!(first->achieved_rate > 0)) return finish(SweepStop::none_passed);
    rate = std::min(o.max_rate, first->achieved_rate);
  }
  // lo: highest passing offered rate (0: none yet); hi: lowest failing one.
  double lo = 0, hi = INFINITY;
  while (!out_of_probes()) {
    auto p = probe(rate);
    if (!p) return fail(p.error().message);
    if (!p->pass) {
      hi = rate;
      break;
    }
    if (p->saturated) return finish(SweepStop::saturated);
    lo = rate;
    if (rate >= o.max_rate) return finish(SweepStop::max_rate);
    rate = std::min(o.max_rate, rate * 2);
  }
  if (lo > 0 && !std::isfinite(hi)) return finish(SweepStop::max_probes);
  // Even the first rate failed: halve until one passes (a handful of times at most).
  for (int i = 0; lo == 0 && i < 6 && !out_of_probes(); ++i) {
    auto p = probe(hi / 2);
    if (!p) return fail(p.error().message);
    if (!p->pass) {
      hi /= 2;
      continue;
    }
    if (p->saturated) return finish(SweepStop::saturated);
    lo = hi / 2;
  }
  if (lo == 0) return finish(out_of_probes() ? SweepStop::max_probes : SweepStop::none_passed);
  while (hi - lo > o.precision * hi) {
    if (out_of_probes()) return finish(SweepStop::max_probes);
    const double mid = (lo + hi) / 2;
    auto p = probe(mid);
    if (!p) return fail(p.error().message);
    if (p->pass && p->saturated) return finish(SweepStop::saturated);
    (p->pass ? lo : hi) = mid;
  }
  return finish(SweepStop::precision);
}

}  // namespace fleetsizer::bench
