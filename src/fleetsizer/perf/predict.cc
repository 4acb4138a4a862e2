#include "fleetsizer/perf/predict.h"

#include <cmath>

#include "fleetsizer/memory/footprint.h"

namespace fleetsizer {

Efficiency ideal_efficiency(double wave_sync) {
  return {1.0, 1.0, 1.0, 0.0, 0.0, wave_sync, 1.0, 0.0};
}

std::int64_t kv_limited_running(const ReplicaConfig& c, double isl, double osl) {
  MemoryOptions o;
  o.weights_dtype = c.weights_dtype;
  o.kv_dtype = c.kv_dtype;
  o.max_num_seqs = c.limits.max_num_seqs;
  o.max_num_batched_tokens = std::min<std::int64_t>(c.limits.max_num_batched_tokens, 65536);
  o.context_tokens = static_cast<std::int64_t>(std::ceil(isl + osl));
  const Footprint f = footprint_at(c.model, c.gpu, o, c.tp, c.pp);
  return std::min(f.max_sequences, c.limits.max_num_seqs);
}

OperatingPoint operating_point(const Measurement& m, const Efficiency& efficiency) {
  OperatingPoint p;
  p.config.model = m.model;
  p.config.gpu = m.gpu;
  p.config.tp = m.tp;
  p.config.pp = 1;
  p.config.weights_dtype = m.weights_dtype;
  p.config.kv_dtype = m.kv_dtype;
  const EngineDefaults d = engine_defaults(m.engine);
  p.config.efficiency = efficiency;
  p.config.limits = d.limits;
  p.workload = {m.isl, m.osl};
  p.concurrency = m.concurrency;
  p.rate = m.request_rate;
  p.max_running = std::max<std::int64_t>(1, kv_limited_running(p.config, m.isl, m.osl));
  return p;
}

SteadyState predict(const OperatingPoint& p) {
  const RooflineModel model(p.config);
  if (p.concurrency) return closed_loop(model, p.workload, *p.concurrency, p.max_running);
  if (p.rate && std::isfinite(*p.rate)) return open_loop(model, p.workload, *p.rate, p.max_running);
  // Offline: every request is queued at once, so the engine runs at its own maximum batch.
  return closed_loop(model, p.workload, static_cast<double>(p.max_running), p.max_running);
}

}  // namespace fleetsizer
