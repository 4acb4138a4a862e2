#pragma once
// One measured operating point of one replica (DESIGN.md section 5), already resolved against the
// catalog, with the file and line it came from.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fleetsizer/catalog/gpu.h"
#include "fleetsizer/catalog/model.h"
#include "fleetsizer/targets/slo.h"
#include "fleetsizer/units/dtype.h"

namespace fleetsizer {

enum class LatencyStatOrigin { column, file_name, source_text, default_median };
std::string_view latency_stat_origin_name(LatencyStatOrigin origin);

struct Measurement {
  std::string file;
  std::size_t line = 0;
  ModelSpec model;
  GpuSpec gpu;
  int num_gpus = 1;
  int tp = 1;
  // The MoE and attention layout of the run (ReplicaSpec): 1, 1 and 0 (auto) for plain TP.
  int attention_dp = 1;
  int moe_ep = 1;
  int moe_tp = 0;
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
  // Which statistic ttft_ms and tpot_ms are: predictions are compared at the same one (mean with
  // mean, p99 with p99). From the `latency_stat` column, else the file name (`...-p99.csv`), else
  // the source text (`mean_ttft_ms`, `median_ttft_ms`, `p99_ttft_ms`), else the median of DESIGN.md
  // section 5 (docs/formats.md); `latency_stat_origin` says which.
  Percentile latency_stat = Percentile::p50;
  LatencyStatOrigin latency_stat_origin = LatencyStatOrigin::default_median;
  // Requests the run completed (the `requests` column, or `completed=N` in the source text): a
  // replay in the simulator sends as many.
  std::optional<std::int64_t> requests;

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
