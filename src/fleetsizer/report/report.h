#pragma once
// One result, several printers (as llama.cpp's server does): every command turns its result into a
// Report, and render() prints it as a table, JSON, CSV or Markdown. Field keys are dotted paths
// ("fleet.replicas") that become nested objects in JSON; `explain` carries the formula terms
// behind each number so that every printed figure can be traced.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer::report {

using Cell = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

struct Field {
  std::string key;
  Cell value;
  int precision = 3;    // decimals when shown as text; JSON keeps full precision
  std::string unit;     // shown in the table's unit column; empty: derived from the key's suffix
  bool detail = false;  // shown in the table format only with --verbose (always in JSON and CSV)
};

// The unit a key's name states ("usd_per_hour" -> "$/h", "ttft_ms_p99" -> "ms"); empty when the
// name states none.
std::string unit_of_key(const std::string& key);

struct Column {
  std::string key;
  std::string title;
  int precision = 2;
  // Shown in the table format only with --verbose (always in JSON, CSV, Markdown and HTML): what
  // would push a terminal table past 100 columns (sources, descriptions, long lists).
  bool detail = false;
  // A file:line location: the table format shows the file's name without its folders.
  bool path = false;
};

struct Table {
  std::string key;  // JSON key of the array ("rows"); may be dotted
  std::string title;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
  bool detail = false;  // printed in the table format only with --verbose
};

// A chart is data too: the JSON output carries it under "charts.<key>" and the HTML report draws
// exactly that object, so a chart can always be checked against the numbers.
struct Axis {
  std::string label;
  std::string unit;
  bool log = false;
};

struct Point {
  double x = 0;
  double y = 0;
};

struct Series {
  std::string label;
  std::vector<Point> points;
  bool line = true;     // false: markers only (measured points, a scatter)
  bool marked = false;  // drawn larger: the chosen plan, the operating point
};

// A reference line: an SLO target (axis y) or the chosen rate (axis x).
struct Reference {
  std::string label;
  char axis = 'y';
  double value = 0;
};

enum class ChartKind { line, bar };

struct Chart {
  std::string key;  // JSON key under "charts"
  std::string title;
  ChartKind kind = ChartKind::line;
  Axis x;
  Axis y;
  std::vector<std::string> categories;  // bar charts: one label per x index
  std::vector<Series> series;
  std::vector<Reference> references;
};

struct Report {
  // One sentence that answers the command's question; the first line of every format.
  std::string headline;
  std::string title;
  std::vector<Field> fields;
  std::vector<Table> tables;
  std::vector<Chart> charts;
  std::vector<std::string> notes;
  std::vector<std::pair<std::string, std::string>> explain;  // key -> "formula = terms = value"
  std::optional<std::string> text;  // the command's own table layout, used for --format table
  // false: the table format prints `text` alone (a byte-exact seed table, a profile YAML that -o
  // writes as a file); the headline is still in every other format.
  bool headline_in_text = true;
  // CSV holds one rectangle: by default the tables when there are any (rows are the data), else
  // the key,value fields; a report whose fields are the answer and tables the detail sets this.
  bool csv_fields = false;
  // JSON is the first table's rows as a top-level array (catalog listings: "an array of entries").
  bool json_array = false;
  // An artifact printed as is in every format (search --emit vllm|k8s).
  std::optional<std::string> raw;

  void add(std::string key, Cell value, int precision = 3) {
    fields.push_back({std::move(key), std::move(value), precision, {}, false});
  }
  // A field the table format shows only under --verbose.
  void add_detail(std::string key, Cell value, int precision = 3) {
    fields.push_back({std::move(key), std::move(value), precision, {}, true});
  }
  void why(std::string key, std::string formula) {
    explain.emplace_back(std::move(key), std::move(formula));
  }
};

enum class Format { table, json, csv, markdown, html };

struct RenderOptions {
  bool explain = false;    // the formula terms behind each number
  bool verbose = false;    // table format: detail fields and tables too
  bool csv_header = true;  // false: the data row(s) only, to append to an earlier run's CSV
  // HTML: the charting library's source, inlined so that the report opens offline (the CLI passes
  // the Chart.js build it embedded at build time). Empty: the charts are left as data only.
  std::string_view chart_library_js;
};

Result<Format> parse_format(const std::string& text);

// The HTML report's pieces that the web planner reuses: its style sheet, and the script defining
// fleetsizerDrawCharts(reportJson, rootElement), which draws each chart of a report's JSON with
// Chart.js on the canvas[data-chart=key] under the root and returns how many it drew.
std::string_view report_css();
std::string_view chart_driver_js();
std::string render(const Report& report, Format format, const RenderOptions& options);
// One CSV field: as it is, or quoted (quotes doubled) when it holds a comma, a quote or a line
// break, so that a reader splitting on commas gets it back.
std::string csv_escape(const std::string& s);
inline std::string render(const Report& report, Format format, bool explain) {
  RenderOptions options;
  options.explain = explain;
  return render(report, format, options);
}

// The HTML report: one self-contained page (headline, tables, notes, formulas, charts) whose
// embedded data block is exactly the JSON output, so each chart's numbers equal the JSON's.
std::string render_html(const Report& report, const RenderOptions& options);

// Shorthand for integer cells from any integral type.
inline Cell integer(std::int64_t v) {
  return Cell{v};
}

}  // namespace fleetsizer::report
