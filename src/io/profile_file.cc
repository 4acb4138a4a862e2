#include "io/profile_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "io/yaml_util.h"

namespace fleetsizer::io {

std::string profile_yaml(const Profile& profile, const std::string& header) {
  std::string out = header;
  out += "entries:\n";
  for (const auto& e : profile.entries) {
    out += fmt::format(
        "  - gpu: {}\n    engine: {}\n    compute: {:.6g}\n    memory: {:.6g}\n    interconnect: "
        "{:.6g}\n"
        "    step_overhead_ms: {:.6g}\n    per_seq_overhead_us: {:.6g}\n    wave_sync: {:.6g}\n"
        "    low_precision_compute: {:.6g}\n    kernel_floor_us: {:.6g}\n    phase_noise: {:.6g}\n"
        "    rows: {}\n"
        "    median_abs_pct_error: {:.3g}\n",
        e.gpu, e.engine, e.efficiency.compute, e.efficiency.memory, e.efficiency.interconnect,
        e.efficiency.step_overhead_ms, e.efficiency.per_seq_overhead_us, e.efficiency.wave_sync,
        e.efficiency.low_precision_compute, e.efficiency.kernel_floor_us, e.efficiency.phase_noise,
        e.rows, e.median_abs_pct_error);
  }
  return out;
}

// The keys a profile may have, at the top and per entry (register new fields here).
constexpr std::string_view kProfileKeys[] = {"entries"};
constexpr std::string_view kEntryKeys[] = {"gpu",
                                           "engine",
                                           "compute",
                                           "memory",
                                           "interconnect",
                                           "step_overhead_ms",
                                           "per_seq_overhead_us",
                                           "wave_sync",
                                           "low_precision_compute",
                                           "kernel_floor_us",
                                           "phase_noise",
                                           "rows",
                                           "median_abs_pct_error"};

Result<Profile> read_profile_file(const std::string& path) {
  auto loaded = load_yaml_file(path, "profile file");
  if (!loaded) return std::unexpected(loaded.error());
  const YAML::Node& root = *loaded;
  Profile p;
  try {
    if (root.IsMap())
      if (auto k = check_keys(root, kProfileKeys, path, "a profile"); !k)
        return std::unexpected(k.error());
    if (!root["entries"] || !root["entries"].IsSequence())
      return fail(fmt::format("{}:1: a profile needs an 'entries' list", path));
    for (const auto& n : root["entries"]) {
      if (n.IsMap())
        if (auto k = check_keys(n, kEntryKeys, path, "a profile entry"); !k)
          return std::unexpected(k.error());
      if (!n["gpu"] || !n["engine"])
        return fail(fmt::format("{}: entry needs gpu and engine", yaml_origin(path, n)));
      ProfileEntry e;
      e.gpu = n["gpu"].as<std::string>();
      e.engine = n["engine"].as<std::string>();
      e.efficiency = engine_defaults(e.engine).efficiency;
      for (auto [key, dest, at_most_one] :
           std::initializer_list<std::tuple<const char*, double*, bool>>{
               {"compute", &e.efficiency.compute, true},
               {"memory", &e.efficiency.memory, true},
               {"interconnect", &e.efficiency.interconnect, true},
               {"step_overhead_ms", &e.efficiency.step_overhead_ms, false},
               {"per_seq_overhead_us", &e.efficiency.per_seq_overhead_us, false},
               {"wave_sync", &e.efficiency.wave_sync, true},
               {"low_precision_compute", &e.efficiency.low_precision_compute, true},
               {"kernel_floor_us", &e.efficiency.kernel_floor_us, false},
               {"phase_noise", &e.efficiency.phase_noise, false}}) {
        if (!n[key]) continue;
        auto v = yaml_number(n[key], path, key);
        if (!v) return fail(v.error().message);
        if (*v < 0 || (at_most_one && (*v <= 0 || *v > 1)))
          return fail(fmt::format("{}: {} must be {}, got {}", yaml_origin(path, n[key]), key,
                                  at_most_one ? "in (0, 1]" : ">= 0", *v));
        *dest = *v;
      }
      if (n["rows"]) e.rows = n["rows"].as<int>();
      p.entries.push_back(std::move(e));
    }
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  return p;
}

}  // namespace fleetsizer::io
