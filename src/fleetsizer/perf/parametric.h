#pragma once
// Parametric throughput/latency curves, as in the seed's exercise: q(b) = q0 b / (1 + alpha b)
// requests per second and a latency linear in the batch, l(b) = l0 + l1 b, for one SLO metric.
// Sampled at integer batches into a Curve so the same SLO search applies.
#include <string>

#include "fleetsizer/error.h"
#include "fleetsizer/perf/curve.h"
#include "fleetsizer/targets/slo.h"

namespace fleetsizer {

struct ParametricCurve {
  double q0 = 1;        // req/s per unit batch at small batch
  double alpha = 0.05;  // saturation: q -> q0 / alpha as b grows
  double l0_ms = 0;     // latency intercept
  double l1_ms = 100;   // latency per unit of batch
  Metric metric = Metric::e2e;
  Percentile percentile = Percentile::p99;
  int max_batch = 256;
};

// "q0=18,alpha=0.05,l0=0,l1=100,metric=e2e:p99,max_batch=256"
Result<ParametricCurve> parse_parametric(const std::string& text);
double parametric_q(const ParametricCurve& p, double batch);
Curve sample(const ParametricCurve& p);

}  // namespace fleetsizer
