#include "fleetsizer/sim/fleet_sim.h"

#include <fmt/format.h>

#include <cmath>
#include <queue>

namespace fleetsizer {

double metric_value_ms(const SimResult& r, const SloTarget& t) {
  const Histogram& h = t.metric == Metric::ttft   ? r.ttft_ms
                       : t.metric == Metric::tpot ? r.tpot_ms
                       : t.metric == Metric::itl  ? r.itl_ms
                                                  : r.e2e_ms;
  return t.percentile == Percentile::mean ? h.mean()
                                          : h.percentile(percentile_fraction(t.percentile));
}

std::vector<TargetCheck> check_targets(const SimResult& r, const std::vector<SloTarget>& slo) {
  std::vector<TargetCheck> out;
  // Rejected requests (longer than the whole KV cache) are not served and not in the
  // distributions; run_meets_slo fails a run that has any, callers that size a fleet report them.
  const bool sound = !r.diverged && r.requests > 0;
  for (const auto& t : slo) {
    const double v = sound ? metric_value_ms(r, t) : INFINITY;
    out.push_back({t, v, sound && v <= t.ms});
  }
  return out;
}

bool run_meets_slo(const SimResult& r, const std::vector<SloTarget>& slo) {
  if (r.diverged || r.rejected > 0 || r.requests == 0) return false;
  for (const auto& t : slo)
    if (metric_value_ms(r, t) > t.ms) return false;
  return true;
}

bool meets_slo(const FinishedRequest& r, const std::vector<SloTarget>& slo) {
  const double ttft = (r.first_token_s - r.arrival_s) * 1e3;
  const double e2e = (r.finish_s - r.arrival_s) * 1e3;
  const double tpot = r.output_tokens > 1 ? (r.finish_s - r.first_token_s) * 1e3 /
                                                static_cast<double>(r.output_tokens - 1)
                                          : 0;
  for (const auto& t : slo) {
    const double v = t.metric == Metric::ttft ? ttft : t.metric == Metric::e2e ? e2e : tpot;
    if (v > t.ms) return false;
  }
  return true;
}

Result<SimResult> simulate(const StepTimeModel& model, RequestSource& source, const SimOptions& o) {
  if (o.replicas < 1) return fail(fmt::format("replicas must be >= 1, got {}", o.replicas));
  if (o.replica.kv_blocks < 1) return fail("the replica has no KV cache blocks");
  std::vector<ReplicaSim> replicas;
  replicas.reserve(static_cast<std::size_t>(o.replicas));
  for (int i = 0; i < o.replicas; ++i) replicas.emplace_back(model, o.replica, i);
  Router router(o.router, o.seed);

  struct Event {
    double time;
    int replica;
    std::uint64_t version;
    bool operator>(const Event& e) const {
      return time > e.time || (time == e.time && replica > e.replica);
    }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  std::vector<std::uint64_t> version(replicas.size(), 0);
  auto schedule = [&](int r) { events.push({replicas[r].step_end(), r, ++version[r]}); };

  SimResult res;
  std::vector<FinishedRequest> done;
  Request next;
  auto more = source.next(next);
  if (!more) return fail(more.error().message);
  bool have_next = *more;
  if (have_next) res.first_arrival_s = next.arrival_s;
  double now = res.first_arrival_s, area = 0;
  std::int64_t in_system = 0, waiting_total = 0;

  auto record = [&](const FinishedRequest& f) {
    ++res.requests;
    --in_system;
    const double ttft = (f.first_token_s - f.arrival_s) * 1e3;
    res.ttft_ms.add(ttft);
    res.e2e_ms.add((f.finish_s - f.arrival_s) * 1e3);
    res.queue_ms.add((f.admitted_s - f.arrival_s) * 1e3);
    if (f.output_tokens > 1)
      res.tpot_ms.add((f.finish_s - f.first_token_s) * 1e3 /
                      static_cast<double>(f.output_tokens - 1));
    res.input_tokens += static_cast<double>(f.input_tokens);
    res.output_tokens += static_cast<double>(f.output_tokens);
    res.last_finish_s = std::max(res.last_finish_s, f.finish_s);
    if (meets_slo(f, o.slo)) ++res.good;
    if (o.on_finish) o.on_finish(f);
    source.completed(f.id, f.finish_s);
  };
  TimelineSampler timeline(o.timeline_points, res.first_arrival_s);
  std::int64_t total_blocks = 0;
  for (const auto& rep : replicas) total_blocks += rep.options().kv_blocks;
  auto fleet_state = [&] {
    TimelinePoint p;
    std::int64_t used = 0;
    for (const auto& rep : replicas) {
      p.waiting += rep.waiting();
      p.running += rep.running();
      used += rep.used_blocks();
    }
    p.kv_used_fraction = static_cast<double>(used) / static_cast<double>(total_blocks);
    return p;
  };
  // An idle replica that receives an arrival starts its step only after every arrival of the same
  // instant is queued (a burst of clients starting together shares the first step): a "kick"
  // event at the same time, ordered after those arrivals.
  std::vector<char> kicked(replicas.size(), 0);

  while (true) {
    while (!events.empty() && events.top().version != version[events.top().replica]) events.pop();
    const bool replica_next = !events.empty() && (!have_next || events.top().time < next.arrival_s);
    if (!replica_next && !have_next) break;
    const double t = replica_next ? events.top().time : next.arrival_s;
    if (timeline.due(t)) timeline.record_until(t, fleet_state());
    area += static_cast<double>(in_system) * (t - now);
    now = t;
    if (++res.events % 65536 == 0 && o.on_progress) o.on_progress(now, res.requests);
    if (replica_next) {
      const int r = events.top().replica;
      events.pop();
      const std::int64_t waiting_before = replicas[r].waiting();
      if (kicked[r]) {
        kicked[r] = 0;
      } else {
        replicas[r].complete(done, res.itl_ms);
        for (const auto& f : done) record(f);
        done.clear();
      }
      if (replicas[r].start(now)) schedule(r);
      waiting_total += replicas[r].waiting() - waiting_before;
      if (!have_next) {  // a closed-loop source may have a request now
        auto n = source.next(next);
        if (!n) return fail(n.error().message);
        have_next = *n;
      }
      continue;
    }
    // An arrival.
    ++res.arrived;
    ++in_system;
    const int r = router.pick(next, replicas);
    ReplicaSim& replica = replicas[r];
    const std::int64_t waiting_before = replica.waiting();
    replica.enqueue(next, now);
    if (!replica.busy()) {
      if (!kicked[r]) {
        kicked[r] = 1;
        events.push({now, r, ++version[r]});
      }
    } else if (replica.step_end() > now && replica.can_admit()) {
      const double before = replica.step_end();
      replica.interrupt(now);
      if (replica.step_end() != before) schedule(r);
    }
    waiting_total += replica.waiting() - waiting_before;
    if (waiting_total > o.max_waiting) {
      res.diverged = true;
      res.divergence = fmt::format(
          "diverged at t = {:.1f} s: {} requests waiting across {} replicas (limit {}); the fleet "
          "cannot keep up "
          "with the arrivals",
          now, waiting_total, o.replicas, o.max_waiting);
      break;
    }
    auto n = source.next(next);
    if (!n) return fail(n.error().message);
    have_next = *n;
  }
  if (res.last_finish_s < res.first_arrival_s) res.last_finish_s = now;
  if (timeline.enabled()) {
    // The state at the end (an emptied fleet, or the backlog of a diverged run) closes the chart.
    TimelinePoint last = fleet_state();
    last.t_s = now;
    res.timeline = timeline.take();
    res.timeline.push_back(last);
  }
  const double span = std::max(res.makespan_s(), 1e-12);
  double busy = 0, kv = 0, hits = 0, prompts = 0;
  for (const auto& rep : replicas) {
    const ReplicaStats& s = rep.stats();
    busy += s.busy_s;
    kv += s.kv_block_seconds / static_cast<double>(rep.options().kv_blocks);
    res.preemptions += s.preemptions;
    res.rejected += s.rejected;
    res.rejected_max_tokens = std::max(res.rejected_max_tokens, s.rejected_max_tokens);
    const std::int64_t capacity = rep.options().kv_blocks * rep.options().block_tokens;
    if (res.kv_capacity_tokens == 0 || capacity < res.kv_capacity_tokens)
      res.kv_capacity_tokens = capacity;
    res.steps += s.steps;
    hits += static_cast<double>(s.prefix_hit_tokens);
    prompts += static_cast<double>(s.prompt_tokens);
  }
  res.utilization = busy / (span * o.replicas);
  res.kv_occupancy = kv / (span * o.replicas);
  res.mean_in_system = area / span;
  res.prefix_hit_fraction = prompts > 0 ? hits / prompts : 0;
  return res;
}

}  // namespace fleetsizer
