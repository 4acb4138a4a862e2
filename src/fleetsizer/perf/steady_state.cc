#include "fleetsizer/perf/steady_state.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace fleetsizer {
namespace {

struct Group {
  double count, ttft, tpot, e2e;
};

// Quantile of a weighted sample by sorting groups on the value.
double weighted_quantile(std::vector<Group> groups, double Group::*value, double q) {
  std::ranges::sort(groups, {}, value);
  double total = 0;
  for (const auto& g : groups) total += g.count;
  double seen = 0;
  for (const auto& g : groups) {
    seen += g.count;
    if (seen >= q * total - 1e-9) return g.*value;
  }
  return groups.back().*value;
}

LatencyStats stats(const std::vector<Group>& groups, double Group::*value) {
  LatencyStats s;
  double total = 0, sum = 0;
  for (const auto& g : groups) {
    total += g.count;
    sum += g.count * g.*value;
  }
  s.mean = sum / total;
  s.p50 = weighted_quantile(groups, value, 0.50);
  s.p90 = weighted_quantile(groups, value, 0.90);
  s.p95 = weighted_quantile(groups, value, 0.95);
  s.p99 = weighted_quantile(groups, value, 0.99);
  return s;
}

void shift(LatencyStats& s, double by) {
  s.mean += by;
  s.p50 += by;
  s.p90 += by;
  s.p95 += by;
  s.p99 += by;
}

double z_score(double p) {
  if (p >= 0.99) return 2.3263;
  if (p >= 0.95) return 1.6449;
  if (p >= 0.90) return 1.2816;
  return 0.0;
}

}  // namespace

double statistic(const LatencyStats& l, Percentile p) {
  switch (p) {
    case Percentile::mean:
      return l.mean;
    case Percentile::p50:
      return l.p50;
    case Percentile::p90:
      return l.p90;
    case Percentile::p95:
      return l.p95;
    case Percentile::p99:
      return l.p99;
  }
  return l.mean;
}

double metric_ms(const SteadyState& s, Metric metric, Percentile p) {
  return statistic(metric == Metric::ttft  ? s.ttft_ms
                   : metric == Metric::e2e ? s.e2e_ms
                                           : s.tpot_ms,
                   p);
}

