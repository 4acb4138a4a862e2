#pragma once
// Catalog names are lowercase and hyphenated; users type "H100", "meta-llama/Llama-3.1-8B-Instruct"
// or "h100_sxm". normalize_name() maps such spellings to one key, and nearest_names() suggests
// what the user probably meant when a name is unknown.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsizer::catalog {

std::string normalize_name(std::string_view text);
std::size_t edit_distance(std::string_view a, std::string_view b);
// Up to `limit` candidates ordered by edit distance to `query` (after normalization).
std::vector<std::string> nearest_names(std::string_view query,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit = 3);

}  // namespace fleetsizer::catalog
