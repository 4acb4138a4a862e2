#include "fleetsizer/perf/efficiency.h"

namespace fleetsizer {

bool is_known_engine(const std::string& engine) {
  return engine == "vllm" || engine == "sglang" || engine == "trtllm" || engine == "static" ||
         engine == "generic";
}

EngineDefaults engine_defaults(const std::string& engine) {
  EngineDefaults d;
  if (engine == "vllm") {
    // vLLM V1: chunked prefill with max_num_batched_tokens 8192 and max_num_seqs 256 (engine args
    // defaults for online serving); Python scheduler and sampler cost a few ms per step.
    d.efficiency = {0.60, 0.80, 0.70, 4.0, 20, 0.3, 0.45, 3.0, 0.02};
    d.limits = {256, 8192};
  } else if (engine == "sglang") {
    // SGLang: chunked_prefill_size 8192 on 80 GB GPUs; overlap scheduler hides part of the CPU
    // step.
    d.efficiency = {0.60, 0.80, 0.70, 3.0, 15, 0.3, 0.45, 3.0};
    d.limits = {1024, 8192};
  } else if (engine == "trtllm") {
    // TensorRT-LLM (trtllm-serve): max_batch_size 2048, max_num_tokens 8192, C++ runtime: least
    // overhead.
    d.efficiency = {0.65, 0.85, 0.75, 2.0, 5, 0.3, 0.55, 2.0};
    d.limits = {2048, 8192};
  } else if (engine == "static") {
    // Static batching (the Splitwise profiling runs): the whole batch is prefilled in one step.
    d.efficiency = {0.55, 0.75, 0.65, 5.0, 25, 1.0, 0.45, 3.0};
    d.limits = {4096, std::int64_t{1} << 40};
  } else {
    d.efficiency = {0.55, 0.75, 0.65, 5.0, 25, 0.3, 0.45, 3.0};
    d.limits = {256, 8192};
  }
  return d;
}

}  // namespace fleetsizer
