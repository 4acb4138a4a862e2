#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fleetsizer/report/report.h"

namespace fleetsizer::report {
namespace {

Report sample() {
  Report r;
  r.title = "T";
  r.add("replica.gpus", integer(4));
  r.add("fleet.usd_per_hour", 12.5, 1);
  r.add("name", std::string("a|b"));
  Table t{"rows", "", {{"label", "Label", 0}, {"x", "X", 2}}, {}};
  t.rows.push_back({std::string("one, two"), 1.0});
  t.rows.push_back({std::string("three"), Cell{}});
  r.tables.push_back(t);
  r.why("fleet.usd_per_hour", "hosts x price");
  return r;
}

TEST(Render, JsonNestsDottedKeysAndKeepsPrecision) {
  const auto j = nlohmann::json::parse(render(sample(), Format::json, false));
  EXPECT_EQ(j["replica"]["gpus"], 4);
  EXPECT_EQ(j["fleet"]["usd_per_hour"], 12.5);
  EXPECT_EQ(j["rows"][0]["label"], "one, two");
  EXPECT_TRUE(j["rows"][1]["x"].is_null());
  EXPECT_EQ(j["explain"]["fleet.usd_per_hour"], "hosts x price");
}

TEST(Render, CsvQuotesCommasAndLeavesMissingEmpty) {
  EXPECT_EQ(render(sample(), Format::csv, false), "label,x\n\"one, two\",1.000000\nthree,\n");
}

TEST(Render, MarkdownEscapesPipes) {
  const std::string md = render(sample(), Format::markdown, true);
  EXPECT_NE(md.find("| name | a\\|b |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Label | X |"), std::string::npos) << md;
  EXPECT_NE(md.find("hosts x price"), std::string::npos);
}

TEST(Render, TableShowsExplainOnlyWhenAsked) {
  EXPECT_EQ(render(sample(), Format::table, false).find("Explain"), std::string::npos);
  EXPECT_NE(render(sample(), Format::table, true).find("Explain"), std::string::npos);
}

}  // namespace
}  // namespace fleetsizer::report
