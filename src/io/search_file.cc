#include "io/search_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "fleetsizer/report/report.h"
#include "io/csv.h"
#include "io/output.h"

namespace fleetsizer::io {
namespace {

// Every value of a list key, comma-split and trimmed; an empty item ("1,,2") is an error.
Result<std::vector<std::string>> list_values(const std::string& key, const RawValue& v) {
  std::vector<std::string> out;
  for (const std::string& value : v.values) {
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = value.find(',', start);
      const std::string item = value.substr(start, comma - start);
      const auto b = item.find_first_not_of(" \t");
      if (b == std::string::npos)
        return fail(fmt::format("{}: {} has an empty item in '{}'", v.origin, key, value));
      out.push_back(item.substr(b, item.find_last_not_of(" \t") - b + 1));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

Result<std::int64_t> positive_integer(const std::string& text, const std::string& origin,
                                      const std::string& key) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1)
    return fail(
        fmt::format("{}: {} must be a list of positive integers, got '{}'", origin, key, text));
  return v;
}

}  // namespace

Result<SearchSpace> search_space_from(const RawScenario& raw, const Catalog& catalog) {
  SearchSpace space;
  for (const auto& [key, value] : raw.values) {
    const bool list_key = key == "gpus" || key == "tps" || key == "weights_dtypes" ||
                          key == "kv_dtypes" || key == "max_num_seqs_caps" || key == "engines";
    if (!list_key) continue;
    auto parsed = list_values(key, value);
    if (!parsed) return fail(parsed.error().message);
    const std::vector<std::string>& items = *parsed;
    if (items.empty()) return fail(fmt::format("{}: {} is an empty list", value.origin, key));
    if (key == "gpus") {
      for (const std::string& name : items) {
        auto gpu = catalog.gpu(name);
        if (!gpu) return fail(fmt::format("{}: {}", value.origin, gpu.error().message));
        if (std::ranges::find(space.gpus, gpu->name, &GpuSpec::name) == space.gpus.end())
          space.gpus.push_back(std::move(*gpu));
      }
    } else if (key == "weights_dtypes" || key == "kv_dtypes") {
      auto& dest = key == "weights_dtypes" ? space.weights_dtypes : space.kv_dtypes;
      for (const std::string& name : items) {
        auto d = parse_dtype(name);
        if (!d)
          return fail(fmt::format("{}: {}: unknown dtype '{}' (one of {})", value.origin, key, name,
                                  dtype_names()));
        if (std::ranges::find(dest, *d) == dest.end()) dest.push_back(*d);
      }
    } else if (key == "tps") {
      for (const std::string& text : items) {
        auto v = positive_integer(text, value.origin, key);
        if (!v) return fail(v.error().message);
        if (*v > 1024) return fail(fmt::format("{}: tps: {} is above 1024", value.origin, *v));
        space.tps.push_back(static_cast<int>(*v));
      }
      std::ranges::sort(space.tps);
      space.tps.erase(std::unique(space.tps.begin(), space.tps.end()), space.tps.end());
    } else if (key == "max_num_seqs_caps") {
      for (const std::string& text : items) {
        auto v = positive_integer(text, value.origin, key);
        if (!v) return fail(v.error().message);
        if (*v > 1'000'000)
          return fail(
              fmt::format("{}: max_num_seqs_caps: {} is above 1,000,000", value.origin, *v));
        space.max_num_seqs.push_back(*v);
      }
      std::ranges::sort(space.max_num_seqs);
      space.max_num_seqs.erase(std::unique(space.max_num_seqs.begin(), space.max_num_seqs.end()),
                               space.max_num_seqs.end());
    } else if (key == "engines") {
      static const std::vector<std::string> known = {"vllm", "sglang", "trtllm", "static",
                                                     "generic"};
      for (const std::string& e : items) {
        if (std::ranges::find(known, e) == known.end())
          return fail(
              fmt::format("{}: engines: unknown engine '{}' (vllm, sglang, trtllm, "
                          "static, generic)",
                          value.origin, e));
        if (std::ranges::find(space.engines, e) == space.engines.end()) space.engines.push_back(e);
      }
    }
  }
  return space;
}

namespace {

Result<double> price_value(const std::string& text, const std::string& where_text) {
  auto v = parse_number(text);
  if (!v || !std::isfinite(*v) || *v <= 0)
    return fail(
        fmt::format("{}: a price must be a positive number of USD, got '{}'", where_text, text));
  return *v;
}

}  // namespace

Result<void> read_prices_file(const std::string& path, const Catalog& catalog, PriceBook& book) {
  auto table = read_csv(path);
  if (!table) return fail(table.error().message);
  const auto gpu_col = table->column("gpu");
  const auto price_col = table->column("usd_per_gpu_hour");
  const auto reserved_col = table->column("reserved_usd_per_gpu_hour");
  if (!gpu_col || !price_col)
    return fail(
        fmt::format("{}:1: a prices file needs the columns gpu and usd_per_gpu_hour "
                    "(reserved_usd_per_gpu_hour optional)",
                    path));
  if (table->rows.empty()) return fail(fmt::format("{}: no prices in the file", path));
  for (const CsvRow& row : table->rows) {
    const std::string at = fmt::format("{}:{}", path, row.line);
    auto gpu = catalog.gpu(table->cell(row, *gpu_col));
    if (!gpu) return fail(fmt::format("{}: {}", at, gpu.error().message));
    auto price = price_value(table->cell(row, *price_col), at + ": usd_per_gpu_hour");
    if (!price) return fail(price.error().message);
    GpuPrice p{gpu->name, *price, 0, at, false};
    if (reserved_col && !table->cell(row, *reserved_col).empty()) {
      auto reserved =
          price_value(table->cell(row, *reserved_col), at + ": reserved_usd_per_gpu_hour");
      if (!reserved) return fail(reserved.error().message);
      if (*reserved > *price)
        return fail(
            fmt::format("{}: reserved_usd_per_gpu_hour {} is above the on-demand {}: a "
                        "reservation is a discount",
                        at, *reserved, *price));
      p.reserved_usd_per_gpu_hour = *reserved;
    }
    book.set(std::move(p));
  }
  return {};
}

Result<void> apply_price(const std::string& text, const Catalog& catalog, PriceBook& book) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    return fail(fmt::format("--price: expected GPU=USD (e.g. h100-sxm=2.10), got '{}'", text));
  auto gpu = catalog.gpu(text.substr(0, eq));
  if (!gpu) return fail(fmt::format("--price {}: {}", text, gpu.error().message));
  auto price = price_value(text.substr(eq + 1), "--price " + text);
  if (!price) return fail(price.error().message);
  const GpuPrice* old = book.find(gpu->name);
  book.set({gpu->name, *price, old && !old->illustrative ? old->reserved_usd_per_gpu_hour : 0,
            "--price " + text, false});
  return {};
}

