#include "fleetsizer/sim/row_replay.h"

#include <algorithm>
#include <cmath>

#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/roofline.h"

namespace fleetsizer {
namespace {

// The row's mean length, exactly, or uniform within +-noise of it (whole tokens).
LengthSpec length_spec(double mean, double noise) {
  LengthSpec l;
  l.kind = LengthKind::fixed;
  l.mean = std::max(1.0, std::round(mean));
  const double lo = std::max(1.0, std::round(mean * (1 - noise)));
  const double hi = std::max(lo, std::round(mean * (1 + noise)));
  if (noise > 0 && hi > lo) {
    l.kind = LengthKind::uniform;
    l.min = lo;
    l.max = hi;
  }
  return l;
}

LatencyStats stats_of(const Histogram& h) {
  return {h.mean(), h.percentile(0.50), h.percentile(0.90), h.percentile(0.95), h.percentile(0.99)};
}

}  // namespace

std::int64_t default_requests(const Measurement& row) {
  if (row.concurrency) {
    const auto c = static_cast<std::int64_t>(std::llround(*row.concurrency));
    return std::max<std::int64_t>(10 * c, 500);
  }
  return 1000;
}

Harness harness_for(const Measurement& row, const ReplayPolicy& policy) {
  Harness h;
  h.seed = policy.seed;
  h.requests = row.requests.value_or(default_requests(row));
  if (row.concurrency) {
    h.kind = HarnessKind::closed_loop;
    h.concurrency = std::max(1.0, std::round(*row.concurrency));
  } else if (row.request_rate && std::isfinite(*row.request_rate)) {
    h.kind = HarnessKind::poisson;
    h.rate = *row.request_rate;
  } else {
    h.kind = HarnessKind::offline;
  }
  if (policy.max_requests > 0) {
    const std::int64_t floor =
        h.kind == HarnessKind::closed_loop ? 3 * static_cast<std::int64_t>(h.concurrency) : 1;
    h.requests = std::min(h.requests, std::max(policy.max_requests, floor));
  }
  return h;
}

ReplayReplica roofline_replica(const Measurement& row, const Efficiency& efficiency) {
  const OperatingPoint p = operating_point(row, efficiency);
  const auto context = static_cast<std::int64_t>(std::ceil(row.isl + row.osl));
  return {std::make_unique<RooflineModel>(p.spec, efficiency),
          replica_options(p.spec, footprint_at(p.spec, context))};
}

RowForecast ReplayPredictor::forecast(const Measurement& row, const Efficiency& efficiency) const {
  const ReplayReplica replica = replica_(row, efficiency);
  const Harness h = harness_for(row, policy_);
  const double noise = h.kind == HarnessKind::closed_loop ? efficiency.phase_noise : 0.0;
  const auto r = replay(*replica.model, replica.options, h, length_spec(row.isl, noise),
                        length_spec(row.osl, noise));
  RowForecast f;
  if (!r || r->requests == 0) {
    const double inf = INFINITY;
    f.ttft_ms = f.tpot_ms = {inf, inf, inf, inf, inf};
    return f;
  }
  f.ttft_ms = stats_of(r->ttft_ms);
  f.tpot_ms = stats_of(r->tpot_ms);
  f.output_tok_s = r->output_tok_s();
  return f;
}

}  // namespace fleetsizer
