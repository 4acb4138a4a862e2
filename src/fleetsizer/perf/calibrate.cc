#include "fleetsizer/perf/calibrate.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>

#include "fleetsizer/perf/predict.h"

namespace fleetsizer {
namespace {

constexpr int kParams = 6;
using Params = Eigen::Matrix<double, kParams, 1>;

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}
double logit(double p) {
  return std::log(p / (1.0 - p));
}

Efficiency to_efficiency(const Params& t, const Efficiency& base) {
  Efficiency e = base;
  e.compute = logistic(t[0]);
  e.memory = logistic(t[1]);
  e.step_overhead_ms = std::exp(t[2]);
  e.per_seq_overhead_us = std::exp(t[3]);
  e.wave_sync = logistic(t[4]);
  e.low_precision_compute = logistic(t[5]);
  return e;
}

Params to_params(const Efficiency& e) {
  Params t;
  t << logit(std::clamp(e.compute, 1e-3, 0.999)), logit(std::clamp(e.memory, 1e-3, 0.999)),
      std::log(std::max(e.step_overhead_ms, 1e-3)), std::log(std::max(e.per_seq_overhead_us, 1e-3)),
      logit(std::clamp(e.wave_sync, 1e-3, 0.999)),
      logit(std::clamp(e.low_precision_compute, 1e-3, 0.999));
  return t;
}

// log(predicted / measured) for every measured latency of every row.
Eigen::VectorXd residuals(const std::vector<Measurement>& rows, const Efficiency& e) {
  std::vector<double> r;
  for (const auto& m : rows) {
    const SteadyState s = predict(operating_point(m, e));
    if (m.ttft_ms) r.push_back(std::log(std::max(s.ttft_ms.p50, 1e-6) / *m.ttft_ms));
    if (m.tpot_ms) r.push_back(std::log(std::max(s.tpot_ms.p50, 1e-6) / *m.tpot_ms));
  }
  return Eigen::Map<Eigen::VectorXd>(r.data(), static_cast<Eigen::Index>(r.size()));
}

double median_abs_pct(const Eigen::VectorXd& r) {
  std::vector<double> v;
  for (Eigen::Index i = 0; i < r.size(); ++i) v.push_back(std::abs(std::exp(r[i]) - 1.0) * 100);
  if (v.empty()) return 0;
  std::ranges::nth_element(v, v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2));
  return v[v.size() / 2];
}

// Huber weights on log residuals: quadratic within 10%, linear beyond.
Eigen::VectorXd huber_weights(const Eigen::VectorXd& r) {
  constexpr double delta = 0.10;
  Eigen::VectorXd w(r.size());
  for (Eigen::Index i = 0; i < r.size(); ++i)
    w[i] = std::abs(r[i]) <= delta ? 1.0 : delta / std::abs(r[i]);
  return w;
}

double cost(const Eigen::VectorXd& r, const Eigen::VectorXd& w) {
  return (w.array() * r.array().square()).sum();
}

}  // namespace

std::string physics_violation(const Measurement& m) {
  // Scheduling cannot beat one request alone on the ideal machine: its prompt prefilled in one
  // step and each decode step streaming the weights at least once.
  Measurement alone = m;
  alone.concurrency = 1.0;
  alone.request_rate.reset();
  OperatingPoint p = operating_point(alone, ideal_efficiency());
  p.spec.limits.max_num_batched_tokens = std::int64_t{1} << 40;
  const SteadyState ideal = predict(p);
  if (m.tpot_ms && ideal.tpot_ms.p50 > *m.tpot_ms * 1.02)
    return fmt::format("measured TPOT {:.2f} ms is below the hardware bound {:.2f} ms", *m.tpot_ms,
                       ideal.tpot_ms.p50);
  if (m.ttft_ms && ideal.ttft_ms.p50 > *m.ttft_ms * 1.02)
    return fmt::format("measured TTFT {:.2f} ms is below the hardware bound {:.2f} ms", *m.ttft_ms,
                       ideal.ttft_ms.p50);
  return "";
}

CalibrationResult calibrate(const std::vector<Measurement>& rows, const Efficiency& start) {
  CalibrationResult out;
  out.efficiency = start;
  out.rows = static_cast<int>(rows.size());
  if (rows.size() < 3) {
    out.message = fmt::format(
        "only {} rows: need at least 3 to fit 6 factors robustly; kept the defaults", rows.size());
    return out;
  }
  Params theta = to_params(start);
  Eigen::VectorXd r = residuals(rows, start);
  out.median_abs_pct_error_before = median_abs_pct(r);
  double lambda = 1e-2;
  Eigen::VectorXd w = huber_weights(r);
  double current = cost(r, w);
  bool converged = false;
  for (out.iterations = 1; out.iterations <= 60; ++out.iterations) {
    // Numerical Jacobian by forward differences in the transformed parameters.
    Eigen::MatrixXd J(r.size(), kParams);
    for (int k = 0; k < kParams; ++k) {
      Params t = theta;
      const double h = 1e-4 * std::max(1.0, std::abs(t[k]));
      t[k] += h;
      J.col(k) = (residuals(rows, to_efficiency(t, start)) - r) / h;
    }
    const Eigen::MatrixXd JtW = J.transpose() * w.asDiagonal();
    const Eigen::MatrixXd A = JtW * J;
    const Eigen::VectorXd g = JtW * r;
    bool improved = false;
    for (int attempt = 0; attempt < 10 && !improved; ++attempt) {
      Eigen::MatrixXd damped = A;
      damped.diagonal() += lambda * (A.diagonal().array() + 1e-9).matrix();
      const Params step = damped.ldlt().solve(-g);
      const Params candidate = theta + step;
      const Eigen::VectorXd rc = residuals(rows, to_efficiency(candidate, start));
      const double c = cost(rc, w);
      if (std::isfinite(c) && c < current) {
        const double relative = (current - c) / std::max(current, 1e-12);
        theta = candidate;
        r = rc;
        w = huber_weights(r);
        current = cost(r, w);
        lambda = std::max(lambda / 3, 1e-7);
        improved = true;
        if (relative < 1e-6 || step.norm() < 1e-6) converged = true;
      } else {
        lambda *= 4;
      }
    }
    if (!improved) converged = true;  // no downhill step left: a (local) minimum
    if (converged) break;
  }
  if (!converged || !r.allFinite()) {
    out.message = "calibration did not converge; kept the defaults";
    return out;
  }
  out.converged = true;
  out.efficiency = to_efficiency(theta, start);
  out.median_abs_pct_error_after = median_abs_pct(r);
  return out;
}

}  // namespace fleetsizer