Result<LoadProfile> read_load_profile(const std::string& path) {
  auto table = read_csv(path);
  if (!table) return fail(table.error().message);
  const auto hour_col = table->column("hour");
  const auto rate_col = table->column("rate_rps");
  if (!hour_col || !rate_col)
    return fail(fmt::format("{}:1: a load profile needs the columns hour and rate_rps", path));
  if (table->rows.size() < 2)
    return fail(fmt::format("{}: a load profile needs at least two hours, got {}", path,
                            table->rows.size()));
  if (table->rows.size() > 8784)
    return fail(fmt::format("{}: a load profile has at most 8,784 hours (a leap year), got {}",
                            path, table->rows.size()));
  LoadProfile p;
  p.source = path;
  for (std::size_t i = 0; i < table->rows.size(); ++i) {
    const CsvRow& row = table->rows[i];
    const auto hour = parse_number(table->cell(row, *hour_col));
    if (!hour || *hour != static_cast<double>(i))
      return fail(where(path, row.line,
                        fmt::format("hour must be {} (hours count 0, 1, 2, ... with no gaps), got "
                                    "'{}'",
                                    i, table->cell(row, *hour_col))));
    const auto rate = parse_number(table->cell(row, *rate_col));
    if (!rate || !std::isfinite(*rate) || *rate < 0)
      return fail(where(
          path, row.line,
          fmt::format("rate_rps must be a number >= 0, got '{}'", table->cell(row, *rate_col))));
    p.rate_rps.push_back(*rate);
  }
  if (std::ranges::all_of(p.rate_rps, [](double r) { return r == 0; }))
    return fail(fmt::format("{}: every hour's rate is 0", path));
  return p;
}

