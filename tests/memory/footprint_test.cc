#include "fleetsizer/memory/footprint.h"

#include <gtest/gtest.h>

#include "fleetsizer/catalog/catalog.h"

namespace fleetsizer {
namespace {

class Footprints : public ::testing::Test {
 protected:
  Catalog catalog = builtin_catalog();
  ModelSpec model(const char* name) { return *catalog.model(name); }
  GpuSpec gpu(const char* name) { return *catalog.gpu(name); }
  ReplicaSpec spec(const char* m, const char* g, int tp = 1) {
    ReplicaSpec s;
    s.model = model(m);
    s.gpu = gpu(g);
    s.tp = tp;
    return s;
  }
};

TEST_F(Footprints, KvBytesPerTokenKnownValues) {
  // 80 layers x 8 KV heads x 128 x 2 (K,V) x 2 bytes
  EXPECT_EQ(kv_bytes_per_token(model("llama-3.1-70b"), 2.0), 327680.0);
  // 32 x 8 x 128 x 2 x 2
  EXPECT_EQ(kv_bytes_per_token(model("llama-3.1-8b"), 2.0), 131072.0);
  // Llama-2-7B has no GQA: 32 x 32 x 128 x 2 x 2
  EXPECT_EQ(kv_bytes_per_token(model("llama-2-7b"), 2.0), 524288.0);
  // DeepSeek-V3 MLA caches the latent: 61 layers x (512 + 64) x 2 bytes
  EXPECT_EQ(kv_bytes_per_token(model("deepseek-v3"), 2.0), 70272.0);
  // fp8 KV halves it
  EXPECT_EQ(kv_bytes_per_token(model("llama-3.1-70b"), 1.0), 163840.0);
}

TEST_F(Footprints, WeightsOfLlama70bAreAbout141GbInBf16) {
  ReplicaSpec o = spec("llama-3.1-70b", "h100-sxm");
  EXPECT_NEAR(weights_bytes(o) / 1e9, 141.1, 0.1);
  o.weights_dtype = Dtype::fp8;  // linear layers in 1 byte, embeddings stay 2 bytes
  const ParamCounts p = count_params(model("llama-3.1-70b"));
  EXPECT_DOUBLE_EQ(weights_bytes(o), p.linear() * 1.0 + (p.embeddings + p.norms) * 2.0);
  o.weights_dtype = Dtype::int4;  // 0.5 byte + fp16 scale and zero per 128-group
  EXPECT_DOUBLE_EQ(weights_bytes(o),
                   p.linear() * (0.5 + 4.0 / 128.0) + (p.embeddings + p.norms) * 2.0);
}

// Every term computed by hand for Llama-3.1-8B bf16 on one H100 (80 GiB) with vLLM-like defaults.
TEST_F(Footprints, Llama8bOnH100HandComputed) {
  // utilization 0.9, 1 GiB runtime, 8192 batched tokens, 256 seqs, paged 16-token blocks
  const Footprint f = footprint_at(spec("llama-3.1-8b", "h100-sxm"), 4096);
  const double capacity = 80.0 * 1073741824.0;
  const double weights = 8030261248.0 * 2.0;
  const double activations = 8192.0 * (2 * 14336 + 4 * 4096) * 2.0 + 256.0 * 128256 * 4.0;
  const double runtime = 1073741824.0;
  const double budget = capacity * 0.9 - weights - activations - runtime;
  EXPECT_DOUBLE_EQ(f.weights_bytes, weights);
  EXPECT_DOUBLE_EQ(f.activation_bytes_per_gpu, activations);
  EXPECT_NEAR(f.kv_budget_bytes_per_gpu, budget, 1.0);
  const auto tokens = static_cast<std::int64_t>(budget / 131072.0) / 16 * 16;
  EXPECT_EQ(f.kv_capacity_tokens, tokens);
  EXPECT_EQ(f.kv_capacity_tokens, 452464);
  EXPECT_EQ(f.max_sequences, tokens / 4096);
  EXPECT_EQ(f.max_running, std::min<std::int64_t>(tokens / 4096, 256));
  EXPECT_EQ(f.kv_blocks, tokens / 16);
  EXPECT_TRUE(f.fits);
}

TEST_F(Footprints, SmallestFitForLlama70b) {
  ReplicaSpec o = spec("llama-3.1-70b", "h100-sxm");
  FitResult bf16 = find_fit(o, 4096);
  ASSERT_TRUE(bf16.fits);
  EXPECT_EQ(bf16.footprint.gpus, 2);  // 141 GB of weights cannot fit one 80 GiB GPU
  EXPECT_FALSE(bf16.layouts.front().fits);
  o.weights_dtype = Dtype::fp8;
  FitResult fp8 = find_fit(o, 4096);
  // 72.6 GB of fp8 weights leave about 2.9 GB of one H100 for KV: a handful of 4096-token
  // sequences.
  EXPECT_EQ(fp8.footprint.gpus, 1);
  EXPECT_LT(fp8.footprint.max_sequences, 8);
  o.gpu = gpu("h200");
  FitResult h200 = find_fit(o, 4096);
  EXPECT_EQ(h200.footprint.gpus, 1);
}

TEST_F(Footprints, TensorParallelValidity) {
  EXPECT_TRUE(valid_tensor_parallel(model("llama-3.1-70b"), 8));
  EXPECT_TRUE(valid_tensor_parallel(model("llama-3.1-70b"), 16));  // 64 heads; KV heads replicated
  EXPECT_FALSE(valid_tensor_parallel(model("llama-3.1-70b"), 3));
  EXPECT_FALSE(valid_tensor_parallel(model("qwen3-32b"), 3));
}

TEST_F(Footprints, KvHeadsReplicateBeyondTheirCount) {
  const Footprint f8 = footprint_at(spec("llama-3.1-70b", "h100-sxm", 8), 4096);
  EXPECT_EQ(f8.kv_bytes_per_token_per_gpu, 327680.0 / 8);
  const Footprint f16 = footprint_at(spec("llama-3.1-70b", "h100-sxm", 16), 4096);
  EXPECT_EQ(f16.kv_bytes_per_token_per_gpu, 327680.0 / 8);  // 1 KV head per GPU, not half of one
}

TEST_F(Footprints, ContiguousReservesMaxModelLen) {
  ReplicaSpec o = spec("llama-3.1-8b", "h100-sxm");
  o.memory.max_model_len = 8192;
  const Footprint paged = footprint_at(o, 2000);
  o.memory.paged_kv = false;
  const Footprint contiguous = footprint_at(o, 2000);
  EXPECT_EQ(paged.tokens_reserved_per_sequence, 2000);  // 125 blocks of 16
  EXPECT_EQ(contiguous.tokens_reserved_per_sequence, 8192);
  EXPECT_EQ(paged.max_sequences, paged.kv_capacity_tokens / 2000);
  EXPECT_EQ(contiguous.max_sequences, contiguous.kv_capacity_tokens / 8192);
  EXPECT_GT(paged.max_sequences, 4 * contiguous.max_sequences - 1);
}

TEST_F(Footprints, FitsNowhereIsAResultWithAReason) {
  ReplicaSpec o = spec("llama-3.1-405b", "l4");
  o.memory.gpu_memory_utilization = 0.3;
  const FitResult r = find_fit(o, 4096);
  EXPECT_FALSE(r.fits);
  EXPECT_EQ(r.footprint.gpus, 64);  // TP 8 x PP 8 was the last layout tried
  EXPECT_NE(r.reason.find("does not fit on up to 64 x l4"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace fleetsizer
