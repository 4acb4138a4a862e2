#include "fleetsizer/perf/calibrate.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <thread>

#include "fleetsizer/perf/predict.h"

namespace fleetsizer {
namespace {

constexpr int kParams = kFittedFactors;
using Params = Eigen::Matrix<double, kParams, 1>;

// The order of Params; factor k is parameter k.
constexpr std::array<Factor, kParams> kFactors = {
    Factor::compute,          Factor::memory,
    Factor::step_overhead_ms, Factor::per_seq_overhead_us,
    Factor::wave_sync,        Factor::low_precision_compute};

bool is_efficiency(Factor f) {
  return f != Factor::step_overhead_ms && f != Factor::per_seq_overhead_us;
}

// Efficiency or const Efficiency: the member that holds factor f.
template <class E>
auto& field(E& e, Factor f) {
  switch (f) {
    case Factor::compute:
      return e.compute;
    case Factor::memory:
      return e.memory;
    case Factor::step_overhead_ms:
      return e.step_overhead_ms;
    case Factor::per_seq_overhead_us:
      return e.per_seq_overhead_us;
    case Factor::wave_sync:
      return e.wave_sync;
    case Factor::low_precision_compute:
      return e.low_precision_compute;
  }
  return e.compute;
}

double value_of(const Efficiency& e, Factor f) {
  return field(e, f);
}

// Held at its start value: an efficiency that starts on a bound (wave_sync 1 of static batching),
// and wave_sync when the predictor does not use it (a replay makes the clients' phases itself).
bool is_fixed(const Efficiency& start, Factor f, bool uses_wave_sync = true) {
  if (f == Factor::wave_sync && !uses_wave_sync) return true;
  const double v = value_of(start, f);
  return is_efficiency(f) && (v >= 1.0 || v <= 0.0);
}

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}
double logit(double p) {
  return std::log(p / (1.0 - p));
}

Efficiency to_efficiency(const Params& t, const Efficiency& base, bool uses_wave_sync) {
  Efficiency e = base;
  for (int k = 0; k < kParams; ++k) {
    const Factor f = kFactors[static_cast<std::size_t>(k)];
    if (is_fixed(base, f, uses_wave_sync)) continue;
    field(e, f) = is_efficiency(f) ? logistic(t[k]) : std::exp(t[k]);
  }
  return e;
}

Params to_params(const Efficiency& e) {
  Params t;
  for (int k = 0; k < kParams; ++k) {
    const Factor f = kFactors[static_cast<std::size_t>(k)];
    const double v = value_of(e, f);
    t[k] = is_efficiency(f) ? logit(std::clamp(v, 1e-3, 0.999)) : std::log(std::max(v, 1e-3));
  }
  return t;
}

std::vector<BoundHit> bound_hits(const Efficiency& fit, const Efficiency& start,
                                 bool uses_wave_sync) {
  std::vector<BoundHit> hits;
  for (Factor f : kFactors) {
    if (is_fixed(start, f, uses_wave_sync)) continue;
    const double v = value_of(fit, f);
    if (is_efficiency(f)) {
      if (v >= 1.0 - kEfficiencyBoundTolerance)
        hits.push_back({f, v, 1.0, BoundSide::upper});
      else if (v <= kEfficiencyBoundTolerance)
        hits.push_back({f, v, 0.0, BoundSide::lower});
    } else if (v <= kOverheadBoundFraction * value_of(start, f)) {
      hits.push_back({f, v, 0.0, BoundSide::lower});
    }
  }
  return hits;
}

// log(predicted / measured) for every measured latency of every row, at the row's statistic.
// Rows are independent: with a replaying predictor (milliseconds each) they are spread over the
// hardware threads; the result does not depend on how.
Eigen::VectorXd residuals(const std::vector<Measurement>& rows, const Efficiency& e,
                          const RowPredictor& predictor) {
  std::vector<RowForecast> forecasts(rows.size());
  const std::size_t threads =
      predictor.method() == PredictionMethod::sim
          ? std::min<std::size_t>(rows.size(), std::max(1u, std::thread::hardware_concurrency()))
          : 1;
  if (threads <= 1) {
    for (std::size_t i = 0; i < rows.size(); ++i) forecasts[i] = predictor.forecast(rows[i], e);
  } else {
    std::vector<std::jthread> pool;
    // Interleaved rows balance cheap and expensive replays across threads.
    for (std::size_t t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (std::size_t i = t; i < rows.size(); i += threads)
          forecasts[i] = predictor.forecast(rows[i], e);
      });
  }
  std::vector<double> r;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Measurement& m = rows[i];
    const RowForecast& s = forecasts[i];
    if (m.ttft_ms)
      r.push_back(std::log(std::max(statistic(s.ttft_ms, m.latency_stat), 1e-6) / *m.ttft_ms));
    if (m.tpot_ms)
      r.push_back(std::log(std::max(statistic(s.tpot_ms, m.latency_stat), 1e-6) / *m.tpot_ms));
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

const char* factor_name(Factor factor) {
  switch (factor) {
    case Factor::compute:
      return "compute";
    case Factor::memory:
      return "memory";
    case Factor::step_overhead_ms:
      return "step_overhead_ms";
    case Factor::per_seq_overhead_us:
      return "per_seq_overhead_us";
    case Factor::wave_sync:
      return "wave_sync";
    case Factor::low_precision_compute:
      return "low_precision_compute";
  }
  return "?";
}

int free_factor_count(const Efficiency& start, bool uses_wave_sync) {
  int n = 0;
  for (Factor f : kFactors) n += is_fixed(start, f, uses_wave_sync) ? 0 : 1;
  return n;
}

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
  if (m.output_tok_s) {
    const double bound = ideal_output_tok_s(m);
    if (*m.output_tok_s > bound * 1.02)
      return fmt::format("measured output {:.0f} tok/s beats the hardware bound {:.0f} tok/s",
                         *m.output_tok_s, bound);
  }
  return "";
}

