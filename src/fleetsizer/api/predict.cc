#include "fleetsizer/api/predict.h"

#include <fmt/format.h>

#include <cmath>

#include "fleetsizer/api/fit.h"
#include "fleetsizer/perf/expert_parallel.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"

namespace fleetsizer::api {

Result<PredictOutput> run_predict(const PredictRequest& req) {
  const Scenario& s = req.scenario;
  if (req.concurrency && req.rate)
    return fail("give --concurrency (closed loop) or --rate (open loop), not both");
  if (!req.concurrency && !req.rate)
    return fail("give --concurrency N (closed loop) or --rate R (open loop, req/s)");
  if (req.concurrency && !(*req.concurrency >= 1 && std::isfinite(*req.concurrency)))
    return fail(fmt::format("--concurrency must be >= 1, got {}", *req.concurrency));
  if (req.rate && !(*req.rate > 0))
    return fail(fmt::format("--rate must be a positive number, got {}", *req.rate));
  auto fit = fit_layout(s.replica, s.context_tokens, s.fit_bounds, s.tp);
  if (!fit) return fail(fit.error().message);
  if (!fit->fits) return fail(fit->reason);
  PredictOutput out;
  out.request = req;
  out.footprint = fit->footprint;
  const double isl = s.workload.isl(), osl = s.workload.osl();
  out.point.spec = s.replica;
  out.point.spec.tp = out.footprint.tp;
  out.point.spec.pp = out.footprint.pp;
  const EfficiencyChoice choice =
      choose_efficiency(s.profile, s.replica.gpu.name, s.replica.engine);
  out.efficiency_from_profile = choice.from_profile;
  out.efficiency_key = choice.key;
  out.point.efficiency = choice.efficiency;
  out.point.workload = {isl, osl};
  out.point.concurrency = req.concurrency;
  out.point.rate = req.rate;
  out.point.max_running = kv_limited_running(out.point.spec, isl, osl);
  if (out.point.max_running < 1)
    return fail(fmt::format("the KV cache holds no sequence of {} tokens at TP {}", isl + osl,
                            out.footprint.tp));
  out.state = predict(out.point);
  OperatingPoint ideal = out.point;
  ideal.efficiency = ideal_efficiency(out.point.efficiency.wave_sync);
  out.ideal = predict(ideal);
  out.decode_step = RooflineModel(out.point.spec, out.point.efficiency)
                        .step(StepWork::decoding(std::max(1.0, out.state.running), isl + osl / 2));
  return out;
}

report::Report predict_report(const PredictOutput& out) {
  const Scenario& s = out.request.scenario;
  const SteadyState& st = out.state;
  report::Report rep;
  const std::string load = out.request.concurrency
                               ? fmt::format("concurrency {}", *out.request.concurrency)
                               : fmt::format("{} req/s", *out.request.rate);
  rep.headline = st.stable
                     ? fmt::format(
                           "At {}: TTFT {:.0f} ms (p99 {:.0f}), TPOT {:.1f} ms, {:.0f} output "
                           "tok/s, {:.3f} req/s per replica",
                           load, st.ttft_ms.mean, st.ttft_ms.p99, st.tpot_ms.mean, st.output_tok_s,
                           st.request_rate)
                     : fmt::format("At {} the replica cannot keep up{}", load,
                                   st.limit.empty() ? "" : ": " + st.limit);
  rep.title =
      fmt::format("Predict: {} on {} x {} ({}, {}), {:.0f}-in/{:.0f}-out, {}", s.replica.model.name,
                  out.footprint.gpus, s.replica.gpu.name, s.replica.engine,
                  dtype_name(s.replica.weights_dtype), s.workload.isl(), s.workload.osl(),
                  out.request.concurrency ? fmt::format("concurrency {}", *out.request.concurrency)
                                          : fmt::format("{} req/s Poisson", *out.request.rate));
  rep.add("model", s.replica.model.name);
  rep.add("gpu", s.replica.gpu.name);
  rep.add("tp", report::integer(out.footprint.tp));
  rep.add("engine", s.replica.engine);
  rep.add("stable", st.stable);
  if (!st.limit.empty()) rep.add("limit", st.limit);
  rep.add("running", st.running, 1);
  rep.add("max_running", report::integer(out.point.max_running));
  rep.add("ttft_ms", st.ttft_ms.mean, 1);
  rep.add("ttft_ms_p50", st.ttft_ms.p50, 1);
  rep.add("ttft_ms_p99", st.ttft_ms.p99, 1);
  rep.add("tpot_ms", st.tpot_ms.mean, 2);
  rep.add("tpot_ms_p50", st.tpot_ms.p50, 2);
  rep.add("tpot_ms_p99", st.tpot_ms.p99, 2);
  rep.add("e2e_ms", st.e2e_ms.mean, 1);
  rep.add("e2e_ms_p99", st.e2e_ms.p99, 1);
  rep.add("queue_ms", st.queue_ms, 1);
  rep.add("request_rate", st.request_rate, 3);
  rep.add("output_tok_s", st.output_tok_s, 1);
  rep.add("total_tok_s", st.total_tok_s, 1);
  rep.add("bound.output_tok_s", out.ideal.output_tok_s, 1);
  rep.add("bound.tpot_ms", out.ideal.tpot_ms.mean, 2);
  const StepTime& d = out.decode_step;
  rep.add("decode_step.gemm_ms", d.gemm_s * 1e3, 3);
  rep.add("decode_step.attention_ms", d.attention_s * 1e3, 3);
  rep.add("decode_step.lm_head_ms", d.lm_head_s * 1e3, 3);
  rep.add("decode_step.comm_ms", d.comm_s * 1e3, 3);
  rep.add("decode_step.overhead_ms", d.overhead_s * 1e3, 3);
  rep.add("decode_step.total_ms", d.total_s * 1e3, 3);
  rep.add("decode_step.gemm_compute_bound", d.gemm_compute_bound);
  const Efficiency& e = out.point.efficiency;
  rep.add("efficiency.compute", e.compute, 3);
  rep.add("efficiency.memory", e.memory, 3);
  rep.add("efficiency.step_overhead_ms", e.step_overhead_ms, 3);
  rep.add("efficiency.per_seq_overhead_us", e.per_seq_overhead_us, 2);
  rep.add("efficiency.source",
          std::string(out.efficiency_from_profile ? "profile" : "engine default"));
  rep.why(
      "efficiency",
      fmt::format("compute {:.3f}, memory {:.3f}, step overhead {:.2f} ms, per sequence {:.1f} "
                  "us: {}",
                  e.compute, e.memory, e.step_overhead_ms, e.per_seq_overhead_us,
                  out.efficiency_from_profile ? fmt::format("profile entry {}", out.efficiency_key)
                  : s.profile.entries.empty()
                      ? fmt::format("engine default ({})", s.replica.engine)
                      : fmt::format("engine default (the profile has no entry for {})",
                                    out.efficiency_key)));
  rep.why("tpot_ms",
          "decode step = sum over gemm, attention, lm_head of max(FLOPs / (peak x compute eff), "
          "bytes / "
          "(HBM x memory eff)) + all-reduce + overheads; TPOT averages the mixed and decode-only "
          "steps");
  rep.why("ttft_ms",
          out.request.concurrency
              ? "closed loop: the wave's prompts are prefilled in max_num_batched_tokens chunks; "
                "TTFT of "
                "request k is the time to its prompt's last chunk; clients beyond max_running queue"
              : "open loop: own prefill chunks + half a step + M/D/1 mean wait (M/M/1 tail for "
                "percentiles) at utilization rate / max stable rate");
  rep.why("request_rate",
          out.request.concurrency ? "Little's law: concurrency / mean E2E" : "the offered rate");
  rep.why("bound.output_tok_s",
          "the same point with efficiency 1 and no overheads: no prediction exceeds it");
  if (s.replica.model.is_moe()) rep.why("moe", std::string(kMoeStepExplain) + kMoeUnmodeled);
  return rep;
}

}  // namespace fleetsizer::api
