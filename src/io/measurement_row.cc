#include "io/measurement_row.h"

#include <fmt/format.h>

#include <optional>

namespace fleetsizer::io {
namespace {

template <class T>
std::string cell(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : std::string();
}

std::string quoted(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string measurement_csv_header() {
  return "model,gpu,num_gpus,tp,weights_dtype,kv_dtype,engine,isl,osl,concurrency,request_rate,"
         "output_tok_s,total_tok_s,ttft_ms,tpot_ms,source,latency_stat,requests,attention_dp_size,"
         "moe_tp_size,moe_ep_size";
}

std::string measurement_csv_row(const Measurement& m) {
  const bool moe = m.model.is_moe();
  const std::string adp = moe || m.attention_dp > 1 ? fmt::format("{}", m.attention_dp) : "";
  const std::string moe_tp = moe && m.moe_tp > 0 ? fmt::format("{}", m.moe_tp) : "";
  const std::string ep = moe ? fmt::format("{}", m.moe_ep) : "";
  return fmt::format(
      "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", m.model.name, m.gpu.name,
      m.num_gpus, m.tp, m.weights_dtype_assumed ? "" : dtype_name(m.weights_dtype),
      m.kv_dtype_assumed ? "" : dtype_name(m.kv_dtype), m.engine, m.isl, m.osl, cell(m.concurrency),
      cell(m.request_rate), cell(m.output_tok_s), cell(m.total_tok_s), cell(m.ttft_ms),
      cell(m.tpot_ms), quoted(m.source),
      m.latency_stat_origin == LatencyStatOrigin::column ? percentile_name(m.latency_stat) : "",
      cell(m.requests), adp, moe_tp, ep);
}

}  // namespace fleetsizer::io
