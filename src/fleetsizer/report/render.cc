#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "fleetsizer/report/json.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::report {
namespace {

bool is_number(const Cell& c) {
  return std::holds_alternative<double>(c) || std::holds_alternative<std::int64_t>(c);
}

// Sets obj["a"]["b"]["c"] for the key "a.b.c".
void put_path(Json& obj, const std::string& key, Json value) {
  Json* node = &obj;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    node = &(*node)[key.substr(start, dot - start)];
    start = dot + 1;
  }
  (*node)[key.substr(start)] = std::move(value);
}

Json number_json(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

Json table_json(const Table& t) {
  Json rows = Json::array();
  for (const auto& row : t.rows) {
    Json o = Json::object();
    for (std::size_t i = 0; i < t.columns.size() && i < row.size(); ++i)
      put_path(o, t.columns[i].key, cell_json(row[i]));
    rows.push_back(std::move(o));
  }
  return rows;
}

Json axis_json(const Axis& a) {
  return Json{{"label", a.label}, {"unit", a.unit}, {"log", a.log}};
}

Json chart_json(const Chart& c) {
  Json out = Json::object();
  out["title"] = c.title;
  out["kind"] = c.kind == ChartKind::bar ? "bar" : "line";
  out["x"] = axis_json(c.x);
  out["y"] = axis_json(c.y);
  if (!c.categories.empty()) out["categories"] = c.categories;
  Json series = Json::array();
  for (const auto& s : c.series) {
    Json points = Json::array();
    for (const auto& p : s.points)
      points.push_back(Json::array({number_json(p.x), number_json(p.y)}));
    series.push_back(
        Json{{"label", s.label}, {"line", s.line}, {"marked", s.marked}, {"points", points}});
  }
  out["series"] = std::move(series);
  Json refs = Json::array();
  for (const auto& r : c.references)
    refs.push_back(Json{
        {"label", r.label}, {"axis", std::string(1, r.axis)}, {"value", number_json(r.value)}});
  out["references"] = std::move(refs);
  return out;
}

std::string render_json(const Report& r) {
  if (r.json_array)
    return (r.tables.empty() ? Json::array() : table_json(r.tables.front()))
               .dump(2, ' ', false, Json::error_handler_t::replace) +
           "\n";
  // Text from outside (a server's error body, a file name) that is not UTF-8 prints as U+FFFD
  // rather than failing the whole answer.
  return report_json(r).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::vector<std::vector<std::string>> table_cells(const Table& t) {
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : t.rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      line.push_back(i < row.size() ? cell_text(row[i], t.columns[i].precision) : "");
    cells.push_back(std::move(line));
  }
  return cells;
}

// "data/measurements/x.csv:534:" -> "x.csv:534:": a terminal table names the file, the JSON keeps
// the whole path.
std::string short_path(const std::string& where) {
  const auto colon = where.find(':');
  const auto slash = where.rfind('/', colon == std::string::npos ? where.size() : colon);
  return slash == std::string::npos ? where : where.substr(slash + 1);
}

// The columns the terminal shows: detail columns only with --verbose.
std::vector<std::size_t> shown_columns(const Table& t, bool verbose) {
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < t.columns.size(); ++i)
    if (verbose || !t.columns[i].detail) shown.push_back(i);
  return shown;
}

std::string render_text_table(const Table& t, bool verbose) {
  const auto all_cells = table_cells(t);
  const auto shown = shown_columns(t, verbose);
  std::vector<std::vector<std::string>> cells;
  for (const auto& line : all_cells) {
    std::vector<std::string> kept;
    for (const std::size_t i : shown)
      kept.push_back(t.columns[i].path ? short_path(line[i]) : line[i]);
    cells.push_back(std::move(kept));
  }
  std::vector<std::size_t> width(shown.size());
  for (std::size_t j = 0; j < shown.size(); ++j) {
    width[j] = t.columns[shown[j]].title.size();
    for (const auto& line : cells) width[j] = std::max(width[j], line[j].size());
  }
  // First column (a label) left-aligned, numbers right-aligned.
  auto line_of = [&](const std::vector<std::string>& values) {
    std::string s;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) s += "  ";
      s += i == 0 ? fmt::format("{:<{}}", values[i], width[i])
                  : fmt::format("{:>{}}", values[i], width[i]);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out;
  if (!t.title.empty()) out += t.title + "\n";
  std::vector<std::string> titles;
  std::size_t total = 0;
  for (std::size_t j = 0; j < shown.size(); ++j) {
    titles.push_back(t.columns[shown[j]].title);
    total += width[j] + (j > 0 ? 2 : 0);
  }
  out += line_of(titles);
  out += std::string(total, '-') + "\n";
  for (const auto& line : cells) out += line_of(line);
  return out;
}

