#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "fleetsizer/perf/steady_state.h"
#include "fleetsizer/sim/fleet_sim.h"
#include "tests/sim/sim_test_support.h"

namespace fleetsizer::testing {
namespace {

struct Queueing {
  double mean_wait_s = 0, mean_service_s = 0, mean_service_sq = 0, rate = 0;
};

// Batching disabled (one running sequence) turns the replica into a single FCFS server.
Queueing run_single_server(LengthSpec output, double rate, std::int64_t n, std::uint64_t seed,
                           double step_ms) {
  const LinearStepModel model = fixed_step_model(step_ms);
  LengthSpec input;
  input.mean = 100;  // one prefill step
  SyntheticSource source({ArrivalKind::poisson, rate, 1, 0, 0}, input, output, n, seed);
  SimOptions o;
  o.replica.max_num_seqs = 1;
  o.replica.kv_blocks = 100000;
  double wait = 0, s1 = 0, s2 = 0, count = 0;
  o.on_finish = [&](const FinishedRequest& f) {
    if (f.id < 1000) return;  // warm-up
    wait += f.admitted_s - f.arrival_s;
    const double s = f.finish_s - f.admitted_s;
    s1 += s;
    s2 += s * s;
    ++count;
  };
  auto r = simulate(model, source, o);
  EXPECT_TRUE(r);
  EXPECT_FALSE(r->diverged);
  return {wait / count, s1 / count, s2 / count, rate};
}

// M/D/1: W = rho S / (2 (1 - rho)).
TEST(SingleServer, MeanWaitMatchesMD1) {
  LengthSpec output;
  output.mean = 20;         // 20 steps of 10 ms: S = 0.2 s
  const double rate = 3.5;  // rho = 0.7
  const Queueing q = run_single_server(output, rate, 200000, 7, 10.0);
  EXPECT_NEAR(q.mean_service_s, 0.2, 1e-9);
  const double rho = rate * q.mean_service_s;
  const double md1 = rho * q.mean_service_s / (2 * (1 - rho));
  EXPECT_NEAR(q.mean_wait_s / md1, 1.0, 0.02) << q.mean_wait_s << " vs " << md1;
}

// Geometric service (ceil of an exponential number of 4 ms steps, mean ~ 50.5 steps): its second
// moment is (2 - p) / p^2 against the exponential's 2 / p^2, 1% lower, so W matches M/M/1's
// rho S / (1 - rho) within 2%, and the Pollaczek-Khinchine formula with the measured moments.
TEST(SingleServer, MeanWaitMatchesMM1) {
  LengthSpec output;
  output.kind = LengthKind::exponential;
  output.mean = 50;
  const double rate = 3.4;
  const Queueing q = run_single_server(output, rate, 400000, 11, 4.0);
  const double rho = rate * q.mean_service_s;
  ASSERT_NEAR(rho, 0.69, 0.02);
  const double mm1 = rho * q.mean_service_s / (1 - rho);
  EXPECT_NEAR(q.mean_wait_s / mm1, 1.0, 0.02) << q.mean_wait_s << " vs " << mm1;
  const double pk = rate * q.mean_service_sq / (2 * (1 - rho));
  EXPECT_NEAR(q.mean_wait_s / pk, 1.0, 0.02) << q.mean_wait_s << " vs " << pk;
}

TEST(FleetSim, LittlesLawHolds) {
  const RooflineModel model = h100_llama8b();
  SyntheticSource source = chat_source({ArrivalKind::gamma, 12, 2.0, 0, 0}, 5000, 3);
  SimOptions o;
  o.replicas = 2;
  o.replica.kv_blocks = 20000;
  auto r = simulate(model, source, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->requests, 5000);
  EXPECT_NEAR(r->mean_in_system, r->throughput_rps() * r->e2e_ms.mean() / 1e3,
              1e-6 * r->mean_in_system);
}

// At low load each request runs alone: TTFT is one prefill step and TPOT the mean decode step,
// exactly what the steady-state model says for one client.
TEST(FleetSim, LowLoadMatchesTheSteadyStateModel) {
  Efficiency e = engine_defaults("vllm").efficiency;
  e.wave_sync = 1;  // one client: the wave model is exact
  const RooflineModel model = h100_llama8b(e);
  std::vector<Request> requests;
  for (int i = 0; i < 20; ++i)
    requests.push_back({static_cast<std::uint64_t>(i), i * 100.0, 1000, 300, {}});
  ListSource source(requests);
  SimOptions o;
  o.replica.kv_blocks = 10000;
  auto r = simulate(model, source, o);
  ASSERT_TRUE(r);
  const SteadyState s = closed_loop(model, {1000, 300}, 1, 256, e.wave_sync);
  EXPECT_NEAR(r->ttft_ms.mean(), s.ttft_ms.mean, 1e-6 * s.ttft_ms.mean);
  EXPECT_NEAR(r->tpot_ms.mean(), s.tpot_ms.mean, 1e-6 * s.tpot_ms.mean);
  EXPECT_EQ(r->preemptions, 0);
}

// Two 64-token prompts generating 64 tokens each in 15 blocks of 16 tokens: after the prefill
// step both hold 4 blocks; decode step j needs ceil((64 + j) / 16) blocks each, 2 x 7 = 14 <= 15
// up to j = 48; at j = 49 the first takes the 15th block and the second finds none, so it is
// preempted while planning step 50 (1 prefill + 49 decodes), and not a step earlier.
TEST(ReplicaSim, PreemptsExactlyWhenBlocksRunOut) {
  const RooflineModel model = h100_llama8b();
  ReplicaOptions o;
  o.kv_blocks = 15;
  o.closed_form = false;
  ReplicaSim replica(model, o, 0);
  replica.enqueue({0, 0, 64, 64, {}}, 0);
  replica.enqueue({1, 0, 64, 64, {}}, 0);
  std::vector<FinishedRequest> done;
  Histogram itl;
  int steps = 0;
  double now = 0;
  while (replica.start(now)) {
    ++steps;
    if (replica.stats().preemptions > 0) break;
    replica.complete(done, itl);
    now = replica.step_end();
  }
  EXPECT_EQ(steps, 50);
  EXPECT_EQ(replica.stats().preemptions, 1);
  EXPECT_EQ(replica.used_blocks(), 8);  // the survivor's 8 blocks; the victim's 7 were freed
  // With 16 blocks both fit to the end: no preemption at all.
  o.kv_blocks = 16;
  ReplicaSim roomy(model, o, 0);
  roomy.enqueue({0, 0, 64, 64, {}}, 0);
  roomy.enqueue({1, 0, 64, 64, {}}, 0);
  now = 0;
  while (roomy.start(now)) {
    roomy.complete(done, itl);
    now = roomy.step_end();
  }
  EXPECT_EQ(roomy.stats().preemptions, 0);
}

// The closed-form advance changes how many events a run takes, never when a request's tokens
// come out: randomized small cases, with preemption and several replicas.
TEST(FleetSim, ClosedFormEqualsStepByStep) {
  ReplicaSpec spec = h100_llama8b_spec();
  spec.limits.max_num_batched_tokens = 1024;
  const RooflineModel model(spec, engine_defaults("vllm").efficiency);
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    std::map<std::uint64_t, FinishedRequest> by_mode[2];
    SimResult results[2];
    for (int mode = 0; mode < 2; ++mode) {
      LengthSpec in, out;
      in.kind = out.kind = LengthKind::lognormal;
      in.mean = 300;
      out.mean = 120;
      in.sigma = out.sigma = 1.0;
      SyntheticSource source({ArrivalKind::poisson, 30, 1, 0, 0}, in, out, 400, seed);
      SimOptions o;
      o.replicas = 1 + static_cast<int>(seed % 3);
      o.router = static_cast<RouterPolicy>(seed % 4);
      o.seed = seed;
      o.replica.kv_blocks = 300;  // small: forces preemptions
      o.replica.max_num_seqs = 32;
      o.replica.closed_form = mode == 0;
      o.on_finish = [&](const FinishedRequest& f) { by_mode[mode][f.id] = f; };
      auto r = simulate(model, source, o);
      ASSERT_TRUE(r);
      results[mode] = *r;
    }
    ASSERT_EQ(by_mode[0].size(), by_mode[1].size());
    EXPECT_EQ(results[0].preemptions, results[1].preemptions);
    EXPECT_LT(results[0].events, results[1].events);
    for (const auto& [id, a] : by_mode[0]) {
      const FinishedRequest& b = by_mode[1].at(id);
      EXPECT_NEAR(a.first_token_s, b.first_token_s, 1e-9 * std::max(1.0, b.first_token_s))
          << "seed " << seed;
      EXPECT_NEAR(a.finish_s, b.finish_s, 1e-9 * std::max(1.0, b.finish_s)) << "seed " << seed;
      EXPECT_EQ(a.replica, b.replica);
    }
  }
}

TEST(FleetSim, OverloadStopsAsDivergedInsteadOfRunningForever) {
  const RooflineModel model = h100_llama8b();
  LengthSpec in, out;
  in.mean = 2000;
  out.mean = 500;
  SyntheticSource source({ArrivalKind::poisson, 500, 1, 0, 0}, in, out, 1000000, 1);
  SimOptions o;
  o.replica.kv_blocks = 20000;
  o.max_waiting = 5000;
  auto r = simulate(model, source, o);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->diverged);
  EXPECT_NE(r->divergence.find("cannot keep up"), std::string::npos);
  EXPECT_LT(r->arrived, 20000);
}

