// Measured ablations (`stack --ablation`): the measurement CSV with a `stage` column of levers.
#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/plan/scenario.h"
#include "fuzz/fuzz_support.h"
#include "io/ablation_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  static const Catalog catalog = builtin_catalog();
  static const Scenario base = default_scenario(catalog);
  const std::string path = fuzz::input_file(fuzz::as_text(data, size), ".csv");
  fuzz::expect_value_or_one_line(io::read_ablation(path, catalog, base));
  return 0;
}
