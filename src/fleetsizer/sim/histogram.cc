#include "fleetsizer/sim/histogram.h"

#include <algorithm>
#include <cmath>

namespace fleetsizer {
namespace {

constexpr double kMin = 1e-3;  // ms
constexpr double kRatio = 1.01;
const double kLogRatio = std::log(kRatio);
constexpr std::size_t kBins = 2600;  // up to ~1e8 ms

}  // namespace

Histogram::Histogram() : bins_(kBins + 1, 0.0) {}

std::size_t Histogram::bin(double v) const {
  if (!(v > kMin)) return 0;
  return std::min(kBins, static_cast<std::size_t>(std::log(v / kMin) / kLogRatio) + 1);
}

double Histogram::bin_value(std::size_t i) const {
  if (i == 0) return kMin;
  return kMin * std::pow(kRatio, static_cast<double>(i) - 0.5);
}

void Histogram::add(double v, double w) {
  bins_[bin(v)] += w;
  count_ += w;
  sum_ += v * w;
  max_ = std::max(max_, v);
}

void Histogram::add_range(double lo, double hi, double w) {
  if (hi < lo) std::swap(lo, hi);
  const std::size_t a = bin(lo), b = bin(hi);
  count_ += w;
  sum_ += (lo + hi) / 2 * w;
  max_ = std::max(max_, hi);
  if (a == b || hi <= lo) {
    bins_[a] += w;
    return;
  }
  // Uniform in value: each bin gets the share of [lo, hi] it covers.
  for (std::size_t i = a; i <= b; ++i) {
    const double left = i == 0 ? 0.0 : kMin * std::pow(kRatio, static_cast<double>(i) - 1);
    const double right = kMin * std::pow(kRatio, static_cast<double>(i));
    const double overlap = std::min(hi, right) - std::max(lo, left);
    if (overlap > 0) bins_[i] += w * overlap / (hi - lo);
  }
}

double Histogram::percentile(double q) const {
  if (count_ <= 0) return 0;
  const double target = q * count_;
  double seen = 0;
  for (std::size_t i = 0; i < bins_.size(); ++i) {
    seen += bins_[i];
    if (seen >= target - 1e-9 * count_) return std::min(bin_value(i), max_);
  }
  return max_;
}

}  // namespace fleetsizer
