#include "fleetsizer/perf/measurement.h"

#include <gtest/gtest.h>

namespace fleetsizer {
namespace {

// The KV dtype assumed for a row that leaves it empty (docs/formats.md).
TEST(Measurement, AssumedKvDtypeFollowsTheEngineDefault) {
  EXPECT_EQ(assumed_kv_dtype(Dtype::fp8, "trtllm"), Dtype::fp8);
  EXPECT_EQ(assumed_kv_dtype(Dtype::fp4, "trtllm"), Dtype::fp8);
  EXPECT_EQ(assumed_kv_dtype(Dtype::fp8, "vllm"), Dtype::bf16);
  EXPECT_EQ(assumed_kv_dtype(Dtype::fp8, "sglang"), Dtype::bf16);
  EXPECT_EQ(assumed_kv_dtype(Dtype::int4, "trtllm"), Dtype::bf16);
  EXPECT_EQ(assumed_kv_dtype(Dtype::fp16, "vllm"), Dtype::fp16);
  EXPECT_EQ(assumed_kv_dtype(Dtype::bf16, "trtllm"), Dtype::bf16);
}

}  // namespace
}  // namespace fleetsizer
