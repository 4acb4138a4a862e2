#include "fleetsizer/perf/curve.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fleetsizer {

MonotoneInterpolant::MonotoneInterpolant(std::vector<double> x, std::vector<double> y)
    : x_(std::move(x)), y_(std::move(y)), slope_(x_.size(), 0.0) {
  const std::size_t n = x_.size();
  if (n < 2) return;
  std::vector<double> secant(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) secant[i] = (y_[i + 1] - y_[i]) / (x_[i + 1] - x_[i]);
  slope_[0] = secant[0];
  slope_[n - 1] = secant[n - 2];
  for (std::size_t i = 1; i + 1 < n; ++i) {
    // Fritsch-Carlson: zero slope at a local extremum, weighted harmonic mean otherwise.
    if (secant[i - 1] * secant[i] <= 0) {
      slope_[i] = 0;
    } else {
      const double h0 = x_[i] - x_[i - 1], h1 = x_[i + 1] - x_[i];
      const double w0 = 2 * h1 + h0, w1 = h1 + 2 * h0;
      slope_[i] = (w0 + w1) / (w0 / secant[i - 1] + w1 / secant[i]);
    }
  }
}

double MonotoneInterpolant::operator()(double x) const {
  if (x_.empty()) return std::nan("");
  if (x_.size() == 1 || x <= x_.front()) return y_.front();
  if (x >= x_.back()) return y_.back();
  const std::size_t i =
      static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), x) - x_.begin()) - 1;
  const double h = x_[i + 1] - x_[i];
  const double t = (x - x_[i]) / h;
  const double t2 = t * t, t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * y_[i] + (t3 - 2 * t2 + t) * h * slope_[i] +
         (-2 * t3 + 3 * t2) * y_[i + 1] + (t3 - t2) * h * slope_[i + 1];
}

Result<Curve> validate(Curve c) {
  if (c.batch.empty()) return fail(fmt::format("{}: curve has no rows", c.source));
  for (std::size_t i = 0; i < c.batch.size(); ++i) {
    if (!std::isfinite(c.batch[i]) || c.batch[i] <= 0)
      return fail(fmt::format("{}: row {}: batch must be a positive number", c.source, i + 1));
    // The searches over a curve step through its batches: a batch of 1e15 ran for ever.
    if (c.batch[i] > kMaxCurveBatch)
      return fail(fmt::format("{}: row {}: batch must be in (0, {}], got {}", c.source, i + 1,
                              kMaxCurveBatch, c.batch[i]));
    if (i > 0 && c.batch[i] <= c.batch[i - 1])
      return fail(
          fmt::format("{}: row {}: batch values must be strictly increasing", c.source, i + 1));
  }
  auto check = [&](const std::vector<double>& v, const std::string& name) -> Result<void> {
    if (v.empty()) return {};
    if (v.size() != c.batch.size())
      return fail(fmt::format("{}: column {} has missing values", c.source, name));
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i]) || v[i] <= 0)
        return fail(fmt::format("{}: row {}: {} must be a positive number", c.source, i + 1, name));
    return {};
  };
  if (auto r = check(c.request_rate, "request_rate"); !r) return fail(r.error().message);
  if (auto r = check(c.output_tok_s, "output_tok_s"); !r) return fail(r.error().message);
  for (const auto& [name, values] : c.latency_ms)
    if (auto r = check(values, name); !r) return fail(r.error().message);
  if (c.request_rate.empty() && c.output_tok_s.empty())
    return fail(fmt::format("{}: curve needs a request_rate or output_tok_s column", c.source));
  return c;
}

CurveModel::CurveModel(Curve curve) : curve_(std::move(curve)) {
  for (const auto& [name, values] : curve_.latency_ms)
    latency_.emplace(name, MonotoneInterpolant(curve_.batch, values));
  if (!curve_.request_rate.empty()) rate_ = MonotoneInterpolant(curve_.batch, curve_.request_rate);
  if (!curve_.output_tok_s.empty())
    tokens_ = MonotoneInterpolant(curve_.batch, curve_.output_tok_s);
}

bool CurveModel::has(const std::string& column) const {
  return latency_.contains(column);
}

double CurveModel::latency_ms(const std::string& column, double b) const {
  return latency_.at(column)(b);
}

std::optional<double> CurveModel::request_rate(double b, double osl) const {
  if (!rate_.empty()) return rate_(b);
  if (!tokens_.empty() && osl > 0) return tokens_(b) / osl;
  return std::nullopt;
}

std::optional<double> CurveModel::output_tok_s(double b, double osl) const {
  if (!tokens_.empty()) return tokens_(b);
  if (!rate_.empty() && osl > 0) return rate_(b) * osl;
  return std::nullopt;
}

}  // namespace fleetsizer
