#include "fleetsizer/search/search.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>

#include "fleetsizer/fleet/scenario_fleet.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer {

std::string_view plan_status_name(PlanStatus s) {
  switch (s) {
    case PlanStatus::chosen:
      return "chosen";
    case PlanStatus::feasible:
      return "feasible";
    case PlanStatus::over_budget:
      return "over_budget";
    case PlanStatus::misses_slo:
      return "misses_slo";
    case PlanStatus::does_not_fit:
      return "does_not_fit";
    case PlanStatus::bounded_out:
      return "bounded_out";
    case PlanStatus::no_price:
      return "no_price";
  }
  return "bounded_out";
}

std::string_view q_source_name(QSource s) {
  switch (s) {
    case QSource::bound:
      return "bound";
    case QSource::analytic:
      return "analytic";
    case QSource::simulation:
      return "simulation";
  }
  return "bound";
}

Result<FleetPlan> fleet_for(const Scenario& s, const ReplicaSpec& spec, double q,
                            double usd_per_gpu_hour, std::int64_t spares,
                            std::int64_t simulated_replicas) {
  // The scenario's fleet, priced per GPU type (search takes no host price) with these spares.
  FleetInputs in = fleet_inputs(s, q, spec.gpus());
  in.usd_per_gpu_hour = usd_per_gpu_hour;
  in.usd_per_host_hour = 0;
  in.redundancy = static_cast<int>(std::min<std::int64_t>(spares, 1 << 30));
  in.simulated_replicas = simulated_replicas;
  return size_fleet(in);
}

std::vector<int> pareto_frontier(const std::vector<std::pair<double, double>>& points) {
  std::vector<int> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  // By x descending (ties: y descending, then index); a point is on the frontier when its y beats
  // every point with a larger x.
  std::ranges::stable_sort(order, [&](int a, int b) {
    const auto& pa = points[static_cast<std::size_t>(a)];
    const auto& pb = points[static_cast<std::size_t>(b)];
    if (pa.first != pb.first) return pa.first > pb.first;
    return pa.second > pb.second;
  });
  std::vector<int> frontier;
  double best_y = -INFINITY;
  for (int i : order) {
    const double y = points[static_cast<std::size_t>(i)].second;
    if (y > best_y) {
      frontier.push_back(i);
      best_y = y;
    }
  }
  std::ranges::reverse(frontier);
  return frontier;
}

Result<PricedFleet> priced_fleet(const Scenario& s, const SearchOptions& o, const ReplicaSpec& spec,
                                 double q, double usd_per_gpu_hour,
                                 std::int64_t simulated_replicas) {
  auto serving = fleet_for(s, spec, q, usd_per_gpu_hour, 0, simulated_replicas);
  if (!serving) return fail(serving.error().message);
  PricedFleet out;
  out.replica_down_probability =
      o.availability ? replica_down_probability(spec.gpus(), o.failures) : 0;
  if (o.availability && !(out.replica_down_probability < kMaxDownProbability))
    return fail(fmt::format("a replica of {} GPUs would be down {:.1f}% of the time", spec.gpus(),
                            out.replica_down_probability * 100));
  out.availability_spares =
      o.availability
          ? spares_for(serving->serving_replicas, out.replica_down_probability, o.failures.target)
          : 0;
  out.spares = std::max<std::int64_t>(s.redundancy, out.availability_spares);
  auto fleet = fleet_for(s, spec, q, usd_per_gpu_hour, out.spares, simulated_replicas);
  if (!fleet) return fail(fleet.error().message);
  out.fleet = *fleet;
  return out;
}

namespace {

// Runs fn(i) for i in [0, n) on `threads` threads; each index runs once, on one thread.
template <class Fn>
void parallel_for(std::size_t n, int threads, Fn fn) {
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  if (workers == 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::jthread> pool;
  for (std::size_t w = 0; w < std::min(workers, n); ++w)
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) fn(i);
    });
}

