#pragma once
// Fits the efficiency factors of the roofline model (compute, memory, per-step and per-sequence
// overhead) to measured rows of one (GPU, engine) by robust nonlinear least squares:
// Levenberg-Marquardt on log(predicted / measured) of TTFT and TPOT, with Huber weights
// (iteratively reweighted) so that a few queued or mis-recorded rows cannot drag the fit. The
// efficiencies are kept in (0, 1) through a logistic transform and the overheads positive through
// exp(), so a fitted model can never beat the hardware's roofline.
#include <string>
#include <vector>

#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/perf/measurement.h"

namespace fleetsizer {

struct CalibrationResult {
  bool converged = false;
  Efficiency efficiency;  // the fit, or the start values when it did not converge
  int iterations = 0;
  int rows = 0;
  double median_abs_pct_error_before = 0;  // TTFT and TPOT pooled, on the fitted rows
  double median_abs_pct_error_after = 0;
  std::string message;
};

CalibrationResult calibrate(const std::vector<Measurement>& rows, const Efficiency& start);

// Rows that beat the ideal machine (efficiency 1, no overhead) by more than 2% contradict
// physics: a wrong unit, GPU count or model. Returns a reason, or "" when the row is plausible.
std::string physics_violation(const Measurement& m);

}  // namespace fleetsizer
