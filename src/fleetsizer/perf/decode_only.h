#pragma once
// A decode-pool replica's step: its KV arrives over the link, so a request joining the batch costs
// no prompt compute. A joining sequence is timed as one more decoding sequence at the context of
// its prompt (it produces its first decode-pool token in that step), and the token budget does
// not cap how much arriving KV joins a step. Used by the disaggregated sizing and by the
// simulator's decode pool, so both replay the same replica scheduler on the same step times.
#include <limits>

#include "fleetsizer/perf/step_time.h"

namespace fleetsizer {

class DecodeOnlyModel final : public StepTimeModel {
 public:
  explicit DecodeOnlyModel(const StepTimeModel& inner) : inner_(inner) {}
  StepTime step(const StepWork& work) const override {
    StepWork w = work;
    w.decode_seqs += work.prefill_seqs;
    w.decode_context += work.prefill_tokens;
    w.prefill_tokens = 0;
    w.prefill_seqs = 0;
    w.prefill_attended = 0;
    return inner_.step(w);
  }
  bool linear_in_context() const override { return inner_.linear_in_context(); }
  // Large enough that a whole prompt's KV joins in one step, finite so budgets stay arithmetic.
  double token_budget() const override { return 1e12; }

 private:
  const StepTimeModel& inner_;
};

}  // namespace fleetsizer
