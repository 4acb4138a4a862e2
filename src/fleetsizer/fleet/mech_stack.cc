#include "fleetsizer/fleet/mech_stack.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/slo/model_search.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer {

std::string_view lever_kind_name(LeverKind kind) {
  switch (kind) {
    case LeverKind::weights_dtype:
      return "weights";
    case LeverKind::kv_dtype:
      return "kv";
    case LeverKind::paged_kv:
      return "paged-kv";
    case LeverKind::fused_attention:
      return "fused-attention";
    case LeverKind::continuous_batching:
      return "continuous-batching";
    case LeverKind::compiled:
      return "compiled";
    case LeverKind::speculative:
      return "speculative";
    case LeverKind::prefix_cache:
      return "prefix-cache";
    case LeverKind::distill:
      return "distill";
  }
  return "?";
}

std::string_view q_method_name(QMethod m) {
  switch (m) {
    case QMethod::analytic_static:
      return "analytic-static";
    case QMethod::analytic:
      return "analytic";
    case QMethod::simulated:
      return "simulated";
    case QMethod::product:
      return "product";
  }
  return "?";
}

std::string_view term_name(Term t) {
  switch (t) {
    case Term::gpus_per_replica:
      return "gpus_per_replica";
    case Term::running_cap:
      return "running_cap";
    case Term::step_time:
      return "step_time";
    case Term::tokens_per_step:
      return "tokens_per_step";
    case Term::prefill_time:
      return "prefill_time";
    case Term::batching:
      return "batching";
    case Term::none:
      return "none";
  }
  return "?";
}

namespace {

// What the levers of one set do to the step-time model.
struct StepLevers {
  bool fused = false;
  bool compiled = false;
  double prefix_hit_rate = 0;  // applied to the prefill work (analytic only; the simulator
                               // skips cached prompt tokens itself)
  bool speculative = false;
  int draft_tokens = 0;
  double acceptance = 0;
};

// E[tokens per verification] with k proposals each accepted with probability a until the first
// rejection, plus the target's own token (Leviathan et al. 2023, eq. 1): (1 - a^(k+1)) / (1 - a).
double expected_tokens(int k, double a) {
  if (a >= 1) return k + 1.0;
  return (1.0 - std::pow(a, k + 1)) / (1.0 - a);
}

// The replica's roofline with the levers' changes to the step: materialized attention traffic,
// eager launch cost, prefix-cache hits, speculative verification. Every added term is constant or
// proportional to the decode context, so the step stays affine in it (the simulator's closed-form
// decode jumps stay exact).
class LeverStepModel final : public StepTimeModel {
 public:
  LeverStepModel(const ReplicaSpec& spec, const Efficiency& eff, const StepLevers& levers,
                 const LeverConstants& k, const std::optional<ModelSpec>& draft)
      : target_(spec, eff), levers_(levers) {
    const ModelSpec& m = spec.model;
    bandwidth_ = spec.gpu.hbm_bandwidth_tb_s * units::kBytesPerTBs * eff.memory;
    score_bytes_per_context_ = k.materialized_bytes_per_score * static_cast<double>(m.heads) *
                               static_cast<double>(m.layers) / spec.tp;
    launch_s_ =
        k.eager_kernels_per_layer * static_cast<double>(m.layers) * k.eager_launch_us * 1e-6;
    if (levers.speculative && draft) {
      ReplicaSpec d = spec;
      d.model = *draft;
      // The draft runs inside the target's engine step: no second scheduler pass.
      Efficiency de = eff;
      de.step_overhead_ms = 0;
      de.per_seq_overhead_us = 0;
      draft_.emplace(d, de);
      draft_launch_s_ =
          k.eager_kernels_per_layer * static_cast<double>(draft->layers) * k.eager_launch_us * 1e-6;
      tokens_per_step_ = expected_tokens(levers.draft_tokens, levers.acceptance);
    }
  }

