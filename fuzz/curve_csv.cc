// Measured throughput/latency-against-batch curves.
#include "fuzz/fuzz_support.h"
#include "io/curve_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  fuzz::expect_value_or_one_line(
      io::read_curve_file(fuzz::input_file(fuzz::as_text(data, size), ".csv")));
  return 0;
}
