#include "fleetsizer/perf/profile.h"

namespace fleetsizer {

EfficiencyChoice choose_efficiency(const Profile& profile, const std::string& gpu,
                                   const std::string& engine) {
  EfficiencyChoice c;
  c.key = gpu + "/" + engine;
  for (const auto& e : profile.entries) {
    if (e.gpu == gpu && e.engine == engine) {
      c.efficiency = e.efficiency;
      c.from_profile = true;
      return c;
    }
  }
  c.efficiency = engine_defaults(engine).efficiency;
  return c;
}

Efficiency efficiency_for(const Profile& profile, const std::string& gpu,
                          const std::string& engine) {
  return choose_efficiency(profile, gpu, engine).efficiency;
}

}  // namespace fleetsizer