  StepTime step(const StepWork& in) const override {
    StepWork w = in;
    if (levers_.prefix_hit_rate > 0) {
      // The first h of every prompt is cached: its tokens are not computed, and the rest attend
      // to the whole prefix: sum over positions hN..N of i = N^2 (1 - h^2) / 2.
      const double h = levers_.prefix_hit_rate;
      w.prefill_tokens *= 1.0 - h;
      w.prefill_attended *= 1.0 - h * h;
    }
    if (!draft_ || w.decode_seqs <= 0) return plain(w);
    // Speculative: the target verifies k proposed tokens plus its own per sequence in one pass
    // (k extra query tokens, each attending to the sequence's context), the draft runs k decode
    // steps, and the step yields tokens_per_step tokens per sequence on average. The decode share
    // of the step is divided by that, so the simulator's one token per step has the right mean.
    StepWork verify = w;
    const double k = levers_.draft_tokens;
    verify.prefill_tokens += k * w.decode_seqs;
    verify.prefill_attended += k * w.decode_context;
    StepTime full = plain(verify);
    StepWork dwork;
    dwork.decode_seqs = w.decode_seqs;
    dwork.decode_context = w.decode_context;
    const StepTime dd = draft_->step(dwork);
    const double draft_s = k * (dd.total_s + (levers_.compiled ? 0.0 : draft_launch_s_));
    full.overhead_s += draft_s;
    full.total_s += draft_s;
    StepTime prefill_only;
    if (w.prefill_tokens > 0) {
      StepWork p = w;
      p.decode_seqs = 0;
      p.decode_context = 0;
      prefill_only = plain(p);
    }
    const double e = tokens_per_step_;
    auto mix = [&](double f, double p) { return p + (f - p) / e; };
    StepTime t;
    t.gemm_s = mix(full.gemm_s, prefill_only.gemm_s);
    t.attention_s = mix(full.attention_s, prefill_only.attention_s);
    t.lm_head_s = mix(full.lm_head_s, prefill_only.lm_head_s);
    t.comm_s = mix(full.comm_s, prefill_only.comm_s);
    t.overhead_s = mix(full.overhead_s, prefill_only.overhead_s);
    t.total_s = mix(full.total_s, prefill_only.total_s);
    t.gemm_compute_bound = full.gemm_compute_bound;
    return t;
  }
  bool linear_in_context() const override { return true; }
  double token_budget() const override { return target_.token_budget(); }
  double tokens_per_step() const { return tokens_per_step_; }

 private:
  StepTime plain(const StepWork& w) const {
    StepTime t = target_.step(w);
    if (w.prefill_tokens + w.decode_seqs <= 0) return t;
    if (!levers_.fused) {
      const double extra = score_bytes_per_context_ * (w.prefill_attended + w.decode_context);
      t.attention_s += extra / bandwidth_;
      t.total_s += extra / bandwidth_;
    }
    if (!levers_.compiled) {
      t.overhead_s += launch_s_;
      t.total_s += launch_s_;
    }
    return t;
  }

  RooflineModel target_;
  std::optional<RooflineModel> draft_;
  StepLevers levers_;
  double bandwidth_ = 0;
  double score_bytes_per_context_ = 0;
  double launch_s_ = 0;
  double draft_launch_s_ = 0;
  double tokens_per_step_ = 1;
};

// E[max of b draws] of a length distribution: what a static batch pads every sequence to.
double padded_length(const LengthSpec& s, double b) {
  if (b <= 1) return s.mean;
  switch (s.kind) {
    case LengthKind::fixed:
      return s.mean;
    case LengthKind::uniform:
      return s.min + (s.max - s.min) * b / (b + 1.0);  // exact for the continuous uniform
    case LengthKind::exponential: {
      double h = 0;  // E[max of b exponentials] = mean x H_b
      const auto n = static_cast<std::int64_t>(std::floor(b));
      for (std::int64_t i = 1; i <= n; ++i) h += 1.0 / static_cast<double>(i);
      return s.mean * h;
    }
    case LengthKind::lognormal: {
      // Extreme-value approximation: the max of b normals sits near sqrt(2 ln b) sigmas.
      const double mu = std::log(s.mean) - s.sigma * s.sigma / 2.0;
      return std::exp(mu + s.sigma * std::sqrt(2.0 * std::log(b)));
    }
    case LengthKind::empirical: {
      if (s.samples.empty()) return s.mean;
      std::vector<std::int64_t> v = s.samples;
      std::sort(v.begin(), v.end());
      const double q = b / (b + 1.0);
      const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
      return static_cast<double>(v[i]);
    }
  }
  return s.mean;
}

double wait_fraction(Percentile p) {
  switch (p) {
    case Percentile::p50:
      return 0.50;
    case Percentile::p90:
      return 0.90;
    case Percentile::p95:
      return 0.95;
    case Percentile::p99:
      return 0.99;
    case Percentile::mean:
      return 0.50;
  }
  return 0.99;
}

struct StaticBatch {
  double b = 0, cycle_s = 0, prefill_s = 0, decode_step_s = 0;
  double busy = 0;  // fraction of time a batch is running (1 once batches hold more than one)
  bool stable = false;
};

// Static batching at arrival rate `rate`: the requests that arrived while a batch ran form the
// next one (up to `cap`), its prompts padded to the longest are prefilled in one step, then it
// decodes for the longest output's steps and only then admits new requests. The batch b solves
// b = rate x T(b) (the fixed point of Little's law over one cycle).
StaticBatch static_batch(const StepTimeModel& m, const Workload& w, double rate, double cap) {
  auto cycle = [&](double b, StaticBatch& out) {
    const double isl = padded_length(w.input, b), osl = padded_length(w.output, b);
    StepWork p;
    p.with_prefill(b * isl, b, isl);
    out.prefill_s = m.step(p).total_s;
    out.decode_step_s = m.step(StepWork::decoding(b, isl + osl / 2.0)).total_s;
    out.cycle_s = out.prefill_s + std::max(0.0, osl - 1.0) * out.decode_step_s;
    out.b = b;
    return out.cycle_s;
  };
  StaticBatch s;
  if (rate * cycle(1.0, s) <= 1.0) {
    s.busy = rate * s.cycle_s;
    s.stable = true;
    return s;
  }
  if (rate * cycle(cap, s) > cap) return s;  // unstable
  double lo = 1.0, hi = cap;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (rate * cycle(mid, s) > mid)
      lo = mid;
    else
      hi = mid;
  }
  cycle(hi, s);
  s.busy = 1.0;
  s.stable = true;
  return s;
}

