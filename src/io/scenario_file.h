#pragma once
// Scenario settings as the user wrote them (YAML file or flags), before validation. Each value
// remembers where it came from ("plan.yaml:12" or "--target-qps") so that errors point at it.
// Flags override the file; build_scenario() starts from the built-in default, applies the
// settings, validates every number and resolves names through the catalog.
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/error.h"
#include "fleetsizer/plan/scenario.h"

namespace fleetsizer::io {

// The ranges scenario settings are checked against where they are read (the error states the
// range): far beyond any real deployment, small enough that no count derived from them overflows
// and no loop sized by them runs for long.
inline constexpr std::int64_t kMaxGpusPerReplica = 1024;         // tp, gpus_per_host
inline constexpr std::int64_t kMaxSequenceTokens = 100'000'000;  // isl, osl, context, token budgets
inline constexpr std::int64_t kMaxNumSeqs = 1'000'000;           // max_num_seqs, redundancy
inline constexpr double kMaxTargetQps = 1e9;                     // target_qps (req/s)
// A model's integer fields (config.json, catalog files): far beyond any published model (widths of
// tens of thousands, a 262k vocabulary), and small enough that products such as layers x kv_heads
// x head_dim x bytes stay well within int64. Its context is bounded by kMaxSequenceTokens.
inline constexpr std::int64_t kMaxModelDimension = 1'000'000;
inline constexpr std::int64_t kMaxVocab = 10'000'000;

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

// Which commands read a key. Every key belongs to one group and every command reads a set of
// groups (its setup in src/cli says which): it binds the flags of those groups only, and ignores
// the other groups' keys in a scenario file, since one file is shared by several commands. A key
// that no command reads does not exist. The table of docs/formats.md lists them.
enum class KeyGroup : unsigned {
  replica,       // catalog model gpu tp dtypes engine context memory and engine options
  profile,       // calibrated efficiencies of the performance model
  lengths,       // isl osl
  traffic,       // arrival cv length_dist sigma lengths_from trace skip_bad_lines
  prefix_cache,  // prefix_hit_rate
  router,        // router
  slo,           // slo
  target,        // target_qps
  fleet,         // name, packing, prices, headroom, redundancy
  given_q,       // q curve
  rate,          // rate (predict, simulate)
  run,           // requests replicas (simulate)
  search,        // gpus tps weights_dtypes kv_dtypes max_num_seqs_caps engines prices
                 // load_profile budget_usd_per_hour (search)
  disagg,        // prefill_* decode_* kv_link kv_transfer_gb_s kv_transfer_latency_us (disagg)
};

class KeyGroups {
 public:
  constexpr KeyGroups(std::initializer_list<KeyGroup> groups) {
    for (KeyGroup g : groups) bits_ |= 1u << static_cast<unsigned>(g);
  }
  constexpr bool contains(KeyGroup g) const { return (bits_ >> static_cast<unsigned>(g)) & 1u; }

 private:
  unsigned bits_ = 0;
};

struct ScenarioKey {
  std::string name;  // "target_qps"
  KeyGroup group;
};

// Keys a scenario file (and the flags) may set, e.g. "target_qps", "usd_per_gpu_hour".
const std::vector<ScenarioKey>& scenario_keys();
std::optional<KeyGroup> key_group(const std::string& key);
// The settings of `raw` whose keys are in `groups` (what one command reads of a shared file).
RawScenario select(const RawScenario& raw, KeyGroups groups);

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
