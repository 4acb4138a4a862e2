#include "fleetsizer/perf/validation.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "fleetsizer/perf/calibrate.h"
#include "fleetsizer/perf/predict.h"

namespace fleetsizer {

RowPrediction predict_row(const Measurement& m, const Efficiency& efficiency,
                          const RowPredictor& predictor) {
  RowPrediction p;
  p.row = &m;
  const RowForecast s = predictor.forecast(m, efficiency);
  p.ttft_ms = statistic(s.ttft_ms, m.latency_stat);
  p.tpot_ms = statistic(s.tpot_ms, m.latency_stat);
  // Throughput is per num_gpus: replicas of tp x attention_dp GPUs side by side share the load.
  const double replicas =
      std::max(1.0, static_cast<double>(m.num_gpus) / (m.tp * std::max(1, m.attention_dp)));
  p.output_tok_s = s.output_tok_s * replicas;
  auto err = [](double pred, const std::optional<double>& meas) -> std::optional<double> {
    if (!meas || *meas <= 0) return std::nullopt;
    return (pred - *meas) / *meas * 100;
  };
  p.ttft_err_pct = err(p.ttft_ms, m.ttft_ms);
  p.tpot_err_pct = err(p.tpot_ms, m.tpot_ms);
  p.output_tok_s_err_pct = err(p.output_tok_s, m.output_tok_s);
  return p;
}

ErrorSummary summarize(const std::vector<double>& errors) {
  ErrorSummary s;
  std::vector<double> a;
  for (double e : errors) a.push_back(std::abs(e));
  s.n = static_cast<int>(a.size());
  if (a.empty()) return s;
  std::ranges::sort(a);
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(a.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(a.size() - 1, lo + 1);
    return a[lo] + (a[hi] - a[lo]) * (pos - static_cast<double>(lo));
  };
  s.median_abs_pct_error = quantile(0.5);
  s.p90_abs_pct_error = quantile(0.9);
  return s;
}

ValidationSummary summarize(const std::vector<RowPrediction>& rows) {
  std::vector<double> ttft, tpot, tok;
  for (const auto& r : rows) {
    if (r.ttft_err_pct) ttft.push_back(*r.ttft_err_pct);
    if (r.tpot_err_pct) tpot.push_back(*r.tpot_err_pct);
    if (r.output_tok_s_err_pct) tok.push_back(*r.output_tok_s_err_pct);
  }
  return {summarize(ttft), summarize(tpot), summarize(tok)};
}

int ProfileFit::fitted_groups() const {
  return static_cast<int>(
      std::ranges::count_if(groups, [](const GroupFit& g) { return g.fit.fitted(); }));
}

ProfileFit calibrate_profile(const std::vector<Measurement>& rows, const RowPredictor& predictor) {
  std::set<std::pair<std::string, std::string>> groups;
  for (const auto& m : rows) groups.emplace(m.gpu.name, m.engine);
  ProfileFit out;
  for (const auto& [gpu, engine] : groups) {
    std::vector<Measurement> subset;
    for (const auto& m : rows)
      if (m.gpu.name == gpu && m.engine == engine) subset.push_back(m);
    GroupFit g{gpu, engine, calibrate(subset, engine_defaults(engine).efficiency, predictor)};
    if (g.fit.fitted())
      out.profile.entries.push_back(
          {gpu, engine, g.fit.efficiency, g.fit.rows, g.fit.median_abs_pct_error_after});
    out.groups.push_back(std::move(g));
  }
  return out;
}

std::vector<RowPrediction> leave_one_configuration_out(const std::vector<Measurement>& rows,
                                                       const RowPredictor& fit_with,
                                                       const RowPredictor& predictor,
                                                       int* fallbacks) {
  std::set<std::string> configurations;
  for (const auto& m : rows) configurations.insert(m.configuration());
  std::vector<RowPrediction> out;
  int fallback_count = 0;
  for (const auto& held_out : configurations) {
    const Measurement* first = nullptr;
    std::vector<Measurement> training;
    for (const auto& m : rows) {
      if (m.configuration() == held_out) {
        if (!first) first = &m;
      }
    }
    for (const auto& m : rows)
      if (m.configuration() != held_out && m.gpu.name == first->gpu.name &&
          m.engine == first->engine)
        training.push_back(m);
    Efficiency e = engine_defaults(first->engine).efficiency;
    const CalibrationResult fit = calibrate(training, e, fit_with);
    if (fit.fitted())
      e = fit.efficiency;
    else
      ++fallback_count;
    for (const auto& m : rows) {
      if (m.configuration() != held_out) continue;
      out.push_back(predict_row(m, e, predictor));
      out.back().source =
          fit.fitted() ? EfficiencySource::held_out_fit : EfficiencySource::engine_default;
    }
  }
  if (fallbacks) *fallbacks = fallback_count;
  return out;
}

}  // namespace fleetsizer
