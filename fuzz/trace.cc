// Request traces: Azure CSV and Mooncake JSONL (the first byte picks which), read whole.
#include "fuzz/fuzz_support.h"
#include "io/trace_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  const std::string_view text = fuzz::as_text(data, size);
  const bool jsonl = !text.empty() && text.front() == '{';
  fuzz::expect_value_or_one_line(
      io::read_trace_lengths(fuzz::input_file(text, jsonl ? ".jsonl" : ".csv")));
  return 0;
}
