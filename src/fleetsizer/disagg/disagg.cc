#include "fleetsizer/disagg/disagg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fleetsizer/fleet/scenario_fleet.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/decode_only.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/slo/model_search.h"

namespace fleetsizer {
namespace {

std::int64_t tokens(double n) {
  return static_cast<std::int64_t>(std::ceil(n));
}

// The scenario's own price applies to its own GPU (the user may have set it); any other GPU is at
// its catalog price.
double price_of(const Scenario& base, const GpuSpec& gpu) {
  return gpu.name == base.replica.gpu.name ? base.usd_per_gpu_hour : gpu.usd_per_gpu_hour;
}

// The user's target behind a target searched with (the prefill pool searches the TTFT budget left
// after the transfer; reasons name the target as the user wrote it).
SloTarget shown(const SloTarget& t, const std::vector<SloTarget>& searched,
                const std::vector<SloTarget>& user) {
  for (std::size_t i = 0; i < searched.size() && i < user.size(); ++i)
    if (searched[i].metric == t.metric && searched[i].percentile == t.percentile &&
        searched[i].ms == t.ms)
      return user[i];
  return t;
}

// The search's answer as a pool replica's q and its binding.
void take_search(PoolPlan& p, const ModelSearchResult& r, const std::vector<SloTarget>& searched,
                 const std::vector<SloTarget>& user) {
  p.at_q = r.state;
  if (!r.feasible) {
    p.reason = r.reason.empty() ? "no rate meets the SLO" : r.reason;
    for (const auto& c : r.checks)
      if (!c.holds) {
        p.reason = fmt::format("{} is {:.1f} ms even at a trickle",
                               format_slo(shown(c.target, searched, user)),
                               c.value_ms + (c.target.ms != shown(c.target, searched, user).ms
                                                 ? shown(c.target, searched, user).ms - c.target.ms
                                                 : 0.0));
        break;
      }
    return;
  }
  p.q_compute_rps = p.q_rps = r.value;
  p.binding = r.binding_target ? format_slo(shown(*r.binding_target, searched, user)) : "capacity";
  p.feasible = p.q_rps > 0;
}

// Searches the largest rate meeting `targets` and takes it as the pool's q.
void search_q(PoolPlan& p, const StepTimeModel& model, const Lengths& lengths,
              const std::vector<SloTarget>& searched, const std::vector<SloTarget>& user) {
  take_search(p,
              largest_rate_meeting(model, lengths, searched, p.running_cap, kDisaggRateTolerance),
              searched, user);
}

ReplicaSpec pool_spec(const Scenario& base, const PoolOptions& o, const GpuSpec& gpu, int tp) {
  ReplicaSpec spec = base.replica;
  spec.gpu = gpu;
  spec.tp = tp;
  spec.pp = 1;
  spec.weights_dtype = o.weights_dtype;
  spec.kv_dtype = o.kv_dtype;
  spec.limits = o.limits;
  return spec;
}

// Every TP of the pool on this GPU: the given one, or every valid power of two from the smallest
// that fits the context up to a host.
std::vector<int> tps_for(const ReplicaSpec& spec, const std::optional<int>& tp,
                         std::int64_t context, const FitBounds& bounds) {
  if (tp) return {*tp};
  const FitResult fit = find_fit(spec, context, bounds);
  std::vector<int> out;
  if (!fit.fits || fit.footprint.pp > 1) return out;
  for (int t = fit.footprint.tp; t <= std::min(bounds.max_tp, spec.gpu.gpus_per_host); t *= 2)
    if (valid_tensor_parallel(spec.model, t)) out.push_back(t);
  return out;
}

}  // namespace

Result<void> price_pool(PoolPlan& p, const Scenario& base, std::int64_t simulated_replicas) {
  FleetInputs in = fleet_inputs(base, p.q_rps, p.spec.gpus());
  in.usd_per_gpu_hour = p.usd_per_gpu_hour = price_of(base, p.spec.gpu);
  in.gpus_per_host =
      p.spec.gpu.name == base.replica.gpu.name ? base.gpus_per_host : p.spec.gpu.gpus_per_host;
  if (p.spec.gpu.name != base.replica.gpu.name) in.usd_per_host_hour = 0;
  // Output tokens come from the decode (or colocated) pool; $/1M tokens is not a prefill figure.
  in.output_tokens_per_request = p.kind == PoolKind::prefill ? 0 : base.workload.osl();
  in.simulated_replicas = simulated_replicas;
  auto fleet = size_fleet(in);
  if (!fleet) return fail(fleet.error().message);
  p.fleet = *fleet;
  return {};
}

namespace {

// The cheapest feasible pool over the candidate GPUs and TPs; when none is feasible, the first
// candidate's reason (which pool, which constraint).
template <class Capacity>
Result<PoolPlan> cheapest_pool(PoolKind kind, const Scenario& base, const PoolOptions& o,
                               std::int64_t context, Capacity capacity) {
  std::optional<PoolPlan> best, first;
  for (const GpuSpec& gpu : o.gpus) {
    const ReplicaSpec probe = pool_spec(base, o, gpu, 1);
    const auto tps = tps_for(probe, o.tp, context, base.fit_bounds);
    if (tps.empty() && !first) {
      PoolPlan p;
      p.kind = kind;
      p.spec = probe;
      p.reason = fmt::format("{} does not fit on {} up to TP {}", probe.model.name, gpu.name,
                             std::min(base.fit_bounds.max_tp, gpu.gpus_per_host));
      first = p;
    }
    for (int tp : tps) {
      PoolPlan p = capacity(pool_spec(base, o, gpu, tp));
      p.kind = kind;
      if (p.feasible) {
        if (auto r = price_pool(p, base); !r) return fail(r.error().message);
        if (!best || p.fleet.usd_per_hour < best->fleet.usd_per_hour * (1 - 1e-12) ||
            (p.fleet.usd_per_hour <= best->fleet.usd_per_hour * (1 + 1e-12) &&
             p.fleet.gpus < best->fleet.gpus))
          best = p;
      } else if (!first || first->reason.find("does not fit") != std::string::npos) {
        first = p;
      }
    }
  }
  if (best) return *best;
  PoolPlan none = first.value_or(PoolPlan{});
  none.kind = kind;
  if (none.reason.empty()) none.reason = "no candidate GPU";
  none.reason = fmt::format("{} pool: {}", pool_name(kind), none.reason);
  return none;
}

}  // namespace

std::string_view pool_name(PoolKind kind) {
  switch (kind) {
    case PoolKind::prefill:
      return "prefill";
    case PoolKind::decode:
      return "decode";
    case PoolKind::colocated:
      return "colocated";
  }
  return "?";
}

Result<SplitSlo> split_slo(const std::vector<SloTarget>& slo) {
  SplitSlo out;
  for (const auto& t : slo) {
    if (t.metric == Metric::ttft)
      out.prefill.push_back(t);
    else if (t.metric == Metric::tpot || t.metric == Metric::itl)
      out.decode.push_back(t);
    else
      return fail(fmt::format(
          "{}: disaggregated sizing gives TTFT targets to the prefill pool and TPOT/ITL targets "
          "to the decode pool; an {} target spans both",
          format_slo(t), metric_name(t.metric)));
  }
  if (out.prefill.empty() || out.decode.empty())
    return fail(
        "disaggregated sizing needs a TTFT target (prefill pool) and a TPOT or ITL target "
        "(decode pool), e.g. --slo ttft:p99=2000 --slo tpot:p99=50");
  return out;
}

PoolPlan prefill_replica(const ReplicaSpec& spec, const Scenario& base, const KvLink& link,
                         const std::vector<SloTarget>& ttft) {
  PoolPlan p;
  p.kind = PoolKind::prefill;
  p.spec = spec;
  const double isl = base.workload.isl();
  const Footprint fp = footprint_at(spec, tokens(isl + 1));
  p.running_cap = fp.max_running;
  if (!fp.fits || fp.max_running < 1) {
    p.reason = fmt::format("does not fit at TP {}: {}", spec.tp, fp.bottleneck);
    return p;
  }
  // The decode pool needs the whole prompt's KV, cached prefix or not.
  p.kv_bytes_per_request = isl * fp.kv_bytes_per_token;
  p.transfer_ms = kv_transfer_s(link, p.kv_bytes_per_request, spec.tp) * 1e3;
  std::vector<SloTarget> budget = ttft;
  for (auto& t : budget) {
    t.ms -= p.transfer_ms;
    if (t.ms <= 0) {
      p.link_binds = true;
      p.binding = "kv link";
      p.reason = fmt::format(
          "the KV transfer of {:.1f} MB over {} ({} GB/s x {} lanes) takes {:.1f} ms, more than "
          "{}",
          p.kv_bytes_per_request / 1e6, link.name, link.gb_s, spec.tp, p.transfer_ms,
          format_slo(t.metric == Metric::ttft
                         ? SloTarget{t.metric, t.percentile, t.ms + p.transfer_ms}
                         : t));
      return p;
    }
  }
  const RooflineModel model(spec, efficiency_for(base.profile, spec.gpu.name, spec.engine));
  const Lengths prompt{isl * (1 - base.workload.prefix_hit_rate), 1};
  search_q(p, model, prompt, budget, ttft);
  p.q_link_rps =
      kLinkUtilizationCap * link.gb_s * 1e9 * spec.tp / std::max(1.0, p.kv_bytes_per_request);
  if (p.feasible && p.q_link_rps < p.q_rps) {
    p.q_rps = p.q_link_rps;
    p.link_binds = true;
    p.binding = "kv link";
  }
  return p;
}

PoolPlan decode_replica(const ReplicaSpec& spec, const Scenario& base,
                        const std::vector<SloTarget>& tpot) {
  PoolPlan p;
  p.kind = PoolKind::decode;
  p.spec = spec;
  const Lengths lengths{base.workload.isl(), base.workload.osl()};
  const Footprint fp = footprint_at(spec, tokens(lengths.isl + lengths.osl));
  p.running_cap = fp.max_running;
  if (!fp.fits || fp.max_running < 1) {
    p.reason = fmt::format("does not fit at TP {}: {}", spec.tp, fp.bottleneck);
    return p;
  }
  const RooflineModel roofline(spec, efficiency_for(base.profile, spec.gpu.name, spec.engine));
  const DecodeOnlyModel model(roofline);
  // A request waiting for a decode slot (KV-limited) delays its second token: the wait to join
  // plus the joining step may take at most two token times, so that the queue at the KV cap
  // cannot stretch TPOT (the two-pool simulation counts that wait in TPOT).
  std::vector<SloTarget> targets = tpot;
  for (const auto& t : tpot) targets.push_back({Metric::ttft, t.percentile, 2 * t.ms});
  search_q(p, model, lengths, targets, targets);
  if (p.feasible && p.binding.starts_with("ttft"))
    p.binding = "decode slot wait (KV-limited running cap)";
  return p;
}

PoolPlan colocated_replica(const ReplicaSpec& spec, const Scenario& base) {
  PoolPlan p;
  p.kind = PoolKind::colocated;
  p.spec = spec;
  const double isl = base.workload.isl(), osl = base.workload.osl();
  const Footprint fp = footprint_at(spec, tokens(isl + osl));
  p.running_cap = fp.max_running;
  if (!fp.fits || fp.max_running < 1) {
    p.reason = fmt::format("does not fit at TP {}: {}", spec.tp, fp.bottleneck);
    return p;
  }
  const RooflineModel model(spec, efficiency_for(base.profile, spec.gpu.name, spec.engine));
  // The same prefix-hit discount on prompt work as the prefill pool gets.
  const Lengths lengths{isl * (1 - base.workload.prefix_hit_rate), osl};
  search_q(p, model, lengths, base.slo, base.slo);
  return p;
}

Result<DisaggPlan> plan_disagg(const DisaggInputs& in) {
  const Scenario& base = in.base;
  const double isl = base.workload.isl(), osl = base.workload.osl();
  if (!(isl >= 1)) return fail(fmt::format("isl must be >= 1 token, got {}", isl));
  if (!(osl >= 2))
    return fail(fmt::format(
        "osl must be >= 2: a disaggregated request hands its second token onward to the decode "
        "pool, and with osl {} there is no decode phase (size it as one pool)",
        osl));
  if (!(base.target_qps > 0)) return fail("target_qps must be > 0");
  if (in.prefill.gpus.empty() || in.decode.gpus.empty()) return fail("no GPU for a pool");
  if (!(in.link.gb_s > 0))
    return fail(fmt::format("KV link {}: bandwidth must be > 0", in.link.name));
  auto split = split_slo(base.slo);
  if (!split) return fail(split.error().message);
  DisaggPlan plan;
  plan.isl = isl;
  plan.osl = osl;
  const std::int64_t context = tokens(isl + osl);
  auto prefill = cheapest_pool(
      PoolKind::prefill, base, in.prefill, tokens(isl + 1),
      [&](const ReplicaSpec& s) { return prefill_replica(s, base, in.link, split->prefill); });
  if (!prefill) return fail(prefill.error().message);
  auto decode =
      cheapest_pool(PoolKind::decode, base, in.decode, context,
                    [&](const ReplicaSpec& s) { return decode_replica(s, base, split->decode); });
  if (!decode) return fail(decode.error().message);
  // The colocated pool may use any GPU either pool may, at the scenario's engine limits.
  PoolOptions colocated{in.prefill.gpus, base.tp, base.replica.weights_dtype, base.replica.kv_dtype,
                        base.replica.limits};
  for (const auto& g : in.decode.gpus)
    if (std::ranges::none_of(colocated.gpus, [&](const GpuSpec& c) { return c.name == g.name; }))
      colocated.gpus.push_back(g);
  auto coloc = cheapest_pool(PoolKind::colocated, base, colocated, context,
                             [&](const ReplicaSpec& s) { return colocated_replica(s, base); });
  if (!coloc) return fail(coloc.error().message);
  plan.prefill = std::move(*prefill);
  plan.decode = std::move(*decode);
  plan.colocated = std::move(*coloc);
  total_plan(plan);
  if (plan.colocated.feasible) {
    // Interference on the colocated spec: its two phases run apart at zero transfer cost.
    const ReplicaSpec& s = plan.colocated.spec;
    const PoolPlan p = prefill_replica(s, base, KvLink{"none", INFINITY, 0}, split->prefill);
    const PoolPlan d = decode_replica(s, base, split->decode);
    if (p.feasible && d.feasible) {
      plan.ideal_time_shared_rps = 1 / (1 / p.q_rps + 1 / d.q_rps);
      const double ideal_usd = base.target_qps /
                               (plan.ideal_time_shared_rps * base.target_utilization) * s.gpus() *
                               plan.colocated.usd_per_gpu_hour;
      plan.interference_usd_per_hour = plan.colocated.fleet.usd_per_hour - ideal_usd;
    }
  }
  return plan;
}

void total_plan(DisaggPlan& plan) {
  plan.feasible = plan.prefill.feasible && plan.decode.feasible;
  plan.usd_per_hour = plan.saving_usd_per_hour = plan.prefill_share = 0;
  if (plan.feasible) {
    plan.usd_per_hour = plan.prefill.fleet.usd_per_hour + plan.decode.fleet.usd_per_hour;
    plan.prefill_share = static_cast<double>(plan.prefill.fleet.gpus) /
                         static_cast<double>(plan.prefill.fleet.gpus + plan.decode.fleet.gpus);
  }
  plan.winner.clear();
  if (plan.feasible && plan.colocated.feasible) {
    plan.saving_usd_per_hour = plan.colocated.fleet.usd_per_hour - plan.usd_per_hour;
    plan.winner = plan.saving_usd_per_hour > 0 ? "disaggregated" : "colocated";
  } else if (plan.feasible) {
    plan.winner = "disaggregated";
  } else if (plan.colocated.feasible) {
    plan.winner = "colocated";
  }
}

std::vector<double> sweep_lengths(double a, double b, int points) {
  std::vector<double> out;
  if (points <= 1 || a == b) return {std::round(a)};
  for (int i = 0; i < points; ++i) {
    const double v = std::round(a * std::pow(b / a, static_cast<double>(i) / (points - 1)));
    if (out.empty() || v > out.back()) out.push_back(v);
  }
  return out;
}

double crossover_isl(const std::vector<DisaggPlan>& sweep) {
  for (std::size_t i = 1; i < sweep.size(); ++i)
    if (!sweep[i].winner.empty() && !sweep[i - 1].winner.empty() &&
        sweep[i].winner != sweep[i - 1].winner)
      return sweep[i].isl;
  return 0;
}

}  // namespace fleetsizer
