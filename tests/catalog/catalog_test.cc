#include "fleetsizer/catalog/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

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

// The MoE models of the silicon runs, each within 2% of its source's published total (the
// issue's check; the loop above holds them to 1.5%), found by their Hugging Face ids.
TEST(Catalog, SiliconMoeModelsMatchTheirPublishedTotals) {
  const Catalog c = builtin_catalog();
  const std::pair<const char*, double> published[] = {{"deepseek-ai/DeepSeek-R1", 671.0},
                                                      {"Qwen/Qwen3-235B-A22B-FP8", 235.0},
                                                      {"openai/gpt-oss-120b", 116.83},
                                                      {"Qwen/Qwen3.5-397B-A17B", 397.0},
                                                      {"MiniMaxAI/MiniMax-M2.5", 229.9},
                                                      {"moonshotai/Kimi-K2.5", 1040.0},
                                                      {"zai-org/GLM-5", 744.0}};
  for (const auto& [hf_id, total_b] : published) {
    auto m = c.model(hf_id);
    ASSERT_TRUE(m) << hf_id;
    EXPECT_FALSE(m->source.empty());
    EXPECT_NEAR(count_params(*m).total() / 1e9 / total_b, 1.0, 0.02) << hf_id;
  }
  // gpt-oss counts "active" as we do (LM head, not the input embedding): 5.13B.
  EXPECT_NEAR(active_params_per_token(*c.model("gpt-oss-120b")) / 1e9, 5.13, 0.05);
}

// KV per token counts only the full-attention layers; the rest is a per-sequence state.
TEST(Catalog, SlidingAndLinearLayersHoldAFixedState) {
  const Catalog c = builtin_catalog();
  const ModelSpec oss = *c.model("gpt-oss-120b");
  // 18 full layers x 8 KV heads x 64 x 2 (K, V) x 2 bytes = 36,864; 18 sliding layers x 128 tokens.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(oss, 2.0), 36864.0);
  EXPECT_DOUBLE_EQ(kv_state_bytes_per_sequence(oss, 2.0), 18.0 * 128 * 2048);
  const ModelSpec q = *c.model("qwen3.5-397b-a17b");
  // 15 full layers x 2 KV heads x 256 x 2 x 2 bytes; 45 DeltaNet layers x (64 x 128 x 128 +
  // 3 x (4,096 + 8,192) conv) fp32 elements.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(q, 2.0), 15.0 * 2 * 256 * 2 * 2);
  EXPECT_DOUBLE_EQ(kv_state_bytes_per_sequence(q, 2.0), 45.0 * (1048576 + 36864) * 4);
  // MLA: 576 latent elements per layer and token, 78 layers.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(*c.model("glm-5"), 2.0), 78.0 * 576 * 2);
}

TEST(Catalog, RackScaleGpusHaveA72GpuNvlinkDomain) {
  const Catalog c = builtin_catalog();
  for (const char* name : {"gb200", "gb300"}) EXPECT_EQ(c.gpu(name)->nvlink_domain_gpus, 72);
  for (const char* name : {"b200", "b300", "h200", "mi325x", "mi355x"}) {
    auto g = c.gpu(name);
    ASSERT_TRUE(g) << name;
    EXPECT_EQ(g->nvlink_domain_gpus, 8) << name;
    EXPECT_FALSE(g->source.empty());
  }
  EXPECT_EQ(c.gpu("b300_sxm")->name, "b300");
  EXPECT_GT(c.gpu("mi355x")->fp4_tflops, 0);
  EXPECT_EQ(c.gpu("mi325x")->fp4_tflops, 0);
}

TEST(Names, EditDistance) {
  EXPECT_EQ(catalog::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(catalog::edit_distance("", "abc"), 3u);
  EXPECT_EQ(catalog::edit_distance("abc", ""), 3u);
  EXPECT_EQ(catalog::edit_distance("h100-sxm", "h100-sxm"), 0u);
  EXPECT_EQ(catalog::edit_distance("h100", "h100-sxm"), 4u);
}

// The word-parallel distance (strings up to 64 characters) and the row-by-row one (longer) agree
// with the full table of the definition, computed here, on random strings over a small alphabet
// (so that matches are common) including bytes above 127 and lengths on both sides of 64.
TEST(Names, EditDistanceMatchesTheFullTable) {
  auto by_table = [](const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
      for (std::size_t j = 1; j <= b.size(); ++j)
        d[i][j] = std::min(
            {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
    return d[a.size()][b.size()];
  };
  std::mt19937 rng(20261129);
  const std::string alphabet = "ab-1\xff";
  auto random_string = [&](std::size_t max_length) {
    std::string s(std::uniform_int_distribution<std::size_t>(0, max_length)(rng), ' ');
    for (auto& c : s) c = alphabet[std::uniform_int_distribution<std::size_t>(0, 4)(rng)];
    return s;
  };
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t max_length = trial % 3 == 0 ? 90 : 70;
    const std::string a = random_string(max_length), b = random_string(max_length);
    ASSERT_EQ(catalog::edit_distance(a, b), by_table(a, b)) << "'" << a << "' vs '" << b << "'";
  }
}

// A name with a megabyte of junk after it (a fuzzed file's cell) is compared only as far as a typo
// could reach, and still suggests the name it starts with.
TEST(Names, ALongJunkNameStillSuggestsTheNameItStartsWith) {
  const std::string junk = "h100-sxm" + std::string(1 << 20, 'q');
  const auto near = catalog::nearest_names(junk, {"a100-80gb", "h100-sxm", "b200"});
  ASSERT_FALSE(near.empty());
  EXPECT_EQ(near.front(), "h100-sxm");
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
