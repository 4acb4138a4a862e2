#include "fleetsizer/api/size.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "fleetsizer/api/fit.h"
#include "fleetsizer/perf/expert_parallel.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer::api {
namespace {

Result<ReplicaCapacity> capacity_from_curve(const Scenario& s) {
  CurveModel curve(*s.curve);
  auto search = largest_batch_meeting(curve, s.slo, s.workload.osl());
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

std::string binding_words(Binding b, const std::optional<SloTarget>& target) {
  if (target) return format_slo(*target);
  return std::string(binding_name(b));
}

// The model path: every layout's simulated q (evaluate_replica); the cheapest fleet wins.
Result<void> capacity_from_model(const Scenario& s, SizeOutput& out) {
  auto cost = [&s](const ReplicaSpec& spec, double q) {
    auto plan = size_fleet(fleet_inputs(s, q, spec.gpus()));
    return plan ? plan->usd_per_hour : INFINITY;
  };
  auto plan = plan_replica(s, out.options.search, cost);
  if (!plan) return fail(plan.error().message);
  out.fit = plan->fit;
  ReplicaCapacity& c = out.replica;
  c.q_source = "simulation";
  const LayoutEvaluation* best = plan->best();
  if (!best) {
    // Report the first layout's numbers and why it fails.
    if (!plan->layouts.empty()) {
      const ReplicaEvaluation& ev = plan->layouts.front().evaluation;
      out.fit.footprint = ev.footprint;
      c.q_analytic_rps = ev.q_analytic_rps;
      c.checks = ev.at_q.checks;
      c.binding = binding_words(ev.binding, ev.binding_target);
      c.binding_target = ev.binding_target;
    }
    out.model = std::move(*plan);
    return {};
  }
  const ReplicaEvaluation& ev = best->evaluation;
  out.fit.footprint = ev.footprint;
  c.q_rps = ev.q_rps;
  c.q_analytic_rps = ev.q_analytic_rps;
  c.max_batch = ev.at_q.mean_running;
  c.output_tok_s = ev.at_q.output_tok_s;
  c.checks = ev.at_q.checks;
  c.binding = binding_words(ev.binding, ev.binding_target);
  c.binding_target = ev.binding_target;
  const Efficiency& e = plan->efficiency;
  c.explain.emplace_back(
      "replica.q",
      fmt::format("largest per-replica arrival rate at which a {}-request simulation of the "
                  "replica ({}, TP {}) meets every SLO target: {:.3f} req/s (bracketed to {:.1f}% "
                  "with {} search runs of {} requests, then confirmed by {} runs of {} requests "
                  "with seeds {}..{}, each target met with a {:.0f}% margin; the rate_trials "
                  "table lists them all)",
                  ev.options.requests, describe(s.workload), best->spec.tp, ev.q_rps,
                  ev.options.rel_tolerance * 100, ev.trials.size(), ev.options.search_requests,
                  ev.confirmations.size(), ev.options.requests, ev.options.seed,
                  ev.options.seed + static_cast<std::uint64_t>(ev.options.confirm_seeds),
                  ev.options.confirm_margin * 100));
  c.explain.emplace_back(
      "replica.q_analytic",
      fmt::format("largest Poisson rate meeting every target in the open-loop steady state "
                  "(fixed point + M/D/1 mean wait + M/M/1 tail): {:.3f} req/s; gap {:+.1f}%",
                  ev.q_analytic_rps, ev.gap() * 100));
  c.explain.emplace_back(
      "replica.max_batch",
      fmt::format("mean requests in the replica at q (simulated, Little's law): {:.1f}",
                  ev.at_q.mean_running));
  c.explain.emplace_back(
      "replica.efficiency",
      fmt::format("compute {:.2f}, memory {:.2f}, interconnect {:.2f}, step overhead {:.2f} ms, "
                  "per sequence {:.1f} us ({})",
                  e.compute, e.memory, e.interconnect, e.step_overhead_ms, e.per_seq_overhead_us,
                  plan->efficiency_from_profile ? "profile" : "engine default"));
  c.explain.emplace_back(
      "replica.tp_choice",
      fmt::format("TP {} gives the cheapest fleet (${:.2f}/h on its simulated q; ties go to the "
                  "fewest GPUs per req/s, {:.4f}) among {} layouts",
                  best->spec.tp, best->usd_per_hour, best->gpus_per_rps, plan->layouts.size()));
  out.model = std::move(*plan);
  return {};
}

}  // namespace

Result<SizeOutput> run_size(const Scenario& s, const SizeOptions& options) {
  SizeOutput out;
  out.scenario = s;
  out.options = options;
  if (s.gpus_per_replica && (s.replica_qps || s.curve)) {
    out.fit.fits = true;
    out.fit.footprint.gpus = out.fit.footprint.tp = *s.gpus_per_replica;
    out.fit.footprint.bottleneck = "replica size given, not fitted";
  } else {
    auto fit = fit_layout(s.replica, s.context_tokens, s.fit_bounds, s.tp);
    if (!fit) return fail(fit.error().message);
    out.fit = *fit;
  }
  if (!out.fit.fits) {
    out.reason = out.fit.reason;
    out.replica.binding = std::string(binding_name(Binding::does_not_fit));
    return out;
  }
  if (!units::is_positive_finite(s.target_qps)) return fail("target_qps must be a positive number");
  if (s.replica_qps) {
    out.replica.q_source = "given";
    out.replica.q_rps = *s.replica_qps;
    out.replica.output_tok_s = *s.replica_qps * s.workload.osl();
    out.replica.explain.emplace_back("replica.q", "given (--q / replica.q)");
  } else if (s.curve) {
    auto c = capacity_from_curve(s);
    if (!c) return fail(c.error().message);
    out.replica = std::move(*c);
  } else {
    if (auto m = capacity_from_model(s, out); !m) return fail(m.error().message);
  }
  if (out.replica.q_rps <= 0) {
    out.reason = s.curve ? fmt::format("no batch meets the SLO: {}", out.replica.binding)
                         : fmt::format(
                               "no arrival rate meets the SLO even at a trickle of "
                               "traffic: {}",
                               out.replica.binding);
    return out;
  }
  out.fleet_inputs = fleet_inputs(s, out.replica.q_rps, out.fit.footprint.gpus);
  auto plan = size_fleet(out.fleet_inputs);
  if (!plan) return fail(plan.error().message);
  out.plan = *plan;
  if (out.model && out.model->best()) {
    const LayoutEvaluation& best = *out.model->best();
    if (out.replica.q_analytic_rps > 0)
      out.analytic_replicas =
          units::ceil_ratio(s.target_qps, out.replica.q_analytic_rps * s.target_utilization);
    if (options.simulate_fleet && out.plan.headroom_replicas > kMaxSimulatedReplicas) {
      out.fleet_check_skipped = fmt::format(
          "the fleet was not simulated: {} replicas exceed the {} the fleet check simulates",
          out.plan.headroom_replicas, kMaxSimulatedReplicas);
    } else if (options.simulate_fleet) {
      // The fleet itself, at the target rate behind the router: N grows until every target holds.
      const RooflineModel model(best.spec, out.model->efficiency);
      auto v = verify_fleet(model, replica_options(best.spec, best.evaluation.footprint),
                            s.workload, s.slo, s.router, s.target_qps,
                            static_cast<int>(out.plan.headroom_replicas), options.search);
      if (!v) return fail(v.error().message);
      out.verification = std::move(*v);
      if (!out.verification->met) {
        out.reason = fmt::format(
            "the simulated fleet misses the SLO even with {} replicas behind the {} router",
            out.verification->replicas, router_name(s.router));
        return out;
      }
      out.fleet_inputs.simulated_replicas = out.verification->replicas;
      auto verified = size_fleet(out.fleet_inputs);
      if (!verified) return fail(verified.error().message);
      out.plan = *verified;
    }
  }
  out.feasible = true;
  return out;
}

namespace {

std::string upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "TPOT p99 <= 50 ms" for a binding target; the binding's name otherwise.
std::string binding_phrase(const ReplicaCapacity& r) {
  if (!r.binding_target) return r.binding;
  const SloTarget& t = *r.binding_target;
  return fmt::format("{} {} <= {:g} ms", upper(metric_name(t.metric)),
                     percentile_name(t.percentile), t.ms);
}

std::string size_headline(const SizeOutput& out) {
  const Scenario& s = out.scenario;
  const FleetPlan& p = out.plan;
  if (!out.feasible) return fmt::format("No fleet meets the SLO: {}", out.reason);
  const std::int64_t per_replica = out.fleet_inputs.gpus_per_replica;
  return fmt::format(
      "{} replica{} x {} x {} = {} GPUs on {} host{}, ${:.2f}/h at ${:.2f}/GPU-h ({}); binding: "
      "{}",
      p.replicas, p.replicas == 1 ? "" : "s", per_replica, s.replica.gpu.name, p.gpus, p.hosts,
      p.hosts == 1 ? "" : "s", p.usd_per_hour, p.usd_per_gpu_hour,
      s.price_source.empty() ? "illustrative catalog price" : s.price_source,
      binding_phrase(out.replica));
}

// Per SLO target, the simulated latency at each rate the q search tried (markers: the runs differ
// in seed and length), the target as a horizontal line and the chosen q as a vertical one.
std::vector<report::Chart> latency_charts(const Scenario& s, const ReplicaEvaluation& ev) {
  std::vector<report::Chart> charts;
  for (std::size_t i = 0; i < s.slo.size(); ++i) {
    const SloTarget& t = s.slo[i];
    report::Chart c;
    c.key = fmt::format("{}_ms_{}_vs_rate", metric_name(t.metric), percentile_name(t.percentile));
    c.title = fmt::format("{} {} against per-replica rate", upper(metric_name(t.metric)),
                          percentile_name(t.percentile));
    c.x = {"per-replica rate", "req/s", false};
    c.y = {fmt::format("{} {}", upper(metric_name(t.metric)), percentile_name(t.percentile)), "ms",
           false};
    report::Series meets{"simulated, meets every target", {}, false, false};
    report::Series misses{"simulated, misses a target", {}, false, false};
    for (const auto* list : {&ev.trials, &ev.confirmations})
      for (const RateTrial& trial : *list)
        if (i < trial.checks.size())
          (trial.meets ? meets : misses)
              .points.push_back({trial.rate_rps, trial.checks[i].value_ms});
    report::Series chosen{"chosen q", {}, false, true};
    if (i < ev.at_q.checks.size()) chosen.points.push_back({ev.q_rps, ev.at_q.checks[i].value_ms});
    for (auto* series : {&meets, &misses, &chosen}) {
      std::sort(series->points.begin(), series->points.end(),
                [](const report::Point& a, const report::Point& b) { return a.x < b.x; });
      if (!series->points.empty()) c.series.push_back(std::move(*series));
    }
    c.references.push_back(report::Reference{format_slo(t), 'y', t.ms});
    c.references.push_back(report::Reference{"q", 'x', ev.q_rps});
    charts.push_back(std::move(c));
  }
  return charts;
}

}  // namespace

report::Report size_report(const SizeOutput& out) {
  const Scenario& s = out.scenario;
  const FleetPlan& p = out.plan;
  report::Report rep;
  rep.csv_fields = true;  // the plan is the answer; the layouts and trials are detail
  rep.headline = size_headline(out);
  rep.title =
      fmt::format("Fleet plan: {} on {} ({} weights), {} req/s of {:.0f}-in/{:.0f}-out",
                  s.replica.model.name, s.replica.gpu.name, dtype_name(s.replica.weights_dtype),
                  s.target_qps, s.workload.isl(), s.workload.osl());
  rep.add("scenario", s.name);
  rep.add("feasible", out.feasible);
  if (!out.feasible) rep.add("reason", out.reason);
  // A measured curve or a given q says nothing of the model or its memory: those fields do not
  // apply there and are left out.
  const bool modeled = !s.curve && !s.replica_qps;
  if (modeled) rep.add("model", s.replica.model.name);
  rep.add("gpu", s.replica.gpu.name);
  if (modeled) rep.add("engine", s.replica.engine);
  rep.add("workload", describe(s.workload));
  rep.add("target_qps", s.target_qps, 2);
  std::vector<std::string> slo;
  for (const auto& t : s.slo) slo.push_back(format_slo(t));
  rep.add("slo", fmt::format("{}", fmt::join(slo, ", ")));
  if (modeled) {
    add_footprint_fields(rep, "replica.", out.fit.footprint, true);
  } else {
    rep.add("replica.gpus", report::integer(out.fleet_inputs.gpus_per_replica));
  }
  rep.add("replica.q_source", out.replica.q_source);
  rep.add("replica.q", out.replica.q_rps, 3);
  if (out.model) {
    const double qa = out.replica.q_analytic_rps;
    rep.add("replica.q_analytic", qa, 3);
    rep.add("replica.q_gap_pct", qa > 0 ? (out.replica.q_rps - qa) / qa * 100 : report::Cell{}, 1);
  } else {
    rep.add("replica.q_analytic", report::Cell{});  // a key scripts read (DESIGN.md): null
  }
  rep.add("replica.max_batch", out.replica.max_batch, 0);
  rep.add("replica.output_tok_s", out.replica.output_tok_s, 1);
  rep.add("replica.binding_constraint", out.replica.binding);
  for (const auto& c : out.replica.checks)
    rep.add(fmt::format("replica.slo.{}_ms_{}", metric_name(c.target.metric),
                        percentile_name(c.target.percentile)),
            c.value_ms, 1);
  if (!out.feasible) {
    // The keys scripts rely on are present, empty (null in JSON): there is no plan.
    for (const char* key : {"fleet.floor_replicas", "fleet.replicas", "fleet.usd_per_hour",
                            "fleet.usd_per_million_output_tokens"})
      rep.add(key, report::Cell{});
  }
  if (out.feasible) {
    rep.add("fleet.floor_replicas", report::integer(p.floor_replicas));
    rep.add_detail("fleet.headroom_replicas", report::integer(p.headroom_replicas));
    if (out.model) rep.add("fleet.analytic_replicas", report::integer(out.analytic_replicas));
    if (out.verification && out.verification->rejected > 0) {
      rep.add("fleet.rejected_requests", report::integer(out.verification->rejected));
      rep.notes.push_back(fmt::format(
          "{} of the {} simulated requests are longer than one replica's whole KV cache ({} "
          "tokens): a server rejects them, no fleet size serves them, and the percentiles are over "
          "the served requests",
          out.verification->rejected, out.options.search.requests,
          out.fit.footprint.kv_capacity_tokens));
    }
    if (!out.fleet_check_skipped.empty()) {
      rep.add("fleet.check_skipped", out.fleet_check_skipped);
      rep.notes.push_back(out.fleet_check_skipped);
    }
    if (out.verification) {
      rep.add("fleet.simulated_replicas", report::integer(out.verification->replicas));
      rep.add_detail("fleet.raised_by_simulation",
                     out.verification->replicas > out.verification->start_replicas);
    }
    rep.add("fleet.redundancy", report::integer(s.redundancy));
    rep.add("fleet.replicas", report::integer(p.replicas));
    rep.add("fleet.gpus", report::integer(p.gpus));
    rep.add("fleet.hosts", report::integer(p.hosts));
    rep.add_detail("fleet.gpus_reserved", report::integer(p.gpus_reserved));
    rep.add_detail("fleet.utilization_at_target", p.utilization_at_target, 3);
    rep.add("fleet.usd_per_gpu_hour", p.usd_per_gpu_hour, 2);
    rep.add("fleet.price_source", s.price_source.empty()
                                      ? "illustrative catalog price (" + s.replica.gpu.name + ")"
                                      : s.price_source);
    if (s.price_source.empty())
      rep.notes.push_back(
          "The price is the catalog's illustrative 2025 on-demand figure, not a quote: set yours "
          "with --usd-per-gpu-hour or --usd-per-host-hour.");
    rep.add_detail("fleet.usd_per_replica_hour", p.usd_per_replica_hour, 2);
    rep.add("fleet.usd_per_hour", p.usd_per_hour, 2);
    rep.add("fleet.usd_per_million_output_tokens", p.usd_per_million_output_tokens, 3);
    rep.add("fleet.usd_per_1k_requests", p.usd_per_1k_requests, 4);
    const FleetInputs& in = out.fleet_inputs;
    rep.why("fleet.floor_replicas",
            fmt::format("ceil(Q / q) = ceil({} / {:.4f})", in.target_rps, in.replica_rps));
    rep.why("fleet.headroom_replicas",
            fmt::format("ceil(Q / (q x utilization)) = ceil({} / ({:.4f} x {}))", in.target_rps,
                        in.replica_rps, in.target_utilization));
    rep.why("fleet.replicas",
            fmt::format("serving replicas + redundancy = max(headroom {}, "
                        "simulated {}) + {}",
                        p.headroom_replicas, in.simulated_replicas, in.redundancy));
    if (out.model)
      rep.why("fleet.analytic_replicas",
              fmt::format("ceil(Q / (q_analytic x utilization)) = ceil({} / ({:.4f} x {}))",
                          in.target_rps, out.replica.q_analytic_rps, in.target_utilization));
    if (out.verification)
      rep.why("fleet.simulated_replicas",
              fmt::format("smallest count from headroom_replicas up whose {}-request simulation "
                          "at {} req/s behind the {} router meets every target ({} tried)",
                          out.options.search.requests, in.target_rps, router_name(s.router),
                          out.verification->trials.size()));
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
  if (out.model) {
    report::Table layouts{
        "layouts", "Layouts evaluated (q by simulation, q_analytic beside it)", {}, {}};
    layouts.columns = {{"tp", "TP", 0},
                       {"gpus", "GPUs", 0},
                       {"q", "q (req/s)", 3},
                       {"q_analytic", "q analytic", 3},
                       {"gpus_per_rps", "GPUs per req/s", 4},
                       {"usd_per_hour", "fleet $/h", 2},
                       {"binding", "binding", 0}};
    for (const auto& l : out.model->layouts) {
      const ReplicaEvaluation& ev = l.evaluation;
      layouts.rows.push_back(
          {report::integer(l.spec.tp), report::integer(l.spec.gpus()),
           ev.simulated ? report::Cell{ev.q_rps} : report::Cell{}, ev.q_analytic_rps,
           ev.feasible ? report::Cell{l.gpus_per_rps} : report::Cell{},
           ev.feasible && std::isfinite(l.usd_per_hour) ? report::Cell{l.usd_per_hour}
                                                        : report::Cell{},
           !ev.simulated && ev.fits ? std::string("not simulated: analytic > 1.5x the best")
           : ev.binding_target      ? format_slo(*ev.binding_target)
                                    : std::string(binding_name(ev.binding))});
    }
    rep.tables.push_back(std::move(layouts));
    if (const LayoutEvaluation* best = out.model->best()) {
      report::Table rates{"rate_trials", "Rates simulated for the chosen layout", {}, {}};
      rates.title = "Rates simulated for the chosen layout (search runs, then confirmation runs)";
      rates.columns = {{"rate_rps", "rate (req/s)", 3},
                       {"seed", "seed", 0},
                       {"requests", "requests", 0},
                       {"meets", "meets SLO", 0}};
      for (const auto& t : s.slo)
        rates.columns.push_back(
            {fmt::format("{}_ms_{}", metric_name(t.metric), percentile_name(t.percentile)),
             format_slo(t), 1});
      for (const auto* list : {&best->evaluation.trials, &best->evaluation.confirmations})
        for (const auto& t : *list) {
          std::vector<report::Cell> row{t.rate_rps,
                                        report::integer(static_cast<std::int64_t>(t.seed)),
                                        report::integer(t.requests), t.meets};
          for (const auto& ch : t.checks) row.push_back(ch.value_ms);
          rates.rows.push_back(std::move(row));
        }
      rates.detail = true;
      rep.tables.push_back(std::move(rates));
      for (auto& chart : latency_charts(s, best->evaluation))
        rep.charts.push_back(std::move(chart));
    }
  }
  if (out.verification) {
    report::Table fleet{"fleet_trials", "Fleet simulated at the target rate", {}, {}};
    fleet.columns = {{"replicas", "replicas", 0}, {"meets", "meets SLO", 0}};
    for (const auto& t : s.slo)
      fleet.columns.push_back(
          {fmt::format("{}_ms_{}", metric_name(t.metric), percentile_name(t.percentile)),
           format_slo(t), 1});
    for (const auto& t : out.verification->trials) {
      std::vector<report::Cell> row{report::integer(t.replicas), t.meets};
      for (const auto& ch : t.checks) row.push_back(ch.value_ms);
      fleet.rows.push_back(std::move(row));
    }
    fleet.detail = true;
    rep.tables.push_back(std::move(fleet));
  }
  if (s.replica.model.is_moe() && out.model)
    rep.why("moe", std::string(kMoeStepExplain) + kMoeUnmodeled);
  return rep;
}

}  // namespace fleetsizer::api
