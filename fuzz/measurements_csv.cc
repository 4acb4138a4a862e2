// Measurement files: the CSV reader (and, through the same entry, vLLM/GuideLLM/AIPerf JSON).
#include "fleetsizer/catalog/catalog.h"
#include "fuzz/fuzz_support.h"
#include "io/measurement_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  static const Catalog catalog = builtin_catalog();
  const std::string_view text = fuzz::as_text(data, size);
  // The first byte picks the format, so one corpus covers both.
  const bool json = !text.empty() && (text.front() == '{' || text.front() == '[');
  io::MeasurementSet set;
  io::JsonContext context;
  context.model = "llama-3.1-8b";
  context.gpu = "h100-sxm";
  context.engine = "vllm";
  context.tp = 1;
  fuzz::expect_value_or_one_line(io::read_measurements(
      fuzz::input_file(text, json ? ".json" : ".csv"), catalog, context, set));
  return 0;
}
