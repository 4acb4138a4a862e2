// End-to-end tests of the fleetsizer binary: output formats, the JSON keys scripts rely on
// (DESIGN.md section 4), and one clear line plus a non-zero exit for every kind of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "io/scenario_file.h"
#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

Json run_json(const std::string& args) {
  const RunResult r = run_cli(args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  return Json::parse(r.out);
}

TEST(Cli, ExampleJsonKeys) {
  const Json j = run_json("example");
  ASSERT_EQ(j["rows"].size(), 6u);
  EXPECT_EQ(j["rows"][0]["label"], "fp16, static batch, eager");
  EXPECT_EQ(j["rows"][0]["gpus_per_node"], 4);
  EXPECT_EQ(j["rows"][0]["qps_per_node"], 18.0);
  EXPECT_EQ(j["rows"][5]["nodes"], 44);
  EXPECT_EQ(j["rows"][5]["usd_per_hour"], 528.0);
  EXPECT_NEAR(j["rows"][5]["fleet_ratio"].get<double>(), 528.0 / 2676.0, 1e-12);
  EXPECT_EQ(j["rows"][5]["corrected"]["usd_per_hour"], 72.0);
}

TEST(Cli, EveryFormatRenders) {
  for (const char* cmd : {"example", "fit --model llama-3.1-8b --gpu h100", "size --q 5",
                          "stack --scenario examples/seed-stack.yaml"}) {
    for (const char* format : {"table", "json", "csv", "markdown"}) {
      const RunResult r = run_cli(std::string(cmd) + " --format " + format);
      EXPECT_EQ(r.exit_code, 0) << cmd << " " << format << ": " << r.err;
      EXPECT_FALSE(r.out.empty()) << cmd << " " << format;
    }
  }
}

TEST(Cli, StackScenarioMatchesExampleAndShowsCorrectedView) {
  const RunResult stack = run_cli("stack --scenario examples/seed-stack.yaml");
  ASSERT_EQ(stack.exit_code, 0) << stack.err;
  // The headline, a blank line, then the seed's table byte for byte.
  const std::string headline = run_json("stack --scenario examples/seed-stack.yaml")["headline"];
  EXPECT_EQ(
      stack.out.find(headline + "\n\n" + read_text(source_path("tests/golden/output-22-9-1.txt"))),
      0u);
  EXPECT_NE(stack.out.find("Corrected view"), std::string::npos);
  EXPECT_NE(stack.out.find("Footprint levers save $192/hr"), std::string::npos);
}

TEST(Cli, StackOrdersJson) {
  Json j = run_json("stack --scenario examples/seed-stack.yaml --orders");
  EXPECT_EQ(j["orders"].size(), 120u);
  EXPECT_EQ(j["spread_usd_per_hour"], 0.0);
  j = run_json("stack --scenario examples/conditional-stack.yaml --orders");
  EXPECT_GT(j["spread_usd_per_hour"].get<double>(), 0.0);
  EXPECT_LT(j["best"]["final_usd_per_hour"].get<double>(),
            j["worst"]["final_usd_per_hour"].get<double>());
}

TEST(Cli, FitJsonKeys) {
  const Json j = run_json("fit --model llama-3.1-70b --gpu h100-sxm");
  EXPECT_NEAR(j["weights_gb"].get<double>(), 141.1, 0.1);
  EXPECT_EQ(j["kv_bytes_per_token"], 327680.0);
  EXPECT_EQ(j["min_gpus"], 2);
  EXPECT_GT(j["kv_capacity_tokens"].get<long>(), 0);
  EXPECT_GT(j["max_sequences"].get<long>(), 0);
  EXPECT_TRUE(j.contains("bottleneck"));
}

TEST(Cli, FitFromConfigJsonPath) {
  const Json j = run_json("fit --model tests/fixtures/llama-3.1-8b_config.json --gpu h100");
  EXPECT_EQ(j["kv_bytes_per_token"], 131072.0);
  EXPECT_EQ(j["min_gpus"], 1);
}

TEST(Cli, FitsNowhereIsAResultNotACrash) {
  const Json j = run_json("fit --model llama-3.1-405b --gpu l4 --gpu-memory-utilization 0.3");
  EXPECT_FALSE(j["fits"].get<bool>());
  EXPECT_TRUE(j["min_gpus"].is_null());
  EXPECT_NE(j["reason"].get<std::string>().find("does not fit"), std::string::npos);
}

TEST(Cli, SizeJsonKeysWithGivenQ) {
  const Json j =
      run_json("size --model llama-3.1-8b --gpu h100 --q 10 --target-qps 95 --redundancy 1");
  EXPECT_EQ(j["replica"]["gpus"], 1);
  EXPECT_EQ(j["replica"]["q"], 10.0);
  EXPECT_EQ(j["fleet"]["floor_replicas"], 10);
  EXPECT_EQ(j["fleet"]["replicas"], 13);  // ceil(95 / (10 x 0.8)) = 12, + 1
  EXPECT_GT(j["fleet"]["usd_per_hour"].get<double>(), 0);
  EXPECT_GT(j["fleet"]["usd_per_million_output_tokens"].get<double>(), 0);
  EXPECT_TRUE(j["explain"].contains("fleet.floor_replicas"));
}

TEST(Cli, SizeFromCurve) {
  // At batch 64 TTFT p99 is 2200 > 2000 ms; at 32 it is 1150 and TPOT 38 <= 50, and PCHIP keeps the
  // interpolated TTFT between the two, so the largest integer batch lies in [32, 64).
  const Json j = run_json(
      "size --model llama-3.1-70b --gpu h100 --tp 4 --curve examples/curve-70b.csv "
      "--slo ttft:p99=2000 --slo tpot:p99=50 --target-qps 100");
  EXPECT_EQ(j["replica"]["q_source"], "curve");
  const double b = j["replica"]["max_batch"].get<double>();
  EXPECT_GE(b, 32);
  EXPECT_LT(b, 64);
  EXPECT_GE(j["replica"]["q"].get<double>(), 18.5);
  EXPECT_LE(j["replica"]["q"].get<double>(), 27.0);
}

TEST(Cli, OutputFileIsWrittenWholeOrNotAtAll) {
  const std::string dir = temp_dir("cli-output");
  const std::string good = dir + "/plan.json";
  RunResult r = run_cli("size --q 5 --format json -o '" + good + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Json::parse(read_text(good)).contains("fleet"));
  const std::string bad = dir + "/bad.json";
  r = run_cli("size --q -5 --format json -o '" + bad + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(bad));
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos)
        << "left a temp file " << e.path();
}