// "replica.slo.ttft_ms_p99" -> section "replica", name "slo.ttft_ms_p99"; a key with no dot has
// no section.
std::pair<std::string, std::string> split_section(const std::string& key) {
  const auto dot = key.find('.');
  if (dot == std::string::npos) return {"", key};
  return {key.substr(0, dot), key.substr(dot + 1)};
}

std::string section_title(std::string section) {
  for (char& c : section)
    if (c == '_') c = ' ';
  if (!section.empty()) section[0] = static_cast<char>(std::toupper(section[0]));
  return section;
}

std::string field_unit(const Field& f) {
  return f.unit.empty() ? unit_of_key(f.key) : f.unit;
}

// The fields as short sections (the dotted key's first part) with the unit in its own column;
// numbers are right-aligned on one column, sentences follow them unpadded.
std::string render_fields(const std::vector<const Field*>& fields) {
  std::size_t name_width = 0;
  std::size_t number_width = 0;
  for (const Field* f : fields) {
    name_width = std::max(name_width, split_section(f->key).second.size());
    if (is_number(f->value))
      number_width = std::max(number_width, cell_text(f->value, f->precision).size());
  }
  std::string out;
  std::string section = "\x01";  // no field has this section: the first field opens one
  for (const Field* f : fields) {
    const auto [sec, name] = split_section(f->key);
    if (sec != section) {
      if (!out.empty()) out += "\n";
      if (!sec.empty()) out += section_title(sec) + "\n";
      section = sec;
    }
    const std::string value = cell_text(f->value, f->precision);
    const std::string unit = field_unit(*f);
    std::string line = fmt::format("  {:<{}}  ", name, name_width);
    if (is_number(f->value) || std::holds_alternative<std::monostate>(f->value))
      line += fmt::format("{:>{}}", value, number_width);
    else
      line += value;
    if (!unit.empty() && is_number(f->value)) line += "  " + unit;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string render_explain(const Report& r) {
  std::string out = "\nExplain:\n";
  for (const auto& [k, v] : r.explain) out += fmt::format("  {}: {}\n", k, v);
  return out;
}

std::string render_text(const Report& r, const RenderOptions& o) {
  if (r.text) {
    // The command's own layout, printed as it is (after the headline, where it has one).
    std::string out = r.headline.empty() || !r.headline_in_text ? "" : r.headline + "\n\n";
    out += *r.text;
    if (o.explain && !r.explain.empty()) out += render_explain(r);
    return out;
  }
  std::string out;
  if (!r.headline.empty()) out += r.headline + "\n\n";
  if (!r.title.empty()) out += r.title + "\n\n";
  std::vector<const Field*> shown;
  std::size_t hidden_fields = 0;
  for (const auto& f : r.fields) {
    if (f.detail && !o.verbose)
      ++hidden_fields;
    else
      shown.push_back(&f);
  }
  out += render_fields(shown);
  std::size_t hidden_tables = 0, hidden_columns = 0;
  for (const auto& t : r.tables) {
    if (t.detail && !o.verbose) {
      ++hidden_tables;
      continue;
    }
    out += (out.empty() ? "" : "\n") + render_text_table(t, o.verbose);
    hidden_columns += t.columns.size() - shown_columns(t, o.verbose).size();
  }
  if (!r.notes.empty()) {
    out += "\n";
    for (const auto& n : r.notes) out += "Note: " + n + "\n";
  }
  if (hidden_fields + hidden_tables + hidden_columns > 0) {
    std::vector<std::string> parts;
    if (hidden_fields > 0)
      parts.push_back(fmt::format("{} more field{}", hidden_fields, hidden_fields == 1 ? "" : "s"));
    if (hidden_tables > 0)
      parts.push_back(fmt::format("{} more table{}", hidden_tables, hidden_tables == 1 ? "" : "s"));
    if (hidden_columns > 0)
      parts.push_back(
          fmt::format("{} more column{}", hidden_columns, hidden_columns == 1 ? "" : "s"));
    out += fmt::format("\n({} with --verbose)\n", fmt::join(parts, " and "));
  }
  if (o.explain && !r.explain.empty()) out += render_explain(r);
  return out;
}

// A CSV value: empty for no value, full precision for numbers (a spreadsheet rounds, not us).
std::string csv_value(const Cell& c, int precision) {
  if (std::holds_alternative<std::monostate>(c)) return "";
  if (const double* d = std::get_if<double>(&c); d && !std::isfinite(*d)) return "";
  return csv_escape(cell_text(c, std::max(precision, 6)));
}

std::string render_csv(const Report& r, const RenderOptions& o) {
  std::string out;
  if (r.tables.empty() || r.csv_fields) {
    // One row per result under a header of the field keys, so the CSVs of many runs of a command
    // stack into one table (the later ones with --no-header).
    std::vector<std::string> keys;
    std::vector<std::string> values;
    for (const auto& f : r.fields) {
      keys.push_back(csv_escape(f.key));
      values.push_back(csv_value(f.value, f.precision));
    }
    if (o.csv_header) out += fmt::format("{}\n", fmt::join(keys, ","));
    out += fmt::format("{}\n", fmt::join(values, ","));
    return out;
  }
  for (const auto& t : r.tables) {
    if (!out.empty()) out += "\n";
    std::vector<std::string> keys;
    for (const auto& c : t.columns) keys.push_back(csv_escape(c.key));
    if (o.csv_header) out += fmt::format("{}\n", fmt::join(keys, ","));
    for (const auto& row : t.rows) {
      std::vector<std::string> values;
      for (std::size_t i = 0; i < t.columns.size(); ++i)
        values.push_back(i < row.size() ? csv_value(row[i], t.columns[i].precision) : "");
      out += fmt::format("{}\n", fmt::join(values, ","));
    }
  }
  return out;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string render_markdown(const Report& r, const RenderOptions& o) {
  std::string out;
  if (!r.title.empty()) out += "## " + md_escape(r.title) + "\n\n";
  if (!r.headline.empty()) out += "**" + md_escape(r.headline) + "**\n\n";
  if (!r.fields.empty()) {
    out += "| key | value | unit |\n|---|---:|---|\n";
    for (const auto& f : r.fields)
      out += fmt::format("| {} | {} | {} |\n", f.key, md_escape(cell_text(f.value, f.precision)),
                         is_number(f.value) ? field_unit(f) : "");
    out += "\n";
  }
  for (const auto& t : r.tables) {
    if (!t.title.empty()) out += "### " + md_escape(t.title) + "\n\n";
    std::vector<std::string> titles, aligns;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      titles.push_back(md_escape(t.columns[i].title));
      aligns.push_back(i == 0 ? "---" : "---:");
    }
    out += fmt::format("| {} |\n|{}|\n", fmt::join(titles, " | "), fmt::join(aligns, "|"));
    for (const auto& line : table_cells(t)) {
      std::vector<std::string> escaped;
      for (const auto& c : line) escaped.push_back(md_escape(c));
      out += fmt::format("| {} |\n", fmt::join(escaped, " | "));
    }
    out += "\n";
  }
  for (const auto& n : r.notes) out += "- " + md_escape(n) + "\n";
  if (o.explain && !r.explain.empty()) {
    out += "\n| quantity | formula |\n|---|---|\n";
    for (const auto& [k, v] : r.explain) out += fmt::format("| {} | {} |\n", k, md_escape(v));
  }
  return out;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string cell_text(const Cell& c, int precision) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "-";
        else if constexpr (std::is_same_v<T, bool>)
          return v ? "yes" : "no";
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return fmt::format("{}", v);
        else if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(v)) return "-";
          if (std::isinf(v)) return v > 0 ? "unbounded" : "-unbounded";
          return fmt::format("{:.{}f}", v, precision);
        } else
          return v;
      },
      c);
}

