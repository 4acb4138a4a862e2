#include "io/curve_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>

#include "io/csv.h"

namespace fleetsizer::io {

Result<Curve> read_curve_file(const std::string& path) {
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
