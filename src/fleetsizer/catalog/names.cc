#include "fleetsizer/catalog/names.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace fleetsizer::catalog {
namespace {

constexpr std::size_t kTypoSlack = 8;

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string normalize_name(std::string_view text) {
  std::string s(text);
  // "meta-llama/Llama-3.1-8B" -> "Llama-3.1-8B": the organization does not name the architecture.
  if (const auto slash = s.rfind('/'); slash != std::string::npos) s = s.substr(slash + 1);
  std::string out;
  for (unsigned char c : s) {
    if (c == '_' || c == ' ') {
      out += '-';
    } else {
      out += static_cast<char>(std::tolower(c));
    }
  }
  // Suffixes that change the checkpoint but not the architecture or memory shape.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::string_view suffix :
         {"-instruct", "-hf", "-chat", "-fp8", "-base", "-v0.1", "-v0.3"}) {
      if (ends_with(out, suffix)) {
        out.resize(out.size() - suffix.size());
        changed = true;
      }
    }
  }
  if (out.starts_with("meta-llama-")) out = out.substr(5);
  if (out.starts_with("llama3")) out = "llama-3" + out.substr(6);
  if (out.starts_with("llama2")) out = "llama-2" + out.substr(6);
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> nearest_names(std::string_view query,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit) {
  std::string key = normalize_name(query);
  // A typo is a few characters off a name; past the longest candidate (plus that much slack) more
  // characters cannot change the ranking, and comparing a whole file's worth of junk against every
  // name costs length x names per unknown cell (a fuzzed measurement file spent seconds here).
  std::size_t longest = 0;
  for (const auto& name : candidates) longest = std::max(longest, name.size());
  if (key.size() > longest + kTypoSlack) key.resize(longest + kTypoSlack);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& name : candidates) scored.emplace_back(edit_distance(key, name), name);
  std::ranges::stable_sort(scored, {}, &std::pair<std::size_t, std::string>::first);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < limit; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace fleetsizer::catalog
