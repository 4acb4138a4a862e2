#include "fleetsizer/perf/expert_parallel.h"

#include <gtest/gtest.h>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/predict.h"
#include "fleetsizer/perf/roofline.h"

namespace fleetsizer {
namespace {

// DeepSeek-R1 in fp8 on 8 B200s as the silicon runs' "DEP8": attention data parallel 8 (tp 1),
// experts over 8 groups (ep 8, moe_tp 1).
ReplicaSpec dep8() {
  const Catalog c = builtin_catalog();
  ReplicaSpec r;
  r.model = *c.model("deepseek-r1");
  r.gpu = *c.gpu("b200");
  r.tp = 1;
  r.attention_dp = 8;
  r.moe_ep = 8;
  r.weights_dtype = Dtype::fp8;
  r.kv_dtype = Dtype::fp8;
  return r;
}

// One expert: 3 x 7,168 x 2,048 = 44,040,192 parameters (gate, up, down).
constexpr double kExpert = 44040192.0;
// A token reaches 8 (1 - (7/8)^8) of the 8 groups: (7/8)^8 = 5,764,801 / 16,777,216.
constexpr double kGroupsHit = 8.0 * (1.0 - 5764801.0 / 16777216.0);

TEST(ExpertParallel, Ep8LayerMovesTheHandComputedBytesAndFlops) {
  const ReplicaSpec r = dep8();
  EXPECT_EQ(r.moe_tp_size(), 1);
  EXPECT_EQ(r.gpus(), 8);
  // One token: its 8 experts, 1/8 of their FLOPs per GPU; each GPU holds 1/8 of the 8 touched.
  const MoeLayerCost one = moe_layer_cost(r, 1, 1.0);
  EXPECT_DOUBLE_EQ(one.expert_flops, 1 * 8 * 2 * kExpert / 8);
  EXPECT_NEAR(one.touched_experts, 8.0, 1e-12);
  EXPECT_NEAR(one.expert_weight_bytes, 8.0 / 8 * kExpert, 1e-3);
  // 256 tokens: 256 x 8 x 2 x 44,040,192 / 8 = 22,548,578,304 FLOPs per GPU; each GPU sends its
  // 32 tokens to 5.2511 groups, 7 of 8 of them remote, as 7,168 bf16 values: 2,107,845.06 bytes.
  const MoeLayerCost c = moe_layer_cost(r, 256, 1.0);
  EXPECT_DOUBLE_EQ(c.expert_flops, 22548578304.0);
  EXPECT_TRUE(c.uses_all_to_all);
  EXPECT_NEAR(c.expert_groups_hit, 5.25112867, 1e-8);
  EXPECT_NEAR(c.dispatch_bytes, 32 * kGroupsHit * 7168 * 2 * 7.0 / 8, 1e-6);
  EXPECT_NEAR(c.dispatch_bytes, 2107845.06, 0.01);
  EXPECT_DOUBLE_EQ(c.combine_bytes, c.dispatch_bytes);
}

TEST(ExpertParallel, PlainTensorParallelMoeHasNoAllToAll) {
  ReplicaSpec r = dep8();
  r.tp = 8;
  r.attention_dp = 1;
  r.moe_ep = 1;
  EXPECT_EQ(r.moe_tp_size(), 8);
  const MoeLayerCost c = moe_layer_cost(r, 256, 1.0);
  EXPECT_FALSE(c.uses_all_to_all);
  EXPECT_EQ(c.dispatch_bytes, 0);
  // The same FLOPs per GPU as EP: the work is split 8 ways either way.
  EXPECT_DOUBLE_EQ(c.expert_flops, 22548578304.0);
}

// Attention data parallelism replicates the non-expert weights on every GPU; the experts are
// split 8 ways either way.
TEST(ExpertParallel, FootprintReplicatesAttentionUnderDataParallel) {
  const ReplicaSpec r = dep8();
  const double routed = count_params(r.model).routed_experts * 1.0;  // fp8: 1 byte
  const double all = weights_bytes(r);
  EXPECT_NEAR(weights_bytes_per_gpu(r), (all - routed) + routed / 8, 1.0);
  ReplicaSpec tp8 = r;
  tp8.tp = 8;
  tp8.attention_dp = 1;
  tp8.moe_ep = 1;
  EXPECT_NEAR(weights_bytes_per_gpu(tp8), all / 8, 1.0);
  // Each data-parallel copy holds its own sequences: 8 x what one GPU's KV holds.
  const Footprint f = footprint_at(r, 2048);
  EXPECT_EQ(f.max_sequences, f.kv_capacity_tokens / f.tokens_reserved_per_sequence * 8);
}

// The step's communication is the dispatch and combine of 58 MoE layers over NVLink, plus a
// launch latency per all-to-all; no TP all-reduce (tp 1).
TEST(ExpertParallel, StepTimeCarriesTheAllToAll) {
  const ReplicaSpec r = dep8();
  Efficiency e = ideal_efficiency();
  const RooflineModel m(r, e);
  const StepTime t = m.step(StepWork::decoding(256, 1024));
  const double bytes = 2 * 2107845.06;
  const double latency = 8e-6 * 0.75 * 3;  // catalog 8 us x 0.75 log2(8)
  EXPECT_NEAR(t.comm_s, 58 * (bytes / 900e9 + 2 * latency), 1e-12);
}

}  // namespace
}  // namespace fleetsizer
