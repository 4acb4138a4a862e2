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

}  // namespace
}  // namespace fleetsizer
