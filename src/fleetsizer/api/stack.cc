#include "fleetsizer/api/stack.h"

#include <fmt/format.h>

namespace fleetsizer::api {

Result<StackOutput> run_stack(const StackRequest& request) {
  auto scenario = validate(request.scenario);
  if (!scenario) return fail(scenario.error().message);
  StackOutput out;
  out.scenario = *scenario;
  out.result = evaluate_stack(out.scenario);
  out.corrected = request.corrected;
  if (request.orders) {
    auto orders = evaluate_orders(out.scenario);
    if (!orders) return fail(orders.error().message);
    out.orders = std::move(*orders);
  }
  return out;
}

std::string seed_table_text(const StackScenario& s, const StackResult& r) {
  std::string out = fmt::format("Target: {:.0f} QPS | node price: ${:.0f}/hr\n\n", s.target_qps,
                                s.node_usd_per_hour);
  out += fmt::format("{:<34}{:>10}{:>10}{:>8}{:>9}{:>9}\n", "Stack state", "GPUs/node", "QPS/node",
                     "nodes", "$/hr", "fleet x");
  out += std::string(80, '-') + "\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const StackRow& row = r.rows[i];
    // The seed pads lever names to 32 after "+ " and the baseline label to 34: the same width.
    out += fmt::format("{:<34}{:>10}{:>10.1f}{:>8}{:>9.0f}{:>9.2f}\n", row.label, row.gpus_per_node,
                       row.qps_per_node, row.nodes, row.usd_per_hour, row.fleet_ratio);
  }
  out += std::string(80, '-') + "\n";
  const StackRow& first = r.rows.front();
  const StackRow& last = r.rows.back();
  out +=
      fmt::format("\nPer-node throughput rose {:.1f}x and memory shrank to {:.2f}x of baseline.\n",
                  r.throughput_gain, r.final_memory_factor);
  out += fmt::format(
      "Fleet: {} -> {} nodes ({:.1f}x fewer); cost: ${:.0f}/hr -> ${:.0f}/hr ({:.1f}x cheaper).\n",
      first.nodes, last.nodes, static_cast<double>(first.nodes) / static_cast<double>(last.nodes),
      first.usd_per_hour, last.usd_per_hour, first.usd_per_hour / last.usd_per_hour);
  return out;
}

namespace {

std::string corrected_text(const StackScenario& s, const StackResult& r) {
  const double gpu_price = s.node_usd_per_hour / s.gpus_per_host;
  std::string out = fmt::format(
      "\nCorrected view: a replica costs the GPUs it occupies (${:.2f}/GPU-hr = ${:.0f} per {}-GPU "
      "host), "
      "replicas packed into hosts\n\n",
      gpu_price, s.node_usd_per_hour, s.gpus_per_host);
  out += fmt::format("{:<34}{:>10}{:>10}{:>8}{:>9}{:>9}\n", "Stack state", "GPUs/rep", "replicas",
                     "hosts", "$/hr", "fleet x");
  out += std::string(80, '-') + "\n";
  for (const auto& row : r.rows)
    out += fmt::format("{:<34}{:>10}{:>10}{:>8}{:>9.0f}{:>9.2f}\n", row.label, row.gpus_per_node,
                       row.nodes, row.hosts, row.corrected_usd_per_hour, row.corrected_fleet_ratio);
  out += std::string(80, '-') + "\n";
  const StackRow& first = r.rows.front();
  const StackRow& last = r.rows.back();
  out += fmt::format(
      "\nCost: ${:.0f}/hr -> ${:.0f}/hr ({:.1f}x cheaper), against {:.1f}x in the seed's "
      "fixed-node view.\n",
      first.corrected_usd_per_hour, last.corrected_usd_per_hour,
      first.corrected_usd_per_hour / last.corrected_usd_per_hour,
      first.usd_per_hour / last.usd_per_hour);
  out += fmt::format(
      "Footprint levers save ${:.0f}/hr here (${:.0f}/hr if replicas kept {} GPUs); in the seed's "
      "view they save $0.\n",
      r.corrected_usd_per_hour_without_footprint - last.corrected_usd_per_hour,
      r.corrected_usd_per_hour_without_footprint, first.gpus_per_node);
  return out;
}

std::string orders_text(const OrdersResult& o) {
  const auto& best = o.orders[o.best];
  const auto& worst = o.orders[o.worst];
  return fmt::format(
      "\nOrderings evaluated: {}\nBest:  ${:.0f}/hr ({} nodes): {}\nWorst: ${:.0f}/hr ({} nodes): "
      "{}\n"
      "Spread: ${:.0f}/hr\n",
      o.orders.size(), best.final_usd_per_hour, best.final_nodes, fmt::join(best.sequence, " > "),
      worst.final_usd_per_hour, worst.final_nodes, fmt::join(worst.sequence, " > "),
      o.spread_usd_per_hour);
}

}  // namespace

