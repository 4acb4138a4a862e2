// Counts read from files are range-checked before any cast: the long fuzz runs (with UBSan made
// fatal) found doubles past an integer's range cast to it in six readers, and a number where
// config.json has a boolean thrown through as an internal error. Each case below was one of those
// findings; each reader now answers with one line naming the file, the field and the range.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/plan/scenario.h"
#include "io/ablation_file.h"
#include "io/catalog_file.h"
#include "io/csv.h"
#include "io/disagg_measurements.h"
#include "io/hf_config.h"
#include "io/measurement_file.h"
#include "io/scenario_file.h"
#include "io/search_file.h"
#include "io/trace_file.h"
#include "tests/test_support.h"

namespace fleetsizer::io {
namespace {

template <class T>
void expect_one_line_error(const Result<T>& r, const std::string& needle) {
  ASSERT_FALSE(r.has_value()) << "expected an error containing: " << needle;
  const std::string& m = r.error().message;
  EXPECT_NE(m.find(needle), std::string::npos) << m;
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 0) << m;
}

TEST(RangeCheck, WholeNumberIn) {
  EXPECT_EQ(whole_number_in(0, 0, 10), 0);
  EXPECT_EQ(whole_number_in(10, 0, 10), 10);
  EXPECT_EQ(whole_number_in(1e3, 1, 1000), 1000);
  EXPECT_FALSE(whole_number_in(11, 0, 10));
  EXPECT_FALSE(whole_number_in(-1, 0, 10));
  EXPECT_FALSE(whole_number_in(2.5, 0, 10));
  EXPECT_FALSE(whole_number_in(1e41, 0, 1'000'000));  // the disaggregated runs' finding
  EXPECT_FALSE(whole_number_in(INFINITY, 0, 10));
  EXPECT_FALSE(whole_number_in(NAN, 0, 10));
}

TEST(RangeCheck, TraceLengthsPastTheRangeAreErrors) {
  const std::string dir = testing::temp_dir("range-trace");
  // 8.7e21 and inf tokens (Azure), and an integer past int64 (Mooncake) were cast.
  for (const std::string tokens : {"8711111111111111111111", "inf", "100000001"}) {
    testing::write_text(dir + "/t.csv",
                        "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                        "2023-11-16 18:15:46.6805900," +
                            tokens + ",10\n");
    expect_one_line_error(read_trace_lengths(dir + "/t.csv"),
                          "t.csv:2: request lengths must be whole numbers in [0, 100000000]");
  }
  testing::write_text(dir + "/t.jsonl", R"({"timestamp": 0, "input_length": 18446744073709551615, )"
                                        R"("output_length": 5})"
                                        "\n");
  expect_one_line_error(read_trace_lengths(dir + "/t.jsonl"),
                        "t.jsonl:1: request lengths must be whole numbers in [0, 100000000]");
}

TEST(RangeCheck, ErrorBandRowsPastTheRangeAreErrors) {
  const std::string header = "engine,gpu,rows,ratio_p05,ratio_p50,ratio_p95\n";
  expect_one_line_error(
      parse_error_bands(header + ",,66666666666666666666666666666666666666666666991,0.78,0.9,1.1\n",
                        "b.csv"),
      "b.csv:2: rows must be a whole number in [1, 1000000000]");
  expect_one_line_error(parse_error_bands(header + "vllm,h100-sxm,2.5,0.78,0.9,1.1\n", "b.csv"),
                        "rows must be a whole number");
  auto ok = parse_error_bands(header + "vllm,h100-sxm,1000000000,0.78,0.9,1.1\n", "b.csv");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->bands.at(0).rows, 1'000'000'000);
}

// Found by search_inputs: an engine or GPU name holding a quote (read from `""""`) was written
// back unquoted, and the file no longer read; a tiny ratio was written as 0.0000.
TEST(RangeCheck, ErrorBandsWrittenReadBackAsTheyWere) {
  ErrorBands bands;
  bands.bands.push_back({"vllm \"nightly\", patched", "h100,sxm", 7, 1e-5, 0.7782131, 1.25});
  bands.bands.push_back({"#sglang", "b200", 1'000'000'000, 0.5, 1.0, 3.0});
  const std::string text = error_bands_csv(bands);
  auto again = parse_error_bands(text, "again.csv");
  ASSERT_TRUE(again) << again.error().message << "\n" << text;
  ASSERT_EQ(again->bands.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(again->bands[i].engine, bands.bands[i].engine);
    EXPECT_EQ(again->bands[i].gpu, bands.bands[i].gpu);
    EXPECT_EQ(again->bands[i].rows, bands.bands[i].rows);
    EXPECT_EQ(again->bands[i].ratio_p05, bands.bands[i].ratio_p05);
    EXPECT_EQ(again->bands[i].ratio_p50, bands.bands[i].ratio_p50);
    EXPECT_EQ(again->bands[i].ratio_p95, bands.bands[i].ratio_p95);
  }
}

TEST(RangeCheck, DisaggRunCountsPastTheRangeAreErrors) {
  const std::string dir = testing::temp_dir("range-disagg");
  const std::string header =
      "id,model,gpu,engine,weights_dtype,kv_dtype,isl,osl,concurrency,prefill_workers,"
      "prefill_tp,decode_workers,decode_tp,ttft_ms,tpot_ms\n";
  testing::write_text(dir + "/c.csv",
                      header + "a,deepseek-v3,h200,trtllm,fp8,fp8,1024,1024,1e41,1,8,9,8,600,13\n");
  expect_one_line_error(read_disagg_runs(dir + "/c.csv"),
                        "c.csv:2: concurrency must be a whole number in [0, 10000000], got '1e41'");
  testing::write_text(
      dir + "/w.csv",
      header + "a,deepseek-v3,h200,trtllm,fp8,fp8,1024,1024,36,1e41,8,9,8,600,13\n");
  expect_one_line_error(read_disagg_runs(dir + "/w.csv"),
                        "w.csv:2: prefill_workers must be a whole number in [0, 100000]");
  testing::write_text(dir + "/t.csv",
                      header + "a,deepseek-v3,h200,trtllm,fp8,fp8,1024,1024,36,1,8,9,2.5,600,13\n");
  expect_one_line_error(read_disagg_runs(dir + "/t.csv"),
                        "t.csv:2: decode_tp must be a whole number in [0, 1024], got '2.5'");
}

TEST(RangeCheck, AblationGpuCountPastTheRangeIsAnError) {
  const std::string dir = testing::temp_dir("range-ablation");
  testing::write_text(dir + "/a.csv",
                      "stage,model,gpu,num_gpus,isl,osl,output_tok_s\n"
                      "baseline,llama-3.1-8b,h100-sxm,1e11,1024,256,100\n");
  Catalog catalog = builtin_catalog();
  const Scenario base = default_scenario(catalog);
  expect_one_line_error(read_ablation(dir + "/a.csv", catalog, base),
                        "a.csv:2: num_gpus: must be a whole number in [1, 1024], got 100000000000");
}

TEST(RangeCheck, ConfigJsonTypesAndRangesAreErrors) {
  const std::string minimal =
      R"("hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32, )"
      R"("vocab_size": 128256, "intermediate_size": 14336)";
  auto config = [&](const std::string& extra) { return "{" + minimal + ", " + extra + "}"; };
  // A number where a boolean belongs threw nlohmann's type_error through (fuzzing).
  expect_one_line_error(parse_hf_config(config(R"("attention_bias": 1.0)"), "c.json"),
                        "c.json: field 'attention_bias' must be true or false");
  expect_one_line_error(parse_hf_config(config(R"("tie_word_embeddings": "yes")"), "c.json"),
                        "field 'tie_word_embeddings' must be true or false");
  expect_one_line_error(parse_hf_config(config(R"("model_type": 7)"), "c.json"),
                        "field 'model_type' must be a string");
  expect_one_line_error(parse_hf_config(config(R"("head_dim": -128)"), "c.json"),
                        "field 'head_dim' must be a whole number in [0, 1000000]");
  expect_one_line_error(parse_hf_config(R"({"hidden_size": 4096000000, "num_hidden_layers": 32, )"
                                        R"("num_attention_heads": 32, "vocab_size": 128256, )"
                                        R"("intermediate_size": 14336})",
                                        "c.json"),
                        "field 'hidden_size' must be a whole number in [0, 1000000]");
  auto ok = parse_hf_config(
      config(R"("attention_bias": true, "tie_word_embeddings": null, "head_dim": 128)"), "c.json");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(ok->qkv_bias);
  EXPECT_FALSE(ok->tied_embeddings);
  EXPECT_EQ(ok->head_dim, 128);
}

TEST(RangeCheck, CatalogFileFieldsPastTheRangeAreErrors) {
  const std::string dir = testing::temp_dir("range-catalog");
  Catalog catalog = builtin_catalog();
  testing::write_text(dir + "/m.yaml",
                      "models:\n  - {name: huge, base: llama-3.1-8b, layers: 1e300}\n");
  expect_one_line_error(load_catalog_file(dir + "/m.yaml", catalog),
                        "m.yaml:2: layers must be a whole number in (0, 1000000], got 1e+300");
  testing::write_text(dir + "/h.yaml",
                      "models:\n  - {name: half, base: llama-3.1-8b, layers: 31.5}\n");
  expect_one_line_error(load_catalog_file(dir + "/h.yaml", catalog), "layers must be a whole");
  testing::write_text(dir + "/g.yaml",
                      "gpus:\n  - {name: big, base: h100-sxm, gpus_per_host: 1e12}\n");
  expect_one_line_error(load_catalog_file(dir + "/g.yaml", catalog),
                        "gpus_per_host must be a whole number in (0, 1024]");
  testing::write_text(
      dir + "/ok.yaml",
      "models:\n  - {name: long-context, base: llama-3.1-8b, max_context: 10000000}\n");
  auto ok = load_catalog_file(dir + "/ok.yaml", catalog);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(catalog.model("long-context")->max_context, 10'000'000);
}

TEST(RangeCheck, StackCountsPastTheRangeAreErrors) {
  // stack.gpus_per_host 1e54 was cast to an int (fuzzing, with UBSan made fatal).
  expect_one_line_error(
      parse_scenario_yaml("stack:\n  target_qps: 4000\n  gpus_per_host: 1e54\n", "s.yaml"),
      "s.yaml:3: gpus_per_host must be a whole number in [1, 1024], got 1e+54");
  expect_one_line_error(parse_scenario_yaml("stack:\n  baseline: {gpus: 2.5, qps: 10}\n", "s.yaml"),
                        "gpus must be a whole number in [1, 10000000], got 2.5");
  auto ok = parse_scenario_yaml("stack:\n  gpus_per_host: 4\n  baseline: {gpus: 64, qps: 10}\n",
                                "s.yaml");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_TRUE(ok->stack);
  EXPECT_EQ(ok->stack->gpus_per_host, 4);
  EXPECT_EQ(ok->stack->baseline_gpus, 64);
}

// A benchmark export's request count past the range is unknown, not cast: vLLM's `completed`.
TEST(RangeCheck, ExportRequestCountsPastTheRangeAreUnknown) {
  const std::string dir = testing::temp_dir("range-export");
  std::string text =
      testing::read_text(testing::source_path("tests/fixtures/vllm-bench-serve-result.json"));
  const Catalog catalog = builtin_catalog();
  JsonContext context;
  context.gpu = "h100-sxm";
  context.engine = "vllm";
  context.tp = 1;
  for (const auto& [completed, expected] :
       {std::pair<std::string, std::optional<std::int64_t>>{"4", 4},
        {"1e300", std::nullopt},
        {"2.5", std::nullopt}}) {
    std::string edited = text;
    const std::string key = "\"completed\": 4,";
    ASSERT_NE(edited.find(key), std::string::npos);
    edited.replace(edited.find(key), key.size(), "\"completed\": " + completed + ",");
    testing::write_text(dir + "/r.json", edited);
    MeasurementSet set;
    auto r = read_measurements(dir + "/r.json", catalog, context, set);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(set.rows.size(), 1u) << completed;
    EXPECT_EQ(set.rows[0].requests, expected) << completed;
  }
}

// A vLLM result's numbers meet the ranges of the CSV's cells: total_input_tokens of 4e124 made a
// prompt of 1e124 tokens that reached an integer cast (found by measurements_csv with UBSan).
TEST(RangeCheck, ResultJsonNumbersOutsideTheCsvRangesAreSkipped) {
  const std::string dir = testing::temp_dir("range-result-json");
  const std::string text =
      testing::read_text(testing::source_path("tests/fixtures/vllm-bench-serve-result.json"));
  const Catalog catalog = builtin_catalog();
  JsonContext context;
  context.model = "llama-3.1-8b";
  context.gpu = "h100-sxm";
  for (const auto& [from, to, reason] :
       {std::tuple<std::string, std::string, std::string>{
            "\"total_input_tokens\": 4096,", "\"total_input_tokens\": 4.1e124,",
            "isl must be a positive number in (0, 100000000], got 1.025e+124"},
        {"\"median_ttft_ms\": 25.85,", "\"median_ttft_ms\": -5,",
         "ttft_ms must be a positive number in (0, 1000000000], got -5"},
        {"\"request_rate\": 2.0,", "\"request_rate\": 1e300,",
         "request_rate must be a positive number in (0, 1000000000] or inf, got 1e+300"}}) {
    std::string edited = text;
    ASSERT_NE(edited.find(from), std::string::npos) << from;
    edited.replace(edited.find(from), from.size(), to);
    testing::write_text(dir + "/r.json", edited);
    MeasurementSet set;
    auto r = read_measurements(dir + "/r.json", catalog, context, set);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(set.rows.empty()) << to;
    ASSERT_EQ(set.skipped.size(), 1u) << to;
    EXPECT_EQ(set.skipped[0].reason, reason);
  }
  // The fixture itself is in range and kept.
  testing::write_text(dir + "/r.json", text);
  MeasurementSet set;
  ASSERT_TRUE(read_measurements(dir + "/r.json", catalog, context, set));
  EXPECT_EQ(set.rows.size(), 1u);
}

}  // namespace
}  // namespace fleetsizer::io
