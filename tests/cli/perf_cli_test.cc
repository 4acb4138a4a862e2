#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

TEST(PerfCli, PredictJsonKeys) {
  const RunResult r = run_cli(
      "predict --model llama-3.1-8b --gpu h100 --tp 1 --isl 1024 --osl 256 --concurrency 16 "
      "--format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  for (const char* key : {"ttft_ms", "tpot_ms", "output_tok_s", "request_rate"})
    EXPECT_GT(j[key].get<double>(), 0) << key;
  EXPECT_LE(j["output_tok_s"].get<double>(), j["bound"]["output_tok_s"].get<double>());
  EXPECT_NEAR(j["output_tok_s"].get<double>(), j["request_rate"].get<double>() * 256, 1e-6);
}

TEST(PerfCli, PredictNeedsConcurrencyOrRate) {
  const RunResult r = run_cli("predict --model llama-3.1-8b --gpu h100");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("give --concurrency"), std::string::npos);
}

TEST(PerfCli, SloExerciseJson) {
  const RunResult r = run_cli(
      "slo --parametric q0=2,alpha=0.05,l0=0,l1=100,metric=e2e:p99 --slo e2e:p99=2400 --target-qps "
      "100 "
      "--target-utilization 1 --redundancy 0 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["max_batch"], 24.0);
  EXPECT_NEAR(j["q"].get<double>(), 2 * 24 / 2.2, 1e-9);
  EXPECT_EQ(j["nodes"], 5);  // ceil(100 / 21.818)
}

TEST(PerfCli, ModelBasedSizeNeedsNoQ) {
  const RunResult r = run_cli("size --model llama-3.1-8b --gpu h100 --target-qps 50 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["replica"]["q_source"], "simulation");
  EXPECT_GT(j["replica"]["q"].get<double>(), 0);
  EXPECT_GE(j["fleet"]["replicas"].get<int>(), j["fleet"]["floor_replicas"].get<int>());
}

TEST(PerfCli, UnmeetableSloIsAResult) {
  const RunResult r =
      run_cli("size --model llama-3.1-70b --gpu h100 --slo tpot:p99=1 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_NE(j["reason"].get<std::string>().find("tpot:p99=1"), std::string::npos) << j["reason"];
}

TEST(PerfCli, CalibrateWritesAProfileThatValidateReads) {
  const std::string dir = temp_dir("calibrate");
  const std::string profile = dir + "/profile.yaml";
  RunResult r =
      run_cli("calibrate --measurements data/measurements/splitwise-llama2-70b.csv -o " + profile);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_text(profile).find("entries:"), std::string::npos);
  r = run_cli("validate --measurements data/measurements/splitwise-llama2-70b.csv --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double before =
      Json::parse(r.out)["summary"]["tpot_ms"]["median_abs_pct_error"].get<double>();
  r = run_cli("validate --measurements data/measurements/splitwise-llama2-70b.csv --profile " +
              profile + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_LT(j["summary"]["tpot_ms"]["median_abs_pct_error"].get<double>(), before);
  EXPECT_EQ(j["summary"]["tpot_ms"]["n"], 113);
}

TEST(PerfCli, BadMeasurementRowsAreSkippedWithLineNumbers) {
  const std::string dir = temp_dir("measurements");
  write_text(dir + "/m.csv",
             "model,gpu,num_gpus,tp,weights_dtype,kv_dtype,engine,isl,osl,concurrency,request_rate,"
             "output_tok_s,"
             "total_tok_s,ttft_ms,tpot_ms,source\n"
             "llama-3.1-8b,h100-sxm,1,1,bf16,bf16,vllm,1024,256,8,,,,200,12,ok\n"
             "llama-9b,h100-sxm,1,1,bf16,bf16,vllm,1024,256,8,,,,200,12,unknown model\n"
             "llama-3.1-8b,h100-sxm,1,1,bf16,bf16,vllm,-5,256,8,,,,200,12,negative\n"
             "llama-3.1-8b,h100-sxm,1,1,bf16,bf16,vllm,1024,256,8,,,,200,0.1,too fast\n");
  const RunResult r = run_cli("validate --measurements " + dir + "/m.csv --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["rows"].size(), 1u);
  ASSERT_EQ(j["skipped"].size(), 3u);
  EXPECT_NE(j["skipped"][0]["where"].get<std::string>().find("m.csv:3"), std::string::npos);
  EXPECT_NE(j["skipped"][0]["reason"].get<std::string>().find("unknown model 'llama-9b'"),
            std::string::npos);
  EXPECT_NE(j["skipped"][1]["reason"].get<std::string>().find("isl must be a positive number"),
            std::string::npos);
  EXPECT_NE(j["skipped"][2]["reason"].get<std::string>().find("contradicts physics"),
            std::string::npos);
  write_text(dir + "/nocol.csv", "model,gpu,tp,engine,isl\nllama-3.1-8b,h100,1,vllm,1\n");
  const RunResult missing = run_cli("validate --measurements " + dir + "/nocol.csv");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nocol.csv:1: missing column 'osl'"), std::string::npos)
      << missing.err;
}

TEST(PerfCli, ValidateReadsVllmBenchJson) {
  const std::string dir = temp_dir("vllm-json");
  write_text(
      dir + "/result.json",
      R"({"model_id": "meta-llama/Llama-3.1-8B-Instruct", "completed": 100, "max_concurrency": 16,
                 "total_input_tokens": 102400, "total_output_tokens": 25600, "request_throughput": 5.0,
                 "output_throughput": 1280.0, "median_ttft_ms": 180.0, "median_tpot_ms": 11.5})");
  const RunResult r =
      run_cli("validate --measurements " + dir + "/result.json --gpu h100 --tp 1 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 1u);
  EXPECT_EQ(j["rows"][0]["isl"], 1024.0);
  EXPECT_EQ(j["rows"][0]["measured"]["tpot_ms"], 11.5);
}

}  // namespace
}  // namespace fleetsizer::testing