TEST(Cli, BadInputUnknownNamesSuggest) {
  expect_one_line_error("fit --model llama-3.1-7b --gpu h100", "did you mean llama-3.1-8b");
  expect_one_line_error("fit --model llama-3.1-8b --gpu h1000", "did you mean h100");
  expect_one_line_error("fit --model llama-3.1-8b --weights-dtype fp6", "unknown dtype 'fp6'");
  expect_one_line_error("size --engine tgi --q 1", "unknown engine 'tgi'");
}

TEST(Cli, BadInputNumbers) {
  expect_one_line_error("size --q 1 --target-qps -3",
                        "--target-qps: target_qps must be a positive number");
  expect_one_line_error("size --q 1 --target-qps 0", "must be a positive number");
  expect_one_line_error("size --q 1 --target-qps nan", "must be a finite number, got 'nan'");
  expect_one_line_error("size --q 1 --target-qps inf", "must be a finite number");
  expect_one_line_error("size --q 1 --target-qps abc", "must be a number, got 'abc'");
  expect_one_line_error("fit --tp 3", "--tp 3: not a valid tensor-parallel degree");
  expect_one_line_error("fit --tp 1.5", "tp must be a whole number");
  expect_one_line_error("size --q 1 --target-utilization 1.2",
                        "target_utilization must be in (0, 1]");
  expect_one_line_error("size --q 1 --slo ttft:p98=100", "unknown percentile 'p98'");
}