// Latency of a request under static batching: with probability `busy` it arrives while a batch
// runs and waits for it to end (the residual uniform over a cycle), then its own batch's prefill
// (TTFT) and cycle (E2E). The p-th percentile of the wait: 0 when 1 - p >= busy, else
// T (1 - (1 - p) / busy); its mean busy x T / 2.
double static_metric_ms(const StaticBatch& s, const SloTarget& t) {
  double wait = 0;
  if (t.percentile == Percentile::mean) {
    wait = s.busy * s.cycle_s / 2.0;
  } else {
    const double tail = 1.0 - wait_fraction(t.percentile);
    if (tail < s.busy) wait = s.cycle_s * (1.0 - tail / s.busy);
  }
  switch (t.metric) {
    case Metric::ttft:
      return (wait + s.prefill_s) * 1e3;
    case Metric::e2e:
      return (wait + s.cycle_s) * 1e3;
    default:  // tpot, itl: every decode step of the batch takes the same time
      return s.decode_step_s * 1e3;
  }
}

}  // namespace

StaticBatchingQ static_batching_q(const StepTimeModel& m, const Workload& w,
                                  const std::vector<SloTarget>& slo, double cap) {
  auto meets = [&](double rate, std::string* failing) {
    const StaticBatch s = static_batch(m, w, rate, cap);
    if (!s.stable) {
      if (failing) *failing = "capacity";
      return false;
    }
    for (const auto& t : slo)
      if (static_metric_ms(s, t) > t.ms) {
        if (failing) *failing = format_slo(t);
        return false;
      }
    return true;
  };
  StaticBatchingQ r;
  StaticBatch full;
  {
    StaticBatch tmp;
    const double isl = padded_length(w.input, cap), osl = padded_length(w.output, cap);
    StepWork p;
    p.with_prefill(cap * isl, cap, isl);
    tmp.cycle_s = m.step(p).total_s +
                  std::max(0.0, osl - 1.0) * m.step(StepWork::decoding(cap, isl + osl / 2)).total_s;
    full = tmp;
  }
  const double max_rate = cap / full.cycle_s;
  double lo = 0, hi = max_rate;
  const double tiny = max_rate * 1e-6;
  if (!meets(tiny, &r.binding)) return r;
  lo = tiny;
  for (int i = 0; i < 60 && (hi - lo) > 1e-4 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (meets(mid, nullptr))
      lo = mid;
    else
      hi = mid;
  }
  r.q_rps = lo;
  r.feasible = true;
  if (!meets(hi * (1 + 1e-9), &r.binding) && r.binding.empty()) r.binding = "capacity";
  return r;
}

