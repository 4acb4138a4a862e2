// `fleetsizer search` and `fleetsizer catalog` end to end: JSON keys scripts rely on, the emitted
// artifacts, the load profile, and one clear line for bad input.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

const std::string kSmall =
    "search --model llama-3.1-8b --gpus h100-sxm,l40s --target-qps 20 --sim-requests 1000 "
    "--verify-top 2 --no-fleet-sim --max-num-seqs-caps 128 --weights-dtypes bf16,fp8 "
    "--kv-dtypes bf16";

TEST(SearchCli, JsonPlansSortedByCostWithErrorBarsAndPareto) {
  const RunResult r = run_cli(kSmall + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_TRUE(j["plans"].is_array());
  ASSERT_FALSE(j["plans"].empty());
  for (const char* key : {"gpu", "tp", "weights_dtype", "kv_dtype", "engine", "replicas",
                          "replicas_p50", "replicas_p95", "gpus", "usd_per_hour"})
    EXPECT_TRUE(j["plans"][0].contains(key)) << key;
  EXPECT_EQ(j["plans"][0]["status"], "chosen");
  double last = 0;
  for (const auto& p : j["plans"]) {
    if (p["q_source"] != "simulation" || p["usd_per_hour"].is_null()) continue;
    EXPECT_GE(p["usd_per_hour"].get<double>(), last);
    last = p["usd_per_hour"].get<double>();
  }
  EXPECT_TRUE(j["pareto"].is_array());
  EXPECT_FALSE(j["pareto"].empty());
  EXPECT_TRUE(j["chosen"]["replicas_p95"].get<int>() >= j["chosen"]["replicas_p50"].get<int>());
  EXPECT_EQ(j["chosen"]["price_source"], "illustrative catalog price");
  // Same input, same bytes.
  EXPECT_EQ(run_cli(kSmall + " --format json").out, r.out);
}

TEST(SearchCli, EmitsVllmAndKubernetes) {
  const RunResult v = run_cli(kSmall + " --emit vllm");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("vllm serve meta-llama/Llama-3.1-8B --tensor-parallel-size"),
            std::string::npos)
      << v.out;
  const RunResult k = run_cli(kSmall + " --emit k8s");
  ASSERT_EQ(k.exit_code, 0) << k.err;
  const auto docs = YAML::LoadAll(k.out);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["kind"].as<std::string>(), "Deployment");
}