TEST(Cli, BadInputFiles) {
  const std::string dir = temp_dir("cli-bad-files");
  write_text(dir + "/syntax.yaml", "model: llama-3.1-8b\ngpu: [h100\n");
  expect_one_line_error("size --scenario " + dir + "/syntax.yaml",
                        "syntax.yaml:3: YAML syntax error");
  write_text(dir + "/unknown.yaml", "model: llama-3.1-8b\nfleet:\n  redundnacy: 1\n");
  expect_one_line_error("size --scenario " + dir + "/unknown.yaml",
                        "unknown.yaml:3: unknown key 'redundnacy'");
  write_text(dir + "/neg.yaml", "q: 3\nworkload:\n  target_qps: -10\n");
  expect_one_line_error("size --scenario " + dir + "/neg.yaml",
                        "neg.yaml:3: target_qps must be a positive number");
  write_text(dir + "/cfg.json",
             R"({"num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10})");
  expect_one_line_error("fit --model " + dir + "/cfg.json",
                        "cfg.json: missing field 'hidden_size'");
  expect_one_line_error("size --scenario " + dir + "/missing.yaml",
                        "missing.yaml: cannot open scenario file");
  write_text(dir + "/curve.csv", "batch,ttft_ms_p99\n1,100\n");
  expect_one_line_error("size --curve " + dir + "/curve.csv",
                        "missing column 'request_rate' or 'output_tok_s'");
  write_text(dir + "/curve2.csv", "batch,request_rate,ttft_ms_p99\n1,2,100\n2,-3,120\n");
  expect_one_line_error("size --curve " + dir + "/curve2.csv",
                        "curve2.csv:3: request_rate must be a positive");
  write_text(dir + "/stack.yaml", "stack:\n  levers:\n    - {name: a, memory: 0, throughput: 1}\n");
  expect_one_line_error("stack --scenario " + dir + "/stack.yaml",
                        "stack.yaml:3: memory must be a positive number");
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

TEST(Cli, CatalogFileAddsAndOverridesEntries) {
  const std::string dir = temp_dir("catalog");
  write_text(dir + "/catalog.yaml",
             "gpus:\n"
             "  - {name: h100-sxm, usd_per_gpu_hour: 1.25}\n"
             "  - {name: my-accel, memory_gib: 96, hbm_bandwidth_tb_s: 4, bf16_tflops: 900, "
             "interconnect_gb_s: 400}\n"
             "models:\n"
             "  - {name: deeper-8b, base: llama-3.1-8b, layers: 40}\n"
             "  - {name: from-config, config: " +
                 source_path("tests/fixtures/llama-3.1-8b_config.json") + "}\n");
  Json j = run_json("fit --catalog " + dir + "/catalog.yaml --model deeper-8b --gpu my-accel");
  EXPECT_EQ(j["kv_bytes_per_token"], 40.0 * 8 * 128 * 2 * 2);  // 40 layers instead of 32
  EXPECT_EQ(j["gpu"], "my-accel");
  j = run_json("size --catalog " + dir +
               "/catalog.yaml --model from-config --gpu h100 --q 10 --target-qps 10 "
               "--redundancy 0 --target-utilization 1 --billing gpu");
  EXPECT_EQ(j["fleet"]["usd_per_gpu_hour"], 1.25);  // the override, not the built-in price
  EXPECT_EQ(j["fleet"]["usd_per_hour"], 1.25);
  write_text(dir + "/bad.yaml", "gpus:\n  - {name: x, memory_gib: -1}\n");
  expect_one_line_error("fit --catalog " + dir + "/bad.yaml --gpu x",
                        "bad.yaml:2: memory_gib must be a number in (0, 1000000], got -1");
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// The long option names (--name) that `fleetsizer <command> --help` lists.
std::set<std::string> help_flags(const std::string& command) {
  const RunResult r = run_cli(command + " --help");
  EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
  std::set<std::string> flags;
  const std::regex option(R"(^\s+(?:-\w,)?(--[a-z0-9-]+))");
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (std::smatch m; std::regex_search(line, m, option)) flags.insert(m[1]);
  EXPECT_TRUE(flags.contains("--format")) << command << " --help:\n" << r.out;
  return flags;
}

TEST(CliFlags, CommandsListOnlyTheFlagsTheyRead) {
  const auto emulate = help_flags("emulate");
  for (const char* f : {"--target-qps", "--usd-per-gpu-hour", "--redundancy", "--replicas",
                        "--rate", "--router", "--trace", "--slo", "--q", "--curve"})
    EXPECT_FALSE(emulate.contains(f)) << "emulate lists " << f;
  for (const char* f : {"--model", "--gpu", "--tp", "--profile", "--prefix-hit-rate"})
    EXPECT_TRUE(emulate.contains(f)) << "emulate lacks " << f;
  const auto fit = help_flags("fit");
  for (const char* f : {"--router", "--trace", "--usd-per-gpu-hour", "--isl", "--slo", "--profile",
                        "--skip-bad-lines"})
    EXPECT_FALSE(fit.contains(f)) << "fit lists " << f;
  expect_one_line_error("fit --router random", "--router");
  expect_one_line_error("emulate --target-qps 10", "--target-qps");
  expect_one_line_error("size --replicas 3 --q 5", "--replicas");
  expect_one_line_error("simulate --usd-per-gpu-hour 2", "--usd-per-gpu-hour");
}

// docs/formats.md's table of which command reads which key is the truth: every scenario key is in
// it with at least one command, and each command's --help lists exactly the flags of its rows.
TEST(CliFlags, DocumentedKeyTableMatchesTheCommands) {
  const std::string doc = read_text(source_path("docs/formats.md"));
  const std::vector<std::string> commands = {"fit",    "predict",  "size",   "slo",
                                             "search", "simulate", "emulate"};
  std::map<std::string, std::set<std::string>> help;
  for (const auto& c : commands) help[c] = help_flags(c);
  std::set<std::string> documented_keys;
  int rows = 0;
  std::istringstream lines(doc);
  const std::regex code("`([^`]+)`");
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("| `")) continue;
    std::vector<std::string> cells;
    std::stringstream cs(line.substr(1));
    for (std::string cell; std::getline(cs, cell, '|');) cells.push_back(cell);
    ASSERT_GE(cells.size(), 3u) << line;
    auto codes = [&](const std::string& cell) {
      std::vector<std::string> out;
      for (std::sregex_iterator it(cell.begin(), cell.end(), code), end; it != end; ++it)
        out.push_back((*it)[1]);
      return out;
    };
    const auto keys = codes(cells[0]);
    if (keys.size() == 1 && keys[0].ends_with(":")) continue;  // the stack: section
    ++rows;
    std::set<std::string> readers;
    std::stringstream rs(cells[2]);
    for (std::string w; rs >> w;) {
      if (w.ends_with(",")) w.pop_back();
      readers.insert(w);
    }
    EXPECT_FALSE(readers.empty()) << line;
    for (const auto& k : keys) {
      documented_keys.insert(k);
      EXPECT_TRUE(io::key_group(k).has_value()) << "documented key '" << k << "' is not a key";
    }
    for (const auto& flag : codes(cells[1]))
      for (const auto& c : commands)
        EXPECT_EQ(help[c].contains(flag), readers.contains(c))
            << c << (readers.contains(c) ? " lacks " : " lists ") << flag;
  }
  EXPECT_GE(rows, 10);
  for (const auto& k : io::scenario_keys())
    EXPECT_TRUE(documented_keys.contains(k.name)) << "key '" << k.name << "' is not documented";
}

