#include "fleetsizer/fleet/mech_stack.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/fleet/ablation.h"
#include "fleetsizer/fleet/lever_contrast.h"
#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/plan/workload.h"
#include "io/lever_spec.h"

namespace fleetsizer {
namespace {

// Llama-3.1-8B on H100 under an SLO that static batching can meet (TTFT p99 10 s, TPOT p99
// 100 ms): every state of the seed's five levers is feasible.
MechStackInput small_input(const std::vector<std::string>& levers) {
  const Catalog catalog = builtin_catalog();
  MechStackInput in;
  in.scenario = default_scenario(catalog);
  in.scenario.replica.model = *catalog.model("llama-3.1-8b");
  in.scenario.replica.gpu = *catalog.gpu("h100-sxm");
  in.scenario.target_qps = 100;
  in.scenario.slo = {{Metric::ttft, Percentile::p99, 10000}, {Metric::tpot, Percentile::p99, 100}};
  for (const auto& t : levers) {
    auto l = io::parse_lever(t, "test", catalog, in.scenario.replica.model);
    EXPECT_TRUE(l) << t;
    if (l) in.levers.push_back(*l);
  }
  return in;
}

// Every step takes 10 ms whatever it holds: a static batch of osl = 100 outputs then cycles in
// T = prefill + 99 decode steps = 1 s at any batch size, which makes q computable by hand.
class ConstantStep final : public StepTimeModel {
 public:
  StepTime step(const StepWork&) const override {
    StepTime t;
    t.total_s = 0.010;
    return t;
  }
  bool linear_in_context() const override { return true; }
  double token_budget() const override { return 8192; }
};

TEST(StaticBatching, QByHandFromTheCycleModel) {
  const ConstantStep m;
  const Workload w = fixed_workload(512, 100);
  // TTFT p99 <= 0.5 s: a request waits for the running batch with probability busy = rate x T
  // (light load, one request per batch), its p99 wait is T (1 - 0.01 / busy), plus 10 ms of
  // prefill: 1 - 0.01 / busy <= 0.49, busy <= 0.01 / 0.51, q = 0.0196 req/s.
  auto r = static_batching_q(m, w, {{Metric::ttft, Percentile::p99, 500}}, 8);
  ASSERT_TRUE(r.feasible);
  EXPECT_NEAR(r.q_rps, 0.01 / 0.51, 1e-4 * 0.01 / 0.51);
  EXPECT_EQ(r.binding, "ttft:p99=500");
  // TPOT is the 10 ms step at any rate: only capacity binds, cap / T = 8 req/s.
  r = static_batching_q(m, w, {{Metric::tpot, Percentile::p99, 20}}, 8);
  ASSERT_TRUE(r.feasible);
  EXPECT_NEAR(r.q_rps, 8.0, 8e-4);
  EXPECT_EQ(r.binding, "capacity");
  // E2E p50 <= 1.6 s holds even when always busy (wait 0.5 s + cycle 1 s): capacity again.
  r = static_batching_q(m, w, {{Metric::e2e, Percentile::p50, 1600}}, 8);
  EXPECT_NEAR(r.q_rps, 8.0, 8e-4);
  // E2E p99 <= 1 s: the cycle alone is 1 s, so any wait fails: busy <= 0.01, q = 0.01 req/s.
  r = static_batching_q(m, w, {{Metric::e2e, Percentile::p99, 1000}}, 8);
  ASSERT_TRUE(r.feasible);
  EXPECT_NEAR(r.q_rps, 0.01, 1e-5);
  // TPOT <= 5 ms: not even a trickle meets it.
  r = static_batching_q(m, w, {{Metric::tpot, Percentile::p99, 5}}, 8);
  EXPECT_FALSE(r.feasible);
}

TEST(Shapley, TwoPlayerGameByHand) {
  // v({}) = 0, v({0}) = 10, v({1}) = 20, v({0,1}) = 40:
  // phi_0 = 1/2 (10 - 0) + 1/2 (40 - 20) = 15, phi_1 = 1/2 (20 - 0) + 1/2 (40 - 10) = 25.
  const auto phi = shapley_values({0, 10, 20, 40}, 2);
  ASSERT_EQ(phi.size(), 2u);
  EXPECT_DOUBLE_EQ(phi[0], 15);
  EXPECT_DOUBLE_EQ(phi[1], 25);
}

TEST(Shapley, AdditiveGameGivesEachPlayerItsOwnValue) {
  const double own[3] = {3, -1, 7};
  std::vector<double> v(8);
  for (std::uint32_t s = 0; s < 8; ++s)
    for (int i = 0; i < 3; ++i)
      if ((s >> i) & 1u) v[s] += own[i];
  const auto phi = shapley_values(v, 3);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(phi[static_cast<std::size_t>(i)], own[i], 1e-12);
}

TEST(MechStack, InteractionsOffIsPureMultiplicationAndOrderInvariant) {
  MechStackInput in = small_input(io::seed_lever_texts());
  in.interactions = false;
  auto r = evaluate_mech_stack(in);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->all_feasible);
  // Each lever's isolated factors, from the interacting model's own singleton states.
  MechStackInput on = in;
  on.interactions = true;
  auto base = evaluate_lever_set(on, 0, false);
  ASSERT_TRUE(base);
  std::vector<double> cost_factor(in.levers.size());
  for (std::size_t i = 0; i < in.levers.size(); ++i) {
    auto alone = evaluate_lever_set(on, 1u << i, false);
    ASSERT_TRUE(alone);
    cost_factor[i] = (static_cast<double>(alone->gpus) / base->gpus) / (alone->q_rps / base->q_rps);
  }
  // Continuous cost Q / (q u) x g x price, so every set's cost is the baseline's times the
  // product of its levers' factors.
  const double c0 = in.scenario.target_qps / (base->q_rps * in.scenario.target_utilization) *
                    base->gpus * base->usd_per_replica_hour / base->gpus;
  for (std::uint32_t s = 0; s < r->states.size(); ++s) {
    double expect = c0;
    for (std::size_t i = 0; i < in.levers.size(); ++i)
      if ((s >> i) & 1u) expect *= cost_factor[i];
    EXPECT_NEAR(r->states[s].usd_per_hour, expect, 1e-9 * expect) << s;
  }
  // Order invariance: every one of the 120 orders ends at the same cost.
  ASSERT_EQ(r->orders.size(), 120u);
  for (const auto& o : r->orders)
    EXPECT_NEAR(o.final_usd_per_hour, r->orders.front().final_usd_per_hour, 1e-9);
  EXPECT_NEAR(r->spread_usd_per_hour, 0, 1e-9);
  // Non-interacting levers: the log-Shapley cost factor of each is exactly its own factor, and
  // its marginal *factor* is the same in every order.
  double sum = 0;
  for (std::size_t i = 0; i < in.levers.size(); ++i) {
    EXPECT_NEAR(r->shapley[i].cost_factor, cost_factor[i], 1e-9) << in.levers[i].name;
    sum += r->shapley[i].usd_per_hour_saved;
  }
  EXPECT_NEAR(sum, r->total_usd_per_hour_saved, 1e-6);
}

TEST(MechStack, InteractionsOnDependOnTheSetOnlyAndShapleySumsToTheSaving) {
  MechStackInput in = small_input(io::seed_lever_texts());
  auto r = evaluate_mech_stack(in);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->all_feasible);
  ASSERT_EQ(r->states.size(), 32u);
  // The levers set distinct fields of one state: the cost after a set is the set's, whatever the
  // order, so every order ends at the full set's cost.
  for (const auto& o : r->orders) EXPECT_EQ(o.final_usd_per_hour, r->states[31].usd_per_hour);
  EXPECT_EQ(r->spread_usd_per_hour, 0);
  // A set evaluated on its own equals the cached state.
  auto direct = evaluate_lever_set(in, 0b10110, false);
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->q_rps, r->states[0b10110].q_rps);
  EXPECT_EQ(direct->gpus, r->states[0b10110].gpus);
  double sum = 0;
  for (const auto& v : r->shapley) sum += v.usd_per_hour_saved;
  EXPECT_NEAR(sum, r->total_usd_per_hour_saved, 1e-6);
  EXPECT_NEAR(r->total_usd_per_hour_saved, r->states[0].usd_per_hour - r->states[31].usd_per_hour,
              1e-9);
  // Each order's marginal savings add up to the total as well (telescoping).
  for (const auto& o : r->orders) {
    double s = 0;
    for (double v : o.saved_usd_per_hour) s += v;
    EXPECT_NEAR(s, r->total_usd_per_hour_saved, 1e-6);
  }
  // Rows follow the given order with marginal factors against the row before.
  ASSERT_EQ(r->rows.size(), 6u);
  for (std::size_t i = 1; i < r->rows.size(); ++i)
    EXPECT_NEAR(r->rows[i].q_factor, r->rows[i].state.q_rps / r->rows[i - 1].state.q_rps, 1e-12);
}

