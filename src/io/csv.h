#pragma once
// A small CSV reader for the measurement, curve and trace files: a header row, comma separated,
// double-quoted fields may contain commas. Each row keeps its 1-based line number for messages.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer::io {

struct CsvRow {
  std::size_t line = 0;
  std::vector<std::string> cells;
};

class CsvTable {
 public:
  std::string path;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;

  std::optional<std::size_t> column(const std::string& name) const;
  // The cell, or "" when the row is short.
  const std::string& cell(const CsvRow& row, std::size_t column) const;
};

Result<CsvTable> read_csv(const std::string& path);
// Splits one CSV record (no embedded newlines).
std::vector<std::string> split_csv_line(const std::string& line);
// Parses a number cell; "inf" and "nan" are accepted so that callers can reject them with context.
std::optional<double> parse_number(const std::string& text);
// `value` as a whole number in [min, max]; nullopt when it is fractional, NaN, infinite or out of
// range. Casting a double past an integer's range is undefined behaviour (the fuzzers found 1e41
// workers and 8.7e21 tokens cast so), so every count a file gives goes through here; min and max
// are within 2^53, where doubles are exact.
std::optional<std::int64_t> whole_number_in(double value, std::int64_t min, std::int64_t max);
// "<path>:<line>: <message>"
std::string where(const std::string& path, std::size_t line, const std::string& message);

}  // namespace fleetsizer::io
