#include "fleetsizer/api/search.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "fleetsizer/units/units.h"

namespace fleetsizer::api {
namespace {

std::string describe_spec(const ReplicaSpec& spec) {
  std::string layout =
      spec.pp > 1 ? fmt::format("TP{}xPP{}", spec.tp, spec.pp) : fmt::format("TP{}", spec.tp);
  return fmt::format("{} {} {}/{} kv, max_num_seqs {}, {}", spec.gpu.name, layout,
                     dtype_name(spec.weights_dtype), dtype_name(spec.kv_dtype),
                     spec.limits.max_num_seqs, spec.engine);
}

// Why a plan is where it is in the ranking, in words (the result holds the data).
std::string why_words(const PlanEvaluation& p, const PlanEvaluation* chosen,
                      const SearchOptions& o) {
  switch (p.status) {
    case PlanStatus::chosen:
      return "chosen: cheapest verified plan";
    case PlanStatus::feasible:
      if (p.dearer_pct < -0.05)
        return fmt::format("{:.1f}% cheaper by the closed form, {} in simulation", -p.dearer_pct,
                           p.verified() ? "dearer" : "not simulated");
      if (p.dearer_pct < 0.05 && chosen) {
        const std::int64_t more = p.fleet.gpus - chosen->fleet.gpus;
        return p.verified() ? fmt::format("same $/h, {:+d} GPUs in use", more)
                            : fmt::format(
                                  "same $/h, {:+d} GPUs in use (closed form; not "
                                  "simulated)",
                                  more);
      }
      return p.verified()
                 ? fmt::format("{:+.1f}% dearer", p.dearer_pct)
                 : fmt::format("{:+.1f}% dearer (closed form; not simulated)", p.dearer_pct);
    case PlanStatus::over_budget:
      return fmt::format("over the ${:.2f}/h budget", o.budget_usd_per_hour.value_or(0));
    case PlanStatus::misses_slo:
      if (p.latency_floor)
        return fmt::format("{} misses even for a lone request ({:.1f} ms)",
                           format_slo(p.latency_floor->target), p.latency_floor->floor_ms);
      if (p.evaluation.binding_target)
        return fmt::format("no rate meets {} (simulated)",
                           format_slo(*p.evaluation.binding_target));
      if (p.evaluation.analytic_binding_target)
        return fmt::format("no rate meets {}", format_slo(*p.evaluation.analytic_binding_target));
      return "no rate meets the SLO";
    case PlanStatus::does_not_fit:
      return p.footprint.bottleneck.empty() ? "does not fit"
                                            : "does not fit: " + p.footprint.bottleneck;
    case PlanStatus::bounded_out:
      return fmt::format("at least ${:.2f}/h (cost bound): beyond the search's prune limit",
                         p.usd_per_hour_lower_bound);
    case PlanStatus::no_price:
      return "no price for this GPU (--price GPU=USD)";
  }
  return "";
}

report::Cell number_or_null(double v) {
  return std::isfinite(v) && v > 0 ? report::Cell{v} : report::Cell{};
}

}  // namespace

// The disaggregated alternative: prefill and decode pools, each on the cheapest of the searched
// GPUs (at the search's prices) and TP, with the scenario's dtypes and engine limits, joined by
// an InfiniBand KV link (disagg/disagg.h). Closed form: `fleetsizer disagg --verify` simulates it.
static void plan_disaggregated(const SearchRequest& request, SearchOutput& out) {
  const Scenario& s = request.scenario;
  if (auto split = split_slo(s.slo); !split) {
    out.disagg_skipped = split.error().message;
    return;
  }
  DisaggInputs in;
  in.base = s;
  std::vector<GpuSpec> gpus =
      request.space.gpus.empty() ? std::vector<GpuSpec>{s.replica.gpu} : request.space.gpus;
  for (GpuSpec& g : gpus)
    if (const GpuPrice* p = request.options.prices.find(g.name))
      g.usd_per_gpu_hour = p->usd_per_gpu_hour;
  if (const GpuPrice* p = request.options.prices.find(s.replica.gpu.name))
    in.base.usd_per_gpu_hour = p->usd_per_gpu_hour;
  in.prefill.gpus = in.decode.gpus = gpus;
  in.prefill.weights_dtype = in.decode.weights_dtype = s.replica.weights_dtype;
  in.prefill.kv_dtype = in.decode.kv_dtype = s.replica.kv_dtype;
  in.prefill.limits = in.decode.limits = s.replica.limits;
  in.link = *link_preset("infiniband");
  auto plan = plan_disagg(in);
  if (!plan) {
    out.disagg_skipped = plan.error().message;
    return;
  }
  if (!plan->feasible) {
    out.disagg_skipped = !plan->prefill.feasible ? plan->prefill.reason : plan->decode.reason;
    return;
  }
  out.disagg = std::move(*plan);
}

Result<SearchOutput> run_search(const SearchRequest& request) {
  SearchOutput out;
  out.request = request;
  auto result = search_plans(request.scenario, request.space, request.options);
  if (!result) return fail(result.error().message);
  out.result = std::move(*result);
  if (request.disaggregated) plan_disaggregated(request, out);
  const PlanEvaluation* best = out.result.best();
  if (!best) return out;
  out.vllm = vllm_args(best->spec, request.scenario.context_tokens);
  if (best->spec.gpus() > request.scenario.gpus_per_host)
    out.vllm->notes.push_back(fmt::format(
        "the replica spans {} hosts: vLLM runs it over a Ray cluster of those hosts "
        "(--distributed-executor-backend ray)",
        (best->spec.gpus() + request.scenario.gpus_per_host - 1) / request.scenario.gpus_per_host));
  if (request.load_profile) {
    const LoadProfile& profile = *request.load_profile;
    // Each hour sized on the chosen plan's q with its spares (closed form: the whole-fleet check
    // ran at the scenario's target only).
    for (double rate : profile.rate_rps) {
      HourPlan h{rate, 0};
      if (rate > 0) {
        Scenario at = request.scenario;
        at.target_qps = rate;
        auto fleet =
            priced_fleet(at, request.options, best->spec, best->q_rps, best->usd_per_gpu_hour);
        if (!fleet) return fail(fmt::format("{}: {}", profile.source, fleet.error().message));
        h.replicas = fleet->fleet.replicas;
      }
      out.hours.push_back(h);
    }
    const GpuPrice* price = request.options.prices.find(best->spec.gpu.name);
    const double gpus = best->spec.gpus();
    out.on_demand_usd_per_replica_hour = gpus * best->usd_per_gpu_hour;
    out.reserved_usd_per_replica_hour =
        gpus * (price ? price->reserved_or(request.options.reserved_discount)
                      : best->usd_per_gpu_hour * (1 - request.options.reserved_discount));
    std::vector<std::int64_t> counts;
    for (const HourPlan& h : out.hours) counts.push_back(h.replicas);
    auto plan = plan_reservation(counts, out.reserved_usd_per_replica_hour,
                                 out.on_demand_usd_per_replica_hour);
    if (!plan) return fail(fmt::format("{}: {}", profile.source, plan.error().message));
    out.reservation = *plan;
  }
  return out;
}

// Every plan with a q as a point (output tok/s per GPU against tok/s per user), the frontier as a
// line through its plans, the chosen plan marked.
static report::Chart pareto_chart(const SearchResult& r) {
  report::Chart c;
  c.key = "pareto";
  c.title = "Pareto frontier: throughput per GPU against speed per user";
  c.x = {"output speed per user", "tok/s", false};
  c.y = {"output throughput per GPU", "tok/s/GPU", false};
  report::Series plans{"plans meeting the SLO", {}, false, false};
  for (const PlanEvaluation& p : r.plans)
    if (p.output_tok_s_per_gpu > 0 &&
        (p.status == PlanStatus::chosen || p.status == PlanStatus::feasible ||
         p.status == PlanStatus::over_budget))
      plans.points.push_back({p.output_tok_s_per_user, p.output_tok_s_per_gpu});
  report::Series frontier{"Pareto frontier", {}, true, false};
  for (int i : r.pareto) {
    const PlanEvaluation& p = r.plans[static_cast<std::size_t>(i)];
    frontier.points.push_back({p.output_tok_s_per_user, p.output_tok_s_per_gpu});
  }
  std::sort(frontier.points.begin(), frontier.points.end(),
            [](const report::Point& a, const report::Point& b) { return a.x < b.x; });
  c.series.push_back(std::move(plans));
  c.series.push_back(std::move(frontier));
  if (const PlanEvaluation* best = r.best())
    c.series.push_back(
        {"chosen plan", {{best->output_tok_s_per_user, best->output_tok_s_per_gpu}}, false, true});
  return c;
}

report::Report search_report(const SearchOutput& out) {
  const Scenario& s = out.request.scenario;
  const SearchOptions& o = out.request.options;
  const SearchResult& r = out.result;
  report::Report rep;
  rep.csv_fields = false;  // CSV: the ranked plans, one row each
  std::vector<std::string> slo;
  for (const auto& t : s.slo) slo.push_back(format_slo(t));
  rep.title =
      fmt::format("Plan search: {}, {} req/s of {:.0f}-in/{:.0f}-out, {}", s.replica.model.name,
                  s.target_qps, s.workload.isl(), s.workload.osl(), fmt::join(slo, ", "));
  const PlanEvaluation* best = r.best();
  bool illustrative = false;
  for (const PlanEvaluation& p : r.plans)
    illustrative |= p.illustrative_price && p.usd_per_gpu_hour > 0;
  rep.add("model", s.replica.model.name);
  rep.add("target_qps", s.target_qps, 2);
  rep.add("workload", describe(s.workload));
  rep.add("slo", fmt::format("{}", fmt::join(slo, ", ")));
  rep.add("feasible", best != nullptr);
  if (best) {
    const FleetPlan& f = best->fleet;
    rep.headline = (fmt::format(
        "{} replicas x {} = {} GPUs on {} host{}, ${:.2f}/h{} (p95: {} replicas, "
        "${:.2f}/h)",
        f.replicas, describe_spec(best->spec), f.gpus, f.hosts, f.hosts == 1 ? "" : "s",
        f.usd_per_hour, best->illustrative_price ? " at illustrative prices" : "",
        best->replicas_p95, best->usd_per_hour_p95));
    rep.add("chosen.gpu", best->spec.gpu.name);
    rep.add("chosen.tp", report::integer(best->spec.tp));
    rep.add("chosen.pp", report::integer(best->spec.pp));
    rep.add("chosen.weights_dtype", std::string(dtype_name(best->spec.weights_dtype)));
    rep.add("chosen.kv_dtype", std::string(dtype_name(best->spec.kv_dtype)));
    rep.add("chosen.engine", best->spec.engine);
    rep.add("chosen.max_num_seqs", report::integer(best->spec.limits.max_num_seqs));
    rep.add("chosen.q", best->q_rps, 3);
    rep.add("chosen.q_analytic", best->evaluation.q_analytic_rps, 3);
    rep.add("chosen.binding", best->evaluation.binding_target
                                  ? format_slo(*best->evaluation.binding_target)
                                  : std::string(binding_name(best->evaluation.binding)));
    rep.add("chosen.replicas", report::integer(f.replicas));
    rep.add("chosen.replicas_analytic", report::integer(best->analytic_fleet.replicas));
    rep.add("chosen.replicas_p50", report::integer(best->replicas_p50));
    rep.add("chosen.replicas_p95", report::integer(best->replicas_p95));
    if (r.verification) {
      rep.add("chosen.simulated_replicas", report::integer(r.verification->replicas));
      rep.add("chosen.fleet_meets_slo", r.verification->met);
    }
    if (!r.fleet_check_skipped.empty()) {
      rep.add("chosen.fleet_check_skipped", r.fleet_check_skipped);
      rep.notes.push_back(r.fleet_check_skipped);
    }
    rep.add("chosen.gpus", report::integer(f.gpus));
    rep.add("chosen.hosts", report::integer(f.hosts));
    rep.add("chosen.usd_per_gpu_hour", f.usd_per_gpu_hour, 2);
    rep.add("chosen.price_source", best->price_source);
    rep.add("chosen.usd_per_hour", f.usd_per_hour, 2);
    rep.add("chosen.usd_per_hour_p50", best->usd_per_hour_p50, 2);
    rep.add("chosen.usd_per_hour_p95", best->usd_per_hour_p95, 2);
    rep.add("chosen.usd_per_million_output_tokens", f.usd_per_million_output_tokens, 3);
    rep.add("chosen.usd_per_1k_requests", f.usd_per_1k_requests, 4);
    rep.add("chosen.error_band", std::string(band_basis_name(best->band.basis)));
    rep.why("chosen.replicas",
            fmt::format("max(ceil(Q / (q x utilization)), simulated fleet) + spares = "
                        "max(ceil({} / ({:.4f} x {})), {}) + {}",
                        s.target_qps, best->q_rps, s.target_utilization,
                        r.verification && r.verification->met ? r.verification->replicas : 0,
                        best->spares));
    if (best->band.basis != BandBasis::none) {
      const ErrorBand& b = best->band.band;
      rep.why(
          "chosen.replicas_p95",
          fmt::format(
              "N at q x {:.3f} (5th percentile of measured / predicted output tok/s "
              "over {} {} validation rows{})",
              b.ratio_p05, b.rows,
              b.engine.empty() ? std::string("") : b.engine + (b.gpu.empty() ? "" : " " + b.gpu),
              best->band.basis == BandBasis::gpu_engine ? ""
                                                        : ", widened x2: no rows for this GPU"));
      rep.why("chosen.replicas_p50",
              fmt::format("N at q x {:.3f} (median of measured / predicted)", b.ratio_p50));
    }
    rep.why("chosen.usd_per_hour",
            fmt::format("{} GPUs paid x ${:.2f}/GPU-hour ({})", f.gpus_reserved, f.usd_per_gpu_hour,
                        best->price_source));
    // What spares and headroom cost: the fleet with and without them, packed and billed as the
    // plan is (a spare can open a whole new host).
    const std::int64_t sim = r.verification && r.verification->met ? r.verification->replicas : 0;
    auto usd_with = [&](const Scenario& sc, std::int64_t spares) {
      auto fl = fleet_for(sc, best->spec, best->q_rps, best->usd_per_gpu_hour, spares, sim);
      return fl ? fl->usd_per_hour : 0.0;
    };
    Scenario no_headroom = s;
    no_headroom.target_utilization = 1;
    rep.add("availability.target",
            o.availability ? report::Cell{o.failures.target} : report::Cell{}, 4);
    rep.add("availability.replica_down_probability", best->replica_down_probability, 6);
    rep.add("availability.spares", report::integer(best->availability_spares));
    rep.add("fleet.redundancy", report::integer(s.redundancy));
    rep.add("fleet.spares", report::integer(best->spares));
    rep.add("fleet.spares_usd_per_hour", f.usd_per_hour - usd_with(s, 0), 2);
    rep.add("headroom.replicas", report::integer(f.headroom_replicas - f.floor_replicas));
    rep.add("headroom.usd_per_hour",
            usd_with(s, best->spares) - usd_with(no_headroom, best->spares), 2);
    rep.why("fleet.spares", "max(scenario redundancy, availability spares)");
    rep.why("fleet.spares_usd_per_hour", "fleet $/h - the same fleet's $/h without spares");
    rep.why("headroom.usd_per_hour",
            fmt::format("fleet $/h at target utilization {} - the same at utilization 1",
                        s.target_utilization));
    if (o.availability)
      rep.why("availability.spares",
              fmt::format("smallest k with P(Binomial({} + k, p) <= k) >= {}; p = gfR / (1 + gfR) "
                          "= {} GPUs x {}/8760 failures per GPU-hour x {} h repair",
                          f.serving_replicas, o.failures.target, best->spec.gpus(),
                          o.failures.gpu_failures_per_year, o.failures.repair_hours));
    if (out.vllm && best->spec.engine == "vllm")
      rep.add("deploy.vllm_command", vllm_command(*out.vllm));
  } else if (!r.plans.empty() && r.plans.front().status == PlanStatus::over_budget) {
    const PlanEvaluation& cheapest = r.plans.front();
    rep.headline =
        (fmt::format("No plan meets the SLO within the ${:.2f}/h budget: the cheapest that "
                     "meets it is {} replicas x {} at ${:.2f}/h",
                     o.budget_usd_per_hour.value_or(0), cheapest.fleet.replicas,
                     describe_spec(cheapest.spec), cheapest.fleet.usd_per_hour));
  } else {
    rep.headline =
        "No plan in the space meets the SLO at the target rate: the closest plans and "
        "what binds are listed below";
  }
  if (out.disagg) {
    const DisaggPlan& d = *out.disagg;
    for (auto [name, pool] :
         {std::pair<const char*, const PoolPlan*>{"prefill", &d.prefill}, {"decode", &d.decode}}) {
      const std::string k = std::string("disaggregated.") + name + ".";
      rep.add(k + "gpu", pool->spec.gpu.name);
      rep.add(k + "tp", report::integer(pool->spec.tp));
      rep.add(k + "q", pool->q_rps, 3);
      rep.add(k + "replicas", report::integer(pool->fleet.replicas));
      rep.add(k + "gpus", report::integer(pool->fleet.gpus));
      rep.add(k + "usd_per_hour", pool->fleet.usd_per_hour, 2);
      rep.add(k + "binding", pool->binding);
    }
    rep.add("disaggregated.usd_per_hour", d.usd_per_hour, 2);
    rep.why("disaggregated.usd_per_hour",
            "prefill pool $/h + decode pool $/h; each pool the fleet equation on its closed-form q "
            "(docs/model.md section 9) on the cheapest searched GPU and TP, KV over InfiniBand");
    if (best) {
      const double saving = best->fleet.usd_per_hour - d.usd_per_hour;
      rep.add("disaggregated.saving_vs_chosen_usd_per_hour", saving, 2);
      rep.notes.push_back(fmt::format(
          "Disaggregated alternative (closed form, not simulated): prefill {} x {} TP{} + decode "
          "{} x {} TP{} = ${:.2f}/h, {} than the chosen plan by ${:.2f}/h; `fleetsizer disagg "
          "--verify` simulates it",
          d.prefill.fleet.replicas, d.prefill.spec.gpu.name, d.prefill.spec.tp,
          d.decode.fleet.replicas, d.decode.spec.gpu.name, d.decode.spec.tp, d.usd_per_hour,
          saving >= 0 ? "cheaper" : "dearer", std::abs(saving)));
    }
  } else if (!out.disagg_skipped.empty()) {
    rep.add("disaggregated.skipped", out.disagg_skipped);
  }
  rep.add("counts.examined", report::integer(r.counts.examined));
  rep.add("counts.pruned_by_memory", report::integer(r.counts.pruned_by_memory));
  rep.add("counts.ruled_out_by_latency_floor", report::integer(r.counts.ruled_out_by_floor));
  rep.add("counts.analytic", report::integer(r.counts.analytic));
  rep.add("counts.bounded_out", report::integer(r.counts.bounded_out));
  rep.add("counts.simulated", report::integer(r.counts.simulated));
  rep.why("counts.bounded_out",
          fmt::format("specs whose cost lower bound (q <= R / ((osl - 1) step(R))) exceeds {} x "
                      "the {}th cheapest closed-form plan",
                      o.prune_ratio, o.verify_top));
  if (out.reservation) {
    const ReservationPlan& rp = *out.reservation;
    rep.add("reservation.hours", report::integer(static_cast<std::int64_t>(out.hours.size())));
    rep.add("reservation.reserved_replicas", report::integer(rp.reserved_replicas));
    rep.add("reservation.peak_replicas", report::integer(rp.peak_replicas));
    rep.add("reservation.average_replicas", rp.average_replicas, 2);
    rep.add("reservation.on_demand_replica_hours_per_year", rp.on_demand_replica_hours_per_year, 0);
    rep.add("reservation.reserved_usd_per_replica_hour", out.reserved_usd_per_replica_hour, 2);
    rep.add("reservation.on_demand_usd_per_replica_hour", out.on_demand_usd_per_replica_hour, 2);
    rep.add("reservation.break_even_utilization", rp.break_even_utilization, 3);
    rep.add("reservation.usd_per_year", rp.usd_per_year, 0);
    rep.add("reservation.all_reserved_usd_per_year", rp.all_reserved_usd_per_year, 0);
    rep.add("reservation.all_on_demand_usd_per_year", rp.all_on_demand_usd_per_year, 0);
    rep.why("reservation.reserved_replicas",
            "smallest R with (hours needing more than R) / hours <= reserved / on-demand price");
    rep.why("reservation.usd_per_year",
            "8760 x (R x reserved + mean over hours of max(0, n_h - R) x on-demand)");
    rep.notes.push_back(fmt::format(
        "Reserve {} replicas for the year and rent up to {} more on demand at the peak: a "
        "replica is worth reserving when it is needed in more than {:.0f}% of the hours (the "
        "reserved / on-demand price ratio); this saves ${:.0f} a year against reserving the peak "
        "and ${:.0f} against renting everything on demand.",
        rp.reserved_replicas, rp.peak_replicas - rp.reserved_replicas,
        rp.break_even_utilization * 100, rp.all_reserved_usd_per_year - rp.usd_per_year,
        rp.all_on_demand_usd_per_year - rp.usd_per_year));
  }
  if (illustrative)
    rep.notes.push_back(
        "Prices marked illustrative are the catalog's 2025 on-demand list figures, not quotes: set "
        "yours with --price GPU=USD or --prices FILE.");
  for (const PlanEvaluation& p : r.plans)
    if (p.status != PlanStatus::does_not_fit && p.status != PlanStatus::no_price &&
        p.band.basis != BandBasis::gpu_engine && p.band.basis != BandBasis::none) {
      rep.notes.push_back(
          "Plans on GPUs or engines without validation rows borrow a wider error band (x2 around "
          "the median): their p95 is a guess, not a measurement.");
      break;
    }
  if (o.bands.bands.empty())
    rep.notes.push_back(
        "No validation residuals were given: replicas_p50 and replicas_p95 equal "
        "the point estimate.");

  report::Table plans{"plans", "Plans, cheapest first (verified in the simulator first)", {}, {}};
  plans.columns = {{"rank", "#", 0},
                   {"gpu", "GPU", 0},
                   {"tp", "TP", 0},
                   {"pp", "PP", 0},
                   {"weights_dtype", "weights", 0},
                   {"kv_dtype", "KV", 0},
                   {"max_num_seqs", "seqs", 0},
                   {"engine", "engine", 0},
                   {"q_source", "q from", 0},
                   {"q", "q req/s", 2},
                   {"q_analytic", "q analytic", 2},
                   {"replicas", "N", 0},
                   {"replicas_analytic", "N analytic", 0},
                   {"replicas_p50", "N p50", 0},
                   {"replicas_p95", "N p95", 0},
                   {"gpus", "GPUs", 0},
                   {"usd_per_hour", "$/h", 2},
                   {"usd_per_million_output_tokens", "$/1M out", 3},
                   {"illustrative_price", "illustr.", 0},
                   {"status", "status", 0},
                   {"why", "why", 0}};
  const std::size_t shown =
      out.request.shown > 0 ? std::min(r.plans.size(), static_cast<std::size_t>(out.request.shown))
                            : r.plans.size();
  for (std::size_t i = 0; i < shown; ++i) {
    const PlanEvaluation& p = r.plans[i];
    const bool priced = p.status == PlanStatus::chosen || p.status == PlanStatus::feasible ||
                        p.status == PlanStatus::over_budget;
    plans.rows.push_back(
        {report::integer(static_cast<std::int64_t>(i + 1)),
         p.spec.gpu.name,
         report::integer(p.spec.tp),
         report::integer(p.spec.pp),
         std::string(dtype_name(p.spec.weights_dtype)),
         std::string(dtype_name(p.spec.kv_dtype)),
         report::integer(p.spec.limits.max_num_seqs),
         p.spec.engine,
         std::string(q_source_name(p.q_source)),
         priced ? report::Cell{p.q_rps} : report::Cell{},
         number_or_null(p.evaluation.q_analytic_rps),
         priced ? report::integer(p.fleet.replicas) : report::Cell{},
         priced ? report::integer(p.analytic_fleet.replicas) : report::Cell{},
         priced ? report::integer(p.replicas_p50) : report::Cell{},
         priced ? report::integer(p.replicas_p95) : report::Cell{},
         priced ? report::integer(p.fleet.gpus) : report::Cell{},
         priced ? report::Cell{p.fleet.usd_per_hour} : report::Cell{},
         priced ? report::Cell{p.fleet.usd_per_million_output_tokens} : report::Cell{},
         p.illustrative_price,
         std::string(plan_status_name(p.status)),
         why_words(p, best, o)});
  }
  rep.tables.push_back(std::move(plans));

  report::Table pareto{"pareto",
                       "Pareto frontier: output tok/s per GPU vs tok/s per user (closed form at "
                       "each plan's q)",
                       {},
                       {}};
  pareto.columns = {{"rank", "plan #", 0},
                    {"gpu", "GPU", 0},
                    {"tp", "TP", 0},
                    {"weights_dtype", "weights", 0},
                    {"kv_dtype", "KV", 0},
                    {"max_num_seqs", "seqs", 0},
                    {"output_tok_s_per_user", "tok/s/user", 1},
                    {"output_tok_s_per_gpu", "tok/s/GPU", 1},
                    {"usd_per_hour", "$/h", 2},
                    {"chosen", "chosen", 0}};
  for (int i : r.pareto) {
    const PlanEvaluation& p = r.plans[static_cast<std::size_t>(i)];
    pareto.rows.push_back({report::integer(i + 1), p.spec.gpu.name, report::integer(p.spec.tp),
                           std::string(dtype_name(p.spec.weights_dtype)),
                           std::string(dtype_name(p.spec.kv_dtype)),
                           report::integer(p.spec.limits.max_num_seqs), p.output_tok_s_per_user,
                           p.output_tok_s_per_gpu, p.fleet.usd_per_hour, i == r.chosen});
  }
  rep.tables.push_back(std::move(pareto));
  rep.charts.push_back(pareto_chart(r));

  if (!out.hours.empty()) {
    report::Table hours{"hours", "The chosen plan hour by hour", {}, {}};
    hours.columns = {{"hour", "hour", 0}, {"rate_rps", "req/s", 2}, {"replicas", "replicas", 0}};
    for (std::size_t h = 0; h < out.hours.size(); ++h)
      hours.rows.push_back({report::integer(static_cast<std::int64_t>(h)), out.hours[h].rate_rps,
                            report::integer(out.hours[h].replicas)});
    rep.tables.push_back(std::move(hours));
  }
  if (out.vllm)
    for (const std::string& n : out.vllm->notes) rep.notes.push_back(n);
  return rep;
}

namespace {

Result<void> deployable_with_vllm(const SearchOutput& out) {
  const PlanEvaluation* best = out.result.best();
  if (!out.vllm || !best) return fail("no plan meets the SLO: there is nothing to deploy");
  if (best->spec.engine != "vllm")
    return fail(
        fmt::format("the chosen plan runs on {}, not vLLM: restrict the search with "
                    "--engines vllm to emit a vLLM deployment",
                    best->spec.engine));
  return {};
}

}  // namespace

Result<std::string> emit_vllm(const SearchOutput& out) {
  if (auto r = deployable_with_vllm(out); !r) return fail(r.error().message);
  std::string text;
  for (const std::string& n : out.vllm->notes) text += "# " + n + "\n";
  return text + vllm_command(*out.vllm) + "\n";
}

Result<std::string> emit_k8s(const SearchOutput& out) {
  if (auto r = deployable_with_vllm(out); !r) return fail(r.error().message);
  const PlanEvaluation* best = out.result.best();
  if (best->spec.gpus() > out.request.scenario.gpus_per_host)
    return fail(fmt::format(
        "the chosen replica spans {} GPUs on {}-GPU hosts: one pod cannot span hosts; deploy it "
        "with a multi-node launcher (LeaderWorkerSet or a Ray cluster), or search with --tps up "
        "to {}",
        best->spec.gpus(), out.request.scenario.gpus_per_host, out.request.scenario.gpus_per_host));
  K8sOptions k = out.request.k8s;
  k.replicas = best->fleet.replicas;
  k.gpus_per_replica = best->spec.gpus();
  return k8s_manifest(*out.vllm, k);
}

}  // namespace fleetsizer::api
