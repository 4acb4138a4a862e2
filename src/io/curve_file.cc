#include "io/curve_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <regex>
#include <set>
#include <sstream>

#include "io/csv.h"
#include "io/json_member.h"
#include "io/output.h"

namespace fleetsizer::io {
namespace {

// One measured point of a curve from a benchmark result.
struct Point {
  std::string where;
  double batch = 0, rate = 0, tokens = 0;
  std::map<std::string, double> latency_ms;  // curve column -> value
};

// vLLM's latency keys (mean_ttft_ms, median_tpot_ms, p99_e2el_ms, ...) as curve columns
// (ttft_ms_mean, tpot_ms_p50, e2e_ms_p99); other percentiles have no curve column.
void latency_columns(const nlohmann::json& j, Point& p) {
  static const std::regex key("(mean|median|p50|p90|p95|p99)_(ttft|tpot|itl|e2el)_ms");
  for (const auto& [k, v] : j.items()) {
    std::smatch m;
    if (!v.is_number() || !std::regex_match(k, m, key)) continue;
    const std::string stat = m[1] == "median" ? "p50" : m[1].str();
    const std::string metric = m[2] == "e2el" ? "e2e" : m[2].str();
    p.latency_ms[metric + "_ms_" + stat] = v.get<double>();
  }
}

double number(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

// A `vllm bench serve` or `fleetsizer bench` result: the batch is its max_concurrency when it
// capped one, else the mean number in flight by Little's law (completions per second x mean
// end-to-end latency; without mean_e2el_ms, TTFT + (output tokens - 1) x TPOT).
Result<Point> result_point(const std::string& where, const nlohmann::json& j) {
  Point p;
  p.where = where;
  const double completed = number(j, "completed");
  p.rate = number(j, "request_throughput");
  p.tokens = number(j, "output_throughput");
  if (!(completed > 0) || !(p.rate > 0))
    return fail(
        fmt::format("{}: not a benchmark result (no completed requests and "
                    "request_throughput)",
                    where));
  double e2e_ms = number(j, "mean_e2el_ms");
  if (!(e2e_ms > 0))
    e2e_ms = number(j, "mean_ttft_ms") +
             (number(j, "total_output_tokens") / completed - 1) * number(j, "mean_tpot_ms");
  p.batch = number(j, "max_concurrency") > 0 ? number(j, "max_concurrency") : p.rate * e2e_ms / 1e3;
  latency_columns(j, p);
  return p;
}

// `fleetsizer bench --sweep --format json`: each probe that was not saturated is a point (a
// saturated probe's latencies hold a growing queue, not a batch's).
Result<std::vector<Point>> sweep_points(const std::string& path, const nlohmann::json& probes) {
  std::vector<Point> out;
  std::size_t i = 0;
  for (const auto& pr : probes) {
    ++i;
    if (!pr.is_object() || member_or(pr, "saturated", true)) continue;
    Point p;
    p.where = fmt::format("{}: sweep probe {}", path, i);
    p.rate = number(pr, "achieved_rate");
    p.tokens = number(pr, "output_throughput");
    p.batch = p.rate * number(pr, "mean_e2el_ms") / 1e3;
    if (!(p.batch > 0)) return fail(p.where + ": no achieved_rate and mean_e2el_ms");
    latency_columns(pr, p);
    out.push_back(std::move(p));
  }
  return out;
}

Result<nlohmann::json> read_json(const std::string& path) {
  auto text = read_text_file(path, "curve file");
  if (!text) return fail(text.error().message);
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(fmt::format("{}: invalid JSON at byte {}", path, e.byte));
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax the library cannot hold, such as a number past a double (2e4142; found by
    // fuzzing): it threw through as an internal error.
    return fail(fmt::format("{}: invalid JSON: {}", path, e.what()));
  }
}

// A curve from benchmark results: a directory of result JSON files (one point each), or one JSON
// file (a result, or a sweep's probes). Latency columns are those every point has.
Result<Curve> read_result_curve(const std::string& path) {
  std::vector<Point> points;
  auto add_file = [&](const std::string& file) -> Result<void> {
    auto j = read_json(file);
    if (!j) return fail(j.error().message);
    if (j->is_object() && j->contains("sweep") && (*j)["sweep"].is_object() &&
        (*j)["sweep"].contains("probes")) {
      auto ps = sweep_points(file, (*j)["sweep"]["probes"]);
      if (!ps) return fail(ps.error().message);
      points.insert(points.end(), ps->begin(), ps->end());
      return {};
    }
    auto p = result_point(file, *j);
    if (!p) return fail(p.error().message);
    points.push_back(std::move(*p));
    return {};
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (auto it = std::filesystem::directory_iterator(path, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".json") files.push_back(it->path().string());
    if (ec) return fail(fmt::format("{}: cannot list the folder ({})", path, ec.message()));
    std::ranges::sort(files);
    for (const auto& f : files)
      if (auto r = add_file(f); !r) return fail(r.error().message);
  } else if (auto r = add_file(path); !r) {
    return fail(r.error().message);
  }
  if (points.size() < 2)
    return fail(fmt::format("{}: a curve needs at least two measured points, found {}", path,
                            points.size()));
  std::set<std::string> common;
  for (const auto& [k, v] : points.front().latency_ms) common.insert(k);
  for (const auto& p : points)
    std::erase_if(common, [&](const std::string& k) { return !p.latency_ms.contains(k); });
  std::ranges::sort(points, {}, &Point::batch);
  Curve c;
  c.source = path;
  for (const auto& p : points) {
    if (!c.batch.empty() && p.batch == c.batch.back())
      return fail(fmt::format("{}: batch {} appears twice", p.where, p.batch));
    c.batch.push_back(p.batch);
    c.request_rate.push_back(p.rate);
    c.output_tok_s.push_back(p.tokens);
    for (const auto& k : common) c.latency_ms[k].push_back(p.latency_ms.at(k));
  }
  return validate(std::move(c));
}

}  // namespace

Result<Curve> read_curve_file(const std::string& path) {
  std::error_code ec;  // a path no file system takes is read (and refused) as a file
  if (std::filesystem::is_directory(path, ec) || path.ends_with(".json"))
    return read_result_curve(path);
  auto table = read_csv(path);
  if (!table) return fail(table.error().message);
  auto batch_col = table->column("batch");
  if (!batch_col) batch_col = table->column("concurrency");
  if (!batch_col) return fail(fmt::format("{}:1: missing column 'batch' (or 'concurrency')", path));
  const auto rate_col = table->column("request_rate");
  const auto tok_col = table->column("output_tok_s");
  if (!rate_col && !tok_col)
    return fail(fmt::format("{}:1: missing column 'request_rate' or 'output_tok_s'", path));
  const std::regex latency_name("(ttft|tpot|itl|e2e)_ms_(p50|p90|p95|p99|mean)");
  std::vector<std::pair<std::string, std::size_t>> latency_cols;
  for (std::size_t i = 0; i < table->header.size(); ++i)
    if (std::regex_match(table->header[i], latency_name))
      latency_cols.emplace_back(table->header[i], i);

  struct Row {
    double batch;
    double rate, tokens;
    std::vector<double> latencies;
  };
  std::vector<Row> rows;
  for (const auto& r : table->rows) {
    auto get = [&](std::size_t col, const std::string& name) -> Result<double> {
      auto v = parse_number(table->cell(r, col));
      if (!v)
        return fail(
            where(path, r.line, fmt::format("{}: not a number: '{}'", name, table->cell(r, col))));
      if (!std::isfinite(*v) || *v <= 0)
        return fail(where(path, r.line,
                          fmt::format("{} must be a positive finite number, got {}", name, *v)));
      return *v;
    };
    Row row{};
    auto b = get(*batch_col, table->header[*batch_col]);
    if (!b) return fail(b.error().message);
    row.batch = *b;
    if (rate_col) {
      auto v = get(*rate_col, "request_rate");
      if (!v) return fail(v.error().message);
      row.rate = *v;
    }
    if (tok_col) {
      auto v = get(*tok_col, "output_tok_s");
      if (!v) return fail(v.error().message);
      row.tokens = *v;
    }
    for (const auto& [name, col] : latency_cols) {
      auto v = get(col, name);
      if (!v) return fail(v.error().message);
      row.latencies.push_back(*v);
    }
    rows.push_back(std::move(row));
  }
  std::ranges::sort(rows, {}, &Row::batch);
  Curve c;
  c.source = path;
  for (const auto& row : rows) {
    c.batch.push_back(row.batch);
    if (rate_col) c.request_rate.push_back(row.rate);
    if (tok_col) c.output_tok_s.push_back(row.tokens);
    for (std::size_t i = 0; i < latency_cols.size(); ++i)
      c.latency_ms[latency_cols[i].first].push_back(row.latencies[i]);
  }
  for (std::size_t i = 1; i < c.batch.size(); ++i)
    if (c.batch[i] == c.batch[i - 1])
      return fail(fmt::format("{}: batch {} appears twice", path, c.batch[i]));
  return validate(std::move(c));
}

}  // namespace fleetsizer::io
