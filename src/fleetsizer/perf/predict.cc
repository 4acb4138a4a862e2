#include "fleetsizer/perf/predict.h"

#include <cmath>

#include "fleetsizer/memory/footprint.h"

namespace fleetsizer {

Efficiency ideal_efficiency(double wave_sync) {
  return {1.0, 1.0, 1.0, 0.0, 0.0, wave_sync, 1.0, 0.0};
}

std::int64_t kv_limited_running(const ReplicaSpec& spec, double isl, double osl) {
  return footprint_at(spec, static_cast<std::int64_t>(std::ceil(isl + osl))).max_running;
}

OperatingPoint operating_point(const Measurement& m, const Efficiency& efficiency) {
  OperatingPoint p;
  p.spec.model = m.model;
  p.spec.gpu = m.gpu;
  p.spec.tp = m.tp;
  p.spec.attention_dp = m.attention_dp;
  p.spec.moe_ep = m.moe_ep;
  p.spec.moe_tp = m.moe_tp;
  p.spec.pp = 1;
  p.spec.weights_dtype = m.weights_dtype;
  p.spec.kv_dtype = m.kv_dtype;
  p.spec.engine = m.engine;
  p.spec.limits = engine_defaults(m.engine).limits;
  // A static batch is prefilled in one forward pass: its step is the batch's prompts, not the
  // engine default's unbounded budget (which would also size an activation workspace of 65,536
  // tokens, leaving no KV cache for a 70B model on two 80 GB GPUs).
  if (m.engine == "static" && m.concurrency)
    p.spec.limits.max_num_batched_tokens = std::max<std::int64_t>(1, std::llround(*m.concurrency)) *
                                           static_cast<std::int64_t>(std::ceil(m.isl));
  p.efficiency = efficiency;
  p.workload = {m.isl, m.osl};
  p.concurrency = m.concurrency;
  p.rate = m.request_rate;
  p.max_running = std::max<std::int64_t>(1, kv_limited_running(p.spec, m.isl, m.osl));
  return p;
}

SteadyState predict(const OperatingPoint& p) {
  const RooflineModel model(p.spec, p.efficiency);
  const double sync = p.efficiency.wave_sync;
  if (p.concurrency) return closed_loop(model, p.workload, *p.concurrency, p.max_running, sync);
  if (p.rate && std::isfinite(*p.rate)) return open_loop(model, p.workload, *p.rate, p.max_running);
  // Offline: every request is queued at once, so the engine runs at its own maximum batch.
  return closed_loop(model, p.workload, static_cast<double>(p.max_running), p.max_running, sync);
}

std::string_view prediction_method_name(PredictionMethod method) {
  return method == PredictionMethod::sim ? "sim" : "analytic";
}

std::optional<PredictionMethod> parse_prediction_method(std::string_view text) {
  if (text == "analytic") return PredictionMethod::analytic;
  if (text == "sim") return PredictionMethod::sim;
  return std::nullopt;
}

RowForecast AnalyticPredictor::forecast(const Measurement& row,
                                        const Efficiency& efficiency) const {
  const SteadyState s = predict(operating_point(row, efficiency));
  return {s.ttft_ms, s.tpot_ms, s.output_tok_s};
}

}  // namespace fleetsizer
