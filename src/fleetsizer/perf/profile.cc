#include "fleetsizer/perf/profile.h"

namespace fleetsizer {

Efficiency efficiency_for(const Profile& profile, const std::string& gpu,
                          const std::string& engine) {
  for (const auto& e : profile.entries)
    if (e.gpu == gpu && e.engine == engine) return e.efficiency;
  return engine_defaults(engine).efficiency;
}

}  // namespace fleetsizer
