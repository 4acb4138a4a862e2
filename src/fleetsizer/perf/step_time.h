#pragma once
// The step-time interface: how long one engine iteration takes for a given mix of prefill chunks
// and decoding sequences. The simulator, the emulator and the steady-state model all take this
// interface, never a concrete model; the roofline (roofline.h) is one implementation, the linear
// model (linear_step.h) another, for tests and hand-computable cases.
#include <string>

namespace fleetsizer {

// The work of one step: prefill chunks and decode sequences batched together.
struct StepWork {
  double prefill_tokens = 0;
  // Sequences whose prefill chunk is in this step (each needs logits once its prompt is done).
  double prefill_seqs = 0;
  double prefill_attended = 0;  // sum over prefill tokens of the context each attends to
  double decode_seqs = 0;
  double decode_context = 0;  // sum over decode sequences of their context length

  // `seqs` sequences decoding at a mean context of `context` tokens each.
  static StepWork decoding(double seqs, double context) {
    StepWork w;
    w.decode_seqs = seqs;
    w.decode_context = seqs * context;
    return w;
  }
  // Adds `tokens` prefill tokens of `seqs` prompts of `prompt_tokens` tokens, each prompt token
  // attending on average to half its prompt (a whole prompt, or the chunks of several).
  StepWork& with_prefill(double tokens, double seqs, double prompt_tokens) {
    prefill_tokens = tokens;
    prefill_seqs = seqs;
    prefill_attended = tokens * prompt_tokens / 2.0;
    return *this;
  }
};

// A step's time and, where the model knows them, its terms (for --explain).
struct StepTime {
  double gemm_s = 0;
  double attention_s = 0;
  double lm_head_s = 0;
  double comm_s = 0;
  double overhead_s = 0;
  double total_s = 0;
  bool gemm_compute_bound = false;
};

class StepTimeModel {
 public:
  virtual ~StepTimeModel() = default;
  virtual StepTime step(const StepWork& work) const = 0;
  // True when, for a fixed set of decoding sequences, the step time is an affine function of
  // decode_context (every other input held): the simulator's closed-form decode jump (k steps in
  // k f0 + d k (k - 1) / 2) is exact only then, and it steps one at a time otherwise.
  virtual bool linear_in_context() const = 0;
  // The largest number of tokens the engine batches into one step (its chunked-prefill budget).
  virtual double token_budget() const = 0;
};

}  // namespace fleetsizer
