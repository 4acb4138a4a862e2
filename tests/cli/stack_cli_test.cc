// End-to-end tests of `fleetsizer stack` in its mechanistic mode: the JSON keys of issue 10, one
// clear line and a non-zero exit for bad levers and bad ablation files, and the shipped ablation.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

// Three levers on an 8B model: 8 sets, quick under the sanitizers.
const char* kSmall =
    "stack --model llama-3.1-8b --gpu h100-sxm --target-qps 100 --slo ttft:p99=10000 "
    "--slo tpot:p99=100 --lever weights=fp8 --lever continuous-batching --lever compiled";

TEST(StackCli, MechanisticJsonKeys) {
  const RunResult r = run_cli(std::string(kSmall) + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 4u);
  EXPECT_EQ(j["rows"][0]["label"], "fp16, static batch, eager");
  EXPECT_EQ(j["rows"][0]["q_method"], "analytic-static");
  EXPECT_EQ(j["rows"][2]["q_method"], "analytic");
  ASSERT_EQ(j["orders"].size(), 6u);
  EXPECT_TRUE(j["orders"][0].contains("sequence"));
  EXPECT_TRUE(j["orders"][0].contains("final_usd_per_hour"));
  EXPECT_EQ(j["spread_usd_per_hour"], 0.0);
  ASSERT_EQ(j["shapley"].size(), 3u);
  double sum = 0;
  for (const auto& v : j["shapley"]) {
    EXPECT_TRUE(v["lever"].is_string());
    sum += v["usd_per_hour_saved"].get<double>();
  }
  EXPECT_NEAR(sum, j["total_usd_per_hour_saved"].get<double>(), 1e-6);
  EXPECT_NEAR(
      j["total_usd_per_hour_saved"].get<double>(),
      j["rows"][0]["usd_per_hour"].get<double>() - j["rows"][3]["usd_per_hour"].get<double>(),
      1e-6);
  // Each row's marginal q factor against the row before.
  for (std::size_t i = 1; i < 4; ++i)
    EXPECT_NEAR(j["rows"][i]["q_factor"].get<double>(),
                j["rows"][i]["q_rps"].get<double>() / j["rows"][i - 1]["q_rps"].get<double>(),
                1e-9);
}

TEST(StackCli, TableNamesTheTermsAndTheMethod) {
  const RunResult r = run_cli(kSmall);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("+ weights fp8"), std::string::npos);
  EXPECT_NE(r.out.find("analytic-static"), std::string::npos);
  EXPECT_NE(r.out.find("Shapley attribution"), std::string::npos);
  EXPECT_NE(r.out.find("8 lever sets evaluated once each"), std::string::npos);
}

TEST(StackCli, BadInputIsOneLine) {
  expect_one_line_error("stack --model llama-3.1-8b --lever warp-drive",
                        "--lever: unknown lever 'warp-drive'");
  expect_one_line_error("stack --model llama-3.1-8b --lever speculative=accept:nan",
                        "speculative accept");
  expect_one_line_error("stack --model llama-3.1-8b --lever weights=int8 --lever weights=fp8",
                        "a second 'weights' lever");
  const std::string dir = temp_dir("stack_cli");
  write_text(dir + "/a.csv", "stage,model,gpu,num_gpus,isl,osl,output_tok_s,speed\n");
  expect_one_line_error("stack --model llama-3.1-8b --ablation " + dir + "/a.csv",
                        "a.csv:1: unknown column 'speed'");
  write_text(dir + "/b.csv",
             "stage,model,gpu,num_gpus,isl,osl,output_tok_s\n"
             "baseline,llama-3.1-8b,h100-sxm,1,1024,256,100\n"
             "compiled,llama-3.1-8b,h100-sxm,1,1024,256,nan\n");
  expect_one_line_error("stack --model llama-3.1-8b --ablation " + dir + "/b.csv",
                        "b.csv:3: output_tok_s: must be a positive number");
  write_text(dir + "/c.csv",
             "stage,model,gpu,num_gpus,isl,osl,output_tok_s\n"
             "baseline,llama-3.1-8b,h100-sxm,1,1024,256,100\n"
             "turbo,llama-3.1-8b,h100-sxm,1,1024,256,120\n");
  expect_one_line_error("stack --model llama-3.1-8b --ablation " + dir + "/c.csv",
                        "c.csv:3: stage: unknown lever 'turbo'");
}

TEST(StackCli, ScenarioFileLeversAndUnknownKeys) {
  const std::string dir = temp_dir("stack_cli_yaml");
  write_text(dir + "/m.yaml",
             "model: llama-3.1-8b\ngpu: h100-sxm\nslo: [\"ttft:p99=10000\"]\nstack:\n"
             "  mechanistic: [\"compiled\", \"continuous-batching\"]\n");
  const RunResult r = run_cli("stack --scenario " + dir + "/m.yaml --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(j["rows"][1]["label"], "+ compiled (CUDA graphs)");
  write_text(dir + "/bad.yaml", "model: llama-3.1-8b\nstack:\n  mechanistic: [\"warp\"]\n");
  expect_one_line_error("stack --scenario " + dir + "/bad.yaml",
                        "bad.yaml:3: unknown lever 'warp'");
  write_text(dir + "/key.yaml", "stack:\n  mechanistic: [compiled]\n  levres: []\n");
  expect_one_line_error("stack --scenario " + dir + "/key.yaml",
                        "key.yaml:3: unknown key 'levres' in stack");
}

TEST(StackCli, ShippedAblationBesideThePrediction) {
  const RunResult r = run_cli(
      "stack --model llama-3.1-8b --gpu a100-80gb --slo ttft:p99=10000 --lever compiled "
      "--ablation data/ablations/qserve-trtllm-weights.csv --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  // Six (model, GPU) groups of three stages each, every one predicted.
  for (int g = 0; g < 6; ++g) {
    const Json& states = j["ablation"][std::to_string(g)]["states"];
    ASSERT_EQ(states.size(), 3u) << g;
    EXPECT_EQ(states[0]["measured_factor"], 1.0);
    EXPECT_TRUE(states[1]["predicted_factor"].is_number()) << g;
  }
  // Llama-2-7B on A100: W8A8 measured 2334 / 1549 tok/s.
  const Json& l27 = j["ablation"]["1"]["states"];
  EXPECT_NEAR(l27[2]["measured_factor"].get<double>(), 2334.0 / 1549.0, 1e-12);
}

TEST(StackCli, GptFastAblationMarginalOfSpeculativeDecoding) {
  const RunResult r = run_cli(
      "stack --model llama-2-7b --gpu a100-80gb --slo ttft:p99=10000 --lever compiled "
      "--ablation data/ablations/gpt-fast-a100.csv --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  // Llama-2-70B: bf16 on 2 GPUs (20.53 tok/s, 10.265 per GPU) is the baseline; int4 on one GPU
  // 25.25; int4 plus speculative decoding 48.4: the speculative step's marginal is 48.4 / 25.25.
  const Json& g = j["ablation"]["1"];
  ASSERT_EQ(g["states"].size(), 4u);
  EXPECT_NEAR(g["states"][2]["measured_factor"].get<double>(), 25.25 / (20.53 / 2), 1e-12);
  ASSERT_EQ(g["marginals"].size(), 1u);
  EXPECT_EQ(g["marginals"][0]["from_stage"], "weights=int4");
  EXPECT_NEAR(g["marginals"][0]["measured_factor"].get<double>(), 48.4 / 25.25, 1e-12);
  EXPECT_TRUE(g["marginals"][0]["predicted_factor"].is_number());
}

}  // namespace
}  // namespace fleetsizer::testing
