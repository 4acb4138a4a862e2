#include "fleetsizer/api/slo.h"

#include <fmt/format.h>

namespace fleetsizer::api {

Result<SloOutput> run_slo(const SloRequest& req) {
  if (req.scenario.slo.empty())
    return fail("give at least one --slo target (e.g. --slo e2e:p99=2400)");
  Scenario s = req.scenario;
  // A curve is a measured replica: as many GPUs as --tp says (default 1). Without one, the model
  // path of `size` finds the simulated q.
  if (s.curve) s.gpus_per_replica = s.tp.value_or(1);
  SloOutput out;
  auto base = run_size(s, req.options);
  if (!base) return fail(base.error().message);
  out.base = std::move(*base);
  if (req.sweep) {
    for (double scale : {1.5, 1.25, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1}) {
      Scenario tighter = s;
      for (auto& t : tighter.slo) t.ms *= scale;
      auto r = run_size(tighter, req.options);
      if (!r) return fail(r.error().message);
      out.sweep.push_back({scale, tighter.slo, std::move(*r)});
    }
  }
  return out;
}

report::Report slo_report(const SloOutput& out) {
  report::Report rep = size_report(out.base);
  const SizeOutput& b = out.base;
  rep.title = b.scenario.curve
                  ? fmt::format("SLO-limited q from {}", b.scenario.curve->source)
                  : fmt::format("SLO-limited q of {} on {} (simulated)",
                                b.scenario.replica.model.name, b.scenario.replica.gpu.name);
  // The stable minimum of DESIGN.md: max_batch, q, nodes at the top level.
  rep.fields.insert(
      rep.fields.begin(),
      report::Field{
          "nodes", b.feasible ? report::integer(b.plan.replicas) : report::Cell{}, 0, {}, false});
  rep.fields.insert(rep.fields.begin(), report::Field{"q", b.replica.q_rps, 3, {}, false});
  rep.fields.insert(rep.fields.begin(),
                    report::Field{"max_batch", b.replica.max_batch, 0, {}, false});
  rep.why("q", b.scenario.curve
                   ? fmt::format("request rate of the curve at the largest batch meeting every "
                                 "target ({}); binding: {}",
                                 b.replica.max_batch, b.replica.binding)
                   : fmt::format("largest per-replica arrival rate whose simulation meets every "
                                 "target; binding: {} (max_batch: mean requests in the replica "
                                 "at q)",
                                 b.replica.binding));
  rep.why("nodes", "fleet.replicas: ceil(Q / (q x utilization)) + redundancy");
  if (!out.sweep.empty()) {
    report::Table t{"sweep", "Node count vs SLO tightness", {}, {}};
    t.columns = {{"scale", "SLO x", 2},
                 {"slo", "targets", 0},
                 {"tp", "TP", 0},
                 {"gpus_per_replica", "GPUs/replica", 0},
                 {"max_batch", "max batch", 0},
                 {"q", "q (req/s)", 3},
                 {"nodes", "nodes", 0},
                 {"usd_per_hour", "$/hr", 2}};
    for (const auto& p : out.sweep) {
      std::vector<std::string> slo;
      for (const auto& x : p.slo) slo.push_back(format_slo(x));
      const bool ok = p.size.feasible;
      const Footprint& f = p.size.fit.footprint;
      t.rows.push_back({p.scale, fmt::format("{}", fmt::join(slo, " ")), report::integer(f.tp),
                        report::integer(f.gpus), p.size.replica.max_batch, p.size.replica.q_rps,
                        ok ? report::integer(p.size.plan.replicas) : report::Cell{},
                        ok ? report::Cell{p.size.plan.usd_per_hour} : report::Cell{}});
    }
    rep.tables.push_back(std::move(t));
  }
  return rep;
}

}  // namespace fleetsizer::api
