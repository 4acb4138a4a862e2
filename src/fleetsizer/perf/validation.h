#pragma once
// Predicted versus measured, row by row, and the error summaries docs/accuracy.md reports.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/perf/calibrate.h"
#include "fleetsizer/perf/measurement.h"
#include "fleetsizer/perf/predict.h"
#include "fleetsizer/perf/profile.h"

namespace fleetsizer {

// Where a row's efficiency factors came from.
enum class EfficiencySource {
  engine_default,  // no profile entry (or no fit) for the row's (GPU, engine)
  profile,         // the profile's entry for the row's (GPU, engine)
  held_out_fit,    // leave-one-out: fitted on the other configurations of its (GPU, engine)
};

struct RowPrediction {
  const Measurement* row = nullptr;
  EfficiencySource source = EfficiencySource::engine_default;
  double ttft_ms = 0, tpot_ms = 0, output_tok_s = 0;
  std::optional<double> ttft_err_pct, tpot_err_pct,
      output_tok_s_err_pct;  // signed: (pred - meas) / meas
};

struct ErrorSummary {
  int n = 0;
  double median_abs_pct_error = 0;
  double p90_abs_pct_error = 0;
};

struct ValidationSummary {
  ErrorSummary ttft, tpot, output_tok_s;
};

// The row's predicted TTFT and TPOT at its own statistic (latency_stat) and its throughput per
// num_gpus, with signed errors.
RowPrediction predict_row(const Measurement& m, const Efficiency& efficiency,
                          const RowPredictor& predictor);
ErrorSummary summarize(const std::vector<double>& signed_pct_errors);
ValidationSummary summarize(const std::vector<RowPrediction>& rows);

// One (GPU, engine) group of the rows and what calibrate() made of it.
struct GroupFit {
  std::string gpu;
  std::string engine;
  CalibrationResult fit;
};

struct ProfileFit {
  Profile profile;               // one entry per fitted group only
  std::vector<GroupFit> groups;  // every group in the rows, fitted or not, sorted by (gpu, engine)
  int fitted_groups() const;
};

// Calibrates each (GPU, engine) present in `rows`; a group that is not fitted (too few rows, no
// convergence) gets no profile entry, so predictions for it use the engine defaults.
ProfileFit calibrate_profile(const std::vector<Measurement>& rows, const RowPredictor& predictor);

// Leave-one-configuration-out: each configuration's rows are predicted with factors fitted on the
// other configurations of the same (GPU, engine); a group with one configuration falls back to
// the engine defaults (and says so through `fallbacks`).
// `fit` fits the held-out factors and `predictor` predicts the held-out rows (the same method;
// calibrate may fit with fewer replay requests than it predicts with).
std::vector<RowPrediction> leave_one_configuration_out(const std::vector<Measurement>& rows,
                                                       const RowPredictor& fit,
                                                       const RowPredictor& predictor,
                                                       int* fallbacks);

}  // namespace fleetsizer