TEST(CliFlags, ScenarioFileKeys) {
  const std::string dir = temp_dir("cli-scenario-keys");
  // `seed` was accepted and read by no command: now an unknown key, with its line.
  write_text(dir + "/seed.yaml", "model: llama-3.1-8b\nsimulation:\n  seed: 3\n");
  expect_one_line_error("simulate --scenario " + dir + "/seed.yaml",
                        "seed.yaml:3: unknown key 'seed'");
  // A disaggregated pool's key is read by disagg only; fit ignores it in a shared file.
  write_text(dir + "/disagg.yaml", "model: llama-3.1-8b\nprefill_gpu: h100\n");
  EXPECT_EQ(run_json("fit --scenario " + dir + "/disagg.yaml")["min_gpus"], 1);
  // A file shared by size and simulate: fit ignores what only they read.
  write_text(dir + "/shared.yaml",
             "model: llama-3.1-8b\ngpu: h100\ntarget_qps: 20\nq: 5\nrouter: random\n"
             "replicas: 2\nrequests: 200\nrate: 3\nfleet: {redundancy: 0, usd_per_gpu_hour: 2}\n");
  Json j = run_json("fit --scenario " + dir + "/shared.yaml");
  EXPECT_EQ(j["min_gpus"], 1);
  j = run_json("size --scenario " + dir + "/shared.yaml");
  EXPECT_EQ(j["fleet"]["replicas"], 5);  // ceil(20 / (5 x 0.8))
  j = run_json("simulate --scenario " + dir + "/shared.yaml");
  EXPECT_EQ(j["requests"], 200);
  EXPECT_EQ(j["replicas"], 2);
  EXPECT_EQ(j["router"], "random");
}

}  // namespace
}  // namespace fleetsizer::testing
