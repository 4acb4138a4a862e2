#include "io/trace_file.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "io/csv.h"
#include "io/scenario_file.h"

namespace fleetsizer::io {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Parsed {
  double time_s = 0;
  std::int64_t input = 0, output = 0;
  std::vector<std::uint64_t> hash_ids;
};

enum class Format { azure, mooncake };

std::string lengths_range_error() {
  return fmt::format("request lengths must be whole numbers in [0, {}] tokens", kMaxSequenceTokens);
}

// Reads one record from the current line; an error message when it is malformed.
std::optional<std::string> parse_line(Format format, const std::string& line, Parsed& out) {
  if (format == Format::azure) {
    const auto cells = split_csv_line(line);
    if (cells.size() < 3) return "expected TIMESTAMP,ContextTokens,GeneratedTokens";
    auto t = parse_azure_timestamp(cells[0]);
    if (!t) return fmt::format("bad TIMESTAMP '{}'", cells[0]);
    auto in = parse_number(cells[1]);
    auto outn = parse_number(cells[2]);
    auto input = in ? whole_number_in(*in, 0, kMaxSequenceTokens) : std::nullopt;
    auto output = outn ? whole_number_in(*outn, 0, kMaxSequenceTokens) : std::nullopt;
    if (!input || !output) return lengths_range_error();
    out.time_s = *t;
    out.input = *input;
    out.output = *output;
    return std::nullopt;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {  // not JSON, or a number past a double
    return "malformed JSON";
  }
  if (!j.is_object() || !j.contains("timestamp") || !j.contains("input_length") ||
      !j.contains("output_length"))
    return "missing timestamp, input_length or output_length";
  if (!j["timestamp"].is_number() || !j["input_length"].is_number_integer() ||
      !j["output_length"].is_number_integer())
    return "timestamp must be a number and lengths integers";
  out.time_s = j["timestamp"].get<double>() / 1000.0;  // Mooncake timestamps are milliseconds
  // As doubles: an integer past int64 (JSON allows any) is then out of range, not wrapped.
  auto input = whole_number_in(j["input_length"].get<double>(), 0, kMaxSequenceTokens);
  auto output = whole_number_in(j["output_length"].get<double>(), 0, kMaxSequenceTokens);
  if (!input || !output) return lengths_range_error();
  out.input = *input;
  out.output = *output;
  out.hash_ids.clear();
  if (j.contains("hash_ids") && j["hash_ids"].is_array())
    for (const auto& h : j["hash_ids"])
      if (h.is_number_unsigned() || h.is_number_integer())
        out.hash_ids.push_back(h.get<std::uint64_t>());
  return std::nullopt;
}

class TraceSource final : public RequestSource {
 public:
  TraceSource(std::string path, Format format, double scale, TraceOptions options)
      : path_(std::move(path)), format_(format), scale_(scale), options_(options), in_(path_) {
    if (format_ == Format::azure) {
      std::string header;
      std::getline(in_, header);  // column order was checked when the trace was opened
      line_ = 1;
    }
  }

  Result<bool> next(Request& out) override {
    if (options_.max_requests > 0 && emitted_ >= options_.max_requests) return false;
    std::string line;
    while (std::getline(in_, line)) {
      ++line_;
      if (line.empty() || line == "\r") continue;
      Parsed p;
      std::optional<std::string> problem = parse_line(format_, line, p);
      if (!problem) {
        if (p.time_s < 0)
          problem = "negative timestamp";
        else if (p.input <= 0 || p.output <= 0)
          problem = "zero-length request (input and output must be >= 1 token)";
        else if (have_previous_ && p.time_s < previous_)
          problem = "timestamp goes backwards (trace must be sorted)";
      }
      if (problem) {
        if (options_.skip_bad_lines) {
          ++skipped_;
          continue;
        }
        return fail(fmt::format("{}:{}: {}", path_, line_, *problem));
      }
      if (!have_previous_) first_ = p.time_s;
      have_previous_ = true;
      previous_ = p.time_s;
      out.id = static_cast<std::uint64_t>(emitted_++);
      out.arrival_s = (p.time_s - first_) * scale_;
      out.input_tokens = p.input;
      out.output_tokens = p.output;
      out.hash_ids = std::move(p.hash_ids);
      return true;
    }
    return false;
  }

  std::int64_t skipped() const override { return skipped_; }

 private:
  std::string path_;
  Format format_;
  double scale_;
  TraceOptions options_;
  std::ifstream in_;
  std::size_t line_ = 0;
  std::int64_t emitted_ = 0, skipped_ = 0;
  bool have_previous_ = false;
  double previous_ = 0, first_ = 0;
};

}  // namespace

std::optional<double> parse_azure_timestamp(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s >= 61)
    return std::nullopt;
  return static_cast<double>(
             days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) *
             86400.0 +
         h * 3600.0 + mi * 60.0 + s;
}

Result<std::unique_ptr<RequestSource>> open_trace(const std::string& path,
                                                  const TraceOptions& options,
                                                  TraceStats* stats_out) {
  std::ifstream probe(path);
  if (!probe) return fail(fmt::format("{}: cannot open trace", path));
  std::string first;
  std::getline(probe, first);
  Format format;
  if (path.ends_with(".jsonl") || first.starts_with("{")) {
    format = Format::mooncake;
  } else {
    const auto header = split_csv_line(first);
    for (const char* col : {"TIMESTAMP", "ContextTokens", "GeneratedTokens"})
      if (std::find(header.begin(), header.end(), col) == header.end())
        return fail(fmt::format(
            "{}:1: missing column '{}' (Azure trace: TIMESTAMP,ContextTokens,GeneratedTokens)",
            path, col));
    if (header[0] != "TIMESTAMP" || header[1] != "ContextTokens" || header[2] != "GeneratedTokens")
      return fail(fmt::format(
          "{}:1: expected columns in the order TIMESTAMP,ContextTokens,GeneratedTokens", path));
    format = Format::azure;
  }
  // First pass: count and duration (streamed), validating every line once.
  TraceStats stats;
  {
    TraceOptions plain = options;
    plain.target_rate.reset();
    TraceSource pass(path, format, 1.0, plain);
    Request r;
    double last = 0;
    while (true) {
      auto more = pass.next(r);
      if (!more) return fail(more.error().message);
      if (!*more) break;
      ++stats.requests;
      last = r.arrival_s;
    }
    stats.duration_s = last;
  }
  if (stats.requests == 0) return fail(fmt::format("{}: no requests in the trace", path));
  double scale = 1.0;
  if (options.target_rate) {
    if (!(*options.target_rate > 0)) return fail("--rate must be a positive number");
    if (stats.rate() <= 0)
      return fail(fmt::format("{}: all requests arrive at once; cannot rescale to a rate", path));
    scale = stats.rate() / *options.target_rate;
  }
  if (stats_out) *stats_out = stats;
  return std::unique_ptr<RequestSource>(new TraceSource(path, format, scale, options));
}

Result<std::vector<std::pair<std::int64_t, std::int64_t>>> read_trace_lengths(
    const std::string& path) {
  auto source = open_trace(path, {});
  if (!source) return fail(source.error().message);
  std::vector<std::pair<std::int64_t, std::int64_t>> lengths;
  Request r;
  while (true) {
    auto more = (*source)->next(r);
    if (!more) return fail(more.error().message);
    if (!*more) break;
    lengths.emplace_back(r.input_tokens, r.output_tokens);
  }
  return lengths;
}

}  // namespace fleetsizer::io