report::Report stack_report(const StackOutput& out) {
  const StackScenario& s = out.scenario;
  const StackResult& r = out.result;
  report::Report rep;
  rep.title = fmt::format("Lever stack: {:.0f} QPS target, ${:.0f}/hr node", s.target_qps,
                          s.node_usd_per_hour);
  rep.add("target_qps", s.target_qps, 0);
  rep.add("node_usd_per_hour", s.node_usd_per_hour, 2);
  rep.add("gpus_per_host", report::integer(s.gpus_per_host));
  rep.add("throughput_gain", r.throughput_gain, 2);
  rep.add("final_memory_factor", r.final_memory_factor, 2);
  rep.add("corrected.usd_per_hour_without_footprint_levers",
          r.corrected_usd_per_hour_without_footprint, 0);
  report::Table t{"rows", "", {}, {}};
  t.columns = {{"label", "Stack state", 0},
               {"memory_factor", "mem x", 3},
               {"throughput_factor", "q x", 2},
               {"gpus_per_node", "GPUs/node", 0},
               {"qps_per_node", "QPS/node", 1},
               {"nodes", "nodes", 0},
               {"usd_per_hour", "$/hr", 0},
               {"fleet_ratio", "fleet x", 2},
               {"corrected.hosts", "hosts", 0},
               {"corrected.usd_per_hour", "corr $/hr", 0},
               {"corrected.fleet_ratio", "corr x", 2},
               {"factor_reason", "factor because", 0}};
  for (const auto& row : r.rows) {
    t.rows.push_back(
        {row.label, row.memory_factor, row.throughput_factor, report::integer(row.gpus_per_node),
         row.qps_per_node, report::integer(row.nodes), row.usd_per_hour, row.fleet_ratio,
         report::integer(row.hosts), row.corrected_usd_per_hour, row.corrected_fleet_ratio,
         row.factor_reason.empty() ? report::Cell{} : report::Cell{row.factor_reason}});
  }
  rep.tables.push_back(std::move(t));
  rep.why("nodes", fmt::format("ceil(target_qps / qps_per_node) = ceil({} / q)", s.target_qps));
  rep.why("qps_per_node",
          fmt::format("baseline {} x product of applied throughput factors", s.baseline_qps));
  rep.why("gpus_per_node",
          fmt::format("max(1, ceil(({} GB + {} GB) x memory_factor / {} GB)); baseline given as {}",
                      s.model_gb, s.kv_gb, s.gpu_memory_gb, s.baseline_gpus));
  rep.why("usd_per_hour",
          fmt::format("nodes x ${}/hr (the seed keeps the node price fixed)", s.node_usd_per_hour));
  rep.why("corrected.hosts",
          fmt::format("replicas of g GPUs packed into {}-GPU hosts: ceil(nodes / floor({} / g))",
                      s.gpus_per_host, s.gpus_per_host));
  rep.why("corrected.usd_per_hour", fmt::format("hosts x ${}/hr", s.node_usd_per_hour));
  std::string text = seed_table_text(s, r);
  if (out.corrected) text += corrected_text(s, r);
  if (out.orders) {
    const OrdersResult& o = *out.orders;
    report::Table ot{"orders", "Orderings", {}, {}};
    ot.columns = {{"sequence", "order", 0},
                  {"final_nodes", "nodes", 0},
                  {"final_usd_per_hour", "$/hr", 0},
                  {"final_corrected_usd_per_hour", "corr $/hr", 0}};
    for (const auto& x : o.orders)
      ot.rows.push_back({fmt::format("{}", fmt::join(x.sequence, " > ")),
                         report::integer(x.final_nodes), x.final_usd_per_hour,
                         x.final_corrected_usd_per_hour});
    rep.tables.push_back(std::move(ot));
    rep.add("best.sequence", fmt::format("{}", fmt::join(o.orders[o.best].sequence, " > ")));
    rep.add("best.final_usd_per_hour", o.orders[o.best].final_usd_per_hour, 0);
    rep.add("worst.sequence", fmt::format("{}", fmt::join(o.orders[o.worst].sequence, " > ")));
    rep.add("worst.final_usd_per_hour", o.orders[o.worst].final_usd_per_hour, 0);
    rep.add("spread_usd_per_hour", o.spread_usd_per_hour, 0);
    text += orders_text(o);
  }
  rep.text = std::move(text);
  return rep;
}

}  // namespace fleetsizer::api