SteadyState closed_loop(const StepTimeModel& model, const Lengths& w, double concurrency,
                        std::int64_t max_running, double wave_sync) {
  SteadyState s;
  s.offered = concurrency;
  const double I = std::max(1.0, w.isl), O = std::max(1.0, w.osl);
  double b = std::floor(concurrency);
  if (b > static_cast<double>(max_running)) {
    b = static_cast<double>(max_running);
    s.limit = "running sequences capped at " + std::to_string(max_running) +
              " (engine max_num_seqs or KV capacity)";
  }
  b = std::max(1.0, b);
  s.running = b;
  const double budget = model.token_budget();

  // Prefill phase of a wave: chunks of the token budget, decodes of finished prompts riding along.
  struct StepMark {
    double end_time, prefilled;
  };
  std::vector<StepMark> marks;
  double remaining = b * I, done_tokens = 0, time = 0, prefilled = 0, mixed_time = 0;
  while (remaining > 0.5) {
    const double decodes = prefilled;
    const double chunk = std::min(remaining, std::max(budget - decodes, 1.0));
    const StepWork work =
        StepWork::decoding(decodes, I).with_prefill(chunk, std::ceil(chunk / I), I);
    time += model.step(work).total_s;
    remaining -= chunk;
    done_tokens += chunk;
    prefilled = std::min(b, std::floor(done_tokens / I + 1e-9));
    marks.push_back({time, prefilled});
  }
  mixed_time = time;
  const double prefill_end = time;
  const std::size_t n = marks.size();
  const double t_decode = model.step(StepWork::decoding(b, I + O / 2.0)).total_s;

  std::vector<Group> groups;
  double previous = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double count = marks[i].prefilled - previous;
    previous = marks[i].prefilled;
    if (count <= 0) continue;
    const double ttft = marks[i].end_time;
    const double tokens_in_prefill = static_cast<double>(n - 1 - i);  // one per later mixed step
    double e2e;
    if (tokens_in_prefill >= O - 1) {
      e2e = marks[std::min(n - 1, i + static_cast<std::size_t>(O - 1))].end_time;
    } else {
      e2e = prefill_end + (O - 1 - tokens_in_prefill) * t_decode;
    }
    const double tpot = O > 1 ? (e2e - ttft) / (O - 1) : 0.0;
    groups.push_back({count, ttft * 1e3, tpot * 1e3, e2e * 1e3});
  }
  const LatencyStats wave_ttft = stats(groups, &Group::ttft);
  const LatencyStats wave_tpot = stats(groups, &Group::tpot);

  // Spread clients: each step carries the prefills of the requests that replaced the ones just
  // finished, X x I x t tokens, where X = b / E2E (Little's law); solved by fixed-point iteration.
  double t = t_decode, spread_ttft = 0;
  for (int iter = 0; iter < 100; ++iter) {
    const double room = std::max(budget - b, 1.0);
    const double own_steps = std::ceil(I / room);
    spread_ttft = (own_steps + 0.5) * t;
    const double x = b / (spread_ttft + (O - 1) * t);
    const StepWork mixed = StepWork::decoding(b, I + O / 2.0).with_prefill(x * I * t, x * t, I);
    const double next = model.step(mixed).total_s;
    if (std::abs(next - t) < 1e-12 + 1e-9 * t) {
      t = next;
      break;
    }
    t = next;
  }
  const double sync = std::clamp(wave_sync, 0.0, 1.0);
  auto blend = [&](const LatencyStats& wave, double spread_mean, double spread_p99) {
    const double spread_p50 = spread_mean;
    return LatencyStats{
        sync * wave.mean + (1 - sync) * spread_mean, sync * wave.p50 + (1 - sync) * spread_p50,
        sync * wave.p90 + (1 - sync) * spread_p99, sync * wave.p95 + (1 - sync) * spread_p99,
        sync * wave.p99 + (1 - sync) * spread_p99};
  };
  s.ttft_ms = blend(wave_ttft, spread_ttft * 1e3, (spread_ttft + 0.5 * t) * 1e3);
  s.tpot_ms = blend(wave_tpot, t * 1e3, t * 1e3);
  const double e2e_mean = s.ttft_ms.mean + (O - 1) * s.tpot_ms.mean;
  s.e2e_ms = {e2e_mean, s.ttft_ms.p50 + (O - 1) * s.tpot_ms.p50,
              s.ttft_ms.p90 + (O - 1) * s.tpot_ms.p90, s.ttft_ms.p95 + (O - 1) * s.tpot_ms.p95,
              s.ttft_ms.p99 + (O - 1) * s.tpot_ms.p99};
  s.prefill_step_ms = mixed_time / static_cast<double>(n) * 1e3;
  s.decode_step_ms = t_decode * 1e3;
  s.request_rate = b / (s.e2e_ms.mean / 1e3);
  // Clients beyond the running batch wait for a slot: by Little's law each request's total time
  // is C / X, the excess over the running E2E is queueing, seen as TTFT.
  if (concurrency > b) {
    const double total_ms = concurrency / s.request_rate * 1e3;
    s.queue_ms = total_ms - s.e2e_ms.mean;
    shift(s.ttft_ms, s.queue_ms);
    shift(s.e2e_ms, s.queue_ms);
  }
  s.output_tok_s = s.request_rate * O;
  s.total_tok_s = s.request_rate * (I + O);
  return s;
}

