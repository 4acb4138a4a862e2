#pragma once
// A measured throughput/latency-versus-batch table (or concurrency), interpolated monotonically
// (Fritsch-Carlson PCHIP) so that an interpolated latency never dips between two measurements.
// Nothing is extrapolated: queries outside the measured range are reported as such.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer {

// Monotone piecewise-cubic Hermite interpolant through (x[i], y[i]), x strictly increasing.
class MonotoneInterpolant {
 public:
  MonotoneInterpolant() = default;
  MonotoneInterpolant(std::vector<double> x, std::vector<double> y);
  double operator()(double x) const;  // clamps outside [x.front(), x.back()]
  bool empty() const { return x_.empty(); }

 private:
  std::vector<double> x_, y_, slope_;
};

struct Curve {
  std::string source;                // file name, for messages
  std::vector<double> batch;         // strictly increasing
  std::vector<double> request_rate;  // req/s per replica (empty when the file lacks it)
  std::vector<double> output_tok_s;  // (empty when the file lacks it)
  std::map<std::string, std::vector<double>> latency_ms;  // "ttft_ms_p99" -> values

  double min_batch() const { return batch.front(); }
  double max_batch() const { return batch.back(); }
};

// Checks sizes, ordering and values; returns the curve ready to interpolate.
// The largest batch (concurrency) a curve row may have: far above any engine's running cap.
inline constexpr double kMaxCurveBatch = 1e6;
Result<Curve> validate(Curve curve);

class CurveModel {
 public:
  explicit CurveModel(Curve curve);
  const Curve& curve() const { return curve_; }
  bool has(const std::string& column) const;
  // Interpolated value at batch b (b within [min_batch, max_batch]).
  double latency_ms(const std::string& column, double b) const;
  // Requests per second at batch b: the request_rate column, or output_tok_s / osl.
  std::optional<double> request_rate(double b, double osl) const;
  std::optional<double> output_tok_s(double b, double osl) const;

 private:
  Curve curve_;
  std::map<std::string, MonotoneInterpolant> latency_;
  MonotoneInterpolant rate_, tokens_;
};

}  // namespace fleetsizer
