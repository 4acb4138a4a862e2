#pragma once
// Typed reads of YAML scalars with "file:line: field ..." messages.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "fleetsizer/error.h"
#include "io/csv.h"

namespace fleetsizer::io {

inline std::string yaml_origin(const std::string& path, const YAML::Node& node) {
  return fmt::format("{}:{}", path, node.Mark().line + 1);
}

// The known key closest to `key` by edit distance, when close enough to be a likely typo.
std::string nearest_name(std::string_view key, std::span<const std::string_view> known);

// Every reader's one list of known keys: a key outside it is an error naming its line and the
// nearest known key ("unknown key 'tpp' in a GPU (did you mean 'tp'?)"), never ignored. Readers
// register a new key by adding it to their list.
Result<void> check_keys(const YAML::Node& map, std::span<const std::string_view> known,
                        const std::string& path, std::string_view what);
inline Result<void> check_keys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                               const std::string& path, std::string_view what) {
  return check_keys(map, std::span<const std::string_view>(known.begin(), known.size()), path,
                    what);
}

// One YAML document from text: a syntax error, a second document ('---') or a key given twice in
// any mapping is an error with its line (yaml-cpp keeps duplicates silently).
Result<YAML::Node> parse_yaml_document(const std::string& text, const std::string& path);

// read_text_file (size cap, directories, UTF-8) then parse_yaml_document.
Result<YAML::Node> load_yaml_file(const std::string& path, const std::string& what);

// A finite number, or an error naming the field.
inline Result<double> yaml_number(const YAML::Node& node, const std::string& path,
                                  const std::string& field) {
  if (!node.IsScalar())
    return fail(fmt::format("{}: {} must be a number", yaml_origin(path, node), field));
  auto v = parse_number(node.as<std::string>());
  if (!v || !std::isfinite(*v))
    return fail(fmt::format("{}: {} must be a finite number, got '{}'", yaml_origin(path, node),
                            field, node.as<std::string>()));
  return *v;
}

inline Result<double> yaml_positive(const YAML::Node& node, const std::string& path,
                                    const std::string& field) {
  auto v = yaml_number(node, path, field);
  if (v && !(*v > 0))
    return fail(fmt::format("{}: {} must be a positive number, got {}", yaml_origin(path, node),
                            field, *v));
  return v;
}

}  // namespace fleetsizer::io
