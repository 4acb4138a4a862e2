// The plan search's and the disaggregated validator's own files, and lever text (the first byte
// picks): a prices CSV, an hourly load profile, error bands, the disaggregated runs CSV, and a
// `--lever` / `stack.mechanistic` entry.
#include "fleetsizer/catalog/catalog.h"
#include "fuzz/fuzz_support.h"
#include "io/disagg_measurements.h"
#include "io/lever_spec.h"
#include "io/search_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  static const Catalog catalog = builtin_catalog();
  if (size == 0) return 0;
  const std::string text(fuzz::as_text(data + 1, size - 1));
  switch (data[0] % 5) {
    case 0: {
      PriceBook book;
      fuzz::expect_value_or_one_line(
          io::read_prices_file(fuzz::input_file(text, ".csv"), catalog, book));
      fuzz::expect_value_or_one_line(io::apply_price(text, catalog, book));
      break;
    }
    case 1:
      fuzz::expect_value_or_one_line(io::read_load_profile(fuzz::input_file(text, ".csv")));
      break;
    case 2: {
      auto bands = io::parse_error_bands(text, "fuzz.csv");
      fuzz::expect_value_or_one_line(bands);
      // What is written reads back.
      if (bands && !io::parse_error_bands(io::error_bands_csv(*bands), "again.csv")) std::abort();
      break;
    }
    case 3:
      fuzz::expect_value_or_one_line(io::read_disagg_runs(fuzz::input_file(text, ".csv")));
      break;
    default:
      fuzz::expect_value_or_one_line(
          io::parse_lever(text, "--lever", catalog, *catalog.model("llama-3.1-70b")));
  }
  return 0;
}
