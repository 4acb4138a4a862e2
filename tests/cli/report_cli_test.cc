// Every command leads with its answer, and the HTML report is the JSON drawn: the headline of each
// command (golden where the numbers are pure arithmetic, checked against the JSON's own numbers
// where they come from a simulation), and each report's embedded data equal to `--format json`.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

const std::string kSize = "size --sim-requests 2000 --no-fleet-sim";
const std::string kSimulate = "simulate --requests 2000 --rate 2 --replicas 1";
const std::string kSearch =
    "search --model llama-3.1-8b --gpus h100-sxm,l40s --target-qps 20 --sim-requests 1000 "
    "--verify-top 2 --no-fleet-sim --max-num-seqs-caps 128 --weights-dtypes bf16 --kv-dtypes bf16";
const std::string kValidate = "validate --measurements data/measurements/splitwise-llama2-70b.csv";
const std::string kStack = "stack --scenario examples/seed-stack.yaml --orders";
const std::string kDisagg =
    "disagg --model llama-3.1-8b --gpus h100-sxm,l40s --target-qps 20 --sweep-isl 256:8192 "
    "--sweep-points 6";

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

Json json_of(const std::string& args) {
  const RunResult r = run_cli(args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  return Json::parse(r.out);
}

// The table output's first line is the JSON's headline.
void expect_table_leads_with_headline(const std::string& args, const Json& j) {
  const RunResult table = run_cli(args);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(first_line(table.out), j["headline"].get<std::string>()) << args;
}

TEST(ReportCli, GoldenHeadlinesOfArithmeticCommands) {
  // The seed example: 4000 QPS at $12/h per 8-GPU node (../shared/seed): 223 nodes at baseline,
  // 44 after the levers (its byte-exact table shows the same counts).
  const Json example = json_of("example");
  EXPECT_EQ(example["headline"],
            "The levers take the fleet from 223 nodes ($2676/h) to 44 nodes ($528/h), 5.10x the "
            "throughput per node");
  // The table format keeps the seed's bytes: no headline line there.
  EXPECT_EQ(run_cli("example").out, read_text(source_path("tests/golden/output-22-9-1.txt")));
  // A curve's q: 100 req/s over 25.716 req/s per replica = 4 floor, 6 with headroom and N+1.
  const Json slo = json_of("slo --curve examples/curve-70b.csv --target-qps 100");
  EXPECT_EQ(slo["headline"],
            "6 replicas x 1 x h100-sxm = 6 GPUs on 1 host, $20.00/h at $2.50/GPU-h (illustrative "
            "catalog price); binding: ttft:p99=2000");
  EXPECT_EQ(slo.find("model"), slo.end());  // a curve says nothing of the model
  EXPECT_EQ(slo["replica"].find("weights_gb"), slo["replica"].end());
  // Memory only: 70.55B parameters x 2 bytes = 141.1 GB on 2 x H100.
  const Json fit = json_of("fit --model llama-3.1-70b --gpu h100");
  EXPECT_EQ(fit["headline"].get<std::string>().rfind("Fits on 2 x h100-sxm (TP 2 x PP 1): 141.1 GB "
                                                     "of weights, KV for ",
                                                     0),
            0u)
      << fit["headline"];
  EXPECT_NE(
      fit["headline"].get<std::string>().find(fmt::format(
          "KV for {} tokens = {} sequences of {} tokens",
          fit["kv_capacity_tokens"].get<std::int64_t>(), fit["max_sequences"].get<std::int64_t>(),
          fit["context_tokens"].get<std::int64_t>())),
      std::string::npos);
  EXPECT_EQ(
      json_of("fit --model llama-3.1-405b --gpu l4 --tp 1")["headline"].get<std::string>().rfind(
          "Does not fit: ", 0),
      0u);
}

TEST(ReportCli, SizeHeadlineStatesThePlansNumbers) {
  const Json j = json_of(kSize);
  expect_table_leads_with_headline(kSize, j);
  const auto& f = j["fleet"];
  EXPECT_EQ(j["headline"].get<std::string>().rfind(
                fmt::format("{} replicas x {} x {} = {} GPUs on {} hosts, ${:.2f}/h",
                            f["replicas"].get<int>(), j["replica"]["gpus"].get<int>(),
                            j["gpu"].get<std::string>(), f["gpus"].get<int>(),
                            f["hosts"].get<int>(), f["usd_per_hour"].get<double>()),
                0),
            0u)
      << j["headline"];
  EXPECT_NE(j["headline"].get<std::string>().find("binding: "), std::string::npos);
  // The table shows the answer; the memory budget terms and the trials wait for --verbose.
  const std::string table = run_cli(kSize).out;
  EXPECT_EQ(table.find("runtime_gb_per_gpu"), std::string::npos);
  EXPECT_NE(table.find("with --verbose)"), std::string::npos);
  EXPECT_NE(run_cli(kSize + " --verbose").out.find("runtime_gb_per_gpu"), std::string::npos);
  // Units in their own column.
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(\n  usd_per_hour +[0-9.]+  \$/h\n)")))
      << table;
}

TEST(ReportCli, EveryCommandLeadsWithItsAnswer) {
  const Json sim = json_of(kSimulate);
  expect_table_leads_with_headline(kSimulate, sim);
  EXPECT_EQ(sim["headline"].get<std::string>().rfind(
                fmt::format("{} requests on 1 replica: TTFT p99 {:.0f} ms, TPOT p99 {:.1f} ms",
                            sim["requests"].get<int>(), sim["ttft_ms"]["p99"].get<double>(),
                            sim["tpot_ms"]["p99"].get<double>()),
                0),
            0u)
      << sim["headline"];
  const std::string predict =
      "predict --model llama-3.1-8b --gpu h100 --tp 1 --isl 1024 --osl 256 --rate 5";
  const Json p = json_of(predict);
  expect_table_leads_with_headline(predict, p);
  EXPECT_DOUBLE_EQ(p["request_rate"].get<double>(), 5.0);  // the rate asked for, sustained
  const Json v = json_of(kValidate);
  expect_table_leads_with_headline(kValidate, v);
  EXPECT_NE(v["headline"].get<std::string>().find(
                fmt::format("output tok/s {:.1f}%",
                            v["summary"]["output_tok_s"]["median_abs_pct_error"].get<double>())),
            std::string::npos);
  const Json s = json_of(kSearch);
  expect_table_leads_with_headline(kSearch, s);
  const Json st = json_of(kStack);
  expect_table_leads_with_headline(kStack, st);
  const Json d = json_of(kDisagg);
  expect_table_leads_with_headline(kDisagg, d);
  EXPECT_EQ(d["headline"].get<std::string>().rfind(
                fmt::format("{} prefill x ", d["prefill"]["replicas"].get<int>()), 0),
            0u)
      << d["headline"];
  EXPECT_NE(d["headline"].get<std::string>().find(
                fmt::format("${:.2f}/h", d["usd_per_hour"].get<double>())),
            std::string::npos);
}

// The data block of an HTML report, as the page's script reads it.
Json embedded_data(const std::string& html) {
  const std::string open = R"(<script id="fleetsizer-data" type="application/json">)";
  const auto start = html.find(open);
  if (start == std::string::npos) return nullptr;
  const auto end = html.find("</script>", start);
  return Json::parse(html.substr(start + open.size(), end - start - open.size()));
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Tables fit a 100-column terminal: sources, descriptions and per-pool details wait for
// --verbose (the JSON keeps every column).
TEST(ReportCli, TablesFitOneHundredColumns) {
  for (const std::string& args :
       {std::string("catalog gpus"), std::string("catalog models"), kDisagg,
        std::string("stack --model llama-3.1-8b --gpu h100-sxm --target-qps 10")}) {
    const RunResult r = run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << args << ": " << r.err;
    // A table is a rule under its titles, then its rows, up to a blank line or a closing rule.
    bool in_table = false;
    std::size_t line_no = 0, start = 0, rows = 0;
    while (start < r.out.size()) {
      const std::size_t end = r.out.find('\n', start);
      const std::string line = r.out.substr(start, end - start);
      start = end == std::string::npos ? r.out.size() : end + 1;
      ++line_no;
      if (line.starts_with("----")) {
        in_table = !in_table || rows == 0;
        rows = 0;
      } else if (line.empty()) {
        in_table = false;
      } else if (in_table) {
        ++rows;
        EXPECT_LE(line.size(), 100u) << args << " line " << line_no << ": " << line;
      }
    }
  }
  const Json gpus = json_of("catalog gpus");
  ASSERT_TRUE(gpus.is_array());
  EXPECT_TRUE(gpus[0].contains("source"));
  EXPECT_TRUE(gpus[0].contains("description"));
  const RunResult verbose = run_cli("catalog gpus --verbose");
  EXPECT_NE(verbose.out.find(gpus[0]["source"].get<std::string>()), std::string::npos);
}

TEST(ReportCli, HtmlReportIsTheJsonDrawnAndOpensOffline) {
  const std::string dir = temp_dir("html-reports");
  for (const auto& [args, charts] : std::vector<std::pair<std::string, std::size_t>>{
           {kSize, 2}, {kSimulate, 5}, {kValidate, 1}, {kStack, 2}, {kSearch, 1}, {kDisagg, 2}}) {
    const std::string path = dir + "/report.html";
    const RunResult r = run_cli(args + " --format html -o " + path);
    ASSERT_EQ(r.exit_code, 0) << args << ": " << r.err;
    const std::string html = read_text(path);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
    // Offline: nothing is loaded from anywhere (no src/href attribute, no CSS url()).
    for (const char* attr : {" src=", " href=", "url("})
      EXPECT_EQ(html.find(attr), std::string::npos);
    // The charting library is inside (Debian's Chart.js, with its license banner).
    EXPECT_NE(html.find("Chart.js v"), std::string::npos);
    // The embedded data is the JSON output, so every chart's numbers are the JSON's.
    const Json data = embedded_data(html);
    const Json json = json_of(args);
    ASSERT_TRUE(data.contains("charts")) << args;
    EXPECT_EQ(data["charts"], json["charts"]) << args;
    EXPECT_EQ(data["headline"], json["headline"]) << args;
    EXPECT_EQ(data["charts"].size(), charts) << args;
    EXPECT_EQ(count(html, "<canvas data-chart="), charts) << args;
    for (const auto& [key, chart] : data["charts"].items()) {
      EXPECT_NE(html.find("<canvas data-chart=\"" + key + "\">"), std::string::npos) << key;
      ASSERT_FALSE(chart["series"].empty()) << args << " " << key;
      for (const auto& series : chart["series"]) EXPECT_FALSE(series["points"].empty()) << key;
    }
  }
}

}  // namespace
}  // namespace fleetsizer::testing
