#include "fleetsizer/api/stack.h"

#include <fmt/format.h>

#include <algorithm>

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

// The final fleet cost of every order, cheapest first: how much the order of the levers matters.
// At most 1,000 points (sampled evenly, ends kept): 9 levers have 362,880 orders.
static report::Chart orders_chart(const OrdersResult& o) {
  std::vector<double> costs;
  costs.reserve(o.orders.size());
  for (const auto& x : o.orders) costs.push_back(x.final_usd_per_hour);
  std::sort(costs.begin(), costs.end());
  report::Chart c;
  c.key = "orders";
  c.title = "Final fleet cost of every lever order, cheapest first";
  c.x = {"order rank", "", false};
  c.y = {"final fleet cost", "$/h", false};
  report::Series series{"seed view", {}, true, false};
  const std::size_t n = costs.size();
  const std::size_t shown = std::min<std::size_t>(n, 1000);
  for (std::size_t k = 0; k < shown; ++k) {
    const std::size_t i = shown == 1 ? 0 : k * (n - 1) / (shown - 1);
    series.points.push_back({static_cast<double>(i + 1), costs[i]});
  }
  c.series.push_back(std::move(series));
  return c;
}

report::Report stack_report(const StackOutput& out) {
  const StackScenario& s = out.scenario;
  const StackResult& r = out.result;
  report::Report rep;
  rep.title = fmt::format("Lever stack: {:.0f} QPS target, ${:.0f}/hr node", s.target_qps,
                          s.node_usd_per_hour);
  if (!r.rows.empty()) {
    const StackRow& first = r.rows.front();
    const StackRow& last = r.rows.back();
    rep.headline = fmt::format(
        "The levers take the fleet from {} nodes (${:.0f}/h) to {} nodes (${:.0f}/h), {:.2f}x the "
        "throughput per node",
        first.nodes, first.usd_per_hour, last.nodes, last.usd_per_hour, r.throughput_gain);
    // The waterfall: the fleet's $/h after each lever, seed view and corrected (GPU-priced) view.
    report::Chart c;
    c.key = "waterfall";
    c.title = "Fleet cost after each lever";
    c.kind = report::ChartKind::bar;
    c.x = {"stack state", "", false};
    c.y = {"fleet cost", "$/h", false};
    report::Series seed{"nodes x node price", {}, true, false};
    report::Series corrected{"corrected: GPUs x GPU price, packed in hosts", {}, true, false};
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      c.categories.push_back(r.rows[i].label);
      seed.points.push_back({static_cast<double>(i), r.rows[i].usd_per_hour});
      corrected.points.push_back({static_cast<double>(i), r.rows[i].corrected_usd_per_hour});
    }
    c.series.push_back(std::move(seed));
    c.series.push_back(std::move(corrected));
    rep.charts.push_back(std::move(c));
  }
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
    rep.charts.push_back(orders_chart(o));
    text += orders_text(o);
  }
  rep.text = std::move(text);
  return rep;
}

}  // namespace fleetsizer::api

