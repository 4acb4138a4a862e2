#pragma once
// Models and sources for simulator tests.
#include <memory>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/linear_step.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/workload/list_source.h"
#include "fleetsizer/workload/synthetic.h"

namespace fleetsizer::testing {

// A replica whose every step takes exactly `step_ms`: service time = number of steps x step_ms, as
// queueing theory wants.
inline LinearStepModel fixed_step_model(double step_ms) {
  LinearStepCoefficients c;
  c.fixed_s = step_ms * 1e-3;
  return LinearStepModel(c);
}

// The roofline of Llama-3.1-8B on one H100 with vLLM's defaults.
inline ReplicaSpec h100_llama8b_spec() {
  ReplicaSpec s;
  s.model = *builtin_catalog().model("llama-3.1-8b");
  s.gpu = *builtin_catalog().gpu("h100-sxm");
  s.limits = engine_defaults("vllm").limits;
  return s;
}
inline RooflineModel h100_llama8b(Efficiency e = engine_defaults("vllm").efficiency) {
  return RooflineModel(h100_llama8b_spec(), e);
}

// Chat-like traffic: lognormal prompts of mean 800 and outputs of mean 200 tokens (sigma 0.8).
inline SyntheticSource chat_source(ArrivalSpec arrivals, std::int64_t count, std::uint64_t seed) {
  LengthSpec in, out;
  in.kind = out.kind = LengthKind::lognormal;
  in.mean = 800;
  out.mean = 200;
  in.sigma = out.sigma = 0.8;
  return SyntheticSource(arrivals, in, out, count, seed);
}

// A source replaying a fixed list (the simulator's own).
using ListSource = fleetsizer::ListSource;

}  // namespace fleetsizer::testing
