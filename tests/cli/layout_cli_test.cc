// The MoE serving layout as scenario keys and flags (attention_dp, moe_ep, moe_tp): they reach the
// replica the footprint and the step time are computed for, and bad layouts are one-line errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/units/units.h"
#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

Json fit_json(const std::string& args) {
  const RunResult r = run_cli("fit --model qwen3-235b-a22b --gpu h200 " + args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
}

// The footprint the library computes for the same layout, set on the spec by hand.
Footprint library_footprint(int tp, int attention_dp, int moe_ep) {
  Scenario s = default_scenario(builtin_catalog());
  s.replica.model = *builtin_catalog().model("qwen3-235b-a22b");
  s.replica.gpu = *builtin_catalog().gpu("h200");
  ReplicaSpec spec = s.replica;
  spec.tp = tp;
  spec.attention_dp = attention_dp;
  spec.moe_ep = moe_ep;
  return footprint_at(spec, s.context_tokens);
}

TEST(LayoutCli, FlagsReachTheFootprint) {
  // Attention over 8 data-parallel copies of 1 GPU, experts over 8 expert groups: 8 GPUs, each
  // holding the whole attention and an eighth of the routed experts.
  const Json dp = fit_json("--tp 1 --attention-dp 8 --moe-ep 8");
  const Footprint want_dp = library_footprint(1, 8, 8);
  EXPECT_EQ(dp["gpus"], 8);
  EXPECT_DOUBLE_EQ(dp["weights_gb_per_gpu"].get<double>(),
                   units::gb_from_bytes(want_dp.weights_bytes_per_gpu));
  EXPECT_EQ(dp["max_sequences"].get<std::int64_t>(), want_dp.max_sequences);
  // The same 8 GPUs as one TP-8 attention: the attention's share per GPU is an eighth, so each
  // GPU holds fewer weights and every sequence's KV is split 8 ways instead of copied per rank.
  const Json tp = fit_json("--tp 8 --moe-ep 8");
  const Footprint want_tp = library_footprint(8, 1, 8);
  EXPECT_EQ(tp["gpus"], 8);
  EXPECT_DOUBLE_EQ(tp["weights_gb_per_gpu"].get<double>(),
                   units::gb_from_bytes(want_tp.weights_bytes_per_gpu));
  EXPECT_LT(tp["weights_gb_per_gpu"].get<double>(), dp["weights_gb_per_gpu"].get<double>());
  // Expert parallelism alone does not change the bytes per GPU (the experts are split 8 ways
  // either way): moe_ep 8 and moe_tp 8 hold the same weights.
  const Json moe_tp = fit_json("--tp 8 --moe-tp 8");
  EXPECT_DOUBLE_EQ(moe_tp["weights_gb_per_gpu"].get<double>(),
                   tp["weights_gb_per_gpu"].get<double>());
}

TEST(LayoutCli, TheStepTimeSeesTheLayout) {
  // All-to-all dispatch and combine (EP) against an all-reduce (TP): the same GPUs, another
  // communication pattern, so the predicted TPOT moves.
  auto tpot = [](const std::string& layout) {
    const RunResult r = run_cli("predict --model qwen3-235b-a22b --gpu h200 " + layout +
                                " --isl 1024 --osl 256 --concurrency 64 --format json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? Json::parse(r.out)["tpot_ms"].get<double>() : 0.0;
  };
  EXPECT_NE(tpot("--tp 8 --moe-ep 8"), tpot("--tp 8 --moe-tp 8"));
}

TEST(LayoutCli, BadLayoutsAreOneLineErrors) {
  expect_one_line_error("fit --model llama-3.1-8b --gpu h100-sxm --tp 1 --moe-ep 2",
                        "llama-3.1-8b has none");
  expect_one_line_error("fit --model qwen3-235b-a22b --gpu h200 --moe-ep 8", "needs tp as well");
  expect_one_line_error("fit --model qwen3-235b-a22b --gpu h200 --tp 4 --moe-ep 3",
                        "moe_ep 3 does not divide tp x attention_dp = 4");
  expect_one_line_error("fit --model qwen3-235b-a22b --gpu h200 --tp 8 --moe-ep 4 --moe-tp 4",
                        "moe_tp x moe_ep = 4 x 4 must equal tp x attention_dp = 8");
  expect_one_line_error("fit --model qwen3-235b-a22b --gpu h200 --tp 1 --attention-dp 0",
                        "attention_dp must be in [1, 1024]");
  expect_one_line_error("fit --model qwen3-235b-a22b --gpu h200 --tp 1 --attention-dp 4294967300",
                        "attention_dp must be in [1, 1024]");
}

}  // namespace
}  // namespace fleetsizer::testing