TEST(MechStack, ALeverThatChangesNoTermHasNoOrderEffect) {
  // A prefix cache with a 0% hit rate changes no term: in every order its marginal is 0, its
  // Shapley value is 0, and the other levers' values are those of the stack without it.
  auto with = evaluate_mech_stack(small_input({"weights=fp8", "prefix-cache=0", "compiled"}));
  auto without = evaluate_mech_stack(small_input({"weights=fp8", "compiled"}));
  ASSERT_TRUE(with && without);
  for (const auto& o : with->orders) EXPECT_EQ(o.saved_usd_per_hour[1], 0.0);
  EXPECT_EQ(with->shapley[1].usd_per_hour_saved, 0.0);
  EXPECT_NEAR(with->shapley[0].usd_per_hour_saved, without->shapley[0].usd_per_hour_saved, 1e-9);
  EXPECT_NEAR(with->shapley[2].usd_per_hour_saved, without->shapley[1].usd_per_hour_saved, 1e-9);
}

TEST(MechStack, DocumentedInteractionMakesMarginalsDependOnOrder) {
  // An FP8 KV cache and paged allocation both raise the batch cap (docs/model.md): once paged
  // allocation has removed the max-length reservation the cap is near the engine's limit, so FP8
  // KV adds less batch. Its marginal q factor therefore differs with the order.
  MechStackInput in = small_input({"kv=fp8", "paged-kv", "continuous-batching"});
  in.scenario.tp = 1;
  auto r = evaluate_mech_stack(in);
  ASSERT_TRUE(r) << r.error().message;
  const double kv_first = r->states[0b101].q_rps / r->states[0b100].q_rps;
  const double kv_after_paged = r->states[0b111].q_rps / r->states[0b110].q_rps;
  EXPECT_GT(r->states[0b101].running_cap, r->states[0b100].running_cap);
  EXPECT_GT(std::abs(kv_first - kv_after_paged), 0.01) << kv_first << " vs " << kv_after_paged;
}