Result<ErrorBands> parse_error_bands(const std::string& text, const std::string& source) {
  // The measurements behind one band: a count, far beyond any benchmark campaign.
  constexpr std::int64_t kMaxBandRows = 1'000'000'000;
  ErrorBands bands;
  bands.source = source;
  std::stringstream in(text);
  std::string line;
  std::size_t number = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.starts_with('#')) continue;
    const auto cells = split_csv_line(line);
    if (header.empty()) {
      header = cells;
      const std::vector<std::string> want = {"engine",    "gpu",       "rows",
                                             "ratio_p05", "ratio_p50", "ratio_p95"};
      if (header != want)
        return fail(where(source, number,
                          "an error-bands file has the header "
                          "engine,gpu,rows,ratio_p05,ratio_p50,ratio_p95"));
      continue;
    }
    if (cells.size() != 6) return fail(where(source, number, "expected 6 fields"));
    ErrorBand b;
    b.engine = cells[0];
    b.gpu = cells[1];
    const auto rows = parse_number(cells[2]);
    const auto p05 = parse_number(cells[3]);
    const auto p50 = parse_number(cells[4]);
    const auto p95 = parse_number(cells[5]);
    const auto row_count = rows ? whole_number_in(*rows, 1, kMaxBandRows) : std::nullopt;
    if (!row_count || !p05 || !p50 || !p95 || !(*p05 > 0) || !(*p05 <= *p50) || !(*p50 <= *p95) ||
        !std::isfinite(*p95))
      return fail(where(source, number,
                        fmt::format("rows must be a whole number in [1, {}] and 0 < ratio_p05 <= "
                                    "ratio_p50 <= ratio_p95",
                                    kMaxBandRows)));
    b.rows = *row_count;
    b.ratio_p05 = *p05;
    b.ratio_p50 = *p50;
    b.ratio_p95 = *p95;
    bands.bands.push_back(std::move(b));
  }
  if (header.empty()) return fail(fmt::format("{}: the error-bands file is empty", source));
  return bands;
}

Result<ErrorBands> read_error_bands(const std::string& path) {
  auto text = read_text_file(path, "the error-bands file");
  if (!text) return fail(text.error().message);
  return parse_error_bands(*text, path);
}

// What is written reads back as it was (the fuzzer checks it): names are quoted where they hold
// a comma or a quote (or, first on the line, start a comment), and ratios are written in the
// shortest form that reads back exactly (four fixed decimals wrote a ratio of 1e-5 as 0.0000, which
// the reader refuses).
std::string error_bands_csv(const ErrorBands& bands) {
  std::string out = "engine,gpu,rows,ratio_p05,ratio_p50,ratio_p95\n";
  for (const ErrorBand& b : bands.bands) {
    std::string engine = report::csv_escape(b.engine);
    if (engine.starts_with('#')) engine = "\"" + engine + "\"";
    out += fmt::format("{},{},{},{},{},{}\n", engine, report::csv_escape(b.gpu), b.rows,
                       b.ratio_p05, b.ratio_p50, b.ratio_p95);
  }
  return out;
}

}  // namespace fleetsizer::io