TEST(SearchCli, PriceFlagIsUsedAndNotIllustrative) {
  const RunResult r = run_cli(kSmall + " --price h100-sxm=1.00 --price l40s=0.10 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_NE(j["chosen"]["price_source"].get<std::string>().find("--price"), std::string::npos);
  for (const auto& p : j["plans"]) EXPECT_FALSE(p["illustrative_price"].get<bool>());
}

TEST(SearchCli, LoadProfileGivesAReservation) {
  const std::string dir = temp_dir("search-load-profile");
  write_text(dir + "/day.csv", "hour,rate_rps\n0,5\n1,5\n2,20\n3,40\n");
  const RunResult r = run_cli(kSmall + " --load-profile " + dir + "/day.csv --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["hours"].size(), 4u);
  const auto& res = j["reservation"];
  EXPECT_LE(res["reserved_replicas"].get<int>(), res["peak_replicas"].get<int>());
  EXPECT_LE(res["usd_per_year"].get<double>(), res["all_reserved_usd_per_year"].get<double>());
  EXPECT_LE(res["usd_per_year"].get<double>(), res["all_on_demand_usd_per_year"].get<double>());
  write_text(dir + "/gap.csv", "hour,rate_rps\n0,5\n2,5\n");
  expect_one_line_error(kSmall + " --load-profile " + dir + "/gap.csv", "gap.csv:3");
  write_text(dir + "/neg.csv", "hour,rate_rps\n0,5\n1,-5\n");
  expect_one_line_error(kSmall + " --load-profile " + dir + "/neg.csv", "rate_rps must be");
  write_text(dir + "/one.csv", "hour,rate_rps\n0,5\n");
  expect_one_line_error(kSmall + " --load-profile " + dir + "/one.csv", "at least two hours");
}

TEST(SearchCli, BadInputIsOneLine) {
  expect_one_line_error("search --gpus h100-sxm,h1000", "h1000");
  expect_one_line_error("search --target-qps 0", "target_qps");
  expect_one_line_error("search --target-qps nan", "target_qps");
  expect_one_line_error("search --tps 0", "tps");
  expect_one_line_error("search --price h100-sxm=-3", "price");
  expect_one_line_error("search --price nonsense", "GPU=USD");
  expect_one_line_error("search --weights-dtypes fp7", "fp7");
  expect_one_line_error("search --tps 1,,2", "empty item");
  expect_one_line_error(kSmall + " --tps 3", "TP 3");
  expect_one_line_error(
      "search --model llama-3.1-8b --gpus h100-sxm,l40s --weights-dtypes fp4 --target-qps 20",
      "search space is empty");
  expect_one_line_error(kSmall + " --repair-hours 1e300", "down");
  expect_one_line_error(kSmall + " --emit k8s --k8s-name 'Bad Name: x'", "--k8s-name");
  expect_one_line_error(kSmall + " --engines trtllm --emit vllm", "--engines vllm");
  expect_one_line_error(
      "search --model llama-3.1-405b --gpus h100-sxm --weights-dtypes bf16 "
      "--kv-dtypes bf16 --target-qps 1 --sim-requests 1000 --verify-top 1 "
      "--no-fleet-sim --max-num-seqs-caps 64 --emit k8s",
      "cannot span hosts");
  const std::string dir = temp_dir("search-bad-files");
  expect_one_line_error(kSmall + " --prices " + dir, "is a directory");
  write_text(dir + "/prices.csv", "gpu,usd_per_gpu_hour,reserved_usd_per_gpu_hour\nh100-sxm,2,3\n");
  expect_one_line_error(kSmall + " --prices " + dir + "/prices.csv", "prices.csv:2");
}

TEST(SearchCli, InfeasibleSloListsTheClosestPlans) {
  const RunResult r = run_cli(
      "search --model llama-3.1-8b --gpus h100-sxm --target-qps 10 --slo tpot:p99=0.5 --format "
      "json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_FALSE(j["feasible"].get<bool>());
  ASSERT_FALSE(j["plans"].empty());
  EXPECT_NE(j["plans"][0]["why"].get<std::string>().find("tpot"), std::string::npos);
}

TEST(CatalogCli, GpusAndModelsAsJsonArrays) {
  const RunResult g = run_cli("catalog gpus --format json");
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const Json gpus = Json::parse(g.out);
  ASSERT_TRUE(gpus.is_array());
  bool h100 = false;
  for (const auto& e : gpus) {
    EXPECT_FALSE(e["source"].get<std::string>().empty());
    EXPECT_TRUE(e["price_illustrative"].get<bool>());
    h100 |= e["name"] == "h100-sxm";
  }
  EXPECT_TRUE(h100);
  const Json models = Json::parse(run_cli("catalog models --format json").out);
  ASSERT_TRUE(models.is_array());
  for (const auto& m : models)
    if (!m["published_params_b"].is_null()) {
      EXPECT_NEAR(m["params_b"].get<double>(), m["published_params_b"].get<double>(),
                  0.02 * m["published_params_b"].get<double>())
          << m["name"];
    }
  expect_one_line_error("catalog engines", "engines");
}

// The disaggregated alternative beside the plans is what `fleetsizer disagg` plans for the same
// scenario and GPUs (one sizing, not a copy), and its saving is against the chosen plan.
TEST(SearchCli, DisaggregatedAlternativeIsTheDisaggCommandsPlan) {
  const RunResult r = run_cli(kSmall + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json s = Json::parse(r.out);
  const RunResult dr =
      run_cli("disagg --model llama-3.1-8b --gpus h100-sxm,l40s --target-qps 20 --format json");
  ASSERT_EQ(dr.exit_code, 0) << dr.err;
  const Json d = Json::parse(dr.out);
  ASSERT_TRUE(s.contains("disaggregated")) << r.out.substr(0, 400);
  for (const char* pool : {"prefill", "decode"}) {
    EXPECT_EQ(s["disaggregated"][pool]["gpu"], d[pool]["gpu"]) << pool;
    EXPECT_EQ(s["disaggregated"][pool]["tp"], d[pool]["tp"]) << pool;
    EXPECT_EQ(s["disaggregated"][pool]["replicas"], d[pool]["replicas"]) << pool;
    EXPECT_DOUBLE_EQ(s["disaggregated"][pool]["usd_per_hour"].get<double>(),
                     d[pool]["usd_per_hour"].get<double>())
        << pool;
  }
  EXPECT_DOUBLE_EQ(s["disaggregated"]["usd_per_hour"].get<double>(),
                   d["usd_per_hour"].get<double>());
  EXPECT_NEAR(s["disaggregated"]["saving_vs_chosen_usd_per_hour"].get<double>(),
              s["chosen"]["usd_per_hour"].get<double>() - d["usd_per_hour"].get<double>(), 1e-9);
  // Off on request; skipped with the reason where the SLO spans both pools.
  EXPECT_FALSE(
      Json::parse(run_cli(kSmall + " --no-disagg --format json").out).contains("disaggregated"));
  const Json e2e = Json::parse(run_cli(kSmall + " --slo e2e:p99=20000 --format json").out);
  EXPECT_NE(e2e["disaggregated"]["skipped"].get<std::string>().find("e2e"), std::string::npos)
      << e2e["disaggregated"];
}

}  // namespace
}  // namespace fleetsizer::testing
