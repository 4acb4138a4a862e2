// Error bands from validation residuals: quantiles, fallbacks and widening.
#include "fleetsizer/search/error_bands.h"

#include <gtest/gtest.h>

namespace fleetsizer {
namespace {

TEST(ErrorBands, QuantilesPerGroupAndFallbacks) {
  std::vector<Residual> rows;
  // 21 vLLM rows on h100 with ratios 0.80, 0.81, ..., 1.00: p50 = 0.90, p05 = 0.81 (position 1.0).
  for (int i = 0; i <= 20; ++i) rows.push_back({"vllm", "h100-sxm", 0.80 + 0.01 * i});
  // 5 rows on h200: too few for a band of their own.
  for (int i = 0; i < 5; ++i) rows.push_back({"vllm", "h200", 1.0});
  const ErrorBands bands = error_bands_from(rows, 20);
  const BandChoice own = bands.for_plan("vllm", "h100-sxm");
  EXPECT_EQ(own.basis, BandBasis::gpu_engine);
  EXPECT_NEAR(own.band.ratio_p50, 0.90, 1e-12);
  EXPECT_NEAR(own.band.ratio_p05, 0.81, 1e-12);
  EXPECT_EQ(own.band.rows, 21);
  // h200 borrows the engine's band over all 26 rows, widened: p05 moves twice as far from p50.
  const BandChoice borrowed = bands.for_plan("vllm", "h200");
  EXPECT_EQ(borrowed.basis, BandBasis::engine);
  EXPECT_EQ(borrowed.band.rows, 26);
  const ErrorBand* engine = nullptr;
  for (const auto& b : bands.bands)
    if (b.engine == "vllm" && b.gpu.empty()) engine = &b;
  ASSERT_NE(engine, nullptr);
  EXPECT_NEAR(borrowed.band.ratio_p50 - borrowed.band.ratio_p05,
              2 * (engine->ratio_p50 - engine->ratio_p05), 1e-12);
  // Another engine falls back to all rows; no rows at all: no band.
  EXPECT_EQ(bands.for_plan("sglang", "b200").basis, BandBasis::all);
  EXPECT_EQ(ErrorBands{}.for_plan("vllm", "h100-sxm").basis, BandBasis::none);
}

}  // namespace
}  // namespace fleetsizer
