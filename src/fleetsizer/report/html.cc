// The HTML report: one file that opens offline. Everything it needs is inside it: the styles, the
// report's JSON (the very object `--format json` prints), the charting library the CLI embedded at
// build time, and a small script that draws each chart from that JSON. Nothing is fetched.
#include <fmt/format.h>

#include <cmath>

#include "fleetsizer/report/json.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::report {
namespace {

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON inside <script>: "</" would end the element early, so it is written "<\/" (the same string
// to a JSON parser).
std::string script_safe(std::string json) {
  for (std::size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 3))
    json.replace(at, 2, "<\\/");
  return json;
}

// The same text as the table printer's cell, escaped for HTML.
std::string cell_html(const Cell& c, int precision) {
  return html_escape(cell_text(c, precision));
}

std::string fields_html(const Report& r) {
  if (r.fields.empty()) return "";
  std::string out =
      "<table class=\"fields\"><thead><tr><th>quantity</th><th>value</th>"
      "<th>unit</th></tr></thead><tbody>\n";
  for (const auto& f : r.fields) {
    const bool number =
        std::holds_alternative<double>(f.value) || std::holds_alternative<std::int64_t>(f.value);
    out += fmt::format("<tr{}><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
                       f.detail ? " class=\"detail\"" : "", html_escape(f.key),
                       number ? "num" : "text", cell_html(f.value, f.precision),
                       number ? html_escape(f.unit.empty() ? unit_of_key(f.key) : f.unit) : "");
  }
  return out + "</tbody></table>\n";
}

std::string table_html(const Table& t) {
  std::string out;
  if (t.detail) out += "<details><summary>";
  out += fmt::format("<h2>{}</h2>", html_escape(t.title.empty() ? t.key : t.title));
  if (t.detail) out += "</summary>";
  out += "\n<table class=\"data\"><thead><tr>";
  for (const auto& c : t.columns) out += "<th>" + html_escape(c.title) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      out += "<td>" + (i < row.size() ? cell_html(row[i], t.columns[i].precision) : "") + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  if (t.detail) out += "</details>\n";
  return out;
}

constexpr const char* kStyle = R"css(
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem;
       color: #1d2330; }
h1 { font-size: 1.3rem; margin-bottom: .2rem; }
p.headline { font-size: 1.25rem; font-weight: 600; background: #eef4ff; border-left: 4px solid #2f6fde;
             padding: .6rem .9rem; }
h2 { font-size: 1.05rem; margin-top: 1.6rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #dde3ec; padding: .2rem .6rem; text-align: left; }
td.num { text-align: right; }
tr.detail td { color: #5b6577; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); gap: 1rem; }
figure { margin: 0; border: 1px solid #dde3ec; border-radius: 6px; padding: .6rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
canvas { width: 100%; height: 20rem; }
.notes li { margin: .2rem 0; }
code { font-size: .9em; }
)css";

// Draws every chart of a report's JSON with Chart.js, on the canvas[data-chart=key] elements
// under `root` (the report's page, or the planner's result panel): lines as scatter series joined
// by lines (x is a number), SLO targets and the chosen rate as dashed reference lines spanning the
// data. No animation, so a screenshot shows the final picture; body[data-charts-drawn] counts the
// charts drawn and each canvas[data-painted-pixels] the pixels it painted, which the browser test
// reads.
constexpr const char* kDriver = R"js(
function fleetsizerDrawCharts(report, root) {
  const charts = report.charts || {};
  const palette = ['#2f6fde', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#c2255c'];
  let drawn = 0;
  const title = (axis) => axis.unit ? axis.label + ' (' + axis.unit + ')' : axis.label;
  for (const [key, chart] of Object.entries(charts)) {
    const canvas = root.querySelector('canvas[data-chart="' + key + '"]');
    if (!canvas || typeof Chart === 'undefined') continue;
    const datasets = [];
    let xs = [], ys = [];
    chart.series.forEach((s, i) => {
      const color = palette[i % palette.length];
      const data = s.points.filter(p => p[0] !== null && p[1] !== null)
                           .map(p => chart.kind === 'bar' ? p[1] : ({x: p[0], y: p[1]}));
      s.points.forEach(p => { if (p[0] !== null) xs.push(p[0]); if (p[1] !== null) ys.push(p[1]); });
      datasets.push({label: s.label, data: data, borderColor: color, backgroundColor: color,
                     showLine: s.line, pointRadius: s.marked ? 7 : (s.line ? 2 : 4),
                     pointStyle: s.marked ? 'rectRot' : 'circle'});
    });
    if (chart.kind !== 'bar') {
      const lo = (v) => Math.min.apply(null, v), hi = (v) => Math.max.apply(null, v);
      chart.references.forEach((r, i) => {
        if (r.value === null) return;
        if (r.axis === 'y') xs.length && datasets.push({label: r.label, showLine: true, pointRadius: 0,
            borderDash: [6, 4], borderColor: '#868e96', borderWidth: 1.5,
            data: [{x: lo(xs), y: r.value}, {x: hi(xs), y: r.value}]});
        else ys.length && datasets.push({label: r.label, showLine: true, pointRadius: 0,
            borderDash: [2, 3], borderColor: '#495057', borderWidth: 1.5,
            data: [{x: r.value, y: Math.min(0, lo(ys))}, {x: r.value, y: hi(ys)}]});
      });
    }
    const scale = (axis, isX) => ({
      type: chart.kind === 'bar' && isX ? 'category' : (axis.log ? 'logarithmic' : 'linear'),
      title: {display: true, text: title(axis)}});
    const drawnChart = new Chart(canvas, {
      type: chart.kind === 'bar' ? 'bar' : 'scatter',
      data: chart.kind === 'bar' ? {labels: chart.categories, datasets: datasets} : {datasets: datasets},
      options: {animation: false, responsive: true, maintainAspectRatio: false,
                scales: {x: scale(chart.x, true), y: scale(chart.y, false)},
                plugins: {legend: {position: 'bottom'}}}
    });
    drawnChart.draw();
    // How many pixels the chart painted: the browser test reads it (a blank canvas has none).
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
    canvas.dataset.paintedPixels = String(painted);
    drawn += 1;
  }
  return drawn;
}
)js";

}  // namespace

std::string_view chart_driver_js() {
  return kDriver;
}
std::string_view report_css() {
  return kStyle;
}

std::string render_html(const Report& r, const RenderOptions& options) {
  const std::string title = r.title.empty() ? std::string("fleetsizer report") : r.title;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", html_escape(title),
                     kStyle);
  out += fmt::format("<h1>{}</h1>\n", html_escape(title));
  if (!r.headline.empty())
    out += fmt::format("<p class=\"headline\" id=\"headline\">{}</p>\n", html_escape(r.headline));
  if (!r.charts.empty()) {
    out += "<section class=\"charts\">\n";
    for (const auto& c : r.charts)
      out += fmt::format(
          "<figure><figcaption>{}</figcaption><div style=\"height:20rem\"><canvas "
          "data-chart=\"{}\"></canvas></div></figure>\n",
          html_escape(c.title), html_escape(c.key));
    out += "</section>\n";
  }
  if (r.text && r.fields.empty() && r.tables.empty())
    out += "<pre>" + html_escape(*r.text) + "</pre>\n";
  out += fields_html(r);
  for (const auto& t : r.tables) out += table_html(t);
  if (!r.notes.empty()) {
    out += "<h2>Notes</h2>\n<ul class=\"notes\">\n";
    for (const auto& n : r.notes) out += "<li>" + html_escape(n) + "</li>\n";
    out += "</ul>\n";
  }
  if (!r.explain.empty()) {
    // The formulas are always in the report (a reader cannot pass --explain to a file).
    out += fmt::format(
        "<details{}><summary><h2 style=\"display:inline\">How each number is "
        "computed</h2></summary>\n<table class=\"explain\"><tbody>\n",
        options.explain ? " open" : "");
    for (const auto& [k, v] : r.explain)
      out += fmt::format("<tr><td><code>{}</code></td><td>{}</td></tr>\n", html_escape(k),
                         html_escape(v));
    out += "</tbody></table></details>\n";
  }
  out += "<script id=\"fleetsizer-data\" type=\"application/json\">" +
         script_safe(report_json(r).dump()) + "</script>\n";
  if (!r.charts.empty() && !options.chart_library_js.empty()) {
    out += "<script>";
    out.append(options.chart_library_js);
    out += "</script>\n<script>";
    out += kDriver;
    out +=
        "document.body.dataset.chartsDrawn = String(fleetsizerDrawCharts(JSON.parse("
        "document.getElementById('fleetsizer-data').textContent), document));";
    out += "</script>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace fleetsizer::report
