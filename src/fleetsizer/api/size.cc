#include "fleetsizer/api/size.h"

#include <fmt/format.h>

#include "fleetsizer/api/fit.h"
#include "fleetsizer/api/replica_model.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer::api {

FleetInputs fleet_inputs(const Scenario& s, double replica_rps, int gpus_per_replica) {
  FleetInputs in;
  in.target_rps = s.target_qps;
  in.replica_rps = replica_rps;
  in.gpus_per_replica = gpus_per_replica;
  in.gpus_per_host = s.gpus_per_host;
  in.usd_per_gpu_hour = s.usd_per_gpu_hour;
  in.usd_per_host_hour = s.usd_per_host_hour;
  in.billing = s.billing;
  in.target_utilization = s.target_utilization;
  in.redundancy = s.redundancy;
  in.output_tokens_per_request = s.osl;
  return in;
}

namespace {

Result<ReplicaCapacity> capacity_from_curve(const Scenario& s) {
  CurveModel curve(*s.curve);
  auto search = largest_batch_meeting(curve, s.slo, s.osl);
  if (!search) return fail(search.error().message);
  ReplicaCapacity c;
  c.q_source = "curve";
  c.checks = search->checks;
  c.binding = search->binding;
  if (!search->feasible) {
    c.q_rps = 0;
    c.binding = search->reason;
    return c;
  }
  c.q_rps = search->q_rps;
  c.max_batch = search->max_batch;
  c.output_tok_s = search->output_tok_s;
  c.explain.emplace_back(
      "replica.q", fmt::format("request rate interpolated (monotone PCHIP) from {} at batch {}",
                               s.curve->source, search->max_batch));
  if (search->range_limited)
    c.explain.emplace_back("replica.max_batch",
                           "SLO still met at the largest measured batch: q may be higher");
  return c;
}

}  // namespace

Result<SizeOutput> run_size(const Scenario& s) {
  SizeOutput out;
  out.scenario = s;
  if (s.gpus_per_replica && (s.replica_qps || s.curve)) {
    out.fit.fits = true;
    out.fit.footprint.gpus = out.fit.footprint.tp = *s.gpus_per_replica;
    out.fit.footprint.bottleneck = "replica size given, not fitted";
  } else {
    auto fit = fit_layout(s.model, s.gpu, s.memory, s.tp);
    if (!fit) return fail(fit.error().message);
    out.fit = *fit;
  }
  if (!out.fit.fits) {
    out.reason = out.fit.reason;
    return out;
  }
  if (!units::is_positive_finite(s.target_qps)) return fail("target_qps must be a positive number");
  if (s.replica_qps) {
    out.replica.q_source = "given";
    out.replica.q_rps = *s.replica_qps;
    out.replica.output_tok_s = *s.replica_qps * s.osl;
    out.replica.explain.emplace_back("replica.q", "given (--q / replica.q)");
  } else if (s.curve) {
    auto c = capacity_from_curve(s);
    if (!c) return fail(c.error().message);
    out.replica = std::move(*c);
  } else {
    auto m = capacity_from_model(s, out.fit);
    if (!m) return fail(m.error().message);
    out.fit = m->fit;
    out.replica = std::move(m->capacity);
  }
  if (out.replica.q_rps <= 0) {
    out.reason = fmt::format("no batch meets the SLO: {}", out.replica.binding);
    return out;
  }
  out.fleet_inputs = fleet_inputs(s, out.replica.q_rps, out.fit.footprint.gpus);
  auto plan = size_fleet(out.fleet_inputs);
  if (!plan) return fail(plan.error().message);
  out.plan = *plan;
  out.feasible = true;
  return out;
}