// Closed-form and simulation batches have a fixed size, so which specs are evaluated does not
// depend on the thread count.
constexpr std::size_t kBatch = 16;

int thread_count(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// The first error of a batch, by index (so the message does not depend on thread timing).
Result<void> first_error(const std::vector<std::string>& errors) {
  for (const std::string& e : errors)
    if (!e.empty()) return fail(e);
  return {};
}

// See the header, step 2. Every step that carries R running sequences also carries their decode
// work, so it takes at least the decode-only step at R (the roofline is monotone in the work);
// Little's law gives R = q (osl - 1) t, so q <= R / ((osl - 1) step(R)), and R is at most the
// running cap and the share of the token budget decodes get at the workload's prompt/output mix.
// R / step(R) grows with R for a step affine in the batch, so it is largest at R_max; it is
// evaluated on a grid up to R_max to stay an upper bound for any step-time shape.
}  // namespace

Screen screen_spec(const StepTimeModel& model, const Workload& w, const std::vector<SloTarget>& slo,
                   std::int64_t running_cap) {
  Screen out;
  const double I = std::max(1.0, w.isl()), O = std::max(1.0, w.osl());
  const double budget = model.token_budget();
  // Latency floors of a request alone in the replica, at the mean lengths: a bound on every
  // request only when every request has those lengths (fixed lengths, no trace).
  const bool fixed_lengths =
      !w.trace && w.input.kind == LengthKind::fixed && w.output.kind == LengthKind::fixed;
  const double tpot_floor_ms = units::ms_from_s(model.step(StepWork::decoding(1, I)).total_s);
  const double chunk = std::min(I, budget);
  const double ttft_floor_ms =
      units::ms_from_s(model.step(StepWork::decoding(0, 0).with_prefill(chunk, 1, I)).total_s);
  for (const SloTarget& t : slo) {
    double floor_ms = 0;
    switch (t.metric) {
      case Metric::tpot:
      case Metric::itl:
        floor_ms = O >= 2 ? tpot_floor_ms : 0;
        break;
      case Metric::ttft:
        // A prefix-cache hit shortens the prefill below the whole prompt's.
        floor_ms = w.prefix_hit_rate > 0 ? 0 : ttft_floor_ms;
        break;
      case Metric::e2e:
        floor_ms = (w.prefix_hit_rate > 0 ? 0 : ttft_floor_ms) + (O - 1) * tpot_floor_ms;
        break;
    }
    if (fixed_lengths && floor_ms > t.ms &&
        (!out.floor || floor_ms / t.ms > out.floor->floor_ms / out.floor->target.ms))
      out.floor = LatencyFloor{t, floor_ms};
  }
  if (O < 2) return out;
  // Prompts prefill only their uncached part; the decode context still holds the whole prompt.
  const double prefill = I * (1 - std::clamp(w.prefix_hit_rate, 0.0, 1.0));
  const double r_max =
      std::min(static_cast<double>(running_cap), budget * (O - 1) / (prefill + O - 1));
  if (!(r_max > 0)) {
    out.q_bound = 0;
    return out;
  }
  double best = 0;
  constexpr int kGrid = 8;
  for (int j = 1; j <= kGrid; ++j) {
    const double r = r_max * j / kGrid;
    const double step = model.step(StepWork::decoding(r, I + O / 2.0)).total_s;
    if (step > 0) best = std::max(best, r / step);
  }
  out.q_bound = best / (O - 1);
  return out;
}