namespace {

struct SetConfig {
  ReplicaSpec spec;
  StepLevers step;
  bool continuous = false;
  std::optional<ModelSpec> draft;
  Workload workload;
};

SetConfig configure(const MechStackInput& in, std::uint32_t set) {
  SetConfig c;
  c.spec = baseline_spec(in.scenario.replica, in.scenario.context_tokens);
  c.workload = in.scenario.workload;
  c.workload.prefix_hit_rate = 0;
  for (std::size_t i = 0; i < in.levers.size(); ++i) {
    if (!((set >> i) & 1u)) continue;
    const MechLever& l = in.levers[i];
    switch (l.kind) {
      case LeverKind::weights_dtype:
        c.spec.weights_dtype = l.dtype;
        break;
      case LeverKind::kv_dtype:
        c.spec.kv_dtype = l.dtype;
        break;
      case LeverKind::paged_kv:
        c.spec.memory.paged_kv = true;
        break;
      case LeverKind::fused_attention:
        c.step.fused = true;
        break;
      case LeverKind::continuous_batching:
        c.continuous = true;
        break;
      case LeverKind::compiled:
        c.step.compiled = true;
        break;
      case LeverKind::speculative:
        c.step.speculative = true;
        c.step.draft_tokens = l.draft_tokens;
        c.step.acceptance = l.acceptance;
        c.draft = l.model;
        break;
      case LeverKind::prefix_cache:
        c.step.prefix_hit_rate = l.prefix_hit_rate;
        c.workload.prefix_hit_rate = l.prefix_hit_rate;
        break;
      case LeverKind::distill:
        if (l.model) c.spec.model = *l.model;
        break;
    }
  }
  return c;
}

// The draft model's weights and KV live beside the target's: its weights (sharded like the
// target's) are a fixed reservation per GPU, and its KV takes its share r / (1 + r) of the KV
// budget, r = draft KV bytes per token / target KV bytes per token.
ReplicaSpec with_draft_reservation(const ReplicaSpec& spec, const ModelSpec& draft,
                                   std::int64_t context) {
  ReplicaSpec d = spec;
  d.model = draft;
  ReplicaSpec s = spec;
  s.memory.runtime_overhead_gib += weights_bytes(d) / spec.tp / units::kBytesPerGiB;
  const double r = kv_bytes_per_token_per_gpu(d) / kv_bytes_per_token_per_gpu(spec);
  const Footprint f = footprint_at(s, context);
  if (f.kv_budget_bytes_per_gpu > 0)
    s.memory.runtime_overhead_gib +=
        f.kv_budget_bytes_per_gpu * r / (1.0 + r) / units::kBytesPerGiB;
  return s;
}

Result<FleetPlan> price(const Scenario& sc, double q, int gpus) {
  FleetInputs fi;
  fi.target_rps = sc.target_qps;
  fi.replica_rps = q;
  fi.gpus_per_replica = gpus;
  fi.gpus_per_host = sc.gpus_per_host;
  fi.usd_per_gpu_hour =
      sc.usd_per_gpu_hour > 0 ? sc.usd_per_gpu_hour : sc.replica.gpu.usd_per_gpu_hour;
  fi.usd_per_host_hour = sc.usd_per_host_hour;
  fi.billing = sc.billing;
  fi.target_utilization = sc.target_utilization;
  fi.redundancy = sc.redundancy;
  return size_fleet(fi);
}

double gpu_price(const Scenario& sc) {
  if (sc.usd_per_host_hour > 0) return sc.usd_per_host_hour / sc.gpus_per_host;
  return sc.usd_per_gpu_hour > 0 ? sc.usd_per_gpu_hour : sc.replica.gpu.usd_per_gpu_hour;
}

std::vector<Term> moved_terms(const StackState& a, const StackState& b) {
  std::vector<std::pair<double, Term>> v;
  auto rel = [](double x, double y) { return x > 0 ? std::abs(y / x - 1.0) : (y > 0 ? 1.0 : 0.0); };
  v.push_back({rel(a.gpus, b.gpus), Term::gpus_per_replica});
  v.push_back({rel(static_cast<double>(a.running_cap), static_cast<double>(b.running_cap)),
               Term::running_cap});
  v.push_back({rel(a.decode_step_ms, b.decode_step_ms), Term::step_time});
  v.push_back({rel(a.tokens_per_step, b.tokens_per_step), Term::tokens_per_step});
  v.push_back({rel(a.prefill_ms, b.prefill_ms), Term::prefill_time});
  // The scheduler is not a number: a change of policy ranks first.
  if (a.continuous != b.continuous) v.push_back({INFINITY, Term::batching});
  std::stable_sort(v.begin(), v.end(), [](auto& x, auto& y) { return x.first > y.first; });
  std::vector<Term> out;
  for (const auto& [r, t] : v)
    if (r > 1e-9) out.push_back(t);
  if (out.empty()) out.push_back(Term::none);
  return out;
}

}  // namespace

