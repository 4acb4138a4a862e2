#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

// The seed's Output 22.9.1, byte for byte (shared/seed/output-22-9-1.txt, copied to tests/golden/).
TEST(ExampleGolden, TableMatchesSeedOutputByteForByte) {
  const RunResult r = run_cli("example");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_text(source_path("tests/golden/output-22-9-1.txt")));
}

}  // namespace
}  // namespace fleetsizer::testing
