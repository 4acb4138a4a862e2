#include "fleetsizer/disagg/validate.h"

#include <algorithm>
#include <cmath>

#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/decode_only.h"
#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/perf/steady_state.h"

namespace fleetsizer {

PoolSpecResult pool_spec(const DisaggRun& run, const DisaggPoolLayout& pool,
                         const Catalog& catalog) {
  PoolSpecResult out;
  auto model = catalog.model(run.model);
  if (!model) {
    out.uncovered = "unknown model";
    return out;
  }
  auto gpu = catalog.gpu(run.gpu);
  if (!gpu) {
    out.uncovered = "unknown GPU";
    return out;
  }
  if (run.weights_name.empty()) {
    out.uncovered = "unknown weights dtype";
    return out;
  }
  if (pool.workers < 1 || pool.tp < 1) {
    out.uncovered = "worker count or TP not recorded";
    return out;
  }
  // Attention over tp x attention_dp GPUs, the routed experts over moe_ep groups of moe_tp GPUs
  // on the same GPUs (ReplicaSpec, docs/model.md section 4b); a layout whose experts do not tile
  // the pool's GPUs, or pipeline stages, are not modeled.
  ReplicaSpec spec;
  spec.tp = pool.tp;
  spec.attention_dp = std::max(1, pool.attention_dp);
  spec.moe_ep = std::max(1, pool.moe_ep);
  spec.moe_tp = std::max(0, pool.moe_tp);
  if (pool.pp != 1 || (model->is_moe() && spec.moe_tp_size() * spec.moe_ep != spec.stage_gpus())) {
    out.uncovered = "parallelism not modeled (pipeline stages, or experts not tiling the GPUs)";
    return out;
  }
  if (!valid_tensor_parallel(*model, pool.tp)) {
    out.uncovered = "TP does not split the heads";
    return out;
  }
  spec.model = *model;
  spec.gpu = *gpu;
  spec.weights_dtype = run.weights_dtype;
  spec.kv_dtype = run.kv_dtype;
  spec.engine = run.engine;
  spec.limits = engine_defaults(run.engine).limits;
  out.spec = spec;
  return out;
}

KvLink link_for_run(const DisaggRun& run, const ReplicaSpec& prefill) {
  const bool nvl = run.gpu == "gb200" || run.gpu == "gb300" ||
                   (run.prefill.workers * prefill.gpus() +
                        run.decode.workers * run.decode.tp * std::max(1, run.decode.attention_dp) <=
                    prefill.gpu.gpus_per_host);
  return *link_preset(nvl ? "nvlink" : "infiniband");
}

DisaggPrediction predict_disagg_run(const DisaggRun& run, const ReplicaSpec& prefill,
                                    const ReplicaSpec& decode, const Profile& profile,
                                    const KvLink& link) {
  const RooflineModel p_model(prefill, efficiency_for(profile, prefill.gpu.name, prefill.engine));
  const RooflineModel d_roofline(decode, efficiency_for(profile, decode.gpu.name, decode.engine));
  const DecodeOnlyModel d_model(d_roofline);
  const double isl = run.isl, osl = std::max(2.0, run.osl);
  const double C = static_cast<double>(run.concurrency);
  const double np = run.prefill.workers, nd = run.decode.workers;
  const Footprint pf = footprint_at(prefill, static_cast<std::int64_t>(isl + 1));
  const Footprint df = footprint_at(decode, static_cast<std::int64_t>(isl + osl));
  const double transfer_s = kv_transfer_s(link, isl * pf.kv_bytes_per_token, prefill.tp);
  const double p_capacity =
      max_stable_rate(p_model, {isl, 1}, std::max<std::int64_t>(1, pf.max_running), 1e-4);
  const double d_cap = static_cast<double>(std::max<std::int64_t>(1, df.max_running));
  DisaggPrediction out;
  double ttft = p_model.step(StepWork{}.with_prefill(isl, 1, isl)).total_s + transfer_s;
  double tpot = d_model.step(StepWork::decoding(1, isl + osl / 2)).total_s;
  for (int iter = 0; iter < 200; ++iter) {
    const double decode_s = (osl - 1) * tpot;
    const double e2e = ttft + decode_s;
    const double batch = std::clamp(C * decode_s / e2e / nd, 1.0, d_cap);
    const double next_tpot = d_model.step(StepWork::decoding(batch, isl + osl / 2)).total_s;
    double x = C / (ttft + (osl - 1) * next_tpot);
    double next_ttft = 0;
    const double per_worker = x / np;
    out.prefill_saturated = per_worker >= 0.98 * p_capacity;
    if (!out.prefill_saturated) {
      const SteadyState s = open_loop(p_model, {isl, 1}, per_worker, pf.max_running);
      next_ttft = s.ttft_ms.mean * 1e-3 + transfer_s;
    }
    if (out.prefill_saturated || !std::isfinite(next_ttft)) {
      // Clients queue for the prefill workers: X = Np x capacity, the rest of each cycle waits.
      x = np * 0.98 * p_capacity;
      next_ttft = std::max(C / x - (osl - 1) * next_tpot, ttft);
      out.prefill_saturated = true;
    }
    const bool done = std::abs(next_ttft - ttft) < 1e-9 + 1e-6 * ttft &&
                      std::abs(next_tpot - tpot) < 1e-12 + 1e-6 * tpot;
    ttft = 0.5 * (ttft + next_ttft);  // damped: the two pools feed back through X
    tpot = 0.5 * (tpot + next_tpot);
    if (done) break;
  }
  out.ttft_ms = ttft * 1e3;
  out.tpot_ms = tpot * 1e3;
  return out;
}

DisaggValidation validate_disagg(const std::vector<DisaggRun>& runs, const Catalog& catalog,
                                 const Profile& profile) {
  DisaggValidation v;
  v.converted = static_cast<std::int64_t>(runs.size());
  std::vector<double> ttft, tpot;
  for (const DisaggRun& run : runs) {
    const PoolSpecResult p = pool_spec(run, run.prefill, catalog);
    const PoolSpecResult d = pool_spec(run, run.decode, catalog);
    std::string reason = !p.spec ? p.uncovered : !d.spec ? d.uncovered : "";
    if (reason.empty() && run.concurrency < 1) reason = "no concurrency recorded";
    if (reason.empty() && !(run.isl >= 1 && run.osl >= 2)) reason = "osl < 2";
    if (reason.empty()) {
      if (!footprint_at(*p.spec, static_cast<std::int64_t>(run.isl + 1)).fits ||
          !footprint_at(*d.spec, static_cast<std::int64_t>(run.isl + run.osl)).fits)
        reason = "does not fit in the modeled layout";
    }
    if (!reason.empty()) {
      ++v.uncovered[reason];
      continue;
    }
    ++v.covered;
    DisaggValidationRow row;
    row.run = &run;
    row.predicted = predict_disagg_run(run, *p.spec, *d.spec, profile, link_for_run(run, *p.spec));
    row.ttft_error_pct = (row.predicted.ttft_ms - run.ttft_ms) / run.ttft_ms * 100;
    row.tpot_error_pct = (row.predicted.tpot_ms - run.tpot_ms) / run.tpot_ms * 100;
    ttft.push_back(row.ttft_error_pct);
    tpot.push_back(row.tpot_error_pct);
    v.rows.push_back(row);
  }
  v.ttft = summarize(ttft);
  v.tpot = summarize(tpot);
  return v;
}

}  // namespace fleetsizer