ReplicaSpec baseline_spec(const ReplicaSpec& spec, std::int64_t context_tokens) {
  ReplicaSpec s = spec;
  s.weights_dtype = Dtype::fp16;
  s.kv_dtype = Dtype::fp16;
  s.memory.paged_kv = false;
  // Contiguous KV reserves the longest sequence the deployment allows, not the model's maximum.
  if (s.memory.max_model_len <= 0) s.memory.max_model_len = context_tokens;
  return s;
}

namespace {

// One set of levers at one layout (tp x pp): footprint, q and the fleet it needs.
Result<StackState> evaluate_layout(const MechStackInput& in, SetConfig c, int tp, int pp,
                                   bool simulate) {
  const Scenario& sc = in.scenario;
  StackState st;
  c.spec.tp = tp;
  c.spec.pp = pp;
  const ReplicaSpec fit_spec =
      c.draft ? with_draft_reservation(c.spec, *c.draft, sc.context_tokens) : c.spec;
  const Footprint fp = footprint_at(fit_spec, sc.context_tokens);
  st.gpus = fp.gpus;
  st.weights_gb = units::gb_from_bytes(weights_bytes(c.spec));
  st.kv_bytes_per_token = fp.kv_bytes_per_token;
  st.kv_capacity_tokens = fp.kv_capacity_tokens;
  st.fits = fp.fits;
  if (!st.fits) {
    st.binding = "does_not_fit";
    return st;
  }
  const Efficiency eff = efficiency_for(sc.profile, c.spec.gpu.name, c.spec.engine);
  const LeverStepModel model(c.spec, eff, c.step, in.constants, c.draft);
  st.tokens_per_step = model.tokens_per_step();
  const double isl = c.workload.isl(), osl = c.workload.osl();
  st.decode_step_ms = model.step(StepWork::decoding(8, isl + osl / 2.0)).total_s * 1e3;
  StepWork one_prompt;
  one_prompt.with_prefill(isl, 1, isl);
  st.prefill_ms = model.step(one_prompt).total_s * 1e3;
  st.continuous = c.continuous;
  const auto context_needed = static_cast<std::int64_t>(std::ceil(isl + osl));
  st.running_cap = footprint_at(fit_spec, context_needed).max_running;
  if (st.running_cap < 1) {
    st.fits = false;
    st.binding = "does_not_fit";
    return st;
  }
  double q = 0;
  if (!c.continuous) {
    const StaticBatchingQ r =
        static_batching_q(model, c.workload, sc.slo, static_cast<double>(st.running_cap));
    st.q_method = QMethod::analytic_static;
    st.feasible = r.feasible;
    q = r.q_rps;
    st.binding = r.feasible ? r.binding : "no_rate: " + r.binding;
  } else {
    auto ev = evaluate_analytic(fit_spec, model, c.workload, sc.slo, sc.context_tokens, in.search);
    if (!ev) return fail(ev.error().message);
    st.q_method = QMethod::analytic;
    st.feasible = ev->analytic_feasible;
    q = ev->q_analytic_rps;
    st.binding = ev->analytic_binding_target ? format_slo(*ev->analytic_binding_target)
                                             : std::string(binding_name(ev->analytic_binding));
    if (simulate && st.feasible) {
      // The simulator skips cached prompt tokens itself: its model must not skip them again.
      StepLevers sim_levers = c.step;
      sim_levers.prefix_hit_rate = 0;
      const LeverStepModel sim_model(c.spec, eff, sim_levers, in.constants, c.draft);
      auto sim = simulate_q(std::move(*ev), sim_model, c.workload, sc.slo, in.search);
      if (!sim) return fail(sim.error().message);
      if (in.search.confirm_seeds > 0) {
        sim = confirm_q(std::move(*sim), sim_model, c.workload, sc.slo, in.search);
        if (!sim) return fail(sim.error().message);
      }
      st.q_method = QMethod::simulated;
      st.feasible = sim->feasible;
      q = sim->q_rps;
      st.binding = sim->binding_target ? format_slo(*sim->binding_target)
                                       : std::string(binding_name(sim->binding));
    }
  }
  st.q_rps = st.feasible ? q : 0;
  st.usd_per_replica_hour = st.gpus * gpu_price(sc);
  if (st.feasible) {
    auto plan = price(sc, st.q_rps, st.gpus);
    if (!plan) return fail(plan.error().message);
    st.replicas = plan->replicas;
    st.hosts = plan->hosts;
    st.usd_per_hour = plan->usd_per_hour;
  }
  return st;
}

}  // namespace

