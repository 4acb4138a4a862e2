#pragma once
// Scenario settings as the user wrote them (YAML file or flags), before validation. Each value
// remembers where it came from ("plan.yaml:12" or "--target-qps") so that errors point at it.
// Flags override the file; build_scenario() starts from the built-in default, applies the
// settings, validates every number and resolves names through the catalog.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/error.h"

namespace fleetsizer::io {

struct RawValue {
  std::vector<std::string> values;  // one for a scalar, any number for a list (slo)
  std::string origin;
};

struct RawScenario {
  std::string base_dir;  // relative paths in a file resolve against the file's folder
  std::map<std::string, RawValue> values;
  std::optional<StackScenario> stack;

  void set(const std::string& key, std::string value, std::string origin);
  void append(const std::string& key, std::string value, std::string origin);
  bool has(const std::string& key) const { return values.contains(key); }
};

// Keys a scenario file (and the flags) may set, e.g. "target_qps", "usd_per_gpu_hour".
const std::vector<std::string>& scenario_keys();

Result<RawScenario> read_scenario_file(const std::string& path);
Result<RawScenario> parse_scenario_yaml(const std::string& text, const std::string& path);
// Values in `flags` replace those in `base`.
void overlay(RawScenario& base, const RawScenario& flags);
// Loads the `catalog` file named in the settings (if any) into `catalog` first.
Result<Scenario> build_scenario(const RawScenario& raw, Catalog& catalog);

// Typed access with messages that name the origin, shared by commands with their own flags.
Result<std::optional<double>> number_setting(const RawScenario& raw, const std::string& key);
Result<std::optional<std::int64_t>> integer_setting(const RawScenario& raw, const std::string& key);
Result<std::optional<double>> positive_setting(const RawScenario& raw, const std::string& key);
std::optional<std::string> string_setting(const RawScenario& raw, const std::string& key);
std::string resolve_path(const RawScenario& raw, const std::string& path);

}  // namespace fleetsizer::io
