// Hugging Face config.json files turned into a model.
#include "io/hf_config.h"

#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  fuzz::expect_value_or_one_line(
      io::read_hf_config(fuzz::input_file(fuzz::as_text(data, size), ".json")));
  return 0;
}
