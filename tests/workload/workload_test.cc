#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "fleetsizer/workload/synthetic.h"
#include "io/trace_file.h"
#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

std::vector<Request> drain(RequestSource& s) {
  std::vector<Request> out;
  Request r;
  while (true) {
    auto more = s.next(r);
    EXPECT_TRUE(more) << (more ? "" : more.error().message);
    if (!more || !*more) break;
    out.push_back(r);
  }
  return out;
}

TEST(Synthetic, PoissonAndGammaRatesAndVariability) {
  LengthSpec len;
  len.mean = 10;
  for (double cv : {1.0, 3.0}) {
    SyntheticSource s({cv == 1.0 ? ArrivalKind::poisson : ArrivalKind::gamma, 50, cv, 0, 0}, len,
                      len, 200000, 5);
    const auto rs = drain(s);
    double sum = 0, sq = 0;
    for (std::size_t i = 1; i < rs.size(); ++i) {
      const double g = rs[i].arrival_s - rs[i - 1].arrival_s;
      sum += g;
      sq += g * g;
    }
    const double n = static_cast<double>(rs.size() - 1), mean = sum / n;
    const double sd = std::sqrt(sq / n - mean * mean);
    EXPECT_NEAR(1 / mean, 50, 0.5);
    EXPECT_NEAR(sd / mean, cv, 0.05 * cv);
  }
}

TEST(Synthetic, OnOffBurstsKeepTheMeanRateAndLeaveSilences) {
  LengthSpec len;
  SyntheticSource s({ArrivalKind::onoff, 10, 1, 5, 15}, len, len, 20000, 2);
  const auto rs = drain(s);
  const double duration = rs.back().arrival_s;
  EXPECT_NEAR(static_cast<double>(rs.size()) / duration, 10, 0.5);
  for (const auto& r : rs) EXPECT_LT(std::fmod(r.arrival_s, 20.0), 5.0 + 1e-9);
}

TEST(Synthetic, LognormalMeanAndEmpirical) {
  LengthSpec ln;
  ln.kind = LengthKind::lognormal;
  ln.mean = 1000;
  ln.sigma = 1;
  LengthSpec emp = empirical({7, 9});
  SyntheticSource s({ArrivalKind::deterministic, 1, 1, 0, 0}, ln, emp, 100000, 3);
  const auto rs = drain(s);
  double sum = 0;
  for (const auto& r : rs) {
    sum += static_cast<double>(r.input_tokens);
    EXPECT_TRUE(r.output_tokens == 7 || r.output_tokens == 9);
  }
  EXPECT_NEAR(sum / static_cast<double>(rs.size()), 1000, 20);
  EXPECT_DOUBLE_EQ(rs[5].arrival_s, 5.0);
}

TEST(Traces, AzureTimestamp) {
  EXPECT_DOUBLE_EQ(*io::parse_azure_timestamp("1970-01-02 00:00:01.5"), 86401.5);
  EXPECT_NEAR(*io::parse_azure_timestamp("2023-11-16 18:15:46.6805900"), 1700158546.68059, 1e-6);
  EXPECT_FALSE(io::parse_azure_timestamp("yesterday"));
}

TEST(Traces, AzureFixtureStreamsAndRescales) {
  io::TraceStats stats;
  auto src = io::open_trace(source_path("tests/fixtures/azure-conv-200.csv"), {}, &stats);
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_EQ(stats.requests, 200);
  const auto rs = drain(**src);
  ASSERT_EQ(rs.size(), 200u);
  EXPECT_EQ(rs[0].input_tokens, 374);
  EXPECT_EQ(rs[0].output_tokens, 44);
  EXPECT_DOUBLE_EQ(rs[0].arrival_s, 0.0);
  EXPECT_NEAR(rs[1].arrival_s, 4.3145789, 1e-6);
  io::TraceOptions scaled;
  scaled.target_rate = stats.rate() * 4;  // four times faster
  auto fast = io::open_trace(source_path("tests/fixtures/azure-conv-200.csv"), scaled);
  const auto fr = drain(**fast);
  EXPECT_NEAR(fr.back().arrival_s, rs.back().arrival_s / 4, 1e-9);
}

TEST(Traces, MooncakeHashIdsAndMilliseconds) {
  auto src = io::open_trace(source_path("tests/fixtures/mooncake-conv-200.jsonl"), {});
  ASSERT_TRUE(src) << src.error().message;
  const auto rs = drain(**src);
  ASSERT_EQ(rs.size(), 200u);
  EXPECT_EQ(rs[0].input_tokens, 6758);
  EXPECT_EQ(rs[0].hash_ids.size(), 14u);
  EXPECT_EQ(rs[1].hash_ids.front(), 0u);
}

void expect_trace_error(const std::string& name, const std::string& text,
                        const std::string& needle) {
  const std::string path = temp_dir("traces") + "/" + name;
  write_text(path, text);
  auto src = io::open_trace(path, {});
  ASSERT_FALSE(src) << name;
  EXPECT_NE(src.error().message.find(needle), std::string::npos) << src.error().message;
}

TEST(Traces, BadInputIsReportedWithLineNumbers) {
  expect_trace_error("cols.csv", "TIMESTAMP,Tokens\n2023-11-16 18:15:46.1,1\n",
                     "missing column 'ContextTokens'");
  expect_trace_error("unsorted.csv",
                     "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 "
                     "18:15:46.1,10,10\n2023-11-16 18:15:45.1,10,10\n",
                     "unsorted.csv:3: timestamp goes backwards");
  expect_trace_error("zero.csv",
                     "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.1,0,10\n",
                     "zero.csv:2: zero-length request");
  expect_trace_error("bad.jsonl",
                     "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": "
                     "5}\n{\"timestamp\": 1, \"input_le\n",
                     "bad.jsonl:2: malformed JSON");
  expect_trace_error("neg.jsonl",
                     "{\"timestamp\": -5, \"input_length\": 5, \"output_length\": 5}\n",
                     "neg.jsonl:1: negative timestamp");
  expect_trace_error("empty.jsonl", "", "no requests");
}

TEST(Traces, SkipBadLinesCountsThem) {
  const std::string path = temp_dir("skip") + "/t.jsonl";
  write_text(path,
             "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 5}\nnot json\n"
             "{\"timestamp\": 10, \"input_length\": 0, \"output_length\": 5}\n"
             "{\"timestamp\": 20, \"input_length\": 7, \"output_length\": 5}\n");
  io::TraceOptions o;
  o.skip_bad_lines = true;
  auto src = io::open_trace(path, o);
  ASSERT_TRUE(src);
  const auto rs = drain(**src);
  EXPECT_EQ(rs.size(), 2u);
  EXPECT_EQ((*src)->skipped(), 2);
}

}  // namespace
}  // namespace fleetsizer::testing
