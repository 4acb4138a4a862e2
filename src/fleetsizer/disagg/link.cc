#include "fleetsizer/disagg/link.h"

#include <fmt/format.h>

#include <algorithm>

namespace fleetsizer {

const std::vector<KvLink>& link_presets() {
  static const std::vector<KvLink> presets = {
      {"nvlink", 450, 2},
      {"infiniband", 50, 5},
      {"roce", 25, 10},
      {"ethernet", 12.5, 50},
  };
  return presets;
}

std::string link_preset_names() {
  std::string out;
  for (const auto& l : link_presets()) out += (out.empty() ? "" : ", ") + l.name;
  return out;
}

Result<KvLink> link_preset(std::string_view name) {
  for (const auto& l : link_presets())
    if (l.name == name) return l;
  return fail(fmt::format("unknown KV link '{}' ({})", name, link_preset_names()));
}

double kv_transfer_s(const KvLink& link, double bytes, int lanes) {
  return link.latency_us * 1e-6 + bytes / (link.gb_s * 1e9 * std::max(1, lanes));
}

}  // namespace fleetsizer
