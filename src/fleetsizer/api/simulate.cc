#include "fleetsizer/api/simulate.h"

#include <fmt/format.h>

#include <cmath>
#include <tuple>

#include "fleetsizer/api/fit.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/plan/replica_plan.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer::api {
Result<SimulateOutput> run_simulate(const SimulateRequest& req) {
  const Scenario& s = req.scenario;
  if (req.replicas < 1) return fail(fmt::format("--replicas must be >= 1, got {}", req.replicas));
  auto fit = fit_layout(s.replica, s.context_tokens, s.fit_bounds, s.tp);
  if (!fit) return fail(fit.error().message);
  if (!fit->fits) return fail(fit->reason);
  SimulateOutput out;
  out.request = req;
  out.footprint = fit->footprint;
  const ReplicaSpec spec = spec_at(s, out.footprint.tp, out.footprint.pp);
  out.replica = replica_options(spec, out.footprint);
  out.replica.prefix_hit_rate = s.workload.prefix_hit_rate;
  out.replica.closed_form = req.closed_form;
  const RooflineModel model(spec, efficiency_for(s.profile, s.replica.gpu.name, s.replica.engine));

  auto run = [&](int replicas) -> Result<SimResult> {
    auto source = make_source(s.workload, req.arrival_rate, req.requests, req.seed);
    if (!source) return fail(source.error().message);
    SimOptions o;
    o.replicas = replicas;
    o.replica = out.replica;
    o.router = s.router;
    o.seed = req.seed;
    o.slo = s.slo;
    o.max_waiting = req.max_waiting;
    o.on_finish = req.on_finish;
    o.on_progress = req.on_progress;
    o.timeline_points = req.timeline_points;
    return simulate(model, **source, o);
  };

  if (!req.find_replicas) {
    auto r = run(req.replicas);
    if (!r) return fail(r.error().message);
    out.result = std::move(*r);
    out.replicas = req.replicas;
    return out;
  }
  if (s.slo.empty()) return fail("--find-replicas needs at least one --slo target");
  // The floor: one replica's simulated q under the same workload (evaluate_replica), with the
  // analytic estimate beside it.
  if (req.arrival_rate > 0) {
    QSearchOptions q;
    q.seed = req.seed;
    auto ev = evaluate_replica(spec, model, s.workload, s.slo, s.context_tokens, q);
    if (!ev) return fail(ev.error().message);
    out.analytic_q = ev->q_analytic_rps;
    if (ev->q_analytic_rps > 0)
      out.analytic_floor_replicas = units::ceil_ratio(req.arrival_rate, ev->q_analytic_rps);
    if (ev->feasible && ev->q_rps > 0) {
      out.model_q = ev->q_rps;
      out.floor_replicas = units::ceil_ratio(req.arrival_rate, out.model_q);
    }
  }
  auto trial = [&](int r) -> Result<bool> {
    for (const auto& t : out.trials)
      if (t.replicas == r) return t.meets;
    auto res = run(r);
    if (!res) return fail(res.error().message);
    const bool meets = run_meets_slo(*res, s.slo);
    out.trials.push_back({r, meets, std::move(*res)});
    return meets;
  };
  // Bracket from the floor, then bisect: the smallest R that meets the SLO.
  int hi = static_cast<int>(std::max<std::int64_t>(1, out.floor_replicas.value_or(1)));
  int lo = 0;
  auto ok = trial(hi);
  if (!ok) return fail(ok.error().message);
  while (!*ok) {
    lo = hi;
    const SimResult previous = out.trials.back().result;
    hi = std::min(4096, hi * 2);
    ok = trial(hi);
    if (!ok) return fail(ok.error().message);
    // Twice the replicas and no latency improves: the SLO fails without any contention (a prompt's
    // own prefill, or decode speed), so more replicas cannot meet it.
    const SimResult& now = out.trials.back().result;
    const bool saturated =
        !*ok && !now.diverged &&
        std::abs(now.ttft_ms.percentile(0.99) - previous.ttft_ms.percentile(0.99)) <=
            0.01 * previous.ttft_ms.percentile(0.99) &&
        std::abs(now.tpot_ms.percentile(0.99) - previous.tpot_ms.percentile(0.99)) <=
            0.01 * previous.tpot_ms.percentile(0.99);
    if (saturated || (!*ok && hi >= 4096)) {
      out.replicas = hi;
      out.result = now;
      out.unreachable =
          saturated ? "the SLO fails even without contention: adding replicas no longer lowers the "
                      "latencies (a single request's prefill or decode is too slow for it)"
                    : "not met with 4096 replicas";
      return out;
    }
  }
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    auto m = trial(mid);
    if (!m) return fail(m.error().message);
    (*m ? hi : lo) = mid;
  }
  out.found = true;
  out.replicas = hi;
  for (const auto& t : out.trials)
    if (t.replicas == hi) out.result = t.result;
  return out;
}