// The layouts a deployment would choose between: from the smallest that fits up to max_tp
// (doubling TP), or the scenario's own TP. A footprint lever lets a replica fit on fewer GPUs,
// but the cheapest fleet may still use more (a bigger KV cache, a faster step): the state keeps
// the layout of the lowest $/hr, the fewest GPUs among equals.
Result<StackState> evaluate_lever_set(const MechStackInput& in, std::uint32_t set, bool simulate) {
  const Scenario& sc = in.scenario;
  const SetConfig c = configure(in, set);
  std::vector<std::pair<int, int>> layouts;
  if (sc.tp) {
    layouts.emplace_back(*sc.tp, 1);
  } else {
    // With a draft model the reservation depends on the layout (its weights shard over TP).
    ReplicaSpec probe = c.spec;
    FitResult fit = find_fit(probe, sc.context_tokens, sc.fit_bounds);
    if (c.draft && fit.fits) {
      for (int pass = 0; pass < 4; ++pass) {
        probe.tp = fit.footprint.tp;
        probe.pp = fit.footprint.pp;
        const FitResult next = find_fit(with_draft_reservation(probe, *c.draft, sc.context_tokens),
                                        sc.context_tokens, sc.fit_bounds);
        const bool same =
            next.footprint.tp == fit.footprint.tp && next.footprint.pp == fit.footprint.pp;
        fit = next;
        if (same || !fit.fits) break;
      }
    }
    if (!fit.fits) {
      StackState st;
      st.set = set;
      st.gpus = fit.footprint.gpus;
      st.weights_gb = units::gb_from_bytes(weights_bytes(c.spec));
      st.binding = "does_not_fit";
      return st;
    }
    layouts.emplace_back(fit.footprint.tp, fit.footprint.pp);
    if (fit.footprint.pp == 1)
      for (int tp = fit.footprint.tp * 2; tp <= sc.fit_bounds.max_tp; tp *= 2)
        if (valid_tensor_parallel(c.spec.model, tp)) layouts.emplace_back(tp, 1);
  }
  std::optional<StackState> best;
  std::pair<int, int> best_layout;
  for (const auto& [tp, pp] : layouts) {
    auto st = evaluate_layout(in, c, tp, pp, false);
    if (!st) return st;
    const bool better =
        !best || (st->feasible && (!best->feasible || st->usd_per_hour < best->usd_per_hour));
    if (better) {
      best = std::move(*st);
      best_layout = {tp, pp};
    }
  }
  if (simulate && best->feasible) {
    auto st = evaluate_layout(in, c, best_layout.first, best_layout.second, true);
    if (!st) return st;
    best = std::move(*st);
  }
  best->set = set;
  return *best;
}

Result<double> predicted_tok_s_per_gpu(const MechStackInput& in, std::uint32_t set, int num_gpus,
                                       double isl, double osl, std::optional<double> concurrency) {
  MechStackInput x = in;
  x.scenario.workload = fixed_workload(isl, osl);
  SetConfig c = configure(x, set);
  c.spec.tp = num_gpus;
  c.spec.pp = 1;
  const auto context = static_cast<std::int64_t>(std::ceil(isl + osl));
  const ReplicaSpec fit_spec = c.draft ? with_draft_reservation(c.spec, *c.draft, context) : c.spec;
  const Footprint f = footprint_at(fit_spec, context);
  if (!f.fits || f.max_running < 1)
    return fail(fmt::format("{} on {} x{} does not fit ({})", c.spec.model.name, c.spec.gpu.name,
                            num_gpus, f.bottleneck));
  const Efficiency eff = efficiency_for(in.scenario.profile, c.spec.gpu.name, c.spec.engine);
  const LeverStepModel model(c.spec, eff, c.step, in.constants, c.draft);
  const auto cap = static_cast<double>(f.max_running);
  const Lengths lengths{isl, osl};
  double tok_s = 0;
  if (!c.continuous) {
    const double b = concurrency ? std::min(*concurrency, cap) : cap;
    StepWork p;
    p.with_prefill(b * isl, b, isl);
    const double cycle =
        model.step(p).total_s +
        std::max(0.0, osl - 1.0) * model.step(StepWork::decoding(b, isl + osl / 2.0)).total_s;
    tok_s = b * osl / cycle;
  } else if (concurrency) {
    tok_s = closed_loop(model, lengths, *concurrency, f.max_running, eff.wave_sync).output_tok_s;
  } else {
    tok_s = max_stable_rate(model, lengths, f.max_running) * osl;
  }
  return tok_s / num_gpus;
}