TEST(FleetSim, DeterministicForASeed) {
  const RooflineModel model = h100_llama8b();
  auto run = [&](std::uint64_t seed) {
    LengthSpec in, out;
    in.kind = out.kind = LengthKind::lognormal;
    in.mean = 500;
    out.mean = 100;
    SyntheticSource source({ArrivalKind::poisson, 20, 1, 0, 0}, in, out, 2000, seed);
    SimOptions o;
    o.replicas = 3;
    o.router = RouterPolicy::power_of_two;
    o.seed = seed;
    o.replica.kv_blocks = 5000;
    return *simulate(model, source, o);
  };
  EXPECT_EQ(run(9).ttft_ms.percentile(0.99), run(9).ttft_ms.percentile(0.99));
  EXPECT_NE(run(9).e2e_ms.mean(), run(10).e2e_ms.mean());
}

TEST(FleetSim, PrefixCacheHitsSkipPromptWork) {
  const RooflineModel model = h100_llama8b();
  std::vector<Request> requests;
  for (int i = 0; i < 50; ++i)  // every request shares its first 4 blocks (2048 tokens)
    requests.push_back({static_cast<std::uint64_t>(i),
                        i * 1.0,
                        2600,
                        10,
                        {1, 2, 3, 4, 100 + static_cast<std::uint64_t>(i)}});
  auto run = [&](bool with_hashes) {
    auto list = requests;
    if (!with_hashes)
      for (auto& r : list) r.hash_ids.clear();
    ListSource source(list);
    SimOptions o;
    o.replica.kv_blocks = 20000;
    return *simulate(model, source, o);
  };
  const SimResult cached = run(true), cold = run(false);
  EXPECT_NEAR(cached.prefix_hit_fraction, 49 * 2048.0 / (50 * 2600.0), 1e-9);
  EXPECT_LT(cached.ttft_ms.mean(), 0.5 * cold.ttft_ms.mean());
}

