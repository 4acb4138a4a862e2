#include <gtest/gtest.h>

#include <cmath>
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

TEST(Render, JsonWritesNoFiniteValueAsNull) {
  Report r;
  r.add("sweep.offered_rate", INFINITY);
  r.add("ratio", NAN);
  r.add("rate", 5.0, 0);
  const auto j = nlohmann::json::parse(render(r, Format::json, false));
  EXPECT_TRUE(j["sweep"]["offered_rate"].is_null());
  EXPECT_TRUE(j["ratio"].is_null());
  EXPECT_EQ(j["rate"], 5.0);               // full precision whatever the text precision
  EXPECT_EQ(j.find("headline"), j.end());  // absent when the report has none
}

TEST(Render, CsvOfFieldsIsOneRowUnderAHeader) {
  Report r;
  r.add("fleet.replicas", integer(19));
  r.add("slo", std::string("ttft:p99=2000, tpot:p99=50"));
  r.add("fleet.usd_per_hour", 200.0, 2);
  r.add("fleet.usd_per_gpu_hour", Cell{});
  EXPECT_EQ(render(r, Format::csv, false),
            "fleet.replicas,slo,fleet.usd_per_hour,fleet.usd_per_gpu_hour\n"
            "19,\"ttft:p99=2000, tpot:p99=50\",200.000000,\n");
  RenderOptions no_header;
  no_header.csv_header = false;
  EXPECT_EQ(render(r, Format::csv, no_header), "19,\"ttft:p99=2000, tpot:p99=50\",200.000000,\n");
}