std::vector<double> shapley_values(const std::vector<double>& v, std::size_t n) {
  std::vector<double> fact(n + 1, 1.0);
  for (std::size_t i = 1; i <= n; ++i) fact[i] = fact[i - 1] * static_cast<double>(i);
  std::vector<double> phi(n, 0.0);
  const std::uint32_t full = (1u << n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::uint32_t s = 0; s < full; ++s) {
      if ((s >> i) & 1u) continue;
      const auto size = static_cast<std::size_t>(std::popcount(s));
      const double w = fact[size] * fact[n - size - 1] / fact[n];
      phi[i] += w * (v[s | (1u << i)] - v[s]);
    }
  }
  return phi;
}

Result<MechStackResult> evaluate_mech_stack(const MechStackInput& in) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t n = in.levers.size();
  if (n > 12) return fail(fmt::format("at most 12 levers (4096 sets), got {}", n));
  if (in.scenario.target_qps <= 0) return fail("target_qps must be > 0");
  if (in.scenario.slo.empty()) return fail("the stack needs at least one SLO target (--slo ...)");
  MechStackResult r;
  r.levers = in.levers;
  r.interactions = in.interactions;
  const std::uint32_t full = 1u << n;
  // The sets along the given order (baseline, {0}, {0,1}, ...) are simulated when asked.
  std::vector<bool> on_path(full, false);
  for (std::size_t i = 0; i <= n; ++i) on_path[(1u << i) - 1u] = true;
  r.states.resize(full);
  const Scenario& sc = in.scenario;
  if (in.interactions) {
    // The sets are independent: spread over the hardware threads, interleaved so that cheap
    // (static) and dearer (continuous, simulated) sets balance; the result does not depend on how.
    std::vector<std::optional<Result<StackState>>> done(full);
    // A trace's request factory is not known to be safe to call from several threads: simulated
    // runs over a trace stay on one.
    const bool serial = in.simulate && static_cast<bool>(in.scenario.workload.trace);
    const std::size_t threads =
        serial ? 1 : std::min<std::size_t>(full, std::max(1u, std::thread::hardware_concurrency()));
    {
      std::vector<std::jthread> pool;
      for (std::size_t t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          for (std::size_t s = t; s < full; s += threads)
            done[s] =
                evaluate_lever_set(in, static_cast<std::uint32_t>(s), in.simulate && on_path[s]);
        });
    }
    for (std::uint32_t s = 0; s < full; ++s) {
      if (!*done[s]) return fail(done[s]->error().message);
      r.states[s] = std::move(**done[s]);
    }
  } else {
    // Each lever measured alone against the baseline; the factors multiply and the cost is the
    // continuous Q / (q u) x g x price.
    std::vector<StackState> alone(n);
    auto base = evaluate_lever_set(in, 0, in.simulate);
    if (!base) return fail(base.error().message);
    for (std::size_t i = 0; i < n; ++i) {
      auto st = evaluate_lever_set(in, 1u << i, in.simulate);
      if (!st) return fail(st.error().message);
      alone[i] = std::move(*st);
    }
    for (std::uint32_t s = 0; s < full; ++s) {
      StackState st = *base;
      st.set = s;
      st.q_method = QMethod::product;
      double q = base->q_rps, g = base->gpus;
      bool feasible = base->feasible;
      for (std::size_t i = 0; i < n; ++i) {
        if (!((s >> i) & 1u)) continue;
        feasible = feasible && alone[i].feasible;
        q *= base->q_rps > 0 ? alone[i].q_rps / base->q_rps : 0;
        g *= static_cast<double>(alone[i].gpus) / base->gpus;
        st.running_cap =
            alone[i].running_cap != base->running_cap ? alone[i].running_cap : st.running_cap;
        st.tokens_per_step *= alone[i].tokens_per_step / base->tokens_per_step;
        st.decode_step_ms *= alone[i].decode_step_ms / base->decode_step_ms;
      }
      st.feasible = feasible && q > 0;
      st.q_rps = st.feasible ? q : 0;
      st.gpus = static_cast<int>(std::lround(g));
      st.usd_per_replica_hour = g * gpu_price(sc);
      if (st.feasible) {
        const double replicas = sc.target_qps / (q * sc.target_utilization);
        st.replicas = static_cast<std::int64_t>(std::ceil(replicas));
        st.usd_per_hour = replicas * st.usd_per_replica_hour;
      }
      r.states[s] = st;
    }
  }
  if (!r.states[0].feasible)
    return fail(fmt::format(
        "the baseline ({} fp16, static batch, eager on {}) {}", sc.replica.model.name,
        sc.replica.gpu.name,
        r.states[0].fits ? "meets no rate under the SLO: " + r.states[0].binding : "does not fit"));
  // Rows: the given order.
  {
    MechRow base;
    base.label = "fp16, static batch, eager";
    base.state = r.states[0];
    base.moved = {Term::none};
    r.rows.push_back(base);
    std::uint32_t s = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const StackState& before = r.states[s];
      s |= 1u << i;
      MechRow row;
      row.label = "+ " + in.levers[i].name;
      row.state = r.states[s];
      if (before.feasible && row.state.feasible) {
        row.q_factor = row.state.q_rps / before.q_rps;
        row.c_factor = row.state.usd_per_replica_hour / before.usd_per_replica_hour;
        row.usd_factor = row.state.usd_per_hour / before.usd_per_hour;
      }
      row.moved = moved_terms(before, row.state);
      r.rows.push_back(std::move(row));
    }
  }
  r.all_feasible =
      std::all_of(r.states.begin(), r.states.end(), [](const StackState& s) { return s.feasible; });
  const double base_cost = r.states[0].usd_per_hour;
  const double final_cost = r.states[full - 1].usd_per_hour;
  r.total_usd_per_hour_saved = r.states[full - 1].feasible ? base_cost - final_cost : 0;
  // Orders: every permutation is a walk through the sets.
  if (n <= 8) {
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    do {
      MechOrder o;
      o.sequence = perm;
      o.saved_usd_per_hour.assign(n, 0.0);
      std::uint32_t s = 0;
      for (std::size_t i : perm) {
        const std::uint32_t next = s | (1u << i);
        if (r.states[s].feasible && r.states[next].feasible)
          o.saved_usd_per_hour[i] = r.states[s].usd_per_hour - r.states[next].usd_per_hour;
        s = next;
      }
      o.final_usd_per_hour = r.states[s].usd_per_hour;
      r.orders.push_back(std::move(o));
    } while (std::next_permutation(perm.begin(), perm.end()));
    for (std::size_t i = 0; i < r.orders.size(); ++i) {
      if (r.orders[i].final_usd_per_hour < r.orders[r.best].final_usd_per_hour) r.best = i;
      if (r.orders[i].final_usd_per_hour > r.orders[r.worst].final_usd_per_hour) r.worst = i;
    }
    r.spread_usd_per_hour =
        r.orders[r.worst].final_usd_per_hour - r.orders[r.best].final_usd_per_hour;
  }
  if (r.all_feasible) {
    std::vector<double> saving(full), log_cost(full);
    for (std::uint32_t s = 0; s < full; ++s) {
      saving[s] = base_cost - r.states[s].usd_per_hour;
      log_cost[s] = std::log(r.states[s].usd_per_hour);
    }
    const auto phi = shapley_values(saving, n);
    const auto phi_log = shapley_values(log_cost, n);
    for (std::size_t i = 0; i < n; ++i) {
      ShapleyValue v;
      v.lever = in.levers[i].name;
      v.usd_per_hour_saved = phi[i];
      v.cost_factor = std::exp(phi_log[i]);
      // The extremes of its marginal saving: over every set it can join.
      v.min_saved_usd_per_hour = INFINITY;
      v.max_saved_usd_per_hour = -INFINITY;
      for (std::uint32_t s = 0; s < full; ++s) {
        if ((s >> i) & 1u) continue;
        const double d = saving[s | (1u << i)] - saving[s];
        v.min_saved_usd_per_hour = std::min(v.min_saved_usd_per_hour, d);
        v.max_saved_usd_per_hour = std::max(v.max_saved_usd_per_hour, d);
      }
      r.shapley.push_back(std::move(v));
    }
  }
  r.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace fleetsizer