namespace {

Result<void> price_plan(const Scenario& s, const SearchOptions& o, PlanEvaluation& p,
                        std::int64_t simulated_replicas = 0) {
  auto priced = priced_fleet(s, o, p.spec, p.q_rps, p.usd_per_gpu_hour, simulated_replicas);
  if (!priced) return fail(priced.error().message);
  p.fleet = priced->fleet;
  p.spares = priced->spares;
  p.availability_spares = priced->availability_spares;
  p.replica_down_probability = priced->replica_down_probability;
  return {};
}

// N at p50 and p95 of the plan's error band: the real q is q x ratio.
Result<void> error_bars(const Scenario& s, const SearchOptions& o, PlanEvaluation& p,
                        std::int64_t simulated_replicas) {
  p.band = o.bands.for_plan(p.spec.engine, p.spec.gpu.name);
  p.replicas_p50 = p.replicas_p95 = p.fleet.replicas;
  p.usd_per_hour_p50 = p.usd_per_hour_p95 = p.fleet.usd_per_hour;
  if (p.band.basis == BandBasis::none) return {};
  auto at = [&](double ratio) -> Result<FleetPlan> {
    if (!(ratio > 0)) return fail("an error band's ratio must be positive");
    PlanEvaluation scaled = p;
    scaled.q_rps = p.q_rps * ratio;
    const auto sim = simulated_replicas > 0
                         ? static_cast<std::int64_t>(
                               std::ceil(static_cast<double>(simulated_replicas) / ratio - 1e-9))
                         : 0;
    if (auto r = price_plan(s, o, scaled, sim); !r) return fail(r.error().message);
    return scaled.fleet;
  };
  auto p50 = at(p.band.band.ratio_p50);
  auto p95 = at(p.band.band.ratio_p05);
  if (!p50 || !p95) {
    // A band so pessimistic that the fleet is absurd: report the point estimate only.
    p.band = {};
    return {};
  }
  p.replicas_p50 = p50->replicas;
  p.usd_per_hour_p50 = p50->usd_per_hour;
  p.replicas_p95 = p95->replicas;
  p.usd_per_hour_p95 = p95->usd_per_hour;
  return {};
}

int rank_group(const PlanEvaluation& p) {
  switch (p.status) {
    case PlanStatus::chosen:
      return 0;
    case PlanStatus::feasible:
    case PlanStatus::over_budget:
      return p.verified() ? 1 : 2;
    case PlanStatus::misses_slo:
      return 3;
    case PlanStatus::bounded_out:
      return 4;
    case PlanStatus::does_not_fit:
      return 5;
    case PlanStatus::no_price:
      return 6;
  }
  return 6;
}

double rank_cost(const PlanEvaluation& p) {
  switch (p.status) {
    case PlanStatus::chosen:
    case PlanStatus::feasible:
    case PlanStatus::over_budget:
      return p.fleet.usd_per_hour;
    case PlanStatus::bounded_out:
      return p.usd_per_hour_lower_bound;
    case PlanStatus::misses_slo:
      return p.miss_ratio;  // the closest to meeting its SLO first
    default:
      return 0;
  }
}

}  // namespace

bool tie_breaks_before(const PlanEvaluation& a, const PlanEvaluation& b) {
  if (a.fleet.gpus != b.fleet.gpus) return a.fleet.gpus < b.fleet.gpus;
  return a.q_rps / a.spec.gpus() > b.q_rps / b.spec.gpus();
}

