#pragma once
// Fits the efficiency factors of the roofline model (compute, memory, per-step and per-sequence
// overhead) to measured rows of one (GPU, engine) by robust nonlinear least squares:
// Levenberg-Marquardt on log(predicted / measured) of TTFT and TPOT, with Huber weights
// (iteratively reweighted) so that a few queued or mis-recorded rows cannot drag the fit. The
// efficiencies are kept in (0, 1) through a logistic transform and the overheads positive through
// exp(), so a fitted model can never beat the hardware's roofline.
//
// What the transforms hide, the result states as data: a factor that ends within a tolerance of
// its bound (the data want it beyond: a catalog peak set too low, a missing term in the model)
// is listed in `at_bound`; a set of rows too small to determine the free factors is not fitted.
#include <string>
#include <vector>

#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/perf/measurement.h"
#include "fleetsizer/perf/predict.h"

namespace fleetsizer {

// The factors calibrate() fits; the others of Efficiency (interconnect, kernel_floor_us) keep
// their start values.
enum class Factor {
  compute,
  memory,
  step_overhead_ms,
  per_seq_overhead_us,
  wave_sync,
  low_precision_compute
};
inline constexpr int kFittedFactors = 6;
// The factor's key in Efficiency and in the profile file ("compute", "step_overhead_ms", ...).
const char* factor_name(Factor factor);

// Tolerances for "at its bound": an efficiency (range (0, 1)) within 0.01 of 0 or 1; an overhead
// (range (0, inf)) below 1% of its start value (the engine default), i.e. nearly 0.
inline constexpr double kEfficiencyBoundTolerance = 0.01;
inline constexpr double kOverheadBoundFraction = 0.01;

enum class BoundSide { lower, upper };

struct BoundHit {
  Factor factor = Factor::compute;
  double value = 0;  // the fitted value
  double bound = 0;  // the bound it reached: 0 or 1
  BoundSide side = BoundSide::lower;
};

enum class CalibrationStatus {
  fitted,
  too_few_rows,   // fewer usable rows than free factors: start values kept
  not_converged,  // no convergence in the iteration limit: start values kept
  unsustainable,  // some row's prediction stayed infinite (the model finds its load unsustainable)
};

struct CalibrationResult {
  CalibrationStatus status = CalibrationStatus::too_few_rows;
  Efficiency efficiency;  // the fit, or the start values when not fitted
  int iterations = 0;
  int rows = 0;         // usable rows: those with a measured TTFT or TPOT
  int rows_needed = 0;  // the number of free factors
  int free_factors = 0;
  double median_abs_pct_error_before = 0;  // TTFT and TPOT pooled, on the fitted rows
  double median_abs_pct_error_after = 0;
  std::vector<BoundHit> at_bound;  // fitted factors at (or within tolerance of) a bound

  bool fitted() const { return status == CalibrationStatus::fitted; }
};

// A factor whose start value lies on its bound is a modelling choice, not a free parameter: static
// batching starts wave_sync at exactly 1 (every request of a batch starts together), so it is held
// there. Every other factor of kFittedFactors is free.
int free_factor_count(const Efficiency& start, bool uses_wave_sync = true);

// `predictor` makes the predictions the residuals compare (the analytic steady state or a replay
// in the simulator); a predictor that does not use wave_sync holds it at its start value. Each
// row is compared at its own statistic (Measurement::latency_stat).
CalibrationResult calibrate(const std::vector<Measurement>& rows, const Efficiency& start,
                            const RowPredictor& predictor);
// With the analytic steady state.
CalibrationResult calibrate(const std::vector<Measurement>& rows, const Efficiency& start);

// Rows that beat the ideal machine (efficiency 1, no overhead) by more than 2% contradict
// physics: a wrong unit, GPU count or model. Returns a reason, or "" when the row is plausible.
std::string physics_violation(const Measurement& m);
// The most output tok/s (of the row's num_gpus) the ideal machine could give at the row's
// concurrency: min(batch / decode step streaming weights + KV at that batch, peak FLOP/s / FLOPs
// per output token including its share of the prompt).
double ideal_output_tok_s(const Measurement& m);

}  // namespace fleetsizer
