#pragma once
// Models and sources for simulator tests.
#include <memory>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/workload/synthetic.h"

namespace fleetsizer::testing {

// A replica whose every step takes exactly `step_ms` (kernels on an absurdly fast GPU, the fixed
// per-step overhead dominates): service time = number of steps x step_ms, as queueing theory wants.
inline ReplicaConfig fixed_step_config(double step_ms) {
  ReplicaConfig c;
  c.model = *builtin_catalog().model("llama-3.1-8b");
  c.gpu = *builtin_catalog().gpu("h100-sxm");
  c.gpu.bf16_tflops = c.gpu.fp8_tflops = 1e15;
  c.gpu.hbm_bandwidth_tb_s = 1e15;
  c.efficiency = {1, 1, 1, step_ms, 0, 1, 1, 0};
  return c;
}

inline ReplicaConfig h100_llama8b() {
  ReplicaConfig c;
  c.model = *builtin_catalog().model("llama-3.1-8b");
  c.gpu = *builtin_catalog().gpu("h100-sxm");
  c.efficiency = engine_defaults("vllm").efficiency;
  c.limits = engine_defaults("vllm").limits;
  return c;
}

// A source replaying a fixed list.
class ListSource final : public RequestSource {
 public:
  explicit ListSource(std::vector<Request> requests) : requests_(std::move(requests)) {}
  Result<bool> next(Request& out) override {
    if (i_ >= requests_.size()) return false;
    out = requests_[i_++];
    return true;
  }

 private:
  std::vector<Request> requests_;
  std::size_t i_ = 0;
};

}  // namespace fleetsizer::testing