TEST(MechStack, SimulateVerifiesTheGivenOrdersStatesOnly) {
  MechStackInput in = small_input({"compiled", "continuous-batching"});
  in.simulate = true;
  in.search.requests = kMinRequests;
  in.search.search_requests = kMinRequests;
  in.search.confirm_seeds = 0;
  auto r = evaluate_mech_stack(in);
  ASSERT_TRUE(r) << r.error().message;
  // The given order visits {}, {compiled}, {compiled, continuous}: the last is a continuous state
  // and is simulated; {continuous} alone is off the path and keeps the analytic q; static states
  // always use the static-batch closed form.
  EXPECT_EQ(r->states[0b00].q_method, QMethod::analytic_static);
  EXPECT_EQ(r->states[0b01].q_method, QMethod::analytic_static);
  EXPECT_EQ(r->states[0b10].q_method, QMethod::analytic);
  EXPECT_EQ(r->states[0b11].q_method, QMethod::simulated);
  EXPECT_EQ(r->rows[2].state.q_method, QMethod::simulated);
  // The simulated q is the simulator's own answer, bracketed around the analytic estimate (whose
  // M/M/1 TTFT tail is conservative, so the simulator may find more): same order of magnitude.
  auto analytic = evaluate_lever_set(in, 0b11, false);
  ASSERT_TRUE(analytic);
  EXPECT_NE(r->states[0b11].q_rps, analytic->q_rps);
  EXPECT_GT(r->states[0b11].q_rps / analytic->q_rps, 0.5);
  EXPECT_LT(r->states[0b11].q_rps / analytic->q_rps, 2.0);
}