report::Report size_report(const SizeOutput& out) {
  const Scenario& s = out.scenario;
  const FleetPlan& p = out.plan;
  report::Report rep;
  rep.title = fmt::format("Fleet plan: {} on {} ({} weights), {} req/s of {:.0f}-in/{:.0f}-out",
                          s.model.name, s.gpu.name, dtype_name(s.memory.weights_dtype),
                          s.target_qps, s.isl, s.osl);
  rep.add("scenario", s.name);
  rep.add("feasible", out.feasible);
  if (!out.feasible) rep.add("reason", out.reason);
  rep.add("model", s.model.name);
  rep.add("gpu", s.gpu.name);
  rep.add("engine", s.engine);
  rep.add("target_qps", s.target_qps, 2);
  std::vector<std::string> slo;
  for (const auto& t : s.slo) slo.push_back(format_slo(t));
  rep.add("slo", fmt::format("{}", fmt::join(slo, ", ")));
  add_footprint_fields(rep, "replica.", out.fit.footprint);
  rep.add("replica.q_source", out.replica.q_source);
  rep.add("replica.q", out.replica.q_rps, 3);
  rep.add("replica.max_batch", out.replica.max_batch, 0);
  rep.add("replica.output_tok_s", out.replica.output_tok_s, 1);
  rep.add("replica.binding_constraint", out.replica.binding);
  for (const auto& c : out.replica.checks)
    rep.add(fmt::format("replica.slo.{}_ms_{}", metric_name(c.target.metric),
                        percentile_name(c.target.percentile)),
            c.value_ms, 1);
  if (out.feasible) {
    rep.add("fleet.floor_replicas", report::integer(p.floor_replicas));
    rep.add("fleet.headroom_replicas", report::integer(p.headroom_replicas));
    rep.add("fleet.redundancy", report::integer(s.redundancy));
    rep.add("fleet.replicas", report::integer(p.replicas));
    rep.add("fleet.gpus", report::integer(p.gpus));
    rep.add("fleet.hosts", report::integer(p.hosts));
    rep.add("fleet.gpus_reserved", report::integer(p.gpus_reserved));
    rep.add("fleet.utilization_at_target", p.utilization_at_target, 3);
    rep.add("fleet.usd_per_gpu_hour", p.usd_per_gpu_hour, 2);
    rep.add("fleet.usd_per_replica_hour", p.usd_per_replica_hour, 2);
    rep.add("fleet.usd_per_hour", p.usd_per_hour, 2);
    rep.add("fleet.usd_per_million_output_tokens", p.usd_per_million_output_tokens, 3);
    rep.add("fleet.usd_per_1k_requests", p.usd_per_1k_requests, 4);
    const FleetInputs& in = out.fleet_inputs;
    rep.why("fleet.floor_replicas",
            fmt::format("ceil(Q / q) = ceil({} / {:.4f})", in.target_rps, in.replica_rps));
    rep.why("fleet.headroom_replicas",
            fmt::format("ceil(Q / (q x utilization)) = ceil({} / ({:.4f} x {}))", in.target_rps,
                        in.replica_rps, in.target_utilization));
    rep.why("fleet.replicas", fmt::format("headroom_replicas + redundancy = {} + {}",
                                          p.headroom_replicas, in.redundancy));
    rep.why("fleet.hosts",
            in.gpus_per_replica <= in.gpus_per_host
                ? fmt::format("ceil({} replicas / floor({} GPUs per host / {} GPUs per replica))",
                              p.replicas, in.gpus_per_host, in.gpus_per_replica)
                : fmt::format("{} replicas x ceil({} / {}) hosts each", p.replicas,
                              in.gpus_per_replica, in.gpus_per_host));
    rep.why(
        "fleet.usd_per_hour",
        fmt::format("{} GPUs paid ({}) x ${:.2f}/GPU-hr", p.gpus_reserved,
                    p.gpus_reserved == p.gpus ? "GPUs used" : "whole hosts", p.usd_per_gpu_hour));
    rep.why("fleet.usd_per_million_output_tokens",
            fmt::format("usd_per_hour / (Q x osl x 3600) x 1e6 = {:.2f} / ({} x {} x 3600) x 1e6",
                        p.usd_per_hour, in.target_rps, in.output_tokens_per_request));
    rep.why("fleet.usd_per_1k_requests", fmt::format("usd_per_hour / (Q x 3600) x 1e3"));
  }
  for (const auto& e : out.replica.explain) rep.explain.push_back(e);
  return rep;
}

}  // namespace fleetsizer::api
