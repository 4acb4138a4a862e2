#include "io/measurement_row.h"

#include <gtest/gtest.h>

#include <sstream>

#include "fleetsizer/catalog/catalog.h"
#include "io/measurement_file.h"
#include "tests/test_support.h"

namespace fleetsizer {
namespace {

// Rows converted from AIConfigurator's silicon_sample.csv (plain TP dense, DEP8 DeepSeek-R1,
// vLLM data-parallel MiniMax, TP gpt-oss) read into Measurements and written back give the same
// text: provenance, layout and statistic survive the trip.
TEST(MeasurementRow, ConvertedRowsRoundTrip) {
  const std::string path = testing::source_path("tests/fixtures/aiconfigurator-agg-sample.csv");
  io::MeasurementSet set;
  ASSERT_TRUE(io::read_measurements(path, builtin_catalog(), {}, set));
  ASSERT_TRUE(set.skipped.empty()) << set.skipped.front().reason;
  std::istringstream text(testing::read_text(path));
  std::string line;
  std::getline(text, line);
  EXPECT_EQ(line, io::measurement_csv_header());
  ASSERT_EQ(set.rows.size(), 4u);
  for (const Measurement& m : set.rows) {
    std::getline(text, line);
    EXPECT_EQ(io::measurement_csv_row(m), line);
  }
  // The DEP8 row's layout came through: 8 data-parallel copies of tp 1, experts over 8 groups.
  const Measurement& dep = set.rows[1];
  EXPECT_EQ(dep.model.name, "deepseek-r1");
  EXPECT_EQ(dep.tp, 1);
  EXPECT_EQ(dep.attention_dp, 8);
  EXPECT_EQ(dep.moe_ep, 8);
  EXPECT_EQ(dep.moe_tp, 1);
  EXPECT_EQ(dep.num_gpus, 8);
  EXPECT_NE(dep.source.find("silicon_sample.csv:"), std::string::npos);
}

// A file of many distinct unknown model names: every row is skipped naming its model; the first
// names get the nearest-name suggestion, and past 16 distinct names the rest are named without
// one (the suggestion is an edit distance to every catalog name and alias, per name).
TEST(MeasurementRow, ManyUnknownNamesAreSkippedAndOnlyTheFirstGetSuggestions) {
  std::string csv = "model,gpu,tp,engine,isl,osl,concurrency,output_tok_s\n";
  for (int i = 0; i < 40; ++i)
    csv += "llama-3.1-8x" + std::to_string(i) + ",h100-sxm,1,vllm,128,128,1,50\n";
  const std::string path = testing::temp_dir("unknown-names") + "/m.csv";
  testing::write_text(path, csv);
  io::MeasurementSet set;
  ASSERT_TRUE(io::read_measurements(path, builtin_catalog(), {}, set));
  EXPECT_TRUE(set.rows.empty());
  ASSERT_EQ(set.skipped.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    const std::string& why = set.skipped[static_cast<std::size_t>(i)].reason;
    EXPECT_NE(why.find("unknown model 'llama-3.1-8x" + std::to_string(i) + "'"), std::string::npos)
        << why;
    EXPECT_EQ(why.find("did you mean") != std::string::npos, i < 16) << i << ": " << why;
  }
}

}  // namespace
}  // namespace fleetsizer
