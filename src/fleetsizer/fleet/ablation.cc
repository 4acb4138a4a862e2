#include "fleetsizer/fleet/ablation.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>

namespace fleetsizer {

Result<AblationResult> compare_ablation(const AblationGroup& g) {
  AblationResult r;
  r.key = g.key;
  const std::size_t n = g.stack.levers.size();
  for (std::size_t i = 0; i < n; ++i)
    if (!((g.base_set >> i) & 1u)) r.lever_names.push_back(g.stack.levers[i].name);
  // One measured throughput per set: a repeated stage is an error, not an average.
  std::map<std::uint32_t, const AblationRow*> by_set;
  for (const auto& row : g.rows) {
    if (!(row.output_tok_s > 0) || row.num_gpus < 1)
      return fail(fmt::format("{}: output_tok_s and num_gpus must be positive", row.origin));
    auto [it, inserted] = by_set.emplace(row.set, &row);
    if (!inserted)
      return fail(fmt::format("{}: stage '{}' repeats the lever set of {} ({})", row.origin,
                              row.stage, it->second->origin, it->second->stage));
    if (!row.source.empty() &&
        std::find(r.sources.begin(), r.sources.end(), row.source) == r.sources.end())
      r.sources.push_back(row.source);
  }
  const auto base_it = by_set.find(0);
  if (base_it == by_set.end())
    return fail(
        fmt::format("{}: no baseline stage (stage 'baseline' or 'baseline:LEVERS')", g.key));
  const AblationRow& base = *base_it->second;
  r.baseline_stage = base.stage;
  const double m0 = base.per_gpu_tok_s();
  // Predictions at each row's own operating point; a state that does not fit has none.
  auto predict = [&](const AblationRow& row) -> std::optional<double> {
    auto p = predicted_tok_s_per_gpu(g.stack, g.base_set | row.set, row.num_gpus, row.isl, row.osl,
                                     row.concurrency);
    if (!p) return std::nullopt;
    return *p;
  };
  const std::optional<double> p0 = predict(base);
  std::map<std::uint32_t, double> measured, predicted;
  for (const auto& [set, row] : by_set) {
    measured[set] = row->per_gpu_tok_s() / m0;
    if (p0) {
      if (auto p = predict(*row)) predicted[set] = *p / *p0;
    }
  }
  auto product = [&](const std::map<std::uint32_t, double>& f,
                     std::uint32_t set) -> std::optional<double> {
    double prod = 1;
    for (std::size_t i = 0; i < n; ++i) {
      if (!((set >> i) & 1u)) continue;
      auto it = f.find(1u << i);
      if (it == f.end()) return std::nullopt;
      prod *= it->second;
    }
    return prod;
  };
  for (const auto& [set, row] : by_set) {
    AblationStateResult s;
    s.stage = row->stage;
    s.set = set;
    s.measured_tok_s_per_gpu = row->per_gpu_tok_s();
    s.measured_factor = measured[set];
    if (std::popcount(set) >= 2) {
      s.product_of_isolated = product(measured, set);
      if (s.product_of_isolated) s.gap = s.measured_factor / *s.product_of_isolated - 1.0;
    }
    if (predicted.contains(set)) {
      s.predicted_factor = predicted[set];
      s.predicted_tok_s_per_gpu = predicted[set] * *p0;
      if (std::popcount(set) >= 2)
        if (auto pp = product(predicted, set)) s.predicted_gap = *s.predicted_factor / *pp - 1.0;
    }
    r.states.push_back(std::move(s));
  }
  // Pairs: states of exactly two levers whose isolated states were measured too.
  for (const auto& [set, row] : by_set) {
    if (std::popcount(set) != 2) continue;
    auto prod = product(measured, set);
    if (!prod) continue;
    AblationPair p;
    const int a = std::countr_zero(set);
    const int b = std::countr_zero(set & ~(1u << a));
    p.a = g.stack.levers[static_cast<std::size_t>(a)].name;
    p.b = g.stack.levers[static_cast<std::size_t>(b)].name;
    p.measured_interaction = measured[set] / *prod;
    if (predicted.contains(set))
      if (auto pp = product(predicted, set)) p.predicted_interaction = predicted[set] / *pp;
    r.pairs.push_back(std::move(p));
  }
  // Marginals: a lever added to a measured state of two or more levers, against the same state
  // without it (a cumulative ablation's steps, and what a pair's product cannot show when one
  // lever was never measured alone).
  for (const auto& [set, row] : by_set) {
    if (std::popcount(set) < 2) continue;
    for (std::size_t i = 0; i < n; ++i) {
      if (!((set >> i) & 1u)) continue;
      const std::uint32_t without = set & ~(1u << i);
      auto from = by_set.find(without);
      if (from == by_set.end()) continue;
      AblationMarginal m;
      m.lever = g.stack.levers[i].name;
      m.from_stage = from->second->stage;
      m.to_stage = row->stage;
      m.measured_factor = measured[set] / measured[without];
      if (predicted.contains(set) && predicted.contains(without))
        m.predicted_factor = predicted[set] / predicted[without];
      r.marginals.push_back(std::move(m));
    }
  }
  return r;
}

}  // namespace fleetsizer
