#include "fleetsizer/perf/linear_step.h"

namespace fleetsizer {

StepTime LinearStepModel::step(const StepWork& w) const {
  StepTime t;
  const double tokens = w.prefill_tokens + w.decode_seqs;
  if (tokens <= 0) return t;
  t.gemm_s = c_.per_token_s * tokens;
  t.attention_s = c_.per_context_s * (w.decode_context + w.prefill_attended);
  t.overhead_s = c_.fixed_s + c_.per_sequence_s * (w.decode_seqs + w.prefill_seqs);
  t.total_s = t.gemm_s + t.attention_s + t.overhead_s;
  return t;
}

}  // namespace fleetsizer
