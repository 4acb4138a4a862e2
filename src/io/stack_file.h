#pragma once
// The `stack:` section of a scenario file: the seed calculator's baseline and levers.
#include <yaml-cpp/yaml.h>

#include <string>

#include "fleetsizer/error.h"
#include "fleetsizer/fleet/lever_stack.h"

namespace fleetsizer::io {

Result<StackScenario> parse_stack_node(const YAML::Node& node, const std::string& path);

}  // namespace fleetsizer::io
