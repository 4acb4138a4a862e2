#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/csv.h"
#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

Json run_json(const std::string& args) {
  const RunResult r = run_cli(args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
}

const std::string kAzureConv =
    "../shared/data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv";

TEST(SimulateCli, JsonKeys) {
  const Json j = run_json(
      "simulate --model llama-3.1-8b --gpu h100 --rate 4 --requests 500 --length-dist lognormal");
  EXPECT_EQ(j["requests"], 500);
  for (const char* m : {"ttft_ms", "tpot_ms", "e2e_ms"})
    for (const char* p : {"p50", "p99"}) EXPECT_GT(j[m][p].get<double>(), 0) << m << p;
  EXPECT_GT(j["goodput_rps"].get<double>(), 0);
  EXPECT_GT(j["throughput_rps"].get<double>(), 0);
}

// Replaying the Azure conversation trace at its own rate: every request comes back with the
// trace's own token totals (summed here independently from the file).
TEST(SimulateCli, AzureConversationReplayKeepsCountsAndTokens) {
  const std::string trace = source_path(kAzureConv);
  if (!std::filesystem::exists(trace)) GTEST_SKIP() << "shared data not present: " << trace;
  double in = 0, out = 0;
  std::int64_t n = 0;
  {
    auto t = io::read_csv(trace);
    ASSERT_TRUE(t);
    for (const auto& row : t->rows) {
      in += *io::parse_number(row.cells[1]);
      out += *io::parse_number(row.cells[2]);
      ++n;
    }
  }
  const std::string dir = temp_dir("azure-replay");
  const Json j = run_json("simulate --model llama-3.1-8b --gpu h100 --replicas 4 --trace " +
                          kAzureConv + " --per-request " + dir + "/requests.csv");
  EXPECT_EQ(j["requests"].get<std::int64_t>(), n);
  EXPECT_EQ(j["arrived"].get<std::int64_t>(), n);
  EXPECT_FALSE(j["diverged"].get<bool>());
  EXPECT_DOUBLE_EQ(j["throughput_rps"].get<double>() * j["makespan_s"].get<double>(),
                   static_cast<double>(n));
  double sim_in = 0, sim_out = 0;
  auto rows = io::read_csv(dir + "/requests.csv");
  ASSERT_TRUE(rows);
  EXPECT_EQ(static_cast<std::int64_t>(rows->rows.size()), n);
  for (const auto& row : rows->rows) {
    sim_in += *io::parse_number(row.cells[*rows->column("input_tokens")]);
    sim_out += *io::parse_number(row.cells[*rows->column("output_tokens")]);
  }
  EXPECT_DOUBLE_EQ(sim_in, in);
  EXPECT_DOUBLE_EQ(sim_out, out);
}

TEST(SimulateCli, FindReplicasOnBothTraces) {
  // Mooncake prompts average ~7,000 tokens (up to tens of thousands): a looser TTFT target.
  for (const auto& [trace, ttft] :
       {std::pair<std::string, int>{"tests/fixtures/azure-conv-200.csv", 1000},
        {"tests/fixtures/mooncake-conv-200.jsonl", 15000}}) {
    const Json j = run_json("simulate --model llama-3.1-8b --gpu h100 --trace " + trace +
                            " --rate 20 --slo ttft:p99=" + std::to_string(ttft) +
                            " --slo tpot:p99=60 --find-replicas --router prefix_affinity");
    ASSERT_TRUE(j["find_replicas"]["found"].get<bool>()) << trace;
    const int r = j["find_replicas"]["replicas"].get<int>();
    EXPECT_GE(r, 1);
    EXPECT_LE(j["ttft_ms"]["p99"].get<double>(), ttft);
    // One replica fewer must fail (or R is 1).
    bool found_smaller_failure = r == 1;
    for (const auto& t : j["trials"])
      if (t["replicas"].get<int>() == r - 1 && !t["meets"].get<bool>())
        found_smaller_failure = true;
    EXPECT_TRUE(found_smaller_failure) << trace;
    EXPECT_TRUE(j["find_replicas"].contains("floor_replicas"));
  }
}

TEST(SimulateCli, BadInput) {
  const std::string dir = temp_dir("simulate-bad");
  write_text(dir + "/t.csv", "TIMESTAMP,ContextTokens\n2023-11-16 18:15:46.1,1\n");
  RunResult r = run_cli("simulate --trace " + dir + "/t.csv");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing column 'GeneratedTokens'"), std::string::npos) << r.err;
  r = run_cli("simulate --router fastest");
  EXPECT_NE(r.err.find("unknown policy 'fastest'"), std::string::npos) << r.err;
  r = run_cli("simulate --replicas 0");
  EXPECT_NE(r.err.find("--replicas must be in [1, 100000], got 0"), std::string::npos) << r.err;
  r = run_cli("simulate --rate -1");
  EXPECT_NE(r.err.find("rate must be a positive number"), std::string::npos) << r.err;
  r = run_cli("simulate --trace " + dir + "/missing.csv");
  EXPECT_NE(r.err.find("cannot open trace"), std::string::npos) << r.err;
}

// The scenario's router and arrival process reach the simulation: a random router and gamma
// arrivals with cv 3 give a different (burstier) TTFT tail than the defaults at the same rate.
TEST(SimulateCli, ScenarioRouterAndArrivalsChangeTheRun) {
  const std::string dir = temp_dir("simulate-scenario");
  const std::string base = "model: llama-3.1-8b\ngpu: h100\n";
  write_text(dir + "/plain.yaml", base);
  write_text(dir + "/bursty.yaml", base + "router: random\nworkload: {arrival: gamma, cv: 3}\n");
  const std::string run = " --replicas 4 --requests 3000 --rate 20";
  const Json plain = run_json("simulate --scenario " + dir + "/plain.yaml" + run);
  const Json bursty = run_json("simulate --scenario " + dir + "/bursty.yaml" + run);
  ASSERT_TRUE(plain.contains("ttft_ms") && bursty.contains("ttft_ms"));
  EXPECT_EQ(plain["router"], "least_outstanding");
  EXPECT_EQ(bursty["router"], "random");
  EXPECT_NE(plain["workload"], bursty["workload"]);
  const double p99 = plain["ttft_ms"]["p99"].get<double>();
  const double bursty_p99 = bursty["ttft_ms"]["p99"].get<double>();
  EXPECT_GT(bursty_p99, p99 * 1.05) << "plain " << p99 << " ms, bursty " << bursty_p99 << " ms";
  // cv alone is an error naming its line: it only applies to gamma arrivals.
  write_text(dir + "/cv.yaml", base + "cv: 3\n");
  const RunResult r = run_cli("simulate --scenario " + dir + "/cv.yaml" + run);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cv.yaml:3: cv applies to gamma arrivals: add arrival: gamma"),
            std::string::npos)
      << r.err;
}

