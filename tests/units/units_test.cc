#include "fleetsizer/units/units.h"

#include <gtest/gtest.h>

#include "fleetsizer/units/dtype.h"

namespace fleetsizer {
namespace {

TEST(CeilRatio, IntegerRatioDoesNotAddANodeThroughRoundOff) {
  // 0.3 / 0.1 is 2.9999999999999996 in binary floating point; 4000 / (4000 / 3)
  // is 3.0000000000000004.
  EXPECT_EQ(units::ceil_ratio(0.3, 0.1), 3);
  EXPECT_EQ(units::ceil_ratio(4000.0, 4000.0 / 3.0), 3);
  EXPECT_EQ(units::ceil_ratio(4000.0, 18.0), 223);  // 222.2 -> 223
  EXPECT_EQ(units::ceil_ratio(100.0, 7.0), 15);
}

TEST(CeilRatio, GenuineFractionsRoundUp) {
  EXPECT_EQ(units::ceil_ratio(10.0, 3.0), 4);
  EXPECT_EQ(units::ceil_ratio(1.0, 1.0 - 1e-6), 2);
}

TEST(Dtype, BytesAndNames) {
  EXPECT_EQ(bytes_per_element(Dtype::bf16), 2.0);
  EXPECT_EQ(bytes_per_element(Dtype::fp8), 1.0);
  EXPECT_EQ(bytes_per_element(Dtype::int4), 0.5);
  EXPECT_EQ(parse_dtype("bfloat16"), Dtype::bf16);
  EXPECT_EQ(parse_dtype("FP8"), Dtype::fp8);
  EXPECT_FALSE(parse_dtype("fp6").has_value());
}

}  // namespace
}  // namespace fleetsizer
