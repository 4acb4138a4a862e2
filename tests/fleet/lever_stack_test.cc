#include "fleetsizer/fleet/lever_stack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace fleetsizer {
namespace {

TEST(LeverStack, SeedRows) {
  const StackResult r = evaluate_stack(seed_example_scenario());
  ASSERT_EQ(r.rows.size(), 6u);
  const int gpus[] = {4, 2, 1, 1, 1, 1};
  const std::int64_t nodes[] = {223, 165, 118, 95, 53, 44};
  double q = 18;
  const double factors[] = {1, 1.35, 1.40, 1.25, 1.80, 1.20};
  for (std::size_t i = 0; i < 6; ++i) {
    q *= factors[i];
    EXPECT_EQ(r.rows[i].gpus_per_node, gpus[i]) << i;
    EXPECT_EQ(r.rows[i].nodes, nodes[i]) << i;
    EXPECT_EQ(r.rows[i].nodes, static_cast<std::int64_t>(std::ceil(4000 / q))) << i;
    EXPECT_DOUBLE_EQ(r.rows[i].usd_per_hour, static_cast<double>(nodes[i]) * 12.0);
  }
  EXPECT_NEAR(r.final_memory_factor, 0.55 * 0.65, 1e-12);
  // Corrected view: 223 replicas x 4 GPUs = 892 GPUs = 112 hosts; 44 x 1 GPU = 6 hosts.
  EXPECT_EQ(r.rows.front().hosts, 112);
  EXPECT_EQ(r.rows.back().hosts, 6);
  EXPECT_DOUBLE_EQ(r.rows.back().corrected_usd_per_hour, 72.0);
  // Without the footprint levers the final 44 replicas would keep 4 GPUs: 22 hosts.
  EXPECT_DOUBLE_EQ(r.corrected_usd_per_hour_without_footprint, 22 * 12.0);
}

TEST(LeverStack, PlainFactorsAreOrderInvariant) {
  auto orders = evaluate_orders(seed_example_scenario());
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->orders.size(), 120u);
  for (const auto& o : orders->orders) {
    EXPECT_EQ(o.final_nodes, 44);
    EXPECT_DOUBLE_EQ(o.final_usd_per_hour, 528.0);
  }
  EXPECT_DOUBLE_EQ(orders->spread_usd_per_hour, 0.0);
}

TEST(LeverStack, ConditionalFactorsMakeOrderMatter) {
  StackScenario s = seed_example_scenario();
  s.levers[3].conditions.push_back({LeverCondition::Kind::fits_on_one_gpu, "", 2.2});
  s.levers[4].conditions.push_back(
      {LeverCondition::Kind::after_lever, "FlashAttention (22.6)", 1.3});
  auto orders = evaluate_orders(s);
  ASSERT_TRUE(orders);
  const double best_q = 18 * 1.35 * 1.40 * 1.25 * 2.2 * 1.3;
  const double worst_q = 18 * 1.35 * 1.40 * 1.25 * 1.8 * 1.2;
  const auto best_nodes = static_cast<std::int64_t>(std::ceil(4000 / best_q));
  const auto worst_nodes = static_cast<std::int64_t>(std::ceil(4000 / worst_q));
  EXPECT_EQ(orders->orders[orders->best].final_nodes, best_nodes);
  EXPECT_EQ(orders->orders[orders->worst].final_nodes, worst_nodes);
  EXPECT_DOUBLE_EQ(orders->spread_usd_per_hour, (worst_nodes - best_nodes) * 12.0);
  // In the best order continuous batching comes after both footprint levers.
  const auto& seq = orders->orders[orders->best].sequence;
  const auto pos = [&](const char* n) { return std::ranges::find(seq, n) - seq.begin(); };
  EXPECT_GT(pos("Continuous batching (22.7)"), pos("INT8 quantization (22.2)"));
  EXPECT_GT(pos("Continuous batching (22.7)"), pos("Paged KV cache (22.5)"));
  EXPECT_GT(pos("torch.compile / TensorRT (22.8)"), pos("FlashAttention (22.6)"));
}

TEST(LeverStack, ValidationRejectsBadFactorsAndUnknownConditions) {
  StackScenario s = seed_example_scenario();
  s.levers[0].throughput_factor = -1;
  EXPECT_FALSE(validate(s));
  s = seed_example_scenario();
  s.levers[0].conditions.push_back({LeverCondition::Kind::after_lever, "Nope", 2});
  auto r = validate(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("unknown lever 'Nope'"), std::string::npos);
  s = seed_example_scenario();
  s.target_qps = NAN;
  EXPECT_FALSE(validate(s));
}

}  // namespace
}  // namespace fleetsizer