Result<SearchResult> search_plans(const Scenario& s, const SearchSpace& space,
                                  const SearchOptions& o) {
  if (!units::is_positive_finite(s.target_qps))
    return fail(fmt::format("target_qps must be a positive number, got {}", s.target_qps));
  if (o.verify_top < 1) return fail(fmt::format("verify_top must be >= 1, got {}", o.verify_top));
  if (!(o.prune_ratio >= 1) || !std::isfinite(o.prune_ratio))
    return fail(fmt::format("prune_ratio must be >= 1, got {}", o.prune_ratio));
  if (o.threads < 0 || o.threads > kMaxThreads)
    return fail(fmt::format("threads must be in [0, {}], got {}", kMaxThreads, o.threads));
  if (o.availability && !(o.failures.target > 0 && o.failures.target < 1))
    return fail(fmt::format("availability target must be in (0, 1), got {}", o.failures.target));
  if (o.availability && (!units::is_nonnegative_finite(o.failures.gpu_failures_per_year) ||
                         !units::is_nonnegative_finite(o.failures.repair_hours)))
    return fail("failure rate and repair time must be non-negative numbers");
  if (o.budget_usd_per_hour && !units::is_positive_finite(*o.budget_usd_per_hour))
    return fail(fmt::format("budget must be a positive $/hour, got {}", *o.budget_usd_per_hour));
  for (int tp : space.tps)
    if (!valid_tensor_parallel(s.replica.model, tp)) {
      std::vector<int> valid;
      for (int t = 1; t <= 64; t *= 2)
        if (valid_tensor_parallel(s.replica.model, t)) valid.push_back(t);
      return fail(fmt::format("tps: TP {} does not divide {}'s attention heads; TPs it takes: {}",
                              tp, s.replica.model.name, fmt::join(valid, ", ")));
    }
  if (o.availability) {
    int most_gpus = 1;
    for (const GpuSpec& g : space.gpus.empty() ? std::vector{s.replica.gpu} : space.gpus)
      most_gpus =
          std::max(most_gpus, std::min(g.gpus_per_host, s.fit_bounds.max_tp) * s.fit_bounds.max_pp);
    const double p = replica_down_probability(most_gpus, o.failures);
    if (!(p < kMaxDownProbability))
      return fail(fmt::format(
          "a replica of {} GPUs would be down {:.1f}% of the time ({} failures per GPU-year, {} h "
          "repair): check --gpu-failures-per-year and --repair-hours",
          most_gpus, p * 100, o.failures.gpu_failures_per_year, o.failures.repair_hours));
  }
  const int threads = thread_count(o.threads);
  SearchResult result;
  Enumeration e =
      enumerate_space(s.replica, space, s.context_tokens, s.gpus_per_host, s.fit_bounds);
  if (e.specs.empty() && e.unfit.empty()) {
    std::vector<std::string> runs;
    for (const GpuSpec& g : space.gpus.empty() ? std::vector{s.replica.gpu} : space.gpus) {
      std::vector<std::string> w, kv;
      for (Dtype d : supported_weight_dtypes(g)) w.emplace_back(dtype_name(d));
      for (Dtype d : supported_kv_dtypes(g)) kv.emplace_back(dtype_name(d));
      runs.push_back(fmt::format("{} runs weights {} and KV {}", g.name, fmt::join(w, "/"),
                                 fmt::join(kv, "/")));
    }
    return fail(fmt::format("the search space is empty: no GPU runs the listed dtypes ({})",
                            fmt::join(runs, "; ")));
  }
  result.counts.examined = e.examined;
  result.counts.pruned_by_memory = e.pruned_by_memory;
  const std::size_t n = e.specs.size();
  std::vector<PlanEvaluation> plans(n);
  std::vector<std::string> errors(n);
  // Prefix-cache hits leave isl x (1 - hit rate) prompt tokens to prefill (the closed form's
  // prompt; the KV cache and the decode context still hold the whole prompt).
  const double hit = std::clamp(s.workload.prefix_hit_rate, 0.0, 1.0);
  const Lengths lengths{s.workload.isl(), s.workload.osl()};
  auto model_of = [&](const ReplicaSpec& spec) {
    return RooflineModel(spec, efficiency_for(s.profile, spec.gpu.name, spec.engine));
  };
  QSearchOptions single = o.q;
  single.progress = nullptr;  // many specs at once: the search reports plans, not their rates
  single.confirm_seeds = 0;
  single.requests = std::min(o.q.search_requests, o.q.requests);
  single.analytic_rel_tolerance = kSearchAnalyticTolerance;

  // 1-2. Footprint, price and screen.
  parallel_for(n, threads, [&](std::size_t i) {
    PlanEvaluation& p = plans[i];
    p.spec = std::move(e.specs[i]);
    p.footprint = footprint_at(p.spec, s.context_tokens);
    const std::int64_t cap =
        footprint_at(p.spec, static_cast<std::int64_t>(std::ceil(lengths.isl + lengths.osl)))
            .max_running;
    if (!p.footprint.fits || cap < 1) {
      p.status = PlanStatus::does_not_fit;
      return;
    }
    const GpuPrice* price = o.prices.find(p.spec.gpu.name);
    if (!price) {
      p.status = PlanStatus::no_price;
      return;
    }
    p.usd_per_gpu_hour = price->usd_per_gpu_hour;
    p.price_source = price->source;
    p.illustrative_price = price->illustrative;
    const RooflineModel model = model_of(p.spec);
    const Screen sc = screen_spec(model, s.workload, s.slo, cap);
    p.q_bound_rps = sc.q_bound;
    if (sc.floor) {
      p.latency_floor = sc.floor;
      p.status = PlanStatus::misses_slo;
      p.miss_ratio = sc.floor->floor_ms / sc.floor->target.ms;
      p.evaluation.analytic_binding = Binding::no_rate;
      p.evaluation.analytic_binding_target = sc.floor->target;
      return;
    }
    p.q_rps = sc.q_bound;
    if (!std::isfinite(sc.q_bound)) {
      p.usd_per_hour_lower_bound = 0;
    } else if (!(sc.q_bound > 0)) {
      p.usd_per_hour_lower_bound = INFINITY;
    } else {
      auto lb = fleet_for(s, p.spec, sc.q_bound, p.usd_per_gpu_hour, s.redundancy);
      p.usd_per_hour_lower_bound = lb ? lb->usd_per_hour : INFINITY;
    }
    p.status = PlanStatus::bounded_out;
  });
  for (ReplicaSpec& spec : e.unfit) {
    PlanEvaluation p;
    p.spec = std::move(spec);
    p.footprint = footprint_at(p.spec, s.context_tokens);
    p.status = PlanStatus::does_not_fit;
    plans.push_back(std::move(p));
  }
  errors.resize(plans.size());
  std::vector<std::size_t> order;  // the screened specs, by cost bound
  for (std::size_t i = 0; i < n; ++i) {
    if (plans[i].status == PlanStatus::bounded_out) order.push_back(i);
    if (plans[i].status != PlanStatus::does_not_fit && plans[i].status != PlanStatus::no_price)
      ++result.counts.screened;
    if (plans[i].latency_floor) ++result.counts.ruled_out_by_floor;
  }
  std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) {
    return plans[a].usd_per_hour_lower_bound < plans[b].usd_per_hour_lower_bound;
  });

  // The closed form of a batch of specs (in parallel; results by index).
  auto evaluate = [&](const std::vector<std::size_t>& batch) -> Result<void> {
    parallel_for(batch.size(), threads, [&](std::size_t j) {
      const std::size_t i = batch[j];
      PlanEvaluation& p = plans[i];
      const RooflineModel model = model_of(p.spec);
      Workload w = s.workload;
      w.input.mean = lengths.isl * (1 - hit);
      auto ev = evaluate_analytic(p.spec, model, w, s.slo, s.context_tokens, single, p.q_bound_rps);
      if (!ev) {
        errors[i] = ev.error().message;
        return;
      }
      p.evaluation = std::move(*ev);
      p.evaluated = true;
      if (!p.evaluation.fits) {
        p.status = PlanStatus::does_not_fit;
        return;
      }
      if (!p.evaluation.analytic_feasible || !(p.evaluation.q_analytic_rps > 0)) {
        p.status = PlanStatus::misses_slo;
        if (const auto& t = p.evaluation.analytic_binding_target)
          p.miss_ratio = metric_ms(p.evaluation.analytic, t->metric, t->percentile) / t->ms;
        return;
      }
      p.q_source = QSource::analytic;
      p.q_rps = p.evaluation.q_analytic_rps;
      if (auto r = price_plan(s, o, p); !r) {
        // A fleet beyond 1e12 replicas: this spec is useless for the target, not an error.
        p.status = PlanStatus::misses_slo;
        p.q_source = QSource::bound;
        p.miss_ratio = INFINITY;
        return;
      }
      p.analytic_fleet = p.fleet;
      const SteadyState& a = p.evaluation.analytic;
      p.output_tok_s_per_gpu = a.output_tok_s / p.spec.gpus();
      p.output_tok_s_per_user = a.tpot_ms.mean > 0 ? 1000.0 / a.tpot_ms.mean : 0;
      p.status = PlanStatus::feasible;
    });
    result.counts.analytic += static_cast<std::int64_t>(batch.size());
    return first_error(errors);
  };
  // The simulated q of a batch of closed-form-feasible specs.
  std::vector<char> simulated(plans.size(), 0);
  std::atomic<std::int64_t> plans_simulated{0};
  auto simulate = [&](const std::vector<std::size_t>& batch) -> Result<void> {
    const auto batch_start = static_cast<double>(plans_simulated.load());
    parallel_for(batch.size(), threads, [&](std::size_t j) {
      struct Tick {  // counts the plan however its simulation ends
        std::atomic<std::int64_t>& n;
        const SearchOptions& o;
        double total;
        ~Tick() {
          const auto done = static_cast<double>(++n);
          if (o.progress) o.progress({"simulating plans", done, total, "plans"});
        }
      } tick{plans_simulated, o, batch_start + static_cast<double>(batch.size())};
      const std::size_t i = batch[j];
      PlanEvaluation& p = plans[i];
      const RooflineModel model = model_of(p.spec);
      auto ev = simulate_q(p.evaluation, model, s.workload, s.slo, single);
      if (!ev) {
        errors[i] = ev.error().message;
        return;
      }
      p.evaluation = std::move(*ev);
      p.q_source = QSource::simulation;
      if (!p.evaluation.feasible || !(p.evaluation.q_rps > 0)) {
        p.status = PlanStatus::misses_slo;
        p.q_rps = 0;
        p.miss_ratio = INFINITY;
        for (const TargetCheck& c : p.evaluation.at_q.checks)
          if (!c.holds) p.miss_ratio = std::min(p.miss_ratio, c.value_ms / c.target.ms);
        return;
      }
      p.q_rps = p.evaluation.q_rps;
      if (auto r = price_plan(s, o, p); !r) errors[i] = r.error().message;
    });
    for (std::size_t i : batch) simulated[i] = 1;
    result.counts.simulated += static_cast<std::int64_t>(batch.size());
    return first_error(errors);
  };

  // 3. The closed form, in order of the cost bound, until the bound passes prune_ratio x the
  // verify_top-th cheapest closed-form cost.
  std::vector<double> feasible_costs;
  double threshold = INFINITY;
  std::size_t done = 0;
  while (done < order.size() && plans[order[done]].usd_per_hour_lower_bound <= threshold) {
    const std::size_t end = std::min(order.size(), done + kBatch);
    const std::vector<std::size_t> batch(order.begin() + static_cast<std::ptrdiff_t>(done),
                                         order.begin() + static_cast<std::ptrdiff_t>(end));
    if (auto r = evaluate(batch); !r) return fail(r.error().message);
    for (std::size_t i : batch)
      if (plans[i].status == PlanStatus::feasible)
        feasible_costs.push_back(plans[i].fleet.usd_per_hour);
    done = end;
    if (feasible_costs.size() >= static_cast<std::size_t>(o.verify_top)) {
      std::ranges::nth_element(feasible_costs, feasible_costs.begin() + (o.verify_top - 1));
      threshold = o.prune_ratio * feasible_costs[static_cast<std::size_t>(o.verify_top - 1)];
    }
  }

  // 4. Simulate the verify_top cheapest by the closed form; then, while any plan not simulated
  // is cheaper by the closed form than the cheapest verified one (or, never evaluated, has a cost
  // bound below it), evaluate and simulate it too. On exit no plan left unverified is cheaper
  // than the chosen one by the closed form or by its bound. Ties: the fewest GPUs in use, then
  // the highest q per GPU.
  auto before = [&](const PlanEvaluation& a, const PlanEvaluation& b) {
    if (a.fleet.usd_per_hour != b.fleet.usd_per_hour)
      return a.fleet.usd_per_hour < b.fleet.usd_per_hour;
    return tie_breaks_before(a, b);
  };
  auto cheapest = [&]() -> int {
    int best = -1;
    for (std::size_t i = 0; i < plans.size(); ++i) {
      const PlanEvaluation& p = plans[i];
      if (p.status != PlanStatus::feasible || !p.verified()) continue;
      if (best < 0 || before(p, plans[static_cast<std::size_t>(best)])) best = static_cast<int>(i);
    }
    return best;
  };
  auto unverified = [&]() {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < plans.size(); ++i)
      if (plans[i].status == PlanStatus::feasible && !simulated[i]) out.push_back(i);
    std::ranges::stable_sort(
        out, [&](std::size_t a, std::size_t b) { return before(plans[a], plans[b]); });
    return out;
  };
  {
    std::vector<std::size_t> first = unverified();
    if (first.size() > static_cast<std::size_t>(o.verify_top))
      first.resize(static_cast<std::size_t>(o.verify_top));
    if (auto r = simulate(first); !r) return fail(r.error().message);
  }
  std::vector<char> confirmed(plans.size(), 0);
  int chosen = -1;
  while (true) {
    while (true) {
      const int inc = cheapest();
      const PlanEvaluation* incumbent = inc >= 0 ? &plans[static_cast<std::size_t>(inc)] : nullptr;
      std::vector<std::size_t> batch;
      for (std::size_t i : unverified()) {
        if (incumbent && !before(plans[i], *incumbent)) break;
        batch.push_back(i);
        if (batch.size() == kBatch) break;
      }
      if (!batch.empty()) {
        if (auto r = simulate(batch); !r) return fail(r.error().message);
        continue;
      }
      std::vector<std::size_t> bounded;
      for (std::size_t i : order) {
        if (plans[i].status != PlanStatus::bounded_out) continue;
        if (incumbent && !(plans[i].usd_per_hour_lower_bound < incumbent->fleet.usd_per_hour))
          break;
        bounded.push_back(i);
        if (bounded.size() == kBatch) break;
      }
      if (bounded.empty()) break;
      if (auto r = evaluate(bounded); !r) return fail(r.error().message);
    }
    chosen = cheapest();
    if (chosen < 0 || o.q.confirm_seeds <= 0 || confirmed[static_cast<std::size_t>(chosen)]) break;
    // Confirm with more seeds; confirmation can only lower a q, so the plan may lose its place
    // and the loop above runs again against the new incumbent.
    PlanEvaluation& p = plans[static_cast<std::size_t>(chosen)];
    const RooflineModel model = model_of(p.spec);
    auto c = confirm_q(p.evaluation, model, s.workload, s.slo, o.q);
    if (!c) return fail(c.error().message);
    p.evaluation = std::move(*c);
    confirmed[static_cast<std::size_t>(chosen)] = 1;
    if (!p.evaluation.feasible || !(p.evaluation.q_rps > 0)) {
      p.status = PlanStatus::misses_slo;
      p.miss_ratio = 1;
    } else {
      p.q_rps = p.evaluation.q_rps;
      if (auto r = price_plan(s, o, p); !r) return fail(r.error().message);
    }
  }
  for (std::size_t i = 0; i < plans.size(); ++i)
    if (plans[i].status == PlanStatus::bounded_out) ++result.counts.bounded_out;

  // The chosen plan's whole fleet at the target rate.
  std::int64_t simulated_replicas = 0;
  if (chosen >= 0 && o.simulate_fleet) {
    PlanEvaluation& p = plans[static_cast<std::size_t>(chosen)];
    if (p.fleet.headroom_replicas > kMaxSimulatedReplicas) {
      result.fleet_check_skipped = fmt::format(
          "the fleet was not simulated: {} replicas exceed the {} the fleet check simulates",
          p.fleet.headroom_replicas, kMaxSimulatedReplicas);
    } else {
      const RooflineModel model = model_of(p.spec);
      auto v = verify_fleet(model, p.evaluation.replica, s.workload, s.slo, s.router, s.target_qps,
                            static_cast<int>(p.fleet.headroom_replicas), o.q);
      if (!v) return fail(v.error().message);
      result.verification = std::move(*v);
      if (result.verification->met) {
        simulated_replicas = result.verification->replicas;
        if (auto r = price_plan(s, o, p, simulated_replicas); !r) return fail(r.error().message);
      }
    }
  }

  // Error bars, status against the chosen plan and the budget.
  for (std::size_t i = 0; i < plans.size(); ++i) {
    PlanEvaluation& p = plans[i];
    if (p.status != PlanStatus::feasible) continue;
    const std::int64_t sim = static_cast<int>(i) == chosen ? simulated_replicas : 0;
    if (auto r = error_bars(s, o, p, sim); !r) return fail(r.error().message);
  }
  const double chosen_cost =
      chosen >= 0 ? plans[static_cast<std::size_t>(chosen)].fleet.usd_per_hour : 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    PlanEvaluation& p = plans[i];
    if (p.status != PlanStatus::feasible) continue;
    if (chosen_cost > 0) p.dearer_pct = (p.fleet.usd_per_hour / chosen_cost - 1) * 100;
    if (o.budget_usd_per_hour && p.fleet.usd_per_hour > *o.budget_usd_per_hour)
      p.status = PlanStatus::over_budget;
    else if (static_cast<int>(i) == chosen)
      p.status = PlanStatus::chosen;
  }

  // Rank.
  std::vector<std::size_t> ranked(plans.size());
  std::iota(ranked.begin(), ranked.end(), 0);
  std::ranges::stable_sort(ranked, [&](std::size_t a, std::size_t b) {
    const int ga = rank_group(plans[a]), gb = rank_group(plans[b]);
    if (ga != gb) return ga < gb;
    const double ca = rank_cost(plans[a]), cb = rank_cost(plans[b]);
    if (ca != cb) return ca < cb;
    return tie_breaks_before(plans[a], plans[b]);
  });
  result.plans.reserve(plans.size());
  for (std::size_t i : ranked) result.plans.push_back(std::move(plans[i]));
  result.chosen =
      !result.plans.empty() && result.plans.front().status == PlanStatus::chosen ? 0 : -1;

  // The frontier over every plan that meets the SLO at its closed-form operating point (the specs
  // the search evaluated: a pruned one is dearer, not necessarily off the frontier).
  std::vector<std::pair<double, double>> points;
  std::vector<int> index;
  for (std::size_t i = 0; i < result.plans.size(); ++i) {
    const PlanEvaluation& p = result.plans[i];
    const bool meets = p.status == PlanStatus::chosen || p.status == PlanStatus::feasible ||
                       p.status == PlanStatus::over_budget;
    if (meets && p.output_tok_s_per_user > 0 && p.output_tok_s_per_gpu > 0) {
      points.emplace_back(p.output_tok_s_per_user, p.output_tok_s_per_gpu);
      index.push_back(static_cast<int>(i));
    }
  }
  for (int k : pareto_frontier(points)) result.pareto.push_back(index[static_cast<std::size_t>(k)]);
  return result;
}

}  // namespace fleetsizer
