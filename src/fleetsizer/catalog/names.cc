#include "fleetsizer/catalog/names.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
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

namespace {

// The textbook dynamic program over one row: length(a) x length(b) cells.
std::size_t edit_distance_by_rows(std::string_view a, std::string_view b) {
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

// Myers' bit-vector algorithm (J. ACM 46(3), 1999) in Hyyro's form for the distance between whole
// strings: a column of the dynamic program, as +1/-1 vertical steps, is one machine word, so each
// character of `text` costs a dozen word operations instead of length(pattern) cells. Every
// unknown name is compared with every catalog name and alias, and the readers of fuzzed files
// spent most of their time doing so cell by cell.
std::size_t edit_distance_by_words(std::string_view pattern, std::string_view text) {
  std::array<std::uint64_t, 256> match{};  // bit i: pattern[i] is this character
  for (std::size_t i = 0; i < pattern.size(); ++i)
    match[static_cast<unsigned char>(pattern[i])] |= std::uint64_t{1} << i;
  const std::uint64_t last = std::uint64_t{1} << (pattern.size() - 1);
  std::uint64_t plus = ~std::uint64_t{0};  // vertical +1 steps: column 0 is 0, 1, 2, ...
  std::uint64_t minus = 0;
  std::size_t distance = pattern.size();
  for (unsigned char c : text) {
    const std::uint64_t eq = match[c];
    const std::uint64_t xv = eq | minus;
    const std::uint64_t xh = (((eq & plus) + plus) ^ plus) | eq;
    std::uint64_t h_plus = minus | ~(xh | plus);
    std::uint64_t h_minus = plus & xh;
    if (h_plus & last) ++distance;
    if (h_minus & last) --distance;
    // Row 0 of every column is one more than the last (distance from the empty prefix).
    h_plus = (h_plus << 1) | 1;
    h_minus <<= 1;
    plus = h_minus | ~(xv | h_plus);
    minus = h_plus & xv;
  }
  return distance;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // The distance is symmetric: the shorter string is the one held in a word.
  if (a.size() > b.size()) std::swap(a, b);
  if (a.empty()) return b.size();
  if (a.size() <= 64) return edit_distance_by_words(a, b);
  return edit_distance_by_rows(a, b);
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
