#include "io/yaml_util.h"

#include <algorithm>
#include <set>
#include <vector>

#include "fleetsizer/catalog/names.h"
#include "io/output.h"

namespace fleetsizer::io {

namespace {
// Duplicate keys at any depth; the first duplicate's line.
Result<void> check_duplicates(const YAML::Node& node, const std::string& path, int depth) {
  if (depth > 64) return fail(fmt::format("{}: nested more than 64 levels deep", path));
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second)
        return fail(fmt::format("{}: key '{}' given twice", yaml_origin(path, kv.first),
                                kv.first.Scalar()));
      if (auto r = check_duplicates(kv.second, path, depth + 1); !r) return r;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node)
      if (auto r = check_duplicates(item, path, depth + 1); !r) return r;
  }
  return {};
}
}  // namespace

std::string nearest_name(std::string_view key, std::span<const std::string_view> known) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (auto k : known) {
    // Lengths this far apart are at least this far apart: a long key costs nothing to reject.
    const std::size_t length_gap =
        key.size() > k.size() ? key.size() - k.size() : k.size() - key.size();
    if (length_gap >= best_distance) continue;
    const std::size_t d = catalog::edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

Result<void> check_keys(const YAML::Node& map, std::span<const std::string_view> known,
                        const std::string& path, std::string_view what) {
  for (const auto& kv : map) {
    const auto key = kv.first.as<std::string>();
    if (std::ranges::find(known, key) != known.end()) continue;
    const std::string near = nearest_name(key, known);
    return fail(fmt::format("{}: unknown key '{}' in {}{}", yaml_origin(path, kv.first), key, what,
                            near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
  }
  return {};
}

Result<YAML::Node> parse_yaml_document(const std::string& text, const std::string& path) {
  // yaml-cpp 0.7's LoadAll loops for ever on some inputs of a few bytes (",Y&", found by
  // fuzzing) where Load returns: one document is loaded, and a second is found by its marker, a
  // line starting with "---" after some content.
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("{}:{}: YAML syntax error: {}", path, e.mark.line + 1, e.msg));
  }
  bool content = false;
  std::size_t line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_no;
    const bool marker = line.starts_with("---") &&
                        (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    if (marker && content)
      return fail(fmt::format("{}:{}: a second YAML document ('---'): one document per file", path,
                              line_no));
    const auto first = line.find_first_not_of(" \t\r");
    if (!marker && first != std::string_view::npos && line[first] != '#' && !line.starts_with("%"))
      content = true;
  }
  if (auto r = check_duplicates(root, path, 0); !r) return std::unexpected(r.error());
  return root;
}

Result<YAML::Node> load_yaml_file(const std::string& path, const std::string& what) {
  auto text = read_text_file(path, what, kMaxSettingsFileBytes);
  if (!text) return std::unexpected(text.error());
  return parse_yaml_document(*text, path);
}

}  // namespace fleetsizer::io