namespace fleetsizer::api {

Result<MechStackOutput> run_mech_stack(const MechStackRequest& request, const Catalog& catalog) {
  MechStackOutput out;
  out.scenario = request.input.scenario;
  out.orders = request.orders;
  auto r = evaluate_mech_stack(request.input);
  if (!r) return fail(r.error().message);
  out.result = std::move(*r);
  if (request.contrast) {
    auto c = search_lever_contrast(request.input.scenario, catalog);
    if (!c) return fail(c.error().message);
    out.contrast = std::move(*c);
  }
  for (const auto& g : request.ablation) {
    auto a = compare_ablation(g);
    if (!a) return fail(a.error().message);
    out.ablation.push_back(std::move(*a));
  }
  return out;
}

namespace {

std::string terms_text(const std::vector<Term>& terms) {
  std::vector<std::string> names;
  for (Term t : terms) {
    switch (t) {
      case Term::gpus_per_replica:
        names.emplace_back("c:GPUs");
        break;
      case Term::running_cap:
        names.emplace_back("q:batch cap");
        break;
      case Term::step_time:
        names.emplace_back("q:step time");
        break;
      case Term::tokens_per_step:
        names.emplace_back("q:tokens/step");
        break;
      case Term::prefill_time:
        names.emplace_back("q:prefill");
        break;
      case Term::batching:
        names.emplace_back("q:scheduler");
        break;
      case Term::none:
        names.emplace_back("-");
        break;
    }
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string sequence_text(const MechStackResult& r, const std::vector<std::size_t>& seq) {
  std::vector<std::string> names;
  for (std::size_t i : seq) names.push_back(r.levers[i].name);
  return fmt::format("{}", fmt::join(names, " > "));
}

std::string contrast_reason_text(const ContrastCase& c) {
  switch (c.reason) {
    case ContrastReason::replica_is_one_gpu:
      return "the replica is already one GPU, so quartering GPUs per replica cannot shrink it";
    case ContrastReason::fixed_node_price:
      return "the node price is fixed whatever GPUs the replica uses (the seed's view), so a "
             "footprint lever moves no dollars";
    case ContrastReason::replica_count_floor:
      return "the replica count is at its floor (the ceiling ate the halving), so doubling q "
             "removes no replica while every replica gets cheaper";
    case ContrastReason::gpus_fall_more_than_n:
      return "each replica's cost falls by more (GPUs / 4) than the replica count does (/ 2)";
    case ContrastReason::n_falls_more_than_gpus:
      return "GPUs per replica fall by less than the replica count does here";
    case ContrastReason::equal_factors:
      return "GPUs per replica can only halve here (a quarter rounds up to one GPU), the same "
             "factor by which q x 2 cuts the replicas: the two levers save the same";
  }
  return "";
}

std::string contrast_line(const char* title, const ContrastCase& c) {
  return fmt::format(
      "{}: {} on {} ({:.0f} GiB, ${:.2f}/GPU-hr, {} pricing): baseline {} GPU(s)/replica, q "
      "{:.2f} req/s, {} replicas, ${:.0f}/hr\n    q x 2 -> {} replicas, ${:.0f}/hr (saves "
      "${:.0f}/hr); GPUs/4 -> {} GPU(s)/replica, ${:.0f}/hr (saves ${:.0f}/hr)\n    because {}\n",
      title, c.model, c.gpu, c.gpu_memory_gib, c.usd_per_gpu_hour, pricing_name(c.pricing), c.gpus,
      c.q_rps, c.replicas, c.usd_per_hour, c.throughput_replicas, c.throughput_usd_per_hour,
      c.throughput_saved_usd_per_hour, c.footprint_gpus, c.footprint_usd_per_hour,
      c.footprint_saved_usd_per_hour, contrast_reason_text(c));
}

// Two decimals as the seed prints them, significant digits for what would print as 0.00.
std::string small_num(double v) {
  return v >= 0.01 || v == 0 ? fmt::format("{:.2f}", v) : fmt::format("{:.3g}", v);
}

report::Cell opt(const std::optional<double>& v) {
  return v ? report::Cell{*v} : report::Cell{};
}

std::string opt_text(const std::optional<double>& v, const char* fmtstr) {
  return v ? fmt::format(fmt::runtime(fmtstr), *v) : std::string("-");
}

}  // namespace

report::Report mech_stack_report(const MechStackOutput& out) {
  const MechStackResult& r = out.result;
  const Scenario& s = out.scenario;
  report::Report rep;
  rep.title = fmt::format("Mechanistic lever stack: {} on {}, {:.0f} QPS target",
                          s.replica.model.name, s.replica.gpu.name, s.target_qps);
  if (!r.rows.empty() && r.rows.front().state.feasible && r.rows.back().state.feasible)
    rep.headline = fmt::format(
        "The levers take the fleet from {} replicas (${:.2f}/h) to {} replicas (${:.2f}/h); the "
        "order of the levers moves the final cost by ${:.2f}/h",
        r.rows.front().state.replicas, r.rows.front().state.usd_per_hour,
        r.rows.back().state.replicas, r.rows.back().state.usd_per_hour, r.spread_usd_per_hour);
  else
    rep.headline = "The baseline or the full stack meets no SLO: see the rows for which binds";
  rep.add("model", s.replica.model.name);
  rep.add("gpu", s.replica.gpu.name);
  rep.add("target_qps", s.target_qps, 2);
  rep.add("interactions", r.interactions);
  rep.add("states_evaluated", report::integer(static_cast<std::int64_t>(r.states.size())));
  rep.add("total_usd_per_hour_saved", r.total_usd_per_hour_saved, 2);
  rep.add("spread_usd_per_hour", r.spread_usd_per_hour, 2);
  rep.add("elapsed_ms", r.elapsed_ms, 0);
  std::string slo;
  for (const auto& t : s.slo) slo += (slo.empty() ? "" : ", ") + format_slo(t);
  std::string text = fmt::format(
      "Model {} on {} | target {:.0f} QPS | ${:.2f}/GPU-hr | {} in / {} out | SLO {}\n"
      "Baseline: fp16 weights and KV, contiguous KV reserving {} tokens, materialized "
      "attention, static batch, eager\n"
      "Interactions {}: {}\n\n",
      s.replica.model.name, s.replica.gpu.name, s.target_qps,
      r.rows.front().state.usd_per_replica_hour / std::max(1, r.rows.front().state.gpus),
      s.workload.isl(), s.workload.osl(), slo, s.context_tokens, r.interactions ? "on" : "off",
      r.interactions ? "every set of levers re-evaluated by the plan layer"
                     : "each lever's isolated q and GPU factors multiplied (the seed calculator)");
  // Each state on one line of numbers (under 100 columns), then where its q comes from and which
  // terms the lever moved on an indented line below it.
  std::size_t label_width = 11;
  for (const auto& row : r.rows) label_width = std::max(label_width, row.label.size() + 2);
  const std::size_t rule = label_width + 9 + 9 + 9 + 10 + 9 + 9 + 7;
  text += fmt::format("{:<{}}{:>9}{:>9}{:>9}{:>10}{:>9}{:>9}{:>7}\n", "Stack state", label_width,
                      "GPUs/rep", "q/rep", "replicas", "$/hr", "fleet x", "q x", "c x");
  text += std::string(rule, '-') + "\n";
  report::Table t{"rows", "", {}, {}};
  t.columns = {{"label", "Stack state", 0},
               {"gpus_per_replica", "GPUs/rep", 0},
               {"weights_gb", "weights GB", 1},
               {"kv_capacity_tokens", "KV tokens", 0},
               {"running_cap", "batch cap", 0},
               {"decode_step_ms", "step ms (b=8)", 2},
               {"tokens_per_step", "tok/step", 2},
               {"q_rps", "q/rep", 2},
               {"q_method", "q from", 0},
               {"binding", "binding", 0},
               {"replicas", "replicas", 0},
               {"usd_per_replica_hour", "$/rep-hr", 2},
               {"usd_per_hour", "$/hr", 0},
               {"fleet_ratio", "fleet x", 2},
               {"q_factor", "q x", 2},
               {"c_factor", "c x", 2},
               {"moved", "moved", 0}};
  const double base_cost = r.rows.front().state.usd_per_hour;
  for (const auto& row : r.rows) {
    const StackState& st = row.state;
    const double ratio = st.feasible ? st.usd_per_hour / base_cost : 0;
    const std::string moved_text = terms_text(row.moved);
    std::vector<std::string> moved;
    for (Term m : row.moved) moved.emplace_back(term_name(m));
    t.rows.push_back({row.label, report::integer(st.gpus), st.weights_gb,
                      report::integer(st.kv_capacity_tokens), report::integer(st.running_cap),
                      st.decode_step_ms, st.tokens_per_step, st.q_rps,
                      std::string(q_method_name(st.q_method)), st.binding,
                      report::integer(st.replicas), st.usd_per_replica_hour, st.usd_per_hour, ratio,
                      row.q_factor, row.c_factor, fmt::format("{}", fmt::join(moved, ","))});
    if (st.feasible)
      text += fmt::format(
          "{:<{}}{:>9}{:>9}{:>9}{:>10.0f}{:>9}{:>9.2f}{:>7.2f}\n    q from {}{}{}\n", row.label,
          label_width, st.gpus, small_num(st.q_rps), st.replicas, st.usd_per_hour, small_num(ratio),
          row.q_factor, row.c_factor, q_method_name(st.q_method),
          moved_text.empty() || moved_text == "-" ? "" : "; moved ",
          moved_text == "-" ? "" : moved_text);
    else
      text += fmt::format("{:<{}}{:>9}  {}\n", row.label, label_width, st.gpus,
                          st.fits ? "meets no rate: " + st.binding : "does not fit");
  }
  text += std::string(rule, '-') + "\n";
  rep.tables.push_back(std::move(t));
  const StackState& last = r.rows.back().state;
  if (last.feasible)
    text +=
        fmt::format("Fleet: {} -> {} replicas; cost ${:.0f}/hr -> ${:.0f}/hr ({:.2f}x cheaper).\n",
                    r.rows.front().state.replicas, last.replicas, base_cost, last.usd_per_hour,
                    base_cost / last.usd_per_hour);
  text += fmt::format("{} lever sets evaluated once each ({}) in {:.0f} ms.\n", r.states.size(),
                      r.interactions ? "q: analytic unless marked simulated" : "products",
                      r.elapsed_ms);
  if (r.interactions)
    text +=
        "q from: analytic-static = the static-batch cycle model (the simulator has no static "
        "batching); analytic = the open-loop steady state; simulated = the discrete-event q "
        "search (--simulate, the given order's states).\n";
  // Orders.
  if (!r.orders.empty()) {
    const auto& best = r.orders[r.best];
    const auto& worst = r.orders[r.worst];
    text += fmt::format(
        "\nOrderings: {}; best ${:.0f}/hr ({}), worst ${:.0f}/hr ({}); spread ${:.0f}/hr.\n",
        r.orders.size(), best.final_usd_per_hour, sequence_text(r, best.sequence),
        worst.final_usd_per_hour, sequence_text(r, worst.sequence), r.spread_usd_per_hour);
    if (r.interactions && r.spread_usd_per_hour == 0)
      text +=
          "Every order ends at the same set, and the model's levers commute, so the final cost is "
          "order-free; order moves only each lever's marginal credit (below).\n";
    rep.add("best.sequence", sequence_text(r, best.sequence));
    rep.add("best.final_usd_per_hour", best.final_usd_per_hour, 2);
    rep.add("worst.sequence", sequence_text(r, worst.sequence));
    rep.add("worst.final_usd_per_hour", worst.final_usd_per_hour, 2);
    if (out.orders) {
      text += fmt::format("{:>10}  {}\n", "$/hr", "order (marginal $/hr saved by each lever)");
      for (const auto& o : r.orders) {
        std::vector<std::string> steps;
        for (std::size_t i : o.sequence)
          steps.push_back(fmt::format("{} ({:.0f})", r.levers[i].name, o.saved_usd_per_hour[i]));
        text += fmt::format("{:>10.0f}  {}\n", o.final_usd_per_hour, fmt::join(steps, " > "));
      }
    }
    report::Table ot{"orders", out.orders ? "Orderings" : "", {}, {}};
    ot.columns = {{"sequence", "order", 0}, {"final_usd_per_hour", "$/hr", 0}};
    for (std::size_t j = 0; j < r.levers.size(); ++j)
      ot.columns.push_back({fmt::format("saved_usd_per_hour.{}", j),
                            fmt::format("saved by {}", r.levers[j].name), 0});
    for (const auto& o : r.orders) {
      std::vector<report::Cell> cells = {sequence_text(r, o.sequence), o.final_usd_per_hour};
      for (double v : o.saved_usd_per_hour) cells.emplace_back(v);
      ot.rows.push_back(std::move(cells));
    }
    rep.tables.push_back(std::move(ot));
  } else {
    text += fmt::format(
        "\nOrderings: not listed for {} levers (more than 8); Shapley values use "
        "the 2^n sets.\n",
        r.levers.size());
  }
  // Shapley.
  if (!r.shapley.empty()) {
    report::Table sh{"shapley", "", {}, {}};
    sh.columns = {{"lever", "lever", 0},
                  {"usd_per_hour_saved", "Shapley $/hr saved", 0},
                  {"cost_factor", "cost x (log-Shapley)", 3},
                  {"min_saved_usd_per_hour", "min marginal", 0},
                  {"max_saved_usd_per_hour", "max marginal", 0}};
    text += fmt::format("\n{:<34}{:>14}{:>10}{:>22}\n", "Shapley attribution", "$/hr saved",
                        "cost x", "marginal range $/hr");
    double sum = 0;
    for (const auto& v : r.shapley) {
      sum += v.usd_per_hour_saved;
      sh.rows.push_back({v.lever, v.usd_per_hour_saved, v.cost_factor, v.min_saved_usd_per_hour,
                         v.max_saved_usd_per_hour});
      text += fmt::format("{:<34}{:>14.0f}{:>10.3f}{:>11.0f} .. {:<8.0f}\n", v.lever,
                          v.usd_per_hour_saved, v.cost_factor, v.min_saved_usd_per_hour,
                          v.max_saved_usd_per_hour);
    }
    text += fmt::format("{:<34}{:>14.0f}  (= total saving ${:.0f}/hr)\n", "sum", sum,
                        r.total_usd_per_hour_saved);
    rep.tables.push_back(std::move(sh));
  } else {
    text += "\nShapley values: not computed, a set of levers does not fit or meets no rate.\n";
  }
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const StackState& st = r.rows[i].state;
    if (!st.feasible) continue;
    rep.why(fmt::format("rows[{}].replicas", i),
            fmt::format("ceil({} / ({:.4f} x {})) + {} = {} ({} q, binding {})", s.target_qps,
                        st.q_rps, s.target_utilization, s.redundancy, st.replicas,
                        q_method_name(st.q_method), st.binding));
    rep.why(fmt::format("rows[{}].usd_per_hour", i),
            fmt::format("{} replicas x {} GPUs in {} hosts of {} -> ${:.2f}/hr", st.replicas,
                        st.gpus, st.hosts, s.gpus_per_host, st.usd_per_hour));
  }
  rep.why("rows.q_rps",
          "largest per-replica rate meeting every SLO target: continuous batching by the "
          "open-loop steady state (or the simulator when q_method is simulated), static batching "
          "by the static-batch cycle model (docs/model.md)");
  rep.why("rows.replicas", "ceil(Q / (q x target_utilization)) + redundancy");
  rep.why("rows.usd_per_hour", "hosts (or GPUs) x price, from the fleet equation (fleet.h)");
  rep.why("rows.q_factor", "q after this lever / q before it, in the given order");
  rep.why("rows.c_factor", "replica cost after / before (GPUs per replica x $/GPU-hr)");
  rep.why("shapley.usd_per_hour_saved",
          "sum over sets S without the lever of |S|!(n-|S|-1)!/n! x (C(S) - C(S + lever))");
  rep.why("spread_usd_per_hour", "worst order's final $/hr - best order's final $/hr");
  // Exercise 1.
  if (out.contrast) {
    const ContrastResult& c = *out.contrast;
    text += fmt::format(
        "\nExercise 1: a throughput lever (q x 2) against a footprint lever (GPUs per replica / "
        "4), {} catalog cases (model x GPU x pricing)\n",
        c.cases);
    auto add_case = [&](const char* key, const char* title, const ContrastCase& cc) {
      text += contrast_line(title, cc);
      const std::string k = key;
      rep.add(k + ".model", cc.model);
      rep.add(k + ".gpu", cc.gpu);
      rep.add(k + ".pricing", std::string(pricing_name(cc.pricing)));
      rep.add(k + ".gpus_per_replica", report::integer(cc.gpus));
      rep.add(k + ".q_rps", cc.q_rps, 3);
      rep.add(k + ".usd_per_hour", cc.usd_per_hour, 2);
      rep.add(k + ".throughput_saved_usd_per_hour", cc.throughput_saved_usd_per_hour, 2);
      rep.add(k + ".footprint_saved_usd_per_hour", cc.footprint_saved_usd_per_hour, 2);
      rep.add(k + ".reason", std::string(contrast_reason_name(cc.reason)));
    };
    if (c.throughput_wins)
      add_case("exercise1.throughput_wins", "  Throughput lever wins", *c.throughput_wins);
    else
      text += "  No case where the throughput lever wins.\n";
    if (c.footprint_wins)
      add_case("exercise1.footprint_wins", "  Footprint lever wins", *c.footprint_wins);
    else
      text += "  No case where the footprint lever wins.\n";
    if (c.this_scenario) add_case("exercise1.this_scenario", "  This scenario", *c.this_scenario);
  }
  // Measured ablations.
  for (std::size_t gi = 0; gi < out.ablation.size(); ++gi) {
    const AblationResult& a = out.ablation[gi];
    const std::string key = fmt::format("ablation.{}", gi);
    text += fmt::format("\nMeasured ablation {} (baseline stage '{}')\n", a.key, a.baseline_stage);
    text += fmt::format("{:<40}{:>12}{:>10}{:>10}{:>9}{:>11}{:>11}\n", "stage", "tok/s/GPU",
                        "measured", "product", "gap", "predicted", "pred gap");
    report::Table at{key + ".states", "", {}, {}};
    at.columns = {{"stage", "stage", 0},
                  {"measured_tok_s_per_gpu", "tok/s/GPU", 1},
                  {"measured_factor", "measured x", 3},
                  {"product_of_isolated", "product x", 3},
                  {"gap", "gap", 3},
                  {"predicted_tok_s_per_gpu", "predicted tok/s/GPU", 1},
                  {"predicted_factor", "predicted x", 3},
                  {"predicted_gap", "predicted gap", 3}};
    for (const auto& st : a.states) {
      at.rows.push_back({st.stage, st.measured_tok_s_per_gpu, st.measured_factor,
                         opt(st.product_of_isolated), opt(st.gap), opt(st.predicted_tok_s_per_gpu),
                         opt(st.predicted_factor), opt(st.predicted_gap)});
      text += fmt::format("{:<40}{:>12.0f}{:>10.3f}{:>10}{:>9}{:>11}{:>11}\n", st.stage,
                          st.measured_tok_s_per_gpu, st.measured_factor,
                          opt_text(st.product_of_isolated, "{:.3f}"), opt_text(st.gap, "{:+.3f}"),
                          opt_text(st.predicted_factor, "{:.3f}"),
                          opt_text(st.predicted_gap, "{:+.3f}"));
    }
    rep.tables.push_back(std::move(at));
    if (!a.pairs.empty()) {
      report::Table pt{key + ".pairs", "", {}, {}};
      pt.columns = {{"a", "lever", 0},
                    {"b", "lever", 0},
                    {"measured_interaction", "measured", 3},
                    {"predicted_interaction", "predicted", 3}};
      for (const auto& p : a.pairs) {
        pt.rows.push_back({p.a, p.b, p.measured_interaction, opt(p.predicted_interaction)});
        text += fmt::format("  pair {} + {}: measured {:.3f} ({}), predicted {}\n", p.a, p.b,
                            p.measured_interaction,
                            p.measured_interaction >= 1 ? "compounded" : "interfered",
                            opt_text(p.predicted_interaction, "{:.3f}"));
      }
      rep.tables.push_back(std::move(pt));
    } else {
      text += "  no stage combines two separately measured levers: no pair interaction to report\n";
    }
    if (!a.marginals.empty()) {
      report::Table mt{key + ".marginals", "", {}, {}};
      mt.columns = {{"lever", "lever", 0},
                    {"from_stage", "from", 0},
                    {"to_stage", "to", 0},
                    {"measured_factor", "measured", 3},
                    {"predicted_factor", "predicted", 3}};
      for (const auto& m : a.marginals) {
        mt.rows.push_back(
            {m.lever, m.from_stage, m.to_stage, m.measured_factor, opt(m.predicted_factor)});
        text +=
            fmt::format("  marginal {} after '{}': measured {:.3f}, predicted {}\n", m.lever,
                        m.from_stage, m.measured_factor, opt_text(m.predicted_factor, "{:.3f}"));
      }
      rep.tables.push_back(std::move(mt));
    }
    for (const auto& src : a.sources) text += fmt::format("  source: {}\n", src);
  }
  rep.text = std::move(text);
  return rep;
}

}  // namespace fleetsizer::api