namespace {
// Runs shorter than this many mean request latencies are dominated by their start-up.
constexpr double kSteadyStateTurnovers = 10;
}  // namespace

report::Report simulate_report(const SimulateOutput& out) {
  const Scenario& s = out.request.scenario;
  const SimResult& r = out.result;
  report::Report rep;
  const double good_fraction =
      r.requests > 0 ? static_cast<double>(r.good) / static_cast<double>(r.requests) : 0.0;
  rep.headline =
      r.diverged ? fmt::format("{} replica{} cannot keep up: {}", out.replicas,
                               out.replicas == 1 ? "" : "s", r.divergence)
      : r.requests == 0
          ? fmt::format(
                "No request finished: {} of {} arrived requests can never fit the KV "
                "cache of a replica",
                r.rejected, r.arrived)
          : fmt::format(
                "{} requests on {} replica{}: TTFT p99 {:.0f} ms, TPOT p99 {:.1f} ms, "
                "goodput {:.2f} req/s ({:.1f}% of requests meet every target)",
                r.requests, out.replicas, out.replicas == 1 ? "" : "s", r.ttft_ms.percentile(0.99),
                r.tpot_ms.percentile(0.99), r.goodput_rps(), 100.0 * good_fraction);
  rep.title =
      fmt::format("Simulate: {} replicas of {} on {} x {} ({}), {} router, {}", out.replicas,
                  s.replica.model.name, out.footprint.gpus, s.replica.gpu.name, s.replica.engine,
                  router_name(s.router), out.request.workload);
  rep.add("replicas", report::integer(out.replicas));
  rep.add("gpus_per_replica", report::integer(out.footprint.gpus));
  rep.add("router", router_name(s.router));
  rep.add("workload", out.request.workload);
  rep.add("requests", report::integer(r.requests));
  rep.add("arrived", report::integer(r.arrived));
  rep.add("diverged", r.diverged);
  if (r.diverged) rep.add("divergence", r.divergence);
  rep.add("rejected", report::integer(r.rejected));
  if (r.rejected > 0)
    rep.add("rejected_reason",
            fmt::format("{} request(s) can never fit the KV cache: the longest needs {} tokens "
                        "(prompt + output), a replica holds {}",
                        r.rejected, r.rejected_max_tokens, r.kv_capacity_tokens));
  // No finished request: no latency to report (a 0 would read as instant).
  const bool none = r.requests == 0;
  for (auto [name, h] : {std::pair<const char*, const Histogram*>{"ttft_ms", &r.ttft_ms},
                         {"tpot_ms", &r.tpot_ms},
                         {"itl_ms", &r.itl_ms},
                         {"e2e_ms", &r.e2e_ms},
                         {"queue_ms", &r.queue_ms}}) {
    const std::string n = name;
    if (none) {
      for (const char* stat : {".mean", ".p50", ".p90", ".p99", ".p999"})
        rep.add(n + stat, report::Cell{});
      continue;
    }
    rep.add(n + ".mean", h->mean(), 2);
    rep.add(n + ".p50", h->percentile(0.50), 2);
    rep.add(n + ".p90", h->percentile(0.90), 2);
    rep.add(n + ".p99", h->percentile(0.99), 2);
    rep.add(n + ".p999", h->percentile(0.999), 2);
  }
  rep.add("throughput_rps", r.throughput_rps(), 3);
  rep.add("goodput_rps", r.goodput_rps(), 3);
  rep.add("goodput_fraction", good_fraction, 4);
  rep.add("output_tok_s", r.output_tok_s(), 1);
  rep.add("utilization", r.utilization, 4);
  rep.add("kv_occupancy", r.kv_occupancy, 4);
  rep.add("preemptions", report::integer(r.preemptions));
  rep.add("prefix_hit_fraction", r.prefix_hit_fraction, 4);
  rep.add("mean_in_system", r.mean_in_system, 3);
  rep.add("makespan_s", r.makespan_s(), 3);
  rep.add("events", report::integer(r.events));
  rep.add("steps", report::integer(r.steps));
  rep.add("kv_blocks_per_replica", report::integer(out.replica.kv_blocks));
  // A run starts from an empty fleet: its first requests find no queue and a small batch. Only
  // when the run lasts many times a request's own latency (each slot of the fleet turned over
  // many times) do its percentiles describe the steady state rather than the start-up.
  if (!none && r.e2e_ms.mean() > 0) {
    const double turnovers = r.makespan_s() / (r.e2e_ms.mean() / 1e3);
    const bool steady = turnovers >= kSteadyStateTurnovers;
    rep.add("steady_state.turnovers", turnovers, 1);
    rep.add("steady_state.reached", steady);
    rep.why("steady_state.turnovers",
            fmt::format("makespan_s / (e2e_ms.mean / 1000) = {:.3f} / {:.3f}; the steady state "
                        "needs >= {:.0f}",
                        r.makespan_s(), r.e2e_ms.mean() / 1e3, kSteadyStateTurnovers));
    // Served slower than requests arrive: the queue grows for as long as the run lasts, to a
    // peak that holds a good part of the run's requests (a short run's start-up queues little).
    std::int64_t peak_waiting = 0;
    for (const TimelinePoint& p : r.timeline) peak_waiting = std::max(peak_waiting, p.waiting);
    const double rate = out.request.arrival_rate;
    if (!steady && rate > 0 && r.throughput_rps() < 0.95 * rate &&
        static_cast<double>(peak_waiting) >= 0.25 * static_cast<double>(r.arrived))
      rep.notes.push_back(fmt::format(
          "There is no steady state: the fleet serves {:.2f} req/s of the {:.2f} req/s arriving, "
          "so the queue grows for as long as the run lasts and the percentiles grow with "
          "--requests; add replicas (--find-replicas) or lower --rate",
          r.throughput_rps(), rate));
    else if (!steady)
      rep.notes.push_back(fmt::format(
          "The run is too short to reach steady state: it lasted {:.1f} s, {:.1f}x a request's "
          "mean latency (at least {:.0f}x needed), so the start-up from an empty fleet weighs on "
          "the percentiles; use more --requests",
          r.makespan_s(), turnovers, kSteadyStateTurnovers));
  }
  rep.why("goodput_rps", "requests whose own TTFT/TPOT/E2E meet every SLO threshold / makespan");
  rep.why("mean_in_system",
          "time average of requests in the fleet; equals throughput_rps x e2e_ms.mean / 1000 "
          "(Little's law)");
  rep.why("ttft_ms.p99", "log-binned histogram (1% bins) of first-token minus arrival times");
  if (out.request.find_replicas) {
    rep.add("find_replicas.found", out.found);
    rep.add("find_replicas.replicas", out.found ? report::integer(out.replicas) : report::Cell{});
    if (!out.found) rep.add("find_replicas.reason", out.unreachable);
    rep.add("find_replicas.floor_replicas",
            out.floor_replicas ? report::integer(*out.floor_replicas) : report::Cell{});
    rep.add("find_replicas.model_q", out.model_q, 3);
    rep.add("find_replicas.analytic_q", out.analytic_q, 3);
    rep.add("find_replicas.analytic_floor_replicas",
            out.analytic_floor_replicas ? report::integer(*out.analytic_floor_replicas)
                                        : report::Cell{});
    rep.why("find_replicas.floor_replicas",
            fmt::format("ceil(rate / q) = ceil({} / {:.3f}) with q one replica's simulated "
                        "SLO-limited rate under the same workload; a fleet behind a balancing "
                        "router pools its replicas and may need fewer",
                        out.request.arrival_rate, out.model_q));
    rep.why("find_replicas.analytic_floor_replicas",
            fmt::format("ceil(rate / q_analytic) = ceil({} / {:.3f}), q_analytic from the "
                        "open-loop steady state at the mean lengths",
                        out.request.arrival_rate, out.analytic_q));
    report::Table t{"trials", "Replica counts tried", {}, {}};
    t.columns = {{"replicas", "replicas", 0},    {"meets", "meets SLO", 0},
                 {"ttft_ms_p99", "TTFT p99", 1}, {"tpot_ms_p99", "TPOT p99", 2},
                 {"e2e_ms_p99", "E2E p99", 1},   {"diverged", "diverged", 0}};
    for (const auto& tr : out.trials)
      t.rows.push_back({report::integer(tr.replicas), tr.meets, tr.result.ttft_ms.percentile(0.99),
                        tr.result.tpot_ms.percentile(0.99), tr.result.e2e_ms.percentile(0.99),
                        tr.result.diverged});
    rep.tables.push_back(std::move(t));
  }
  // The latency distributions as CDFs: the fraction of requests at or below each latency, read
  // from the same histograms as the percentiles above.
  for (auto [name, title, h] :
       {std::tuple<const char*, const char*, const Histogram*>{"ttft", "TTFT", &r.ttft_ms},
        {"tpot", "TPOT", &r.tpot_ms},
        {"e2e", "E2E latency", &r.e2e_ms}}) {
    if (r.requests == 0) break;
    report::Chart c;
    c.key = fmt::format("{}_ms_cdf", name);
    c.title = fmt::format("{} distribution (CDF)", title);
    c.x = {title, "ms", false};
    c.y = {"fraction of requests at or below", "", false};
    report::Series cdf{"simulated", {}, true, false};
    for (int i = 1; i <= 100; ++i) {
      const double q = i == 100 ? 0.999 : i / 100.0;
      cdf.points.push_back({h->percentile(q), q});
    }
    c.series.push_back(std::move(cdf));
    for (const auto& t : s.slo)
      if (metric_name(t.metric) == std::string_view(name))
        c.references.push_back(report::Reference{format_slo(t), 'x', t.ms});
    rep.charts.push_back(std::move(c));
  }
  // The fleet's state over the run (sampled evenly in simulated time): the queue building up or
  // draining, the running batch against the engine's cap, and the KV cache filling.
  if (!r.timeline.empty()) {
    report::Chart queue;
    queue.key = "timeline_requests";
    queue.title = "Requests waiting and running over time";
    queue.x = {"simulated time", "s", false};
    queue.y = {"requests (all replicas)", "", false};
    report::Series waiting{"waiting", {}, true, false};
    report::Series running{"running", {}, true, false};
    report::Chart kv;
    kv.key = "timeline_kv";
    kv.title = "KV cache in use over time";
    kv.x = queue.x;
    kv.y = {"KV blocks in use", "%", false};
    report::Series used{"KV used", {}, true, false};
    for (const TimelinePoint& p : r.timeline) {
      const double t = p.t_s - r.first_arrival_s;
      waiting.points.push_back({t, static_cast<double>(p.waiting)});
      running.points.push_back({t, static_cast<double>(p.running)});
      used.points.push_back({t, 100.0 * p.kv_used_fraction});
    }
    queue.series = {std::move(waiting), std::move(running)};
    queue.references.push_back(report::Reference{
        "running cap", 'y', static_cast<double>(out.replica.max_num_seqs * out.replicas)});
    kv.series.push_back(std::move(used));
    rep.charts.push_back(std::move(queue));
    rep.charts.push_back(std::move(kv));
  }
  return rep;
}

}  // namespace fleetsizer::api
