// `fleetsizer disagg` end to end: the JSON keys scripts read (issue 12: prefill/decode/colocated
// objects, usd_per_hour, saving, sweep[]), the scenario file's pool keys, every output format, and
// one clear line for each kind of bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

const std::string kModel = "disagg --model llama-3.1-8b --gpu h100-sxm --target-qps 50 --isl 2048 ";
const std::string kBase = kModel + "--osl 128 --slo ttft:p99=2000 --slo tpot:p99=40";

Json run_json(const std::string& args) {
  const RunResult r = run_cli(args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  return Json::parse(r.out);
}

void expect_pool(const Json& p) {
  for (const char* key : {"gpu", "tp", "replicas", "gpus", "usd_per_hour"})
    EXPECT_TRUE(p.contains(key)) << key << " in " << p.dump();
}

TEST(DisaggCli, PlanAndSweepJsonKeys) {
  const Json j = run_json(kBase + " --sweep-isl 256:8192 --gpus h100-sxm,l40s");
  expect_pool(j["prefill"]);
  expect_pool(j["decode"]);
  expect_pool(j["colocated"]);
  EXPECT_NEAR(
      j["usd_per_hour"].get<double>(),
      j["prefill"]["usd_per_hour"].get<double>() + j["decode"]["usd_per_hour"].get<double>(), 1e-6);
  EXPECT_NEAR(j["saving_usd_per_hour"].get<double>(),
              j["colocated"]["usd_per_hour"].get<double>() - j["usd_per_hour"].get<double>(), 1e-6);
  ASSERT_EQ(j["sweep"].size(), 16u);
  EXPECT_EQ(j["sweep"][0]["isl"], 256);
  EXPECT_EQ(j["sweep"][15]["isl"], 8192);
  for (const auto& row : j["sweep"]) {
    expect_pool(row["prefill"]);
    expect_pool(row["decode"]);
    expect_pool(row["colocated"]);
    EXPECT_TRUE(row.contains("usd_per_hour"));
  }
  EXPECT_TRUE(j.contains("crossover_isl"));
  // A pool's GPU is one of the candidates.
  for (const char* pool : {"prefill", "decode", "colocated"}) {
    const std::string gpu = j[pool]["gpu"];
    EXPECT_TRUE(gpu == "h100-sxm" || gpu == "h200" || gpu == "l40s") << gpu;
  }
}

TEST(DisaggCli, ScenarioPoolKeysAndVerification) {
  const std::string dir = temp_dir("disagg-cli");
  write_text(dir + "/d.yaml",
             "model: llama-3.1-8b\ngpu: h100-sxm\ntarget_qps: 20\nisl: 1024\nosl: 128\n"
             "slo: [\"ttft:p99=2000\", \"tpot:p99=40\"]\nprefill_gpu: h200\nprefill_tp: 2\n"
             "decode_tp: 1\nkv_link: roce\n");
  const Json j = run_json("disagg --scenario " + dir + "/d.yaml --verify --requests 2000");
  EXPECT_EQ(j["prefill"]["gpu"], "h200");
  EXPECT_EQ(j["prefill"]["tp"], 2);
  EXPECT_EQ(j["decode"]["gpu"], "h100-sxm");
  EXPECT_EQ(j["decode"]["tp"], 1);
  EXPECT_EQ(j["link"]["name"], "roce");
  EXPECT_EQ(j["verification"]["met"], true);
  EXPECT_GE(j["verification"]["prefill_replicas"].get<int>(),
            j["verification"]["start_prefill_replicas"].get<int>());
  EXPECT_LE(j["verification"]["ttft:p99=2000"].get<double>(), 2000);
  EXPECT_LE(j["verification"]["tpot:p99=40"].get<double>(), 40);
}

TEST(DisaggCli, EveryFormat) {
  for (const char* format : {"table", "csv", "markdown"}) {
    const RunResult r =
        run_cli(kBase + " --sweep-isl 512:2048 --sweep-points 3 --format " + format);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("h100-sxm"), std::string::npos) << format;
  }
}

TEST(DisaggCli, BadInputIsOneLine) {
  expect_one_line_error(kModel + "--osl 1 --slo ttft:p99=2000", "osl must be >= 2");
  expect_one_line_error(kBase + " --gpus h100-sxm,warp-drive", "--gpus");
  expect_one_line_error(kBase + " --sweep-isl 4096:1024", "--sweep-isl");
  expect_one_line_error(kBase + " --sweep-isl abc", "--sweep-isl");
  expect_one_line_error(kBase + " --slo e2e:p99=9000", "spans both");
  // 10 ms: the 5.4 ms transfer fits, the 2,048-token prefill does not.
  expect_one_line_error(kModel + "--osl 128 --slo ttft:p99=10 --slo tpot:p99=40",
                        "prefill pool: ttft:p99=10");
  expect_one_line_error(kModel + "--osl 128 --slo ttft:p99=2000 --slo tpot:p99=1",
                        "decode pool: tpot:p99=1");
  expect_one_line_error(kBase + " --kv-transfer-gb-s 0.001", "KV transfer");
  expect_one_line_error(kBase + " --kv-link carrier-pigeon", "unknown KV link");
  expect_one_line_error(kBase + " --kv-transfer-gb-s 0", "kv_transfer_gb_s must be > 0");
  expect_one_line_error(kBase + " --prefill-tp 0", "prefill_tp");
}

}  // namespace
}  // namespace fleetsizer::testing
