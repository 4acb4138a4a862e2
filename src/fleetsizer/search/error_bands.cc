#include "fleetsizer/search/error_bands.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace fleetsizer {
namespace {

// Linear interpolation between order statistics (the "type 7" quantile of R and NumPy).
double quantile(std::vector<double> v, double p) {
  std::ranges::sort(v);
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

ErrorBand band_of(std::string engine, std::string gpu, const std::vector<double>& ratios) {
  ErrorBand b;
  b.engine = std::move(engine);
  b.gpu = std::move(gpu);
  b.rows = static_cast<std::int64_t>(ratios.size());
  b.ratio_p05 = quantile(ratios, 0.05);
  b.ratio_p50 = quantile(ratios, 0.50);
  b.ratio_p95 = quantile(ratios, 0.95);
  return b;
}

ErrorBand widened(ErrorBand b) {
  // Never below half the band's own 5th percentile: a ratio of 0 would mean an infinite fleet.
  b.ratio_p05 = std::max(b.ratio_p05 / 2, b.ratio_p50 - kWidening * (b.ratio_p50 - b.ratio_p05));
  b.ratio_p95 = b.ratio_p50 + kWidening * (b.ratio_p95 - b.ratio_p50);
  return b;
}

}  // namespace

std::string_view band_basis_name(BandBasis b) {
  switch (b) {
    case BandBasis::gpu_engine:
      return "gpu_engine";
    case BandBasis::engine:
      return "engine";
    case BandBasis::all:
      return "all";
    case BandBasis::none:
      return "none";
  }
  return "none";
}

std::vector<Residual> throughput_residuals(const std::vector<RowPrediction>& rows) {
  std::vector<Residual> out;
  for (const RowPrediction& r : rows) {
    // err = (predicted - measured) / measured, so measured / predicted = 1 / (1 + err).
    if (!r.row || !r.output_tok_s_err_pct) continue;
    const double ratio = 1.0 / (1.0 + *r.output_tok_s_err_pct / 100.0);
    if (ratio > 0 && std::isfinite(ratio)) out.push_back({r.row->engine, r.row->gpu.name, ratio});
  }
  return out;
}

ErrorBands error_bands_from(const std::vector<Residual>& residuals, std::int64_t min_rows) {
  ErrorBands out;
  std::map<std::pair<std::string, std::string>, std::vector<double>> groups;
  std::vector<double> all;
  for (const Residual& r : residuals) {
    if (!(r.ratio > 0) || !std::isfinite(r.ratio)) continue;
    groups[{r.engine, ""}].push_back(r.ratio);
    groups[{r.engine, r.gpu}].push_back(r.ratio);
    all.push_back(r.ratio);
  }
  if (static_cast<std::int64_t>(all.size()) >= min_rows) out.bands.push_back(band_of("", "", all));
  for (const auto& [key, ratios] : groups)
    if (static_cast<std::int64_t>(ratios.size()) >= min_rows)
      out.bands.push_back(band_of(key.first, key.second, ratios));
  return out;
}

BandChoice ErrorBands::for_plan(const std::string& engine, const std::string& gpu) const {
  auto find = [&](const std::string& e, const std::string& g) -> const ErrorBand* {
    for (const ErrorBand& b : bands)
      if (b.engine == e && b.gpu == g) return &b;
    return nullptr;
  };
  if (const ErrorBand* b = find(engine, gpu)) return {*b, BandBasis::gpu_engine};
  if (const ErrorBand* b = find(engine, "")) return {widened(*b), BandBasis::engine};
  if (const ErrorBand* b = find("", "")) return {widened(*b), BandBasis::all};
  return {};
}

}  // namespace fleetsizer