namespace {

// Prompts do not arrive as a fluid: a step carries the whole prompts (up to the token budget) of
// the requests that arrived during the previous step, a Poisson number with mean n = rate x t.
// Step time is convex in the prefill tokens (max of compute and memory time), so the mean step is
// the expectation over that count, not the step at the mean count.
struct StepMix {
  double mean_s = 0;  // E[step]
  double second = 0;  // E[step^2]
  double own_s = 0;   // E[step that also carries one given prompt]
};

StepMix step_mix(const StepTimeModel& model, double rate, double t, double running, double I,
                 double O, double budget) {
  StepMix m;
  const double n = rate * t;
  const double room = std::max(1.0, budget - running);
  const int k_max = static_cast<int>(std::ceil(n + 10 * std::sqrt(n) + 10));
  double p = std::exp(-n), total = 0;
  for (int k = 0; k <= k_max; ++k) {
    if (k > 0) p *= n / k;
    for (int own = 0; own <= 1; ++own) {
      const double prompts = k + own;
      const double tokens = std::min(prompts * I, room);
      const double seqs = prompts > 0 ? std::min(prompts, std::ceil(tokens / I)) : 0;
      const double s =
          model.step(StepWork::decoding(running, I + O / 2.0).with_prefill(tokens, seqs, I))
              .total_s;
      if (own) {
        m.own_s += p * s;
      } else {
        m.mean_s += p * s;
        m.second += p * s * s;
      }
    }
    total += p;
  }
  m.mean_s /= total;
  m.second /= total;
  m.own_s /= total;
  return m;
}

struct FixedPoint {
  bool stable = false;
  double step_s = 0, running = 0, prefill_tokens = 0;
  double decoding = 0;  // sequences decoding in a step: running, or none when osl is 1
  StepMix mix;
  std::string limit;
};

FixedPoint solve(const StepTimeModel& model, const Lengths& w, double rate,
                 std::int64_t max_running) {
  const double I = std::max(1.0, w.isl), O = std::max(1.0, w.osl);
  const double budget = model.token_budget();
  FixedPoint f;
  double t = model.step(StepWork::decoding(1, I)).total_s;
  for (int iter = 0; iter < 500; ++iter) {
    // Each running request takes one step per output token (its first comes from its prompt's
    // step): running = rate x (O - 1) x t by Little's law.
    const double running = rate * std::max(O - 1, 1.0) * t;
    // A request of one output token (a disaggregated prefill replica's) is done with its prompt's
    // step: it occupies the replica but never decodes, so it takes no decode seat or budget.
    const double decoding = O > 1 ? running : 0.0;
    const double prefill = rate * I * t;
    if (running > static_cast<double>(max_running)) {
      f.limit = "running sequences exceed the cap of " + std::to_string(max_running);
      return f;
    }
    if (prefill + decoding > budget) {
      f.limit = "prefill + decode tokens per step exceed the token budget";
      return f;
    }
    const StepMix mix = step_mix(model, rate, t, decoding, I, O, budget);
    const double next = mix.mean_s;
    if (!std::isfinite(next) || next > 600) {
      f.limit = "step time diverges: arrivals outpace the replica";
      return f;
    }
    if (std::abs(next - t) < 1e-12 + 1e-9 * t) {
      f.stable = true;
      f.step_s = next;
      f.running = running;
      f.decoding = decoding;
      f.prefill_tokens = prefill;
      f.mix = mix;
      return f;
    }
    // Damped: the step's dependence on itself through n = rate x t can oscillate.
    t = 0.5 * (t + next);
  }
  f.limit = "step time does not converge: the replica is at capacity";
  return f;
}

}  // namespace

double max_stable_rate(const StepTimeModel& model, const Lengths& w, std::int64_t max_running,
                       double rel_tolerance) {
  double lo = 0, hi = 1;
  while (solve(model, w, hi, max_running).stable && hi < 1e7) {
    lo = hi;
    hi *= 2;
  }
  for (int i = 0; i < 50 && !(rel_tolerance > 0 && hi - lo <= rel_tolerance * hi); ++i) {
    const double mid = (lo + hi) / 2;
    (solve(model, w, mid, max_running).stable ? lo : hi) = mid;
  }
  return lo;
}

