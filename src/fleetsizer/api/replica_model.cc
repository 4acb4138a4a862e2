#include "fleetsizer/api/replica_model.h"

#include <fmt/format.h>

#include <cmath>

#include "fleetsizer/slo/model_search.h"

namespace fleetsizer::api {

ReplicaConfig replica_config(const Scenario& s, int tp, int pp) {
  ReplicaConfig c;
  c.model = s.model;
  c.gpu = s.gpu;
  c.tp = tp;
  c.pp = pp;
  c.weights_dtype = s.memory.weights_dtype;
  c.kv_dtype = s.memory.kv_dtype;
  c.efficiency = efficiency_for(s.profile, s.gpu.name, s.engine);
  c.limits = {s.memory.max_num_seqs, s.memory.max_num_batched_tokens};
  return c;
}

std::int64_t max_running_sequences(const Scenario& s, int tp, int pp) {
  MemoryOptions m = s.memory;
  m.context_tokens = static_cast<std::int64_t>(std::ceil(s.isl + s.osl));
  const Footprint f = footprint_at(s.model, s.gpu, m, tp, pp);
  return std::min(f.max_sequences, s.memory.max_num_seqs);
}

Result<ModelCapacity> capacity_from_model(const Scenario& s, const FitResult& smallest) {
  if (s.slo.empty())
    return fail("the model-based q needs at least one SLO target (--slo ttft:p99=2000 ...)");
  const Workload w{s.isl, s.osl};
  std::vector<Footprint> layouts;
  if (s.tp) {
    layouts.push_back(smallest.footprint);
  } else {
    for (int tp = smallest.footprint.tp; tp <= smallest.footprint.tp * 8 && tp <= s.memory.max_tp;
         tp *= 2) {
      if (!valid_tensor_parallel(s.model, tp)) continue;
      Footprint f = footprint_at(s.model, s.gpu, s.memory, tp, smallest.footprint.pp);
      if (f.fits) layouts.push_back(f);
    }
    if (layouts.empty()) layouts.push_back(smallest.footprint);
  }
  ModelCapacity best;
  double best_gpus_per_rps = INFINITY;
  std::string last_reason;
  for (const auto& f : layouts) {
    const RooflineModel model(replica_config(s, f.tp, f.pp));
    const std::int64_t cap = max_running_sequences(s, f.tp, f.pp);
    if (cap < 1) {
      last_reason =
          fmt::format("TP {}: KV cache holds no sequence of {} tokens", f.tp, s.isl + s.osl);
      continue;
    }
    const ModelSearchResult r = largest_rate_meeting(model, w, s.slo, cap);
    if (!r.feasible) {
      last_reason = fmt::format("TP {}: {}", f.tp, r.reason);
      if (best.capacity.q_source.empty()) {
        best.fit.footprint = f;
        best.capacity.q_source = "model";
        best.capacity.checks = r.checks;
        best.capacity.binding = r.reason;
      }
      continue;
    }
    const double gpus_per_rps = f.gpus / r.value;
    if (gpus_per_rps < best_gpus_per_rps * (1 - 1e-9)) {
      best_gpus_per_rps = gpus_per_rps;
      best.fit.fits = true;
      best.fit.footprint = f;
      best.fit.layouts = layouts;
      ReplicaCapacity& c = best.capacity;
      c = ReplicaCapacity{};
      c.q_source = "model";
      c.q_rps = r.value;
      c.max_batch = r.state.running;
      c.output_tok_s = r.state.output_tok_s;
      c.binding = r.binding;
      c.checks = r.checks;
      const Efficiency& e = model.config().efficiency;
      c.explain.emplace_back(
          "replica.q",
          fmt::format(
              "largest Poisson arrival rate at which every SLO target holds (open-loop steady "
              "state of the roofline model, TP {}): {:.3f} req/s",
              f.tp, r.value));
      c.explain.emplace_back(
          "replica.max_batch",
          fmt::format("mean running sequences = rate x osl x step time = {:.3f} x {} x {:.2f} ms",
                      r.value, s.osl, r.state.decode_step_ms));
      c.explain.emplace_back(
          "replica.efficiency",
          fmt::format("compute {:.2f}, memory {:.2f}, interconnect {:.2f}, step overhead {:.2f} "
                      "ms, per sequence "
                      "{:.1f} us ({})",
                      e.compute, e.memory, e.interconnect, e.step_overhead_ms,
                      e.per_seq_overhead_us,
                      s.profile.entries.empty() ? "engine defaults" : "profile"));
      c.explain.emplace_back(
          "replica.tp_choice",
          fmt::format("TP {} has the fewest GPUs per req/s ({:.4f}) among {} layouts that fit",
                      f.tp, gpus_per_rps, layouts.size()));
    }
  }
  if (!best.fit.fits) {
    best.capacity.q_rps = 0;
    best.capacity.binding = last_reason;
    best.fit = smallest;
  }
  return best;
}

}  // namespace fleetsizer::api