Json cell_json(const Cell& c) {
  return std::visit(
      [](const auto& v) -> Json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return nullptr;
        else if constexpr (std::is_same_v<T, double>)
          return number_json(v);  // JSON has no infinity: null, as docs/formats.md says
        else
          return v;
      },
      c);
}

Json report_json(const Report& r) {
  Json out = Json::object();
  if (!r.headline.empty()) out["headline"] = r.headline;
  for (const auto& f : r.fields) put_path(out, f.key, cell_json(f.value));
  for (const auto& t : r.tables) put_path(out, t.key, table_json(t));
  if (!r.charts.empty()) {
    Json charts = Json::object();
    for (const auto& c : r.charts) charts[c.key] = chart_json(c);
    out["charts"] = std::move(charts);
  }
  if (!r.notes.empty()) out["notes"] = r.notes;
  if (!r.explain.empty()) {
    Json e = Json::object();
    for (const auto& [k, v] : r.explain) e[k] = v;
    out["explain"] = std::move(e);
  }
  return out;
}

std::string unit_of_key(const std::string& key) {
  // Longest suffixes first: "_usd_per_gpu_hour" before "_hour". The name may end in a percentile
  // ("ttft_ms_p99") or a dotted statistic ("ttft_ms.p99"): those are cut first.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 23> kSuffixes{{
      {"usd_per_million_output_tokens", "$/1M out tok"},
      {"usd_per_1k_requests", "$/1k req"},
      {"usd_per_gpu_hour", "$/GPU-h"},
      {"usd_per_replica_hour", "$/replica-h"},
      {"usd_per_hour", "$/h"},
      {"_gb_per_gpu", "GB/GPU"},
      {"_bytes_per_token_per_gpu", "B/token/GPU"},
      {"_bytes_per_token", "B/token"},
      {"_tok_s_per_gpu", "tok/s/GPU"},
      {"_tok_s", "tok/s"},
      {"_tokens", "tokens"},
      {"_rps", "req/s"},
      {"_qps", "req/s"},
      {"_gb", "GB"},
      {"_gib", "GiB"},
      {"_gb_s", "GB/s"},
      {"_ms", "ms"},
      {"_us", "µs"},
      {"_s", "s"},
      {"_pct", "%"},
      {"_pct_error", "%"},
      {"_tflops", "TFLOPS"},
      {"_hours", "h"},
  }};
  std::string name = key;
  if (const auto dot = name.rfind('.'); dot != std::string::npos) {
    const std::string last = name.substr(dot + 1);
    // "ttft_ms.p99": the statistic names no unit; the part before it does. Only a bare statistic:
    // "output_tok_s.p90_abs_pct_error" is a percentage, not tok/s.
    const bool percentile =
        last.size() > 1 && last[0] == 'p' &&
        std::ranges::all_of(last.substr(1), [](char c) { return c >= '0' && c <= '9'; });
    if (percentile || last == "mean" || last == "median" || last == "max" || last == "min" ||
        last == "std")
      name = name.substr(0, dot);
  }
  for (const std::string_view stat : {"_p50", "_p90", "_p95", "_p99", "_p999", "_mean", "_median"})
    if (ends_with(name, stat)) {
      name.resize(name.size() - stat.size());
      break;
    }
  // A dotted part is a word of the name too ("link.gb_s" states GB/s).
  std::string flat = "_" + name;
  std::ranges::replace(flat, '.', '_');
  if (ends_with(flat, "_q") || ends_with(flat, "_q_analytic") || ends_with(flat, "request_rate") ||
      ends_with(flat, "target_qps"))
    return "req/s";
  for (const auto& [suffix, unit] : kSuffixes)
    if (ends_with(flat, suffix)) return std::string(unit);
  return "";
}

Result<Format> parse_format(const std::string& text) {
  if (text == "table") return Format::table;
  if (text == "json") return Format::json;
  if (text == "csv") return Format::csv;
  if (text == "markdown" || text == "md") return Format::markdown;
  if (text == "html") return Format::html;
  return fail(
      fmt::format("--format: unknown format '{}' (table, json, csv, markdown, html)", text));
}

std::string render(const Report& report, Format format, const RenderOptions& options) {
  if (report.raw) return *report.raw;
  switch (format) {
    case Format::json:
      return render_json(report);
    case Format::csv:
      return render_csv(report, options);
    case Format::markdown:
      return render_markdown(report, options);
    case Format::html:
      return render_html(report, options);
    case Format::table:
    default:
      return render_text(report, options);
  }
}

}  // namespace fleetsizer::report
