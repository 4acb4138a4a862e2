// ShareGPT dataset files (`bench --dataset`): a JSON array of conversations.
#include "fuzz/fuzz_support.h"
#include "io/sharegpt_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  const std::string path = fuzz::input_file(fuzz::as_text(data, size), ".json");
  fuzz::expect_value_or_one_line(io::read_sharegpt(path));
  return 0;
}
