#pragma once
// `fleetsizer calibrate` and `fleetsizer validate`: fit the model to measurements, and report how
// far its predictions are from them.
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/perf/measurement.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/validation.h"
#include "fleetsizer/progress.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::api {

struct Skipped {
  std::string where;
  std::string reason;
};

enum class ValidationMode { given_profile, calibrate_all, leave_one_out };

// How rows are predicted, for validate and calibrate alike. The simulator replays each row's
// benchmark (sim/row_replay.h); a fit calls the predictor hundreds of times per row, so it may
// replay fewer requests than the final predictions do.
struct MethodOptions {
  PredictionMethod method = PredictionMethod::sim;
  // sim only: at most this many requests per replay while fitting (0: as many as predicting);
  // a closed loop keeps at least three rounds of its clients (ReplayPolicy).
  std::int64_t fit_requests = kDefaultFitRequests;
  static constexpr std::int64_t kDefaultFitRequests = 0;
  // Rows predicted so far (of all to predict), and the fits' forecasts (a count: a fit's
  // iterations are not known in advance).
  ProgressFn progress;
};

struct ValidateRequest {
  std::vector<Measurement> rows;
  std::vector<Skipped> skipped;
  Profile profile;  // empty: engine defaults (uncalibrated)
  ValidationMode mode = ValidationMode::given_profile;
  MethodOptions method;
};

struct ValidateOutput {
  ValidateRequest request;
  std::vector<RowPrediction> predictions;
  ValidationSummary summary;
  std::vector<std::pair<std::string, ValidationSummary>> by_engine;
  Profile profile_used;
  std::vector<GroupFit> fits;  // calibrate_all: every (GPU, engine) group, fitted or not
  int fallbacks = 0;
};

Result<ValidateOutput> run_validate(ValidateRequest request);
report::Report validate_report(const ValidateOutput& output);

struct CalibrateOutput {
  Profile profile;               // the fitted groups only
  std::vector<GroupFit> groups;  // every (GPU, engine) group: fitted, or why not
  std::vector<Skipped> skipped;
  std::vector<RowPrediction> before, after;
  std::vector<Measurement> rows;
  MethodOptions method;
};

// Fails (naming the measurement files) when no group can be fitted: there is no profile to write.
Result<CalibrateOutput> run_calibrate(std::vector<Measurement> rows, std::vector<Skipped> skipped,
                                      MethodOptions method = {});
// The report's table text is the profile YAML itself, so `-o profile.yaml` writes the profile.
report::Report calibrate_report(const CalibrateOutput& output, const std::string& profile_yaml);

}  // namespace fleetsizer::api
