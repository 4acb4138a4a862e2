#include "fleetsizer/catalog/catalog.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fleetsizer/catalog/names.h"
#include "io/hf_config.h"
#include "tests/test_support.h"

namespace fleetsizer {
namespace {

TEST(Catalog, ResolvesAliases) {
  const Catalog c = builtin_catalog();
  EXPECT_EQ(c.gpu("H100")->name, "h100-sxm");
  EXPECT_EQ(c.gpu("h100_sxm")->name, "h100-sxm");
  EXPECT_EQ(c.gpu("h200_sxm")->name, "h200");
  EXPECT_EQ(c.model("Llama-3.3-70B")->name, "llama-3.1-70b");
  EXPECT_EQ(c.model("meta-llama/Llama-3.1-8B-Instruct")->name, "llama-3.1-8b");
  EXPECT_EQ(c.model("nvidia/Llama-3.1-8B-Instruct-FP8")->name, "llama-3.1-8b");
  EXPECT_EQ(c.model("Qwen/Qwen3-32B")->name, "qwen3-32b");
}

TEST(Catalog, UnknownNameSuggestsNearest) {
  const Catalog c = builtin_catalog();
  auto g = c.gpu("h10-sxm");
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message.find("did you mean h100-sxm"), std::string::npos)
      << g.error().message;
  auto m = c.model("llama-3.1-7b");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("llama-3.1-8b"), std::string::npos) << m.error().message;
}

// Parameter counts derived from the shapes agree with the model cards within 1.5%.
TEST(Catalog, DerivedParameterCountsMatchPublishedTotals) {
  for (const auto& m : builtin_catalog().models) {
    ASSERT_GT(m.published_params_b, 0) << m.name;
    const double derived_b = count_params(m).total() / 1e9;
    EXPECT_NEAR(derived_b / m.published_params_b, 1.0, 0.015) << m.name << " derived " << derived_b;
  }
}

TEST(Catalog, MoeActiveParameters) {
  const Catalog c = builtin_catalog();
  // Published: Mixtral 12.9B active of 46.7B; DeepSeek-V3 37B active of 671B.
  EXPECT_NEAR(active_params_per_token(*c.model("mixtral-8x7b")) / 1e9, 12.9, 0.3);
  EXPECT_NEAR(active_params_per_token(*c.model("deepseek-v3")) / 1e9, 37.5, 1.0);
}

TEST(Names, EditDistance) {
  EXPECT_EQ(catalog::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(catalog::edit_distance("", "abc"), 3u);
}

// Fixture:
// shared/data/aiconfigurator-silicon/model_configs/meta-llama--Meta-Llama-3.1-8B_config.json
// (AIConfigurator, Apache-2.0), copied unchanged.
TEST(HfConfig, ReadsLlamaConfigLikeTheBuiltIn) {
  auto m = io::read_hf_config(testing::source_path("tests/fixtures/llama-3.1-8b_config.json"));
  ASSERT_TRUE(m) << m.error().message;
  const ModelSpec built_in = *builtin_catalog().model("llama-3.1-8b");
  EXPECT_EQ(m->layers, built_in.layers);
  EXPECT_EQ(m->kv_heads, 8);
  EXPECT_EQ(m->head_dim, 128);
  EXPECT_DOUBLE_EQ(count_params(*m).total(), count_params(built_in).total());
}

TEST(HfConfig, Qwen3HeadDimComesFromTheFile) {
  auto m = io::read_hf_config(testing::source_path("tests/fixtures/qwen3-32b_config.json"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->head_dim, 128);
  EXPECT_EQ(m->hidden, 5120);
}

TEST(HfConfig, MissingFieldIsNamed) {
  auto m =
      io::parse_hf_config(R"({"num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10,
                                   "intermediate_size": 8})",
                          "cfg.json");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "cfg.json: missing field 'hidden_size'");
}

TEST(HfConfig, InvalidJson) {
  auto m = io::parse_hf_config("{\"hidden_size\": ", "bad.json");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("bad.json: invalid JSON"), std::string::npos);
}

}  // namespace
}  // namespace fleetsizer