TEST(SimulateCli, UnreachableSloStopsTheSearch) {
  const Json j = run_json(
      "simulate --model llama-3.1-8b --gpu h100 --trace tests/fixtures/mooncake-conv-200.jsonl "
      "--rate 20 --slo ttft:p99=100 --find-replicas");
  EXPECT_FALSE(j["find_replicas"]["found"].get<bool>());
  EXPECT_NE(j["find_replicas"]["reason"].get<std::string>().find("without contention"),
            std::string::npos);
  EXPECT_LT(j["trials"].size(), 10u);
}

TEST(SimulateCli, OverloadReportsDivergence) {
  const Json j = run_json(
      "simulate --model llama-3.1-8b --gpu h100 --rate 1000 --requests 100000 --max-waiting 2000");
  EXPECT_TRUE(j["diverged"].get<bool>());
  EXPECT_NE(j["divergence"].get<std::string>().find("cannot keep up"), std::string::npos);
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// A run of a few requests is mostly start-up from an empty fleet: it says so (a note and
// steady_state.reached false); a long one does not. Turnovers are makespan over mean E2E.
TEST(SimulateCli, ARunTooShortForSteadyStateSaysSo) {
  const RunResult short_run = run_cli("simulate --requests 12 --rate 2 --format json");
  ASSERT_EQ(short_run.exit_code, 0) << short_run.err;
  const auto s = nlohmann::json::parse(short_run.out);
  const double turnovers =
      s["makespan_s"].get<double>() / (s["e2e_ms"]["mean"].get<double>() / 1e3);
  EXPECT_NEAR(s["steady_state"]["turnovers"].get<double>(), turnovers, 1e-9 * turnovers);
  EXPECT_LT(turnovers, 10);
  EXPECT_FALSE(s["steady_state"]["reached"].get<bool>());
  ASSERT_TRUE(s.contains("notes"));
  EXPECT_NE(s["notes"].dump().find("too short to reach steady state"), std::string::npos);

  const RunResult long_run = run_cli("simulate --requests 3000 --rate 2 --format json");
  ASSERT_EQ(long_run.exit_code, 0) << long_run.err;
  const auto l = nlohmann::json::parse(long_run.out);
  EXPECT_GE(l["steady_state"]["turnovers"].get<double>(), 10);
  EXPECT_TRUE(l["steady_state"]["reached"].get<bool>());
  EXPECT_EQ(l.value("notes", nlohmann::json::array()).dump().find("steady state"),
            std::string::npos);

  // 50x more arrivals than one replica serves: not a short run but one with no steady state.
  const RunResult overload = run_cli("simulate --requests 2000 --rate 100 --format json");
  ASSERT_EQ(overload.exit_code, 0) << overload.err;
  const auto o = nlohmann::json::parse(overload.out);
  EXPECT_FALSE(o["steady_state"]["reached"].get<bool>());
  EXPECT_NE(o["notes"].dump().find("There is no steady state"), std::string::npos) << o["notes"];
}

}  // namespace
}  // namespace fleetsizer::testing
