// JSON members of another type than expected read as absent, never as a thrown type_error: the
// long fuzz runs found "model_id": 0.05 in a vLLM result thrown through as an internal error
// (nlohmann's value(key, fallback) throws on a type mismatch), and the same call read GuideLLM's
// backend_model and strategy type and a sweep probe's "saturated".
#include "io/json_member.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "fleetsizer/catalog/catalog.h"
#include "io/curve_file.h"
#include "io/measurement_file.h"
#include "tests/test_support.h"

namespace fleetsizer::io {
namespace {

using Json = nlohmann::json;

TEST(JsonMember, AMemberOfAnotherTypeReadsAsAbsent) {
  const Json j = {{"s", "text"}, {"n", 0.05}, {"b", true}, {"z", nullptr}};
  EXPECT_EQ(member_or(j, "s", std::string("fallback")), "text");
  EXPECT_EQ(member_or(j, "n", std::string("fallback")), "fallback");
  EXPECT_EQ(member_or(j, "z", std::string("fallback")), "fallback");
  EXPECT_EQ(member_or(j, "missing", std::string("fallback")), "fallback");
  EXPECT_EQ(member_or(j, "b", false), true);
  EXPECT_EQ(member_or(j, "n", false), false);
  EXPECT_EQ(member_or(j, "s", true), true);
  EXPECT_EQ(member_or(Json::array({1, 2}), "s", std::string("fallback")), "fallback");
}

// Replaces the first `from` in `text` with `to` (the fixture must hold it).
std::string edited(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(JsonMember, ResultFilesWithANumberForANameAreReadNotThrown) {
  const std::string dir = testing::temp_dir("json-member");
  const Catalog catalog = builtin_catalog();
  JsonContext context;
  context.gpu = "h100-sxm";

  // vLLM: the model named by model_id; a number there is no name (the fuzz finding).
  const std::string vllm =
      testing::read_text(testing::source_path("tests/fixtures/vllm-bench-serve-result.json"));
  testing::write_text(
      dir + "/vllm.json",
      edited(vllm, "\"model_id\": \"meta-llama/Llama-3.1-8B-Instruct\"", "\"model_id\": 0.05"));
  MeasurementSet unnamed;
  auto r = read_measurements(dir + "/vllm.json", catalog, context, unnamed);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("pass --model"), std::string::npos) << r.error().message;
  JsonContext named = context;
  named.model = "llama-3.1-8b";
  MeasurementSet set;
  r = read_measurements(dir + "/vllm.json", catalog, named, set);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(set.rows.size(), 1u);
  EXPECT_EQ(set.rows[0].model.name, "llama-3.1-8b");

  // GuideLLM: backend_model and the strategy's type_ as numbers.
  const std::string guidellm =
      testing::read_text(testing::source_path("tests/fixtures/guidellm-benchmarks.json"));
  MeasurementSet original;
  ASSERT_TRUE(read_measurements(testing::source_path("tests/fixtures/guidellm-benchmarks.json"),
                                catalog, named, original));
  testing::write_text(
      dir + "/guidellm.json",
      edited(edited(guidellm, "\"backend_model\": \"meta-llama/Llama-3.1-8B-Instruct\"",
                    "\"backend_model\": 7"),
             "\"type_\": \"concurrent\"", "\"type_\": 1"));
  MeasurementSet guide;
  r = read_measurements(dir + "/guidellm.json", catalog, named, guide);
  ASSERT_TRUE(r) << r.error().message;
  // The benchmark whose strategy has no type has no load: skipped, the others read as before.
  EXPECT_EQ(guide.rows.size() + 1, original.rows.size());
  EXPECT_EQ(guide.skipped.size(), original.skipped.size() + 1);
}

TEST(JsonMember, ASweepProbeWhoseSaturatedIsNotABooleanIsLeftOut) {
  const std::string dir = testing::temp_dir("json-member-sweep");
  auto probe = [](const Json& saturated, double rate, double e2el_ms) {
    return Json{{"saturated", saturated},       {"achieved_rate", rate},
                {"mean_e2el_ms", e2el_ms},      {"output_throughput", rate * 128},
                {"p99_ttft_ms", e2el_ms / 4.0}, {"median_tpot_ms", 2.5}};
  };
  const Json sweep = {
      {"sweep", {{"probes", {probe(false, 10, 400), probe(1, 15, 450), probe(false, 20, 500)}}}}};
  testing::write_text(dir + "/sweep.json", sweep.dump());
  auto curve = read_curve_file(dir + "/sweep.json");
  ASSERT_TRUE(curve) << curve.error().message;
  // Batches 10 x 0.4 = 4 and 20 x 0.5 = 10 (Little's law); the probe with "saturated": 1 is out.
  ASSERT_EQ(curve->batch.size(), 2u);
  EXPECT_DOUBLE_EQ(curve->batch[0], 4.0);
  EXPECT_DOUBLE_EQ(curve->batch[1], 10.0);
}

}  // namespace
}  // namespace fleetsizer::io
