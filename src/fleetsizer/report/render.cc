#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fleetsizer/report/report.h"

namespace fleetsizer::report {
namespace {

using Json = nlohmann::ordered_json;

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
          if (std::isnan(v)) return "nan";
          if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
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
        else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) return v;
          if (std::isinf(v)) return v > 0 ? "inf" : "-inf";  // JSON has no infinity
          return nullptr;
        } else
          return v;
      },
      c);
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

std::string render_json(const Report& r) {
  if (r.json_array)
    return (r.tables.empty() ? Json::array() : table_json(r.tables.front())).dump(2) + "\n";
  Json out = Json::object();
  for (const auto& f : r.fields) put_path(out, f.key, cell_json(f.value));
  for (const auto& t : r.tables) put_path(out, t.key, table_json(t));
  if (!r.notes.empty()) out["notes"] = r.notes;
  if (!r.explain.empty()) {
    Json e = Json::object();
    for (const auto& [k, v] : r.explain) e[k] = v;
    out["explain"] = std::move(e);
  }
  return out.dump(2) + "\n";
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

std::string render_text_table(const Table& t) {
  const auto cells = table_cells(t);
  std::vector<std::size_t> width(t.columns.size());
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    width[i] = t.columns[i].title.size();
    for (const auto& line : cells) width[i] = std::max(width[i], line[i].size());
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
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    titles.push_back(t.columns[i].title);
    total += width[i] + (i > 0 ? 2 : 0);
  }
  out += line_of(titles);
  out += std::string(total, '-') + "\n";
  for (const auto& line : cells) out += line_of(line);
  return out;
}

std::string render_text(const Report& r, bool explain) {
  if (r.text) {
    std::string out = *r.text;
    if (explain && !r.explain.empty()) {
      out += "\nExplain:\n";
      for (const auto& [k, v] : r.explain) out += fmt::format("  {}: {}\n", k, v);
    }
    return out;
  }
  std::string out;
  if (!r.title.empty()) out += r.title + "\n\n";
  std::size_t key_width = 0;
  for (const auto& f : r.fields) key_width = std::max(key_width, f.key.size());
  for (const auto& f : r.fields)
    out += fmt::format("{:<{}}  {}\n", f.key, key_width, cell_text(f.value, f.precision));
  for (const auto& t : r.tables) out += (out.empty() ? "" : "\n") + render_text_table(t);
  if (!r.notes.empty()) {
    out += "\n";
    for (const auto& n : r.notes) out += "Note: " + n + "\n";
  }
  if (explain && !r.explain.empty()) {
    out += "\nExplain:\n";
    for (const auto& [k, v] : r.explain) out += fmt::format("  {}: {}\n", k, v);
  }
  return out;
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string render_csv(const Report& r) {
  std::string out;
  if (r.tables.empty() || r.csv_fields) {
    out += "key,value\n";
    for (const auto& f : r.fields)
      out += csv_escape(f.key) + "," + csv_escape(cell_text(f.value, 6)) + "\n";
    return out;
  }
  for (const auto& t : r.tables) {
    if (!out.empty()) out += "\n";
    std::vector<std::string> keys;
    for (const auto& c : t.columns) keys.push_back(csv_escape(c.key));
    out += fmt::format("{}\n", fmt::join(keys, ","));
    for (const auto& row : t.rows) {
      std::vector<std::string> values;
      for (std::size_t i = 0; i < t.columns.size(); ++i) {
        if (i >= row.size() || std::holds_alternative<std::monostate>(row[i])) {
          values.emplace_back();
        } else {
          values.push_back(csv_escape(cell_text(row[i], std::max(t.columns[i].precision, 6))));
        }
      }
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

std::string render_markdown(const Report& r, bool explain) {
  std::string out;
  if (!r.title.empty()) out += "## " + md_escape(r.title) + "\n\n";
  if (!r.fields.empty()) {
    out += "| key | value |\n|---|---:|\n";
    for (const auto& f : r.fields)
      out += fmt::format("| {} | {} |\n", f.key, md_escape(cell_text(f.value, f.precision)));
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
  if (explain && !r.explain.empty()) {
    out += "\n| quantity | formula |\n|---|---|\n";
    for (const auto& [k, v] : r.explain) out += fmt::format("| {} | {} |\n", k, md_escape(v));
  }
  return out;
}

}  // namespace

Result<Format> parse_format(const std::string& text) {
  if (text == "table") return Format::table;
  if (text == "json") return Format::json;
  if (text == "csv") return Format::csv;
  if (text == "markdown" || text == "md") return Format::markdown;
  return fail(fmt::format("--format: unknown format '{}' (table, json, csv, markdown)", text));
}

std::string render(const Report& report, Format format, bool explain) {
  if (report.raw) return *report.raw;
  switch (format) {
    case Format::json:
      return render_json(report);
    case Format::csv:
      return render_csv(report);
    case Format::markdown:
      return render_markdown(report, explain);
    case Format::table:
    default:
      return render_text(report, explain);
  }
}

}  // namespace fleetsizer::report
