#include "io/csv.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace fleetsizer::io {

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  return std::nullopt;
}

const std::string& CsvTable::cell(const CsvRow& row, std::size_t column) const {
  static const std::string empty;
  return column < row.cells.size() ? row.cells[column] : empty;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  out.push_back(std::move(field));
  for (auto& f : out) {
    const auto first = f.find_first_not_of(" \t");
    const auto last = f.find_last_not_of(" \t");
    f = first == std::string::npos ? "" : f.substr(first, last - first + 1);
  }
  return out;
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text == "inf" || text == "Infinity" || text == "+inf") return INFINITY;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> whole_number_in(double value, std::int64_t min, std::int64_t max) {
  if (!std::isfinite(value) || value != std::floor(value) || value < static_cast<double>(min) ||
      value > static_cast<double>(max))
    return std::nullopt;
  return static_cast<std::int64_t>(value);
}

std::string where(const std::string& path, std::size_t line, const std::string& message) {
  return fmt::format("{}:{}: {}", path, line, message);
}

Result<CsvTable> read_csv(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return fail(fmt::format("{}: is a directory, not a CSV file", path));
  std::ifstream in(path);
  if (!in) return fail(fmt::format("{}: cannot open file", path));
  CsvTable t;
  t.path = path;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r" || line.starts_with('#')) continue;
    if (t.header.empty()) {
      t.header = split_csv_line(line);
      continue;
    }
    t.rows.push_back({number, split_csv_line(line)});
  }
  if (t.header.empty()) return fail(fmt::format("{}: empty file (no header row)", path));
  return t;
}

}  // namespace fleetsizer::io