TEST(Render, TableLeadsWithTheHeadlineAndGroupsFieldsWithUnits) {
  Report r;
  r.headline = "19 replicas x 4 x h100-sxm = 76 GPUs";
  r.title = "Fleet plan";
  r.add("scenario", std::string("demo"));
  r.add("replica.q", 4.5, 2);
  r.add("replica.weights_gb", 72.7, 1);
  r.add_detail("replica.runtime_gb_per_gpu", 1.5, 2);
  r.add("fleet.usd_per_hour", 280.0, 2);
  Table t{"trials", "Trials", {{"rate", "rate", 1}}, {{1.0}}};
  t.detail = true;
  r.tables.push_back(t);
  const std::string text = render(r, Format::table, false);
  EXPECT_EQ(text.rfind("19 replicas x 4 x h100-sxm = 76 GPUs\n\nFleet plan\n\n", 0), 0u) << text;
  // Names padded to the longest shown name (usd_per_hour), numbers right-aligned on one column.
  EXPECT_NE(text.find("Replica\n  q               4.50  req/s\n  weights_gb      72.7  GB\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Fleet\n  usd_per_hour  280.00  $/h\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("runtime_gb_per_gpu"), std::string::npos);
  EXPECT_EQ(text.find("Trials"), std::string::npos);
  EXPECT_NE(text.find("(1 more field and 1 more table with --verbose)"), std::string::npos);
  RenderOptions verbose;
  verbose.verbose = true;
  const std::string all = render(r, Format::table, verbose);
  EXPECT_NE(all.find("runtime_gb_per_gpu"), std::string::npos);
  EXPECT_NE(all.find("Trials"), std::string::npos);
  EXPECT_EQ(all.find("--verbose"), std::string::npos);
}

TEST(Render, UnitsComeFromTheKeyNames) {
  EXPECT_EQ(unit_of_key("fleet.usd_per_hour"), "$/h");
  EXPECT_EQ(unit_of_key("fleet.usd_per_gpu_hour"), "$/GPU-h");
  EXPECT_EQ(unit_of_key("replica.weights_gb_per_gpu"), "GB/GPU");
  EXPECT_EQ(unit_of_key("replica.slo.ttft_ms_p99"), "ms");
  EXPECT_EQ(unit_of_key("ttft_ms.p999"), "ms");
  EXPECT_EQ(unit_of_key("replica.output_tok_s"), "tok/s");
  EXPECT_EQ(unit_of_key("replica.q"), "req/s");
  EXPECT_EQ(unit_of_key("target_qps"), "req/s");
  EXPECT_EQ(unit_of_key("replica.kv_capacity_tokens"), "tokens");
  EXPECT_EQ(unit_of_key("fleet.replicas"), "");
  EXPECT_EQ(unit_of_key("makespan_s"), "s");
  EXPECT_EQ(unit_of_key("link.gb_s"), "GB/s");  // a dotted part is a word of the name
  EXPECT_EQ(unit_of_key("q"), "req/s");
  EXPECT_EQ(unit_of_key("chosen.q_analytic"), "req/s");
  // A percentage error of a tok/s metric is a percentage; only a bare statistic is cut.
  EXPECT_EQ(unit_of_key("summary.output_tok_s.p90_abs_pct_error"), "%");
  EXPECT_EQ(unit_of_key("summary.ttft_ms.median_abs_pct_error"), "%");
  EXPECT_EQ(unit_of_key("summary.ttft_ms.p90"), "ms");
}

// Detail columns and file paths: what keeps a terminal table narrow, while JSON and CSV keep all.
TEST(Render, DetailColumnsHideAndPathsShortenOnlyInTheTableFormat) {
  Report r;
  Table t{"rows", "", {}, {}};
  t.columns = {{.key = "where", .title = "where", .precision = 0, .path = true},
               {"x", "X", 1},
               {.key = "source", .title = "source", .precision = 0, .detail = true}};
  t.rows.push_back({std::string("data/measurements/a.csv:12:"), 2.5, std::string("datasheet")});
  r.tables.push_back(t);
  const std::string table = render(r, Format::table, false);
  EXPECT_NE(table.find("a.csv:12:"), std::string::npos) << table;
  EXPECT_EQ(table.find("data/measurements"), std::string::npos) << table;
  EXPECT_EQ(table.find("datasheet"), std::string::npos) << table;
  EXPECT_NE(table.find("(1 more column with --verbose)"), std::string::npos) << table;
  RenderOptions verbose;
  verbose.verbose = true;
  const std::string all = render(r, Format::table, verbose);
  EXPECT_NE(all.find("datasheet"), std::string::npos) << all;
  EXPECT_EQ(all.find("--verbose"), std::string::npos) << all;
  const auto j = nlohmann::json::parse(render(r, Format::json, false));
  EXPECT_EQ(j["rows"][0]["where"], "data/measurements/a.csv:12:");
  EXPECT_EQ(j["rows"][0]["source"], "datasheet");
  EXPECT_EQ(render(r, Format::csv, false),
            "where,x,source\ndata/measurements/a.csv:12:,2.500000,datasheet\n");
}

Report charted() {
  Report r = sample();
  r.headline = "An <answer> & more";
  Chart c;
  c.key = "latency";
  c.title = "TTFT against rate";
  c.x = {"rate", "req/s", false};
  c.y = {"TTFT p99", "ms", false};
  c.series.push_back({"simulated", {{1, 100}, {2, 150}, {3, INFINITY}}, true, false});
  c.references.push_back({"ttft:p99=2000", 'y', 2000});
  r.charts.push_back(c);
  r.notes.push_back("a note with </script> in it");
  return r;
}

TEST(Render, ChartsAreJsonData) {
  const auto j = nlohmann::json::parse(render(charted(), Format::json, false));
  const auto& c = j["charts"]["latency"];
  EXPECT_EQ(c["title"], "TTFT against rate");
  EXPECT_EQ(c["kind"], "line");
  EXPECT_EQ(c["x"]["unit"], "req/s");
  ASSERT_EQ(c["series"][0]["points"].size(), 3u);
  EXPECT_EQ(c["series"][0]["points"][1][0], 2.0);
  EXPECT_EQ(c["series"][0]["points"][1][1], 150.0);
  EXPECT_TRUE(c["series"][0]["points"][2][1].is_null());
  EXPECT_EQ(c["references"][0]["axis"], "y");
  EXPECT_EQ(c["references"][0]["value"], 2000.0);
  EXPECT_EQ(j["headline"], "An <answer> & more");
}

// The data block of an HTML report, as a browser's script would read it.
nlohmann::json embedded_data(const std::string& html) {
  const std::string open = "<script id=\"fleetsizer-data\" type=\"application/json\">";
  const auto start = html.find(open);
  EXPECT_NE(start, std::string::npos);
  const auto end = html.find("</script>", start);
  return nlohmann::json::parse(html.substr(start + open.size(), end - start - open.size()));
}

TEST(Render, HtmlIsSelfContainedAndCarriesTheJson) {
  RenderOptions o;
  o.chart_library_js = "window.Chart = function () {};";
  const std::string html = render(charted(), Format::html, o);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<p class=\"headline\" id=\"headline\">An &lt;answer&gt; &amp; more</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<canvas data-chart=\"latency\">"), std::string::npos);
  EXPECT_NE(html.find("window.Chart = function () {};"), std::string::npos);
  // Nothing is loaded from elsewhere: no src or href attribute at all, no CSS url().
  for (const char* attr : {" src=", " href=", "url("})
    EXPECT_EQ(html.find(attr), std::string::npos) << attr;
  // The note's "</script>" is escaped, so the data block ends where it should and parses to the
  // same object the JSON printer writes.
  EXPECT_EQ(embedded_data(html), nlohmann::json::parse(render(charted(), Format::json, false)));
  EXPECT_NE(html.find("a note with &lt;/script&gt; in it"), std::string::npos);
  // Formulas are always in the report, folded unless --explain.
  EXPECT_NE(html.find("hosts x price"), std::string::npos);
  EXPECT_NE(html.find("<details><summary>"), std::string::npos);
  EXPECT_EQ(html.find("<details open>"), std::string::npos);
}

TEST(Render, HtmlWithoutChartsLoadsNoLibrary) {
  RenderOptions o;
  o.chart_library_js = "window.Chart = function () {};";
  EXPECT_EQ(render(sample(), Format::html, o).find("window.Chart"), std::string::npos);
}

}  // namespace
}  // namespace fleetsizer::report
