#include "fleetsizer/fleet/lever_stack.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer {
namespace {

// The seed uses math.ceil(TARGET / q) with no tolerance; ceil_ratio only differs when Q/q is within
// 1e-9 of an integer, where the seed's own answer is a floating-point accident.
std::int64_t seed_nodes(const StackScenario& s, double qps) {
  return units::ceil_ratio(s.target_qps, qps);
}

StackRow make_row(const StackScenario& s, std::string label, int gpus, double qps,
                  double memory_factor) {
  StackRow r;
  r.label = std::move(label);
  r.gpus_per_node = gpus;
  r.qps_per_node = qps;
  r.memory_factor = memory_factor;
  r.nodes = seed_nodes(s, qps);
  r.usd_per_hour = static_cast<double>(r.nodes) * s.node_usd_per_hour;
  r.hosts = hosts_for(r.nodes, gpus, s.gpus_per_host);
  r.corrected_usd_per_hour = static_cast<double>(r.hosts) * s.node_usd_per_hour;
  return r;
}

bool holds(const LeverCondition& c, const StackScenario& s, double memory_factor,
           const std::vector<std::string>& applied) {
  if (c.kind == LeverCondition::Kind::fits_on_one_gpu)
    return seed_gpus_needed(s, memory_factor) == 1;
  return std::ranges::find(applied, c.lever) != applied.end();
}

}  // namespace

StackScenario seed_example_scenario() {
  StackScenario s;
  s.levers = {
      {"INT8 quantization (22.2)", 0.55, 1.35, {}},
      {"Paged KV cache (22.5)", 0.65, 1.40, {}},
      {"FlashAttention (22.6)", 1.00, 1.25, {}},
      {"Continuous batching (22.7)", 1.00, 1.80, {}},
      {"torch.compile / TensorRT (22.8)", 1.00, 1.20, {}},
  };
  return s;
}

Result<StackScenario> validate(StackScenario s) {
  using units::is_positive_finite;
  if (!is_positive_finite(s.target_qps))
    return fail(fmt::format("target_qps must be a positive number, got {}", s.target_qps));
  if (!is_positive_finite(s.node_usd_per_hour))
    return fail(
        fmt::format("node_usd_per_hour must be a positive number, got {}", s.node_usd_per_hour));
  if (!is_positive_finite(s.baseline_qps))
    return fail(fmt::format("baseline qps must be a positive number, got {}", s.baseline_qps));
  if (s.baseline_gpus < 1)
    return fail(fmt::format("baseline gpus must be >= 1, got {}", s.baseline_gpus));
  if (s.gpus_per_host < 1)
    return fail(fmt::format("gpus_per_host must be >= 1, got {}", s.gpus_per_host));
  if (!is_positive_finite(s.gpu_memory_gb) || !units::is_nonnegative_finite(s.model_gb) ||
      !units::is_nonnegative_finite(s.kv_gb))
    return fail("model_gb and kv_gb must be non-negative and gpu_memory_gb positive");
  for (const auto& l : s.levers) {
    if (!is_positive_finite(l.memory_factor) || !is_positive_finite(l.throughput_factor))
      return fail(fmt::format("lever '{}': factors must be positive numbers", l.name));
    for (const auto& c : l.conditions) {
      if (!is_positive_finite(c.throughput_factor))
        return fail(
            fmt::format("lever '{}': conditional factor must be a positive number", l.name));
      if (c.kind == LeverCondition::Kind::after_lever &&
          std::ranges::none_of(s.levers, [&](const Lever& o) { return o.name == c.lever; }))
        return fail(fmt::format("lever '{}': condition names unknown lever '{}'", l.name, c.lever));
    }
  }
  return s;
}

int seed_gpus_needed(const StackScenario& s, double memory_factor) {
  const double footprint = (s.model_gb + s.kv_gb) * memory_factor;
  return std::max(1, static_cast<int>(std::ceil(footprint / s.gpu_memory_gb)));
}

StackResult evaluate_stack(const StackScenario& s, const std::vector<std::size_t>& order) {
  StackResult result;
  result.rows.push_back(make_row(s, s.baseline_label, s.baseline_gpus, s.baseline_qps, 1.0));
  double memory_factor = 1.0;
  double qps = s.baseline_qps;
  std::vector<std::string> applied;
  for (std::size_t index : order) {
    const Lever& lever = s.levers[index];
    double factor = lever.throughput_factor;
    std::string reason;
    for (const auto& c : lever.conditions) {
      if (holds(c, s, memory_factor, applied)) {
        factor = c.throughput_factor;
        reason = c.kind == LeverCondition::Kind::fits_on_one_gpu ? "model fits on one GPU"
                                                                 : "after " + c.lever;
        break;
      }
    }
    memory_factor *= lever.memory_factor;
    qps *= factor;
    applied.push_back(lever.name);
    StackRow row =
        make_row(s, "+ " + lever.name, seed_gpus_needed(s, memory_factor), qps, memory_factor);
    row.throughput_factor = factor;
    row.factor_reason = reason;
    result.rows.push_back(std::move(row));
  }
  const double base_cost = result.rows.front().usd_per_hour;
  const double base_corrected = result.rows.front().corrected_usd_per_hour;
  for (auto& r : result.rows) {
    r.fleet_ratio = r.usd_per_hour / base_cost;
    r.corrected_fleet_ratio = r.corrected_usd_per_hour / base_corrected;
  }
  result.throughput_gain = qps / s.baseline_qps;
  result.final_memory_factor = memory_factor;
  const StackRow& last = result.rows.back();
  result.corrected_usd_per_hour_without_footprint =
      static_cast<double>(hosts_for(last.nodes, s.baseline_gpus, s.gpus_per_host)) *
      s.node_usd_per_hour;
  return result;
}

StackResult evaluate_stack(const StackScenario& s) {
  std::vector<std::size_t> order(s.levers.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  return evaluate_stack(s, order);
}

Result<OrdersResult> evaluate_orders(const StackScenario& s) {
  if (s.levers.size() > 9)
    return fail(fmt::format("--orders evaluates n! orderings; {} levers is too many (at most 9)",
                            s.levers.size()));
  OrdersResult out;
  std::vector<std::size_t> order(s.levers.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  do {
    const StackResult r = evaluate_stack(s, order);
    OrderOutcome o;
    for (std::size_t i : order) o.sequence.push_back(s.levers[i].name);
    o.final_nodes = r.rows.back().nodes;
    o.final_usd_per_hour = r.rows.back().usd_per_hour;
    o.final_corrected_usd_per_hour = r.rows.back().corrected_usd_per_hour;
    out.orders.push_back(std::move(o));
  } while (std::next_permutation(order.begin(), order.end()));
  for (std::size_t i = 0; i < out.orders.size(); ++i) {
    if (out.orders[i].final_usd_per_hour < out.orders[out.best].final_usd_per_hour) out.best = i;
    if (out.orders[i].final_usd_per_hour > out.orders[out.worst].final_usd_per_hour) out.worst = i;
  }
  out.spread_usd_per_hour =
      out.orders[out.worst].final_usd_per_hour - out.orders[out.best].final_usd_per_hour;
  return out;
}

}  // namespace fleetsizer
