#include "fleetsizer/perf/measurement.h"

#include <fmt/format.h>

namespace fleetsizer {

std::string_view latency_stat_origin_name(LatencyStatOrigin origin) {
  switch (origin) {
    case LatencyStatOrigin::column:
      return "column";
    case LatencyStatOrigin::file_name:
      return "file name";
    case LatencyStatOrigin::source_text:
      return "source text";
    case LatencyStatOrigin::default_median:
      break;
  }
  return "default";
}

std::string Measurement::configuration() const {
  // Plain TP keeps its short name; an expert or attention data-parallel layout is spelled out.
  std::string layout = fmt::format("tp{}", tp);
  if (attention_dp > 1) layout += fmt::format(" dp{}", attention_dp);
  if (moe_ep > 1) layout += fmt::format(" ep{}", moe_ep);
  if (moe_tp > 0 && (moe_ep > 1 || attention_dp > 1)) layout += fmt::format(" moetp{}", moe_tp);
  return fmt::format("{} {} {} {} {}/{}", model.name, gpu.name, engine, layout,
                     dtype_name(weights_dtype), dtype_name(kv_dtype));
}

std::string Measurement::where() const {
  return fmt::format("{}:{}", file, line);
}

Dtype assumed_kv_dtype(Dtype weights, const std::string& engine) {
  if (engine == "trtllm" && (weights == Dtype::fp8 || weights == Dtype::fp4)) return Dtype::fp8;
  return weights == Dtype::fp16 ? Dtype::fp16 : Dtype::bf16;
}

}  // namespace fleetsizer