double ideal_output_tok_s(const Measurement& m) {
  OperatingPoint p = operating_point(m, ideal_efficiency());
  const double gpus_per_replica = p.spec.gpus();
  const double replicas = std::max(1.0, m.num_gpus / gpus_per_replica);
  // Sequences one replica decodes at once: the client count, else what its memory holds.
  const double batch =
      m.concurrency ? std::max(1.0, *m.concurrency / replicas) : static_cast<double>(p.max_running);
  // Memory: a decode step of n sequences streams the weights and n contexts of at least the prompt,
  // and yields n tokens; n / t(n) grows with n, so n = batch bounds it. Kernel classes run one
  // after another; the links are left out (they may overlap).
  const RooflineModel model(p.spec, p.efficiency);
  const StepTime t = model.step(StepWork::decoding(batch, m.isl));
  const double memory_bound = batch / (t.gemm_s + t.attention_s + t.lm_head_s);
  // Compute: every output token costs its own forward pass and isl/osl prompt tokens' passes, at
  // the fastest tensor rate the GPU has.
  const GpuSpec& g = m.gpu;
  const double peak =
      std::max({g.bf16_tflops, g.fp8_tflops, g.int8_tops, g.fp4_tflops}) * 1e12 * gpus_per_replica;
  const double flops_per_output =
      2.0 * active_params_per_token(m.model) * (m.isl + m.osl) / std::max(1.0, m.osl);
  return std::min(memory_bound, peak / flops_per_output) * replicas;
}

CalibrationResult calibrate(const std::vector<Measurement>& rows, const Efficiency& start) {
  return calibrate(rows, start, AnalyticPredictor());
}

CalibrationResult calibrate(const std::vector<Measurement>& rows, const Efficiency& start,
                            const RowPredictor& predictor) {
  const bool ws = predictor.uses_wave_sync();
  CalibrationResult out;
  out.efficiency = start;
  out.free_factors = free_factor_count(start, ws);
  // One row can always be matched exactly; below one row per free factor the factors trade off
  // against each other and the "fit" is whichever the start values favour.
  out.rows_needed = std::max(2, out.free_factors);
  for (const auto& m : rows) out.rows += (m.ttft_ms || m.tpot_ms) ? 1 : 0;
  if (out.rows < out.rows_needed) {
    out.status = CalibrationStatus::too_few_rows;
    return out;
  }
  std::vector<int> free;
  for (int k = 0; k < kParams; ++k)
    if (!is_fixed(start, kFactors[static_cast<std::size_t>(k)], ws)) free.push_back(k);
  const auto n_free = static_cast<Eigen::Index>(free.size());
  Params theta = to_params(start);
  Eigen::VectorXd r = residuals(rows, start, predictor);
  out.median_abs_pct_error_before = median_abs_pct(r);
  double lambda = 1e-2;
  Eigen::VectorXd w = huber_weights(r);
  double current = cost(r, w);
  bool converged = false;
  for (out.iterations = 1; out.iterations <= 60; ++out.iterations) {
    // Numerical Jacobian by forward differences in the transformed parameters.
    Eigen::MatrixXd J(r.size(), n_free);
    for (Eigen::Index j = 0; j < n_free; ++j) {
      const int k = free[static_cast<std::size_t>(j)];
      Params t = theta;
      const double h = 1e-4 * std::max(1.0, std::abs(t[k]));
      t[k] += h;
      J.col(j) = (residuals(rows, to_efficiency(t, start, ws), predictor) - r) / h;
    }
    const Eigen::MatrixXd JtW = J.transpose() * w.asDiagonal();
    const Eigen::MatrixXd A = JtW * J;
    const Eigen::VectorXd g = JtW * r;
    bool improved = false;
    for (int attempt = 0; attempt < 10 && !improved; ++attempt) {
      Eigen::MatrixXd damped = A;
      damped.diagonal() += lambda * (A.diagonal().array() + 1e-9).matrix();
      const Eigen::VectorXd step = damped.ldlt().solve(-g);
      Params candidate = theta;
      for (Eigen::Index j = 0; j < n_free; ++j)
        candidate[free[static_cast<std::size_t>(j)]] += step[j];
      const Eigen::VectorXd rc = residuals(rows, to_efficiency(candidate, start, ws), predictor);
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
  if (!r.allFinite()) {
    out.status = CalibrationStatus::unsustainable;
    return out;
  }
  if (!converged) {
    out.status = CalibrationStatus::not_converged;
    return out;
  }
  out.status = CalibrationStatus::fitted;
  out.efficiency = to_efficiency(theta, start, ws);
  out.median_abs_pct_error_after = median_abs_pct(r);
  out.at_bound = bound_hits(out.efficiency, start, ws);
  return out;
}

}  // namespace fleetsizer
