// Disaggregated sizing: hand-computed transfer, link cap and fleet counts; the monotonicity
// properties (prompt length vs prefill share, TTFT vs prefill replicas, TPOT vs decode replicas);
// with no transfer cost and one spec, disaggregation saves at most the interference the colocated
// model charges; bad inputs give reasons naming the pool and the constraint.
#include "fleetsizer/disagg/disagg.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/decode_only.h"
#include "fleetsizer/perf/linear_step.h"

namespace fleetsizer {
namespace {

// Llama-3.1-8B on H100-SXM, TP1, bf16: 100 req/s of 1024 in / 256 out under TTFT p99 <= 1 s and
// TPOT p99 <= 40 ms, billed per GPU, no headroom or spares (so counts are ceil(Q / q)).
DisaggInputs inputs(double isl = 1024, double ttft_ms = 1000, double tpot_ms = 40) {
  Scenario s = default_scenario(builtin_catalog());
  s.replica.model = *builtin_catalog().model("llama-3.1-8b");
  s.workload = fixed_workload(isl, 256);
  s.target_qps = 100;
  s.slo = {{Metric::ttft, Percentile::p99, ttft_ms}, {Metric::tpot, Percentile::p99, tpot_ms}};
  s.billing = Billing::per_gpu;
  s.target_utilization = 1;
  s.redundancy = 0;
  s.tp = 1;
  DisaggInputs in;
  in.base = s;
  for (PoolOptions* o : {&in.prefill, &in.decode}) {
    o->gpus = {s.replica.gpu};
    o->tp = 1;
    o->limits = s.replica.limits;
  }
  in.link = *link_preset("infiniband");
  return in;
}

// Llama-3.1-8B's KV per token: 32 layers x 8 KV heads x 128 dims x (K, V) x 2 bytes.
constexpr double kKvBytesPerToken = 32.0 * 8 * 128 * 2 * 2;

TEST(KvLink, TransferTimeIsLatencyPlusBytesOverLanes) {
  const KvLink ib = *link_preset("infiniband");
  // 1024 tokens x 131,072 B = 134.2 MB over 50 GB/s: 2.684 ms + 5 us; over 2 lanes half that.
  EXPECT_NEAR(kv_transfer_s(ib, 1024 * kKvBytesPerToken, 1), 5e-6 + 134217728.0 / 50e9, 1e-12);
  EXPECT_NEAR(kv_transfer_s(ib, 1024 * kKvBytesPerToken, 2), 5e-6 + 134217728.0 / 100e9, 1e-12);
  EXPECT_FALSE(link_preset("token-ring").has_value());
  EXPECT_NE(link_preset("token-ring").error().message.find("nvlink"), std::string::npos);
}

TEST(DecodeOnlyModel, AJoiningSequenceCostsOneDecodeAtItsPromptContext) {
  const LinearStepModel inner({.fixed_s = 0.004,
                               .per_token_s = 1e-4,
                               .per_sequence_s = 1e-5,
                               .per_context_s = 1e-8,
                               .token_budget = 512});
  const DecodeOnlyModel decode(inner);
  StepWork w = StepWork::decoding(10, 2000);
  w.with_prefill(3000, 2, 1500);
  // 12 decoding sequences over 20,000 + 3,000 context tokens:
  // 0.004 + 12 x 1e-4 + 12 x 1e-5 + 23,000 x 1e-8 = 0.00555 s.
  EXPECT_NEAR(decode.step(w).total_s, 0.004 + 12e-4 + 12e-5 + 23000e-8, 1e-15);
  EXPECT_GT(decode.token_budget(), 1e9);
}

TEST(Disagg, PrefillTransferAndLinkCapByHand) {
  DisaggInputs in = inputs();
  const auto split = split_slo(in.base.slo);
  ASSERT_TRUE(split.has_value());
  ReplicaSpec spec = in.base.replica;
  spec.tp = 1;
  PoolPlan p = prefill_replica(spec, in.base, in.link, split->prefill);
  ASSERT_TRUE(p.feasible) << p.reason;
  EXPECT_NEAR(p.kv_bytes_per_request, 1024 * kKvBytesPerToken, 1);
  EXPECT_NEAR(p.transfer_ms, (5e-6 + 1024 * kKvBytesPerToken / 50e9) * 1e3, 1e-9);
  EXPECT_NEAR(p.q_link_rps, 0.8 * 50e9 / (1024 * kKvBytesPerToken), 1e-9);
  EXPECT_FALSE(p.link_binds);
  // The TTFT at q before the transfer uses the budget left after it.
  EXPECT_LE(p.at_q.ttft_ms.p99, 1000 - p.transfer_ms + 1e-6);
  // A 1 GB/s link: 0.8e9 / 134.2 MB = 5.96 req/s, below what compute allows.
  KvLink slow{"slow", 1, 0};
  PoolPlan s = prefill_replica(spec, in.base, slow, split->prefill);
  ASSERT_TRUE(s.feasible) << s.reason;
  EXPECT_TRUE(s.link_binds);
  EXPECT_EQ(s.binding, "kv link");
  EXPECT_NEAR(s.q_rps, 0.8e9 / (1024 * kKvBytesPerToken), 1e-9);
  EXPECT_GT(s.q_compute_rps, s.q_rps);
  // 0.01 GB/s: 13.4 s for the transfer alone, over the 1 s TTFT target: a reason, not a plan.
  PoolPlan none = prefill_replica(spec, in.base, KvLink{"dialup", 0.01, 0}, split->prefill);
  EXPECT_FALSE(none.feasible);
  EXPECT_NE(none.reason.find("KV transfer"), std::string::npos) << none.reason;
  EXPECT_NE(none.reason.find("ttft:p99=1000"), std::string::npos) << none.reason;
}

TEST(Disagg, PoolFleetsAreTheFleetEquationOnEachPool) {
  const auto plan = plan_disagg(inputs());
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  ASSERT_TRUE(plan->feasible);
  for (const PoolPlan* p : {&plan->prefill, &plan->decode, &plan->colocated}) {
    ASSERT_TRUE(p->feasible) << p->reason;
    const auto n = static_cast<std::int64_t>(std::ceil(100 / p->q_rps - 1e-9));
    EXPECT_EQ(p->fleet.replicas, n);
    EXPECT_EQ(p->fleet.gpus, n);
    EXPECT_NEAR(p->fleet.usd_per_hour, static_cast<double>(n) * p->usd_per_gpu_hour, 1e-9);
  }
  EXPECT_NEAR(plan->usd_per_hour,
              plan->prefill.fleet.usd_per_hour + plan->decode.fleet.usd_per_hour, 1e-9);
  EXPECT_NEAR(plan->saving_usd_per_hour, plan->colocated.fleet.usd_per_hour - plan->usd_per_hour,
              1e-9);
  EXPECT_NEAR(plan->prefill_share,
              static_cast<double>(plan->prefill.fleet.gpus) /
                  static_cast<double>(plan->prefill.fleet.gpus + plan->decode.fleet.gpus),
              1e-12);
  EXPECT_EQ(plan->winner, plan->saving_usd_per_hour > 0 ? "disaggregated" : "colocated");
}

// Over prompts up to half the token budget (8192): beyond that the open-loop step mix
// (perf/steady_state.cc) truncates a step's prompts at the budget without carrying the rest, which
// overstates a prefill replica's capacity for prompts near the budget (docs/model.md says so).
// At 1,000 req/s so that whole replicas round the share by little; every TP open.
TEST(DisaggProperty, LongerPromptsNeverLowerThePrefillShare) {
  double last = 0;
  for (double isl : sweep_lengths(128, 4096, 6)) {
    DisaggInputs in = inputs(isl, 4000, 40);
    in.base.target_qps = 1000;
    in.prefill.tp.reset();
    in.decode.tp.reset();
    auto plan = plan_disagg(in);
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    ASSERT_TRUE(plan->feasible) << isl << ": " << plan->prefill.reason << plan->decode.reason;
    EXPECT_GE(plan->prefill_share, last) << "isl " << isl;
    last = plan->prefill_share;
  }
  EXPECT_GT(last, 0.5);  // at 4k-token prompts most GPUs prefill
}

TEST(DisaggProperty, TighterTtftNeverLowersPrefillReplicas) {
  std::int64_t last = 0;
  double last_usd = 0;
  for (double ttft : {8000.0, 2000.0, 1000.0, 500.0, 250.0, 150.0}) {
    auto plan = plan_disagg(inputs(1024, ttft, 40));
    ASSERT_TRUE(plan.has_value());
    ASSERT_TRUE(plan->prefill.feasible) << ttft << ": " << plan->prefill.reason;
    EXPECT_GE(plan->prefill.fleet.replicas, last) << "ttft " << ttft;
    last = plan->prefill.fleet.replicas;
    // With every TP open the pool's cost still never falls.
    DisaggInputs free = inputs(1024, ttft, 40);
    free.prefill.tp.reset();
    auto any = plan_disagg(free);
    ASSERT_TRUE(any.has_value());
    EXPECT_GE(any->prefill.fleet.usd_per_hour, last_usd - 1e-9) << "ttft " << ttft;
    last_usd = any->prefill.fleet.usd_per_hour;
  }
  EXPECT_GT(last, 1);
}

TEST(DisaggProperty, TighterTpotNeverLowersDecodeReplicas) {
  std::int64_t last = 0;
  for (double tpot : {200.0, 60.0, 30.0, 20.0, 15.0, 12.0}) {
    auto plan = plan_disagg(inputs(1024, 2000, tpot));
    ASSERT_TRUE(plan.has_value());
    ASSERT_TRUE(plan->decode.feasible) << tpot << ": " << plan->decode.reason;
    EXPECT_GE(plan->decode.fleet.replicas, last) << "tpot " << tpot;
    last = plan->decode.fleet.replicas;
  }
  EXPECT_GT(last, 1);
}

TEST(DisaggProperty, NoTransferSameSpecSavesAtMostTheInterference) {
  for (double isl : {256.0, 1024.0, 4096.0}) {
    for (double tpot : {25.0, 50.0}) {
      DisaggInputs in = inputs(isl, 2000, tpot);
      in.link = KvLink{"free", INFINITY, 0};
      auto plan = plan_disagg(in);
      ASSERT_TRUE(plan.has_value());
      ASSERT_TRUE(plan->feasible && plan->colocated.feasible);
      ASSERT_EQ(plan->colocated.spec.tp, 1);
      EXPECT_NEAR(plan->prefill.transfer_ms, 0, 1e-12);
      EXPECT_GE(plan->usd_per_hour,
                plan->colocated.fleet.usd_per_hour - plan->interference_usd_per_hour - 1e-9)
          << "isl " << isl << " tpot " << tpot;
      // The saving is bounded by the interference plus the two pools' rounding (< 1 replica each
      // at one GPU per replica).
      EXPECT_LE(plan->saving_usd_per_hour, plan->interference_usd_per_hour + 1e-9);
    }
  }
}

TEST(DisaggBadInput, ReasonsNameThePoolAndTheConstraint) {
  DisaggInputs in = inputs();
  in.base.workload.output.mean = 1;
  auto osl1 = plan_disagg(in);
  ASSERT_FALSE(osl1.has_value());
  EXPECT_NE(osl1.error().message.find("osl must be >= 2"), std::string::npos);
  // A 1 ms TTFT: no prefill pool size meets it.
  auto ttft = plan_disagg(inputs(1024, 1, 40));
  ASSERT_TRUE(ttft.has_value());
  EXPECT_FALSE(ttft->feasible);
  EXPECT_TRUE(ttft->prefill.reason.starts_with("prefill pool: ")) << ttft->prefill.reason;
  EXPECT_NE(ttft->prefill.reason.find("ttft:p99"), std::string::npos) << ttft->prefill.reason;
  // A 1 ms TPOT: no decode pool size meets it.
  auto tpot = plan_disagg(inputs(1024, 2000, 1));
  ASSERT_TRUE(tpot.has_value());
  EXPECT_FALSE(tpot->decode.feasible);
  EXPECT_TRUE(tpot->decode.reason.starts_with("decode pool: ")) << tpot->decode.reason;
  EXPECT_NE(tpot->decode.reason.find("tpot:p99"), std::string::npos) << tpot->decode.reason;
  // An E2E target spans both pools.
  DisaggInputs e2e = inputs();
  e2e.base.slo.push_back({Metric::e2e, Percentile::p99, 10000});
  EXPECT_FALSE(plan_disagg(e2e).has_value());
}

TEST(DisaggSweep, LengthsAndCrossover) {
  const auto l = sweep_lengths(256, 8192, 16);
  ASSERT_EQ(l.size(), 16u);
  EXPECT_EQ(l.front(), 256);
  EXPECT_EQ(l.back(), 8192);
  for (std::size_t i = 1; i < l.size(); ++i) EXPECT_GT(l[i], l[i - 1]);
  std::vector<DisaggPlan> sweep(4);
  const char* winners[] = {"colocated", "colocated", "disaggregated", "disaggregated"};
  for (int i = 0; i < 4; ++i) {
    sweep[i].isl = 100.0 * (i + 1);
    sweep[i].winner = winners[i];
  }
  EXPECT_EQ(crossover_isl(sweep), 300);
  sweep[2].winner = sweep[3].winner = "colocated";
  EXPECT_EQ(crossover_isl(sweep), 0);
}

}  // namespace
}  // namespace fleetsizer