SteadyState open_loop(const StepTimeModel& model, const Lengths& w, double rate,
                      std::int64_t max_running) {
  SteadyState s;
  s.offered = rate;
  const double I = std::max(1.0, w.isl), O = std::max(1.0, w.osl);
  const FixedPoint f = solve(model, w, rate, max_running);
  if (!f.stable) {
    s.stable = false;
    s.limit = f.limit;
    const double inf = INFINITY;
    s.ttft_ms = s.tpot_ms = s.e2e_ms = {inf, inf, inf, inf, inf};
    return s;
  }
  const double budget = model.token_budget();
  s.running = f.running;
  s.decode_step_ms = f.step_s * 1e3;
  // Own prefill: the step carrying the prompt (with whatever else arrived in the same step), and
  // one more per further chunk when the prompt exceeds what the budget leaves after the decodes.
  const double per_step = std::max(1.0, budget - f.decoding);
  const double chunks = std::ceil(I / per_step);
  const double prefill_step = f.mix.own_s;
  s.prefill_step_ms = prefill_step * 1e3;
  const double service = chunks * prefill_step;
  // An arrival finds the replica busy with probability 1 - P(nobody running) (a Poisson number
  // of running requests, M/G/infinity) and then waits out the step in progress: its residual
  // E[t^2] / (2 E[t]) (the inspection paradox: long steps are more likely to be hit).
  const double busy = 1 - std::exp(-f.running);
  const double residual = busy * f.mix.second / (2 * f.mix.mean_s);
  // Beyond that, a prompt waits (a) for a running slot when the running requests, a Poisson count
  // around their mean, fill the cap: an Erlang-C-like wait, P(count >= cap) x E2E / (cap -
  // running), exponential in its tail; and (b) for prefill room when the prompts of a step exceed
  // what the token budget leaves: M/D/1 (Pollaczek-Khinchine) in steps at that utilization.
  const double cap = static_cast<double>(max_running);
  double p_full = 0;
  {
    double pk = std::exp(-f.running), below = 0;
    for (int k = 0; k < static_cast<int>(cap); ++k) {
      below += pk;
      pk *= f.running / (k + 1);
      if (pk < 1e-300 && k > f.running) break;
    }
    p_full = std::clamp(1 - below, 0.0, 1.0);
  }
  const double e2e_s = service + (O - 1) * f.step_s;
  const double slot_scale = e2e_s / std::max(1e-9, cap - f.running);
  const double rho_b = std::clamp(f.prefill_tokens / per_step, 0.0, 0.999);
  const double wait_mean = p_full * slot_scale + rho_b / (2 * (1 - rho_b)) * f.step_s;
  auto wait_at = [&](double p) {
    const double slot = p_full > 1 - p ? slot_scale * std::log(p_full / (1 - p)) : 0.0;
    const double room = rho_b > 1 - p ? f.step_s / (1 - rho_b) * std::log(rho_b / (1 - p)) : 0.0;
    return slot + room;
  };
  const double base = residual + service;
  s.queue_ms = wait_mean * 1e3;
  // The closed form keeps the residual and the own step at their means, so a tail percentile is
  // floored at the mean: a rare long wait may raise the mean above base + wait_at(p) while real
  // tails (step lengths vary too) are never below it.
  const double mean_s = base + wait_mean;
  auto tail = [&](double p) { return std::max(base + wait_at(p), p >= 0.9 ? mean_s : 0.0) * 1e3; };
  s.ttft_ms = {mean_s * 1e3, (base + wait_at(0.50)) * 1e3, tail(0.90), tail(0.95), tail(0.99)};
  // A request's TPOT averages its O - 1 steps: their spread (mixed vs decode-only steps) shrinks
  // with O, while the running batch's fluctuation around its mean (a Poisson count) persists over
  // the request's life.
  const double step_sd = std::sqrt(std::max(0.0, f.mix.second - f.mix.mean_s * f.mix.mean_s));
  const double batch_sd =
      model.step(StepWork::decoding(f.running + std::sqrt(f.running), I + O / 2.0)).total_s -
      model.step(StepWork::decoding(f.running, I + O / 2.0)).total_s;
  const double tpot_sd = std::sqrt(step_sd * step_sd / std::max(1.0, O - 1) + batch_sd * batch_sd);
  auto tpot_at = [&](double p) { return (f.step_s + z_score(p) * tpot_sd) * 1e3; };
  s.tpot_ms = {f.step_s * 1e3, tpot_at(0.5), tpot_at(0.9), tpot_at(0.95), tpot_at(0.99)};
  const double decode_ms = (O - 1) * s.tpot_ms.mean;
  s.e2e_ms = {s.ttft_ms.mean + decode_ms, s.ttft_ms.p50 + decode_ms, s.ttft_ms.p90 + decode_ms,
              s.ttft_ms.p95 + decode_ms, s.ttft_ms.p99 + decode_ms};
  s.request_rate = rate;
  s.output_tok_s = rate * O;
  s.total_tok_s = rate * (I + O);
  return s;
}

}  // namespace fleetsizer
