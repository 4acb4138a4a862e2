#include "fleetsizer/api/disagg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/plan/replica_plan.h"

namespace fleetsizer::api {
namespace {

std::int64_t context_of(const Scenario& base) {
  return static_cast<std::int64_t>(std::ceil(base.workload.isl() + base.workload.osl()));
}

// Serving replicas before spares: what the simulation replays.
int serving(const PoolPlan& p) {
  return static_cast<int>(p.fleet.serving_replicas);
}

// The colocated pool replayed as one fleet at the target rate (plan/replica_plan's verify_fleet).
Result<void> verify_colocated(const Scenario& base, PoolPlan& p, std::int64_t requests,
                              std::uint64_t seed) {
  const RooflineModel model(p.spec, efficiency_for(base.profile, p.spec.gpu.name, p.spec.engine));
  const ReplicaOptions replica = replica_options(p.spec, footprint_at(p.spec, context_of(base)));
  QSearchOptions o;
  o.requests = requests;
  o.seed = seed;
  auto v = verify_fleet(model, replica, base.workload, base.slo, base.router, base.target_qps,
                        serving(p), o);
  if (!v) return fail(v.error().message);
  if (!v->met) {
    p.feasible = false;
    p.reason = fmt::format("colocated pool: no fleet up to {} replicas meets the SLO in simulation",
                           v->trials.empty() ? 0 : v->trials.back().replicas);
    return {};
  }
  return price_pool(p, base, v->replicas);
}

}  // namespace

Result<TwoPoolVerification> verify_disagg(const DisaggInputs& in, const DisaggPlan& plan,
                                          std::int64_t requests, std::uint64_t seed,
                                          int max_extra) {
  const Scenario& base = in.base;
  const ReplicaSpec& ps = plan.prefill.spec;
  const ReplicaSpec& ds = plan.decode.spec;
  const RooflineModel prefill_model(ps, efficiency_for(base.profile, ps.gpu.name, ps.engine));
  const RooflineModel decode_model(ds, efficiency_for(base.profile, ds.gpu.name, ds.engine));
  TwoPoolOptions o;
  o.prefill = replica_options(
      ps, footprint_at(ps, static_cast<std::int64_t>(std::ceil(base.workload.isl() + 1))));
  o.prefill.prefix_hit_rate = base.workload.prefix_hit_rate;
  o.decode = replica_options(ds, footprint_at(ds, context_of(base)));
  o.prefill_router = o.decode_router = base.router;
  o.transfer_latency_s = in.link.latency_us * 1e-6;
  o.transfer_s_per_token =
      plan.prefill.kv_bytes_per_request / std::max(1.0, plan.isl) / (in.link.gb_s * 1e9 * ps.tp);
  o.seed = seed;
  o.max_waiting = std::max<std::int64_t>(100, requests / 10);
  TwoPoolVerification v;
  v.start_prefill = v.prefill_replicas = std::max(1, serving(plan.prefill));
  v.start_decode = v.decode_replicas = std::max(1, serving(plan.decode));
  for (int round = 0; round <= 2 * max_extra; ++round) {
    auto source = make_source(base.workload, base.target_qps, requests, seed);
    if (!source) return fail(source.error().message);
    o.prefill_replicas = v.prefill_replicas;
    o.decode_replicas = v.decode_replicas;
    auto r = simulate_two_pool(prefill_model, decode_model, **source, o);
    if (!r) return fail(r.error().message);
    TwoPoolTrial t;
    t.prefill_replicas = v.prefill_replicas;
    t.decode_replicas = v.decode_replicas;
    t.diverged = r->combined.diverged;
    t.requests = r->combined.requests;
    t.checks = check_targets(r->combined, base.slo);
    t.meets = !t.diverged && std::ranges::all_of(t.checks, [](const auto& c) { return c.holds; });
    v.trials.push_back(t);
    v.last = std::move(*r);
    if (t.meets) {
      v.met = true;
      return v;
    }
    // Grow the pool whose target failed (TTFT: prefill; TPOT, ITL: decode) or that diverged.
    bool grow_prefill = v.last.prefill.diverged, grow_decode = v.last.decode.diverged;
    for (const auto& c : t.checks)
      if (!c.holds) (c.target.metric == Metric::ttft ? grow_prefill : grow_decode) = true;
    if (!grow_prefill && !grow_decode) grow_prefill = grow_decode = true;
    if (grow_prefill) ++v.prefill_replicas;
    if (grow_decode) ++v.decode_replicas;
    if (v.prefill_replicas > v.start_prefill + max_extra ||
        v.decode_replicas > v.start_decode + max_extra)
      break;
  }
  return v;
}

Result<DisaggOutput> run_disagg(const DisaggRequest& request) {
  DisaggOutput out;
  out.request = request;
  auto plan = plan_disagg(request.inputs);
  if (!plan) return fail(plan.error().message);
  if (!plan->feasible)
    return fail(!plan->prefill.feasible ? plan->prefill.reason : plan->decode.reason);
  out.plan = std::move(*plan);
  if (request.verify) {
    if (request.verify_requests < kMinRequests)
      return fail(
          fmt::format("--requests must be >= {} (a p99 over fewer rests on fewer than 10 "
                      "samples), got {}",
                      kMinRequests, request.verify_requests));
    auto v = verify_disagg(request.inputs, out.plan, request.verify_requests, request.seed,
                           request.max_extra_replicas);
    if (!v) return fail(v.error().message);
    if (!v->met)
      return fail(fmt::format(
          "the disaggregated plan misses the SLO in simulation even at {} prefill and {} decode "
          "replicas",
          v->prefill_replicas, v->decode_replicas));
    const Scenario& base = request.inputs.base;
    if (auto r = price_pool(out.plan.prefill, base, v->prefill_replicas); !r)
      return fail(r.error().message);
    if (auto r = price_pool(out.plan.decode, base, v->decode_replicas); !r)
      return fail(r.error().message);
    if (out.plan.colocated.feasible)
      if (auto r =
              verify_colocated(base, out.plan.colocated, request.verify_requests, request.seed);
          !r)
        return fail(r.error().message);
    total_plan(out.plan);
    out.verification = std::move(*v);
  }
  if (request.sweep_isl) {
    const auto [a, b] = *request.sweep_isl;
    for (double isl : sweep_lengths(a, b, request.sweep_points)) {
      DisaggInputs in = request.inputs;
      in.base.workload.input.mean = isl;
      in.base.context_tokens = static_cast<std::int64_t>(std::ceil(isl + in.base.workload.osl()));
      auto p = plan_disagg(in);
      if (!p) return fail(fmt::format("--sweep-isl at isl {}: {}", isl, p.error().message));
      out.sweep.push_back(std::move(*p));
    }
    out.crossover_isl = crossover_isl(out.sweep);
  }
  return out;
}

namespace {

void add_pool(report::Report& rep, const std::string& key, const PoolPlan& p,
              const Scenario& base) {
  rep.add(key + ".feasible", p.feasible);
  if (!p.feasible) {
    rep.add(key + ".reason", p.reason);
    return;
  }
  rep.add(key + ".gpu", p.spec.gpu.name);
  rep.add(key + ".tp", report::integer(p.spec.tp));
  rep.add(key + ".weights_dtype", std::string(dtype_name(p.spec.weights_dtype)));
  rep.add(key + ".replicas", report::integer(p.fleet.replicas));
  rep.add(key + ".gpus", report::integer(p.fleet.gpus));
  rep.add(key + ".hosts", report::integer(p.fleet.hosts));
  rep.add(key + ".usd_per_gpu_hour", p.usd_per_gpu_hour, 2);
  rep.add(key + ".usd_per_hour", p.fleet.usd_per_hour, 2);
  rep.add(key + ".q_rps", p.q_rps, 3);
  rep.add(key + ".binding", p.binding);
  rep.add(key + ".running_cap", report::integer(p.running_cap));
  if (p.kind == PoolKind::prefill) {
    rep.add(key + ".kv_mb_per_request", p.kv_bytes_per_request / 1e6, 2);
    rep.add(key + ".transfer_ms", p.transfer_ms, 3);
    rep.add(key + ".q_compute_rps", p.q_compute_rps, 3);
    rep.add(key + ".q_link_rps", p.q_link_rps, 3);
    rep.add(key + ".link_binds", p.link_binds);
    rep.add(key + ".ttft_p99_ms_before_transfer", p.at_q.ttft_ms.p99, 2);
  } else {
    rep.add(key + ".tpot_p99_ms", p.at_q.tpot_ms.p99, 3);
    rep.add(key + ".ttft_p99_ms", p.at_q.ttft_ms.p99, 2);
  }
  rep.why(
      key + ".replicas",
      fmt::format("max(ceil(Q / (q x u)), simulated) + k = max(ceil({:.4g} / ({:.4g} x {:.3g})), "
                  "{}) + {} = {}",
                  base.target_qps, p.q_rps, base.target_utilization, p.fleet.serving_replicas,
                  p.fleet.replicas - p.fleet.serving_replicas, p.fleet.replicas));
}

std::string pool_words(const PoolPlan& p) {
  if (!p.feasible) return "infeasible: " + p.reason;
  return fmt::format("{} x {} TP{} ({} GPUs) ${:.2f}/h, q {:.3g} req/s, bound by {}",
                     p.fleet.replicas, p.spec.gpu.name, p.spec.tp, p.fleet.gpus,
                     p.fleet.usd_per_hour, p.q_rps, p.binding);
}

}  // namespace

// Over a prompt-length sweep: the cost of the disaggregated plan and of the colocated pool, and
// the prefill pool's share of the GPUs; the crossover as a vertical line.
static std::vector<report::Chart> sweep_charts(const DisaggOutput& out) {
  report::Chart cost;
  cost.key = "usd_per_hour_vs_isl";
  cost.title = "Fleet cost against prompt length";
  cost.x = {"prompt length", "tokens", true};
  cost.y = {"fleet cost", "$/h", false};
  report::Chart share;
  share.key = "prefill_share_vs_isl";
  share.title = "Prefill pool's share of the GPUs against prompt length";
  share.x = cost.x;
  share.y = {"prefill share of the GPUs", "", false};
  report::Series disagg{"disaggregated", {}, true, false};
  report::Series colocated{"colocated", {}, true, false};
  report::Series prefill{"prefill GPUs / all GPUs", {}, true, false};
  for (const DisaggPlan& p : out.sweep) {
    if (p.feasible) {
      disagg.points.push_back({p.isl, p.usd_per_hour});
      prefill.points.push_back({p.isl, p.prefill_share});
    }
    if (p.colocated.feasible) colocated.points.push_back({p.isl, p.colocated.fleet.usd_per_hour});
  }
  cost.series.push_back(std::move(disagg));
  cost.series.push_back(std::move(colocated));
  share.series.push_back(std::move(prefill));
  if (out.crossover_isl > 0)
    for (auto* c : {&cost, &share})
      c->references.push_back(report::Reference{"crossover", 'x', out.crossover_isl});
  return {std::move(cost), std::move(share)};
}

report::Report disagg_report(const DisaggOutput& out) {
  const DisaggPlan& p = out.plan;
  const DisaggInputs& in = out.request.inputs;
  report::Report rep;
  rep.headline =
      !p.feasible
          ? fmt::format("No disaggregated plan meets the SLO: {}",
                        !p.prefill.feasible ? p.prefill.reason : p.decode.reason)
          : fmt::format("{} prefill x {} x {} + {} decode x {} x {} = {} GPUs, ${:.2f}/h{}",
                        p.prefill.fleet.replicas, p.prefill.spec.gpus(), p.prefill.spec.gpu.name,
                        p.decode.fleet.replicas, p.decode.spec.gpus(), p.decode.spec.gpu.name,
                        p.prefill.fleet.gpus + p.decode.fleet.gpus, p.usd_per_hour,
                        p.colocated.feasible
                            ? fmt::format("; colocated ${:.2f}/h, so {} wins by ${:.2f}/h",
                                          p.colocated.fleet.usd_per_hour, p.winner,
                                          std::abs(p.saving_usd_per_hour))
                            : std::string("; no colocated pool meets the SLO"));
  if (!out.sweep.empty())
    for (auto& c : sweep_charts(out)) rep.charts.push_back(std::move(c));
  rep.title = fmt::format(
      "Disaggregated prefill/decode plan: {} at {:.4g} req/s, {:.0f} in / {:.0f} "
      "out tokens",
      in.base.replica.model.name, in.base.target_qps, p.isl, p.osl);
  rep.add("model", in.base.replica.model.name);
  rep.add("target_qps", in.base.target_qps, 3);
  rep.add("isl", p.isl, 0);
  rep.add("osl", p.osl, 0);
  rep.add("prefix_hit_rate", in.base.workload.prefix_hit_rate, 3);
  rep.add("link.name", in.link.name);
  rep.add("link.gb_s", in.link.gb_s, 2);
  rep.add("link.latency_us", in.link.latency_us, 1);
  add_pool(rep, "prefill", p.prefill, in.base);
  add_pool(rep, "decode", p.decode, in.base);
  rep.add("ratio_prefill_to_decode",
          p.decode.fleet.replicas > 0 ? static_cast<double>(p.prefill.fleet.replicas) /
                                            static_cast<double>(p.decode.fleet.replicas)
                                      : 0.0,
          3);
  rep.add("prefill_share", p.prefill_share, 3);
  rep.add("gpus", report::integer(p.prefill.fleet.gpus + p.decode.fleet.gpus));
  rep.add("usd_per_hour", p.usd_per_hour, 2);
  add_pool(rep, "colocated", p.colocated, in.base);
  if (p.colocated.feasible) rep.add("saving_usd_per_hour", p.saving_usd_per_hour, 2);
  rep.add("winner", p.winner);
  rep.add("interference_usd_per_hour", p.interference_usd_per_hour, 2);
  rep.add("ideal_time_shared_rps", p.ideal_time_shared_rps, 3);
  rep.why("usd_per_hour",
          fmt::format("prefill + decode = {:.2f} + {:.2f} = {:.2f}", p.prefill.fleet.usd_per_hour,
                      p.decode.fleet.usd_per_hour, p.usd_per_hour));
  rep.why("prefill.transfer_ms",
          fmt::format("latency + isl x KV bytes/token / (GB/s x TP) = {} us + {:.0f} x {:.0f} B / "
                      "({} GB/s x {}) = {:.3f} ms",
                      in.link.latency_us, p.isl,
                      p.isl > 0 ? p.prefill.kv_bytes_per_request / p.isl : 0.0, in.link.gb_s,
                      p.prefill.spec.tp, p.prefill.transfer_ms));
  rep.why("interference_usd_per_hour",
          "colocated $/h - Q / (q_ideal x u) x GPUs x $/GPU-h, q_ideal = 1 / (1/q_p + 1/q_d) on "
          "the colocated spec with no transfer");
  if (out.verification) {
    const auto& v = *out.verification;
    rep.add("verification.met", v.met);
    rep.add("verification.start_prefill_replicas", report::integer(v.start_prefill));
    rep.add("verification.start_decode_replicas", report::integer(v.start_decode));
    rep.add("verification.prefill_replicas", report::integer(v.prefill_replicas));
    rep.add("verification.decode_replicas", report::integer(v.decode_replicas));
    for (const auto& c : v.trials.back().checks)
      rep.add("verification." + format_slo(c.target), c.value_ms, 2);
    rep.add("verification.requests", report::integer(v.last.combined.requests));
    rep.add("verification.transfer_ms_p99", v.last.transfer_ms.percentile(0.99), 3);
    report::Table t{"verification.trials", "Two-pool simulation at the target rate", {}, {}};
    t.columns = {{"prefill_replicas", "prefill", 0},
                 {"decode_replicas", "decode", 0},
                 {"meets", "meets", 0},
                 {"diverged", "diverged", 0}};
    for (const auto& tr : v.trials)
      t.rows.push_back({report::integer(tr.prefill_replicas), report::integer(tr.decode_replicas),
                        tr.meets, tr.diverged});
    rep.tables.push_back(std::move(t));
  }
  if (!out.sweep.empty()) {
    report::Table t{"sweep", "Sweep over prompt length", {}, {}};
    t.columns = {{"isl", "isl", 0},
                 {"prefill.gpu", "P gpu", 0},
                 {"prefill.tp", "P tp", 0},
                 {"prefill.replicas", "P repl", 0},
                 {.key = "prefill.gpus", .title = "P gpus", .precision = 0, .detail = true},
                 {.key = "prefill.usd_per_hour", .title = "P $/h", .precision = 2, .detail = true},
                 {"decode.gpu", "D gpu", 0},
                 {"decode.tp", "D tp", 0},
                 {"decode.replicas", "D repl", 0},
                 {.key = "decode.gpus", .title = "D gpus", .precision = 0, .detail = true},
                 {.key = "decode.usd_per_hour", .title = "D $/h", .precision = 2, .detail = true},
                 {"usd_per_hour", "disagg $/h", 2},
                 {"prefill_share", "P share", 3},
                 {.key = "colocated.gpu", .title = "C gpu", .precision = 0, .detail = true},
                 {.key = "colocated.tp", .title = "C tp", .precision = 0, .detail = true},
                 {.key = "colocated.replicas", .title = "C repl", .precision = 0, .detail = true},
                 {.key = "colocated.gpus", .title = "C gpus", .precision = 0, .detail = true},
                 {"colocated.usd_per_hour", "coloc $/h", 2},
                 {"winner", "winner", 0}};
    auto pool = [](const PoolPlan& pp, std::vector<report::Cell>& row) {
      if (!pp.feasible) {
        row.insert(row.end(), {std::string("-"), {}, {}, {}, {}});
        return;
      }
      row.insert(row.end(),
                 {pp.spec.gpu.name, report::integer(pp.spec.tp), report::integer(pp.fleet.replicas),
                  report::integer(pp.fleet.gpus), pp.fleet.usd_per_hour});
    };
    for (const auto& s : out.sweep) {
      std::vector<report::Cell> row{report::integer(static_cast<std::int64_t>(s.isl))};
      pool(s.prefill, row);
      pool(s.decode, row);
      row.push_back(s.feasible ? report::Cell{s.usd_per_hour} : report::Cell{});
      row.push_back(s.feasible ? report::Cell{s.prefill_share} : report::Cell{});
      pool(s.colocated, row);
      row.push_back(s.winner);
      t.rows.push_back(std::move(row));
    }
    rep.tables.push_back(std::move(t));
    rep.add("crossover_isl", out.crossover_isl, 0);
    rep.notes.push_back(out.crossover_isl > 0
                            ? fmt::format("The winner changes at a prompt length of {:.0f} tokens.",
                                          out.crossover_isl)
                            : "The winner does not change over the swept prompt lengths.");
  }
  rep.notes.push_back("prefill: " + pool_words(p.prefill));
  rep.notes.push_back("decode: " + pool_words(p.decode));
  rep.notes.push_back("colocated: " + pool_words(p.colocated));
  if (p.prefill.link_binds)
    rep.notes.push_back(fmt::format(
        "The KV link binds: {} limits a prefill replica to {:.3g} req/s (compute allows {:.3g}).",
        in.link.name, p.prefill.q_link_rps, p.prefill.q_compute_rps));
  if (p.colocated.feasible)
    rep.notes.push_back(fmt::format(
        "{} wins: disaggregated ${:.2f}/h vs colocated ${:.2f}/h ({} ${:.2f}/h).", p.winner,
        p.usd_per_hour, p.colocated.fleet.usd_per_hour,
        p.saving_usd_per_hour >= 0 ? "saving" : "loss", std::abs(p.saving_usd_per_hour)));
  if (!out.verification)
    rep.notes.push_back("Analytic pools; --verify replays them in the two-pool simulator.");
  rep.csv_fields = out.sweep.empty();
  return rep;
}

report::Report disagg_validation_report(const DisaggValidation& v, const std::string& path) {
  report::Report rep;
  rep.title = fmt::format("Disaggregated runs of {} against the model", path);
  rep.headline = fmt::format(
      "{} of {} disaggregated runs covered: TPOT median absolute error {:.1f}%, TTFT {:.1f}%",
      v.covered, v.converted, v.tpot.median_abs_pct_error, v.ttft.median_abs_pct_error);
  rep.add("converted", report::integer(v.converted));
  rep.add("covered", report::integer(v.covered));
  for (const auto& [reason, n] : v.uncovered) rep.add("uncovered." + reason, report::integer(n));
  for (auto [key, e] :
       {std::pair<std::string, const ErrorSummary*>{"ttft_ms", &v.ttft}, {"tpot_ms", &v.tpot}}) {
    rep.add("summary." + key + ".n", report::integer(e->n));
    rep.add("summary." + key + ".median_abs_pct_error", e->median_abs_pct_error, 1);
    rep.add("summary." + key + ".p90_abs_pct_error", e->p90_abs_pct_error, 1);
  }
  report::Table t{"rows", "Covered runs (measured and predicted means)", {}, {}};
  t.columns = {{"id", "id", 0},
               {"model", "model", 0},
               {"gpu", "gpu", 0},
               {"engine", "engine", 0},
               {"isl", "isl", 0},
               {"osl", "osl", 0},
               {"concurrency", "C", 0},
               {"prefill_workers", "Np", 0},
               {"prefill_tp", "P tp", 0},
               {"decode_workers", "Nd", 0},
               {"decode_tp", "D tp", 0},
               {"ttft_ms", "TTFT ms", 1},
               {"predicted_ttft_ms", "pred", 1},
               {"ttft_error_pct", "err %", 1},
               {"tpot_ms", "TPOT ms", 2},
               {"predicted_tpot_ms", "pred", 2},
               {"tpot_error_pct", "err %", 1},
               {"prefill_saturated", "P sat", 0}};
  for (const auto& r : v.rows) {
    const DisaggRun& run = *r.run;
    t.rows.push_back({run.id, run.model, run.gpu, run.engine,
                      report::integer(static_cast<std::int64_t>(run.isl)),
                      report::integer(static_cast<std::int64_t>(run.osl)),
                      report::integer(run.concurrency), report::integer(run.prefill.workers),
                      report::integer(run.prefill.tp), report::integer(run.decode.workers),
                      report::integer(run.decode.tp), run.ttft_ms, r.predicted.ttft_ms,
                      r.ttft_error_pct, run.tpot_ms, r.predicted.tpot_ms, r.tpot_error_pct,
                      r.predicted.prefill_saturated});
  }
  rep.tables.push_back(std::move(t));
  rep.notes.push_back(
      "Coverage is decided by catalog lookup at run time: rows of models or GPUs the catalog "
      "lacks, "
      "or of layouts ReplicaSpec does not model, are counted by reason and not predicted.");
  rep.csv_fields = false;
  return rep;
}

}  // namespace fleetsizer::api