TEST(MechStack, NoLeverRaisesTheFootprintButTheDraftModel) {
  // At a fixed layout, every lever but speculative decoding leaves the weights no larger and the
  // KV capacity no smaller; speculative decoding's draft model takes memory (its weights and its
  // own KV), so its KV capacity falls.
  const std::vector<std::string> levers = {
      "weights=int8",        "kv=fp8",   "paged-kv",         "fused-attention",
      "continuous-batching", "compiled", "prefix-cache=0.5", "distill=llama-3.1-8b",
      "speculative"};
  const Catalog catalog = builtin_catalog();
  MechStackInput in = small_input({});
  in.scenario.replica.model = *catalog.model("llama-3.1-70b");
  in.scenario.tp = 4;
  for (const auto& t : levers) {
    auto l = io::parse_lever(t, "test", catalog, in.scenario.replica.model);
    ASSERT_TRUE(l) << t;
    in.levers.push_back(*l);
  }
  auto base = evaluate_lever_set(in, 0, false);
  ASSERT_TRUE(base);
  for (std::size_t i = 0; i < in.levers.size(); ++i) {
    auto st = evaluate_lever_set(in, 1u << i, false);
    ASSERT_TRUE(st) << in.levers[i].name;
    EXPECT_LE(st->weights_gb, base->weights_gb + 1e-9) << in.levers[i].name;
    if (in.levers[i].kind == LeverKind::speculative) {
      EXPECT_LT(st->kv_capacity_tokens, base->kv_capacity_tokens) << "the draft takes memory";
      EXPECT_LT(st->running_cap, base->running_cap);
      continue;
    }
    EXPECT_GE(st->running_cap, base->running_cap) << in.levers[i].name;
    // Paged KV allocates whole 16-token blocks: its capacity may round down by less than a block
    // (and it holds far more sequences, checked above).
    const std::int64_t slack = in.levers[i].kind == LeverKind::paged_kv ? 16 : 0;
    EXPECT_GE(st->kv_capacity_tokens + slack, base->kv_capacity_tokens) << in.levers[i].name;
  }
}

TEST(MechStack, SpeculativeTokensPerStepFollowTheAcceptanceFormula) {
  const Catalog catalog = builtin_catalog();
  MechStackInput in = small_input({});
  in.scenario.replica.model = *catalog.model("llama-3.1-70b");
  auto l =
      io::parse_lever("speculative=k:4,accept:0.7", "test", catalog, in.scenario.replica.model);
  ASSERT_TRUE(l) << l.error().message;
  // The default draft shares the target's vocabulary: the smallest such catalog model.
  EXPECT_EQ(l->model->name, "llama-3.1-8b");
  in.levers.push_back(*l);
  auto st = evaluate_lever_set(in, 1, false);
  ASSERT_TRUE(st);
  // (1 - a^(k+1)) / (1 - a) = (1 - 0.7^5) / 0.3
  EXPECT_NEAR(st->tokens_per_step, (1 - std::pow(0.7, 5)) / 0.3, 1e-12);
}

TEST(MechStack, LeverParsingErrorsNameTheOrigin) {
  const Catalog catalog = builtin_catalog();
  const ModelSpec m = *catalog.model("llama-3.1-70b");
  auto bad = io::parse_lever("turbo", "--lever", catalog, m);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("--lever: unknown lever 'turbo'"), std::string::npos);
  bad = io::parse_lever("speculative=accept:nan", "--lever", catalog, m);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("speculative accept"), std::string::npos);
  bad = io::parse_lever("prefix-cache=-0.1", "--lever", catalog, m);
  ASSERT_FALSE(bad);
  bad = io::parse_lever("distill=llama-3.1-405b", "--lever", catalog, m);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not smaller"), std::string::npos);
  bad = io::parse_lever("weights=int3", "plan.yaml:4", catalog, m);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("plan.yaml:4"), std::string::npos);
  bad = io::parse_lever("paged-kv=yes", "--lever", catalog, m);
  ASSERT_FALSE(bad);
}

