#pragma once
// A step-time model that is linear in its inputs:
//   t = fixed + per_token x (prefill tokens + decode sequences) + per_sequence x sequences
//       + per_context x (decode context + prefill attended)
// For tests and hand-computed cases (M/D/1 queues, harness replays), and for users who measured
// such a fit of their own engine. Every coefficient is in seconds.
#include "fleetsizer/perf/step_time.h"

namespace fleetsizer {

struct LinearStepCoefficients {
  double fixed_s = 0;
  double per_token_s = 0;
  double per_sequence_s = 0;
  double per_context_s = 0;
  double token_budget = 8192;
};

class LinearStepModel final : public StepTimeModel {
 public:
  explicit LinearStepModel(LinearStepCoefficients c) : c_(c) {}
  StepTime step(const StepWork& w) const override;
  bool linear_in_context() const override { return true; }
  double token_budget() const override { return c_.token_budget; }
  const LinearStepCoefficients& coefficients() const { return c_; }

 private:
  LinearStepCoefficients c_;
};

}  // namespace fleetsizer
