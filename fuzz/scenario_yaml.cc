// The scenario reader: YAML text, then the typed scenario (keys, ranges, catalog names), and a
// stack file's levers (`stack.mechanistic`, parsed against the scenario's model as `stack` does).
#include "fleetsizer/catalog/catalog.h"
#include "fuzz/fuzz_support.h"
#include "io/lever_spec.h"
#include "io/scenario_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  auto raw = io::parse_scenario_yaml(std::string(fuzz::as_text(data, size)), "fuzz.yaml");
  fuzz::expect_value_or_one_line(raw);
  if (!raw) return 0;
  // Files a fuzzed scenario names are not read: the other targets read those formats.
  for (const char* key :
       {"catalog", "profile", "curve", "trace", "lengths_from", "prices", "load_profile"})
    raw->values.erase(key);
  // Inputs may add to the catalog: each gets a copy of one built once.
  static const Catalog builtin = builtin_catalog();
  Catalog catalog = builtin;
  auto scenario = io::build_scenario(*raw, catalog);
  fuzz::expect_value_or_one_line(scenario);
  if (scenario && raw->stack)
    for (const auto& [text, origin] : raw->stack->mechanistic)
      fuzz::expect_value_or_one_line(
          io::parse_lever(text, origin, catalog, scenario->replica.model));
  return 0;
}
