// Error bands from validation residuals: quantiles, fallbacks and widening.
#include "fleetsizer/search/error_bands.h"

#include <gtest/gtest.h>

#include "io/csv.h"
#include "io/search_file.h"
#include "tests/test_support.h"

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

// The shipped bands (data/error-bands.csv, built into `search`) parse, and their all-rows band
// covers every measurement row with a throughput in the files scripts/error-bands validates.
namespace fleetsizer {
namespace {

TEST(ErrorBands, ShippedBandsCoverTheShippedMeasurements) {
  auto bands = io::read_error_bands(testing::source_path("data/error-bands.csv"));
  ASSERT_TRUE(bands) << bands.error().message;
  std::int64_t rows = 0;
  for (const char* f : {"data/measurements/aiconfigurator-dense-agg.csv",
                        "data/measurements/splitwise-llama2-70b.csv"}) {
    auto t = io::read_csv(testing::source_path(f));
    ASSERT_TRUE(t) << t.error().message;
    const auto col = t->column("output_tok_s");
    ASSERT_TRUE(col);
    for (const auto& r : t->rows)
      if (!t->cell(r, *col).empty()) ++rows;
  }
  ASSERT_FALSE(bands->bands.empty());
  EXPECT_TRUE(bands->bands.front().engine.empty() && bands->bands.front().gpu.empty());
  EXPECT_EQ(bands->bands.front().rows, rows);
  for (const ErrorBand& b : bands->bands) {
    EXPECT_GE(b.rows, kMinBandRows);
    EXPECT_LE(b.ratio_p05, b.ratio_p50);
    EXPECT_LE(b.ratio_p50, b.ratio_p95);
  }
}

}  // namespace
}  // namespace fleetsizer
