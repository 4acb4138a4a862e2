#pragma once
// One result, several printers (as llama.cpp's server does): every command turns its result into a
// Report, and render() prints it as a table, JSON, CSV or Markdown. Field keys are dotted paths
// ("fleet.replicas") that become nested objects in JSON; `explain` carries the formula terms
// behind each number so that every printed figure can be traced.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer::report {

using Cell = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

struct Field {
  std::string key;
  Cell value;
  int precision = 3;  // decimals when shown as text; JSON keeps full precision
};

struct Column {
  std::string key;
  std::string title;
  int precision = 2;
};

struct Table {
  std::string key;  // JSON key of the array ("rows"); may be dotted
  std::string title;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
};

struct Report {
  std::string title;
  std::vector<Field> fields;
  std::vector<Table> tables;
  std::vector<std::string> notes;
  std::vector<std::pair<std::string, std::string>> explain;  // key -> "formula = terms = value"
  std::optional<std::string> text;  // the command's own table layout, used for --format table
  // CSV holds one rectangle: by default the tables when there are any (rows are the data), else
  // the key,value fields; a report whose fields are the answer and tables the detail sets this.
  bool csv_fields = false;
  // JSON is the first table's rows as a top-level array (catalog listings: "an array of entries").
  bool json_array = false;
  // An artifact printed as is in every format (search --emit vllm|k8s).
  std::optional<std::string> raw;

  void add(std::string key, Cell value, int precision = 3) {
    fields.push_back({std::move(key), std::move(value), precision});
  }
  void why(std::string key, std::string formula) {
    explain.emplace_back(std::move(key), std::move(formula));
  }
};

enum class Format { table, json, csv, markdown };

Result<Format> parse_format(const std::string& text);
std::string render(const Report& report, Format format, bool explain);

// Shorthand for integer cells from any integral type.
inline Cell integer(std::int64_t v) {
  return Cell{v};
}

}  // namespace fleetsizer::report
