// Curves read from benchmark results (`slo --curve result.json`): one vLLM bench serve result (a
// point), or a `bench --sweep --format json` answer (its unsaturated probes are the points).
#include "fuzz/fuzz_support.h"
#include "io/curve_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  fuzz::expect_value_or_one_line(
      io::read_curve_file(fuzz::input_file(fuzz::as_text(data, size), ".json")));
  return 0;
}