TEST(Ablation, MeasuredGapAgainstTheProductOfIsolatedFactors) {
  AblationGroup g;
  g.key = "llama-3.1-8b/h100-sxm";
  g.stack = small_input({"weights=int8", "compiled"});
  auto row = [](const char* stage, std::uint32_t set, double tok_s) {
    AblationRow r;
    r.origin = std::string("t.csv:") + stage;
    r.stage = stage;
    r.set = set;
    r.num_gpus = 1;
    r.output_tok_s = tok_s;
    r.isl = 1024;
    r.osl = 256;
    r.concurrency = 32;
    return r;
  };
  g.rows = {row("baseline", 0, 100), row("weights=int8", 1, 150), row("compiled", 2, 120),
            row("weights=int8+compiled", 3, 160)};
  auto r = compare_ablation(g);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->states.size(), 4u);
  const AblationStateResult& both = r->states[3];
  EXPECT_DOUBLE_EQ(both.measured_factor, 1.6);
  ASSERT_TRUE(both.product_of_isolated);
  EXPECT_DOUBLE_EQ(*both.product_of_isolated, 1.5 * 1.2);
  EXPECT_NEAR(*both.gap, 1.6 / 1.8 - 1.0, 1e-12);
  ASSERT_EQ(r->pairs.size(), 1u);
  EXPECT_NEAR(r->pairs[0].measured_interaction, 1.6 / 1.8, 1e-12);
  // The stack predicts every state at the same operating point.
  ASSERT_TRUE(both.predicted_factor);
  ASSERT_TRUE(r->pairs[0].predicted_interaction);
  EXPECT_GT(*r->states[1].predicted_factor, 1.0);  // int8 weights stream half the bytes
  EXPECT_GT(*r->states[2].predicted_factor, 1.0);  // no launch overhead
  // A repeated set is an error, not an average.
  g.rows.push_back(row("compiled", 2, 121));
  EXPECT_FALSE(compare_ablation(g));
}

TEST(LeverContrast, FleetEquationCasesByHand) {
  Scenario s = default_scenario(builtin_catalog());
  s.target_qps = 100;
  s.target_utilization = 1;
  s.redundancy = 0;
  s.usd_per_gpu_hour = 2;
  // q = 10, g = 8: N = 10, C = 10 x 8 x 2 = 160. q x 2: N = 5, C = 80 (saves 80). g / 4 = 2:
  // C = 10 x 2 x 2 = 40 (saves 120): the footprint lever wins.
  ContrastCase c = contrast_case(s, 8, 10, Pricing::per_gpu);
  EXPECT_EQ(c.replicas, 10);
  EXPECT_DOUBLE_EQ(c.usd_per_hour, 160);
  EXPECT_DOUBLE_EQ(c.throughput_saved_usd_per_hour, 80);
  EXPECT_DOUBLE_EQ(c.footprint_saved_usd_per_hour, 120);
  EXPECT_EQ(c.reason, ContrastReason::gpus_fall_more_than_n);
  // g = 1 cannot shrink: doubling q wins.
  c = contrast_case(s, 1, 10, Pricing::per_gpu);
  EXPECT_DOUBLE_EQ(c.footprint_saved_usd_per_hour, 0);
  EXPECT_DOUBLE_EQ(c.throughput_saved_usd_per_hour, 10);
  EXPECT_EQ(c.reason, ContrastReason::replica_is_one_gpu);
  // The seed's fixed node price: GPUs per replica do not change the bill.
  c = contrast_case(s, 8, 10, Pricing::fixed_node);
  EXPECT_DOUBLE_EQ(c.footprint_saved_usd_per_hour, 0);
  EXPECT_DOUBLE_EQ(c.throughput_saved_usd_per_hour, 5 * 16.0);
  EXPECT_EQ(c.reason, ContrastReason::fixed_node_price);
}

TEST(LeverContrast, SearchFindsBothWinners) {
  Scenario s = default_scenario(builtin_catalog());
  auto r = search_lever_contrast(s, builtin_catalog());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->throughput_wins);
  ASSERT_TRUE(r->footprint_wins);
  EXPECT_GT(r->throughput_wins->throughput_saved_usd_per_hour,
            r->throughput_wins->footprint_saved_usd_per_hour);
  EXPECT_GT(r->footprint_wins->footprint_saved_usd_per_hour,
            r->footprint_wins->throughput_saved_usd_per_hour);
  EXPECT_GE(r->footprint_wins->gpus, 2);
}

}  // namespace
}  // namespace fleetsizer
