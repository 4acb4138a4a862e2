// The other YAML settings: catalog overrides and calibration profiles (the first byte picks).
#include "fleetsizer/catalog/catalog.h"
#include "fuzz/fuzz_support.h"
#include "io/catalog_file.h"
#include "io/profile_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  if (size == 0) return 0;
  const std::string text(fuzz::as_text(data + 1, size - 1));
  const std::string path = fuzz::input_file(text, ".yaml");
  if (data[0] % 2 == 0) {
    // Inputs may add to the catalog: each gets a copy of one built once.
    static const Catalog builtin = builtin_catalog();
    Catalog catalog = builtin;
    fuzz::expect_value_or_one_line(io::load_catalog_file(path, catalog));
  } else {
    fuzz::expect_value_or_one_line(io::read_profile_file(path));
  }
  return 0;
}
