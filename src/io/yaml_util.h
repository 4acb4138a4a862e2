#pragma once
// Typed reads of YAML scalars with "file:line: field ..." messages.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <string>

#include "fleetsizer/error.h"
#include "io/csv.h"

namespace fleetsizer::io {

inline std::string yaml_origin(const std::string& path, const YAML::Node& node) {
  return fmt::format("{}:{}", path, node.Mark().line + 1);
}

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