TEST(Histogram, PercentilesWithinABin) {
  Histogram h;
  for (int i = 1; i <= 1000; ++i) h.add(i);
  EXPECT_NEAR(h.percentile(0.5), 500, 5);
  EXPECT_NEAR(h.percentile(0.99), 990, 10);
  EXPECT_DOUBLE_EQ(h.mean(), 500.5);
  Histogram r;
  r.add_range(10, 20, 100);
  EXPECT_NEAR(r.percentile(0.5), 15, 0.2);
  EXPECT_DOUBLE_EQ(r.mean(), 15);
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// Records the work of every step the scheduler plans; every step takes 10 ms.
class RecordingModel final : public StepTimeModel {
 public:
  explicit RecordingModel(double budget) : budget_(budget) {}
  StepTime step(const StepWork& w) const override {
    steps.push_back(w);
    StepTime t;
    t.overhead_s = t.total_s = 0.010;
    return t;
  }
  bool linear_in_context() const override { return false; }
  double token_budget() const override { return budget_; }
  mutable std::vector<StepWork> steps;

 private:
  double budget_;
};

// vLLM's budget: each running decode takes one token of the step's max_num_batched_tokens, and a
// prompt gets what is left. 40 requests decoding, a 500-token prompt arriving, a budget of 100:
// the prompt goes in chunks of 100 - 40 = 60 tokens while the 40 decode, never 100.
TEST(ReplicaSim, RunningDecodesAreChargedAgainstTheTokenBudget) {
  RecordingModel model(100);
  std::vector<Request> requests;
  for (std::uint64_t i = 0; i < 40; ++i) requests.push_back({i, 0.0, 1, 1000, {}});
  requests.push_back({40, 1.0, 500, 2, {}});
  ListSource source(requests);
  SimOptions o;
  o.replica.kv_blocks = 100000;
  o.replica.closed_form = false;
  ASSERT_TRUE(simulate(model, source, o));
  std::vector<double> chunks;
  for (const StepWork& w : model.steps)
    if (w.prefill_tokens > 1 && w.decode_seqs == 40) chunks.push_back(w.prefill_tokens);
  // 500 = 8 chunks of 60 and one of 20.
  ASSERT_EQ(chunks.size(), 9u);
  for (std::size_t k = 0; k < 8; ++k) EXPECT_EQ(chunks[k], 60.0) << "chunk " << k;
  EXPECT_EQ(chunks[8], 20.0);
  for (const StepWork& w : model.steps) EXPECT_LE(w.prefill_tokens + w.decode_seqs, 100.0);
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// A percentile never exceeds the largest value seen (a 1% log bin's representative lies above
// the values in its lower half), and stays within a bin of it.
TEST(Histogram, PercentilesNeverExceedTheLargestValue) {
  for (int k = 0; k < 200; ++k) {
    const double v = 100.0 * std::pow(1.0001, k * 7);
    Histogram h;
    h.add(v);
    EXPECT_LE(h.percentile(0.99), v) << v;
    EXPECT_GE(h.percentile(0.99), v / 1.011) << v;
  }
}

// Goodput's per-request check is the request's own value against the threshold, no slack: a
// request with a 10 ms TTFT and 10 ms TPOT meets 10 ms targets and misses 9.99 ms ones.
TEST(FleetSim, GoodputChecksEachRequestAgainstItsExactThreshold) {
  FinishedRequest r;
  r.arrival_s = 0;
  r.first_token_s = 0.010;
  r.finish_s = 0.100;
  r.output_tokens = 10;  // 9 gaps of 10 ms after the first token
  auto target = [](Metric m, double ms) { return SloTarget{m, Percentile::p99, ms}; };
  EXPECT_TRUE(meets_slo(r, {target(Metric::ttft, 10.0 + 1e-9)}));
  EXPECT_FALSE(meets_slo(r, {target(Metric::ttft, 9.99)}));
  EXPECT_FALSE(meets_slo(r, {target(Metric::ttft, 5.1)}));  // half-way still misses
  EXPECT_TRUE(meets_slo(r, {target(Metric::tpot, 10.0 + 1e-9)}));
  EXPECT_FALSE(meets_slo(r, {target(Metric::tpot, 9.99)}));
  EXPECT_FALSE(meets_slo(r, {target(Metric::e2e, 99.0)}));
}

// The load-aware routers send a request to the less loaded replica: with two replicas, the
// power-of-two router's two choices are both of them, so it always picks the idle one; least_kv
// picks the one holding fewer KV blocks.
TEST(Router, LoadAwarePoliciesPickTheLessLoadedReplica) {
  const LinearStepModel model = fixed_step_model(10);
  ReplicaOptions o;
  o.kv_blocks = 1000;
  std::vector<ReplicaSim> replicas;
  replicas.emplace_back(model, o, 0);
  replicas.emplace_back(model, o, 1);
  for (std::uint64_t i = 0; i < 3; ++i) replicas[0].enqueue({i, 0.0, 100, 10, {}}, 0.0);
  ASSERT_TRUE(replicas[0].start(0.0));  // its prompts now hold KV blocks
  const Request next{9, 0.0, 100, 10, {}};
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Router p2c(RouterPolicy::power_of_two, seed);
    EXPECT_EQ(p2c.pick(next, replicas), 1) << "seed " << seed;
    Router kv(RouterPolicy::least_kv, seed);
    EXPECT_EQ(kv.pick(next, replicas), 1) << "seed " << seed;
    Router least(RouterPolicy::least_outstanding, seed);
    EXPECT_EQ(least.pick(next, replicas), 1) << "seed " << seed;
  }
}

}  // namespace
}  // namespace fleetsizer::testing
