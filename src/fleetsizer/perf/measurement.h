#pragma once
// One measured operating point of one replica (DESIGN.md section 5), already resolved against the
// catalog, with the file and line it came from.
#include <cstddef>
#include <optional>
#include <string>

#include "fleetsizer/catalog/gpu.h"
#include "fleetsizer/catalog/model.h"
#include "fleetsizer/units/dtype.h"

namespace fleetsizer {

struct Measurement {
  std::string file;
  std::size_t line = 0;
  ModelSpec model;
  GpuSpec gpu;
  int num_gpus = 1;
  int tp = 1;
  Dtype weights_dtype = Dtype::bf16;
  Dtype kv_dtype = Dtype::bf16;
  // The file left the dtype empty: weights are then assumed bf16 and the KV cache
  // assumed_kv_dtype(weights, engine); the row says so in validate's output.
  bool weights_dtype_assumed = false;
  bool kv_dtype_assumed = false;
  std::string engine = "generic";
  double isl = 0;
  double osl = 0;
  std::optional<double> concurrency;   // closed loop
  std::optional<double> request_rate;  // open loop (inf: offline, engine at its own max batch)
  std::optional<double> output_tok_s;  // per num_gpus
  std::optional<double> total_tok_s;
  std::optional<double> ttft_ms;
  std::optional<double> tpot_ms;
  std::string source;

  // Rows of one configuration share model, GPU, engine, TP and dtypes; leave-one-out holds one out.
  std::string configuration() const;
  std::string where() const;  // "file:line"
};

// The KV-cache dtype of a run that did not record it: what the engine stores by default for those
// weights. TensorRT-LLM's FP8 and NVFP4 checkpoints (the published trtllm-bench and AIConfigurator
// runs) quantize the KV cache to FP8 as well; vLLM and SGLang (kv_cache_dtype "auto") and every
// other case keep the KV cache in the activation dtype: fp16 for fp16 weights, else bf16.
Dtype assumed_kv_dtype(Dtype weights, const std::string& engine);

}  // namespace fleetsizer
