#include "io/sharegpt_file.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/output.h"

namespace fleetsizer::io {

Result<std::vector<bench::Conversation>> read_sharegpt(const std::string& path) {
  auto contents = read_text_file(path, "ShareGPT file (--dataset-path)");
  if (!contents) return fail(contents.error().message);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*contents);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(
        fmt::format("{}: not JSON (byte {}); a ShareGPT file is a JSON array", path, e.byte));
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax the library cannot hold, such as a number past a double (2e4142; found by
    // fuzzing): it threw through as an internal error.
    return fail(fmt::format("{}: invalid JSON: {}", path, e.what()));
  }
  if (!j.is_array())
    return fail(fmt::format("{}: expected a JSON array of {{\"conversations\": [...]}}", path));
  std::vector<bench::Conversation> out;
  for (const auto& entry : j) {
    if (!entry.is_object() || !entry.contains("conversations")) continue;
    const auto& turns = entry["conversations"];
    if (!turns.is_array() || turns.size() < 2) continue;
    auto text = [](const nlohmann::json& turn) -> std::string {
      if (!turn.is_object() || !turn.contains("value") || !turn["value"].is_string()) return {};
      return turn["value"].get<std::string>();
    };
    out.push_back({text(turns[0]), text(turns[1])});
  }
  if (out.empty())
    return fail(
        fmt::format("{}: no entry with a \"conversations\" array of two or more turns", path));
  return out;
}

}  // namespace fleetsizer::io
