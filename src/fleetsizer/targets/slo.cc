#include "fleetsizer/targets/slo.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace fleetsizer {

std::string_view metric_name(Metric m) {
  switch (m) {
    case Metric::ttft:
      return "ttft";
    case Metric::tpot:
      return "tpot";
    case Metric::itl:
      return "itl";
    case Metric::e2e:
      return "e2e";
  }
  return "?";
}

std::string_view percentile_name(Percentile p) {
  switch (p) {
    case Percentile::mean:
      return "mean";
    case Percentile::p50:
      return "p50";
    case Percentile::p90:
      return "p90";
    case Percentile::p95:
      return "p95";
    case Percentile::p99:
      return "p99";
  }
  return "?";
}

double percentile_fraction(Percentile p) {
  switch (p) {
    case Percentile::p90:
      return 0.90;
    case Percentile::p95:
      return 0.95;
    case Percentile::p99:
      return 0.99;
    default:
      return 0.50;
  }
}

Result<SloTarget> parse_slo(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail(fmt::format(
        "--slo '{}': {} (expected e.g. ttft:p99=2000, tpot:p90=50, e2e:p50=8000)", text, why));
  };
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return bad("missing ':'");
  SloTarget t;
  const std::string_view metric = text.substr(0, colon);
  if (metric == "ttft")
    t.metric = Metric::ttft;
  else if (metric == "tpot")
    t.metric = Metric::tpot;
  else if (metric == "itl")
    t.metric = Metric::itl;
  else if (metric == "e2e" || metric == "e2el")
    t.metric = Metric::e2e;
  else
    return bad(fmt::format("unknown metric '{}' (ttft, tpot, itl, e2e)", metric));
  std::string_view rest = text.substr(colon + 1);
  std::string_view number = rest;
  t.percentile = Percentile::mean;
  if (const auto eq = rest.find('='); eq != std::string_view::npos) {
    const std::string_view pct = rest.substr(0, eq);
    number = rest.substr(eq + 1);
    if (pct == "p50")
      t.percentile = Percentile::p50;
    else if (pct == "p90")
      t.percentile = Percentile::p90;
    else if (pct == "p95")
      t.percentile = Percentile::p95;
    else if (pct == "p99")
      t.percentile = Percentile::p99;
    else if (pct == "mean")
      t.percentile = Percentile::mean;
    else
      return bad(fmt::format("unknown percentile '{}' (p50, p90, p95, p99, mean)", pct));
  }
  double ms = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), ms);
  if (ec != std::errc() || ptr != number.data() + number.size())
    return bad("the target is not a number");
  if (!std::isfinite(ms) || ms <= 0)
    return bad("the target must be a positive number of milliseconds");
  t.ms = ms;
  return t;
}

std::string format_slo(const SloTarget& t) {
  return fmt::format("{}:{}={}", metric_name(t.metric), percentile_name(t.percentile), t.ms);
}

std::string curve_column(const SloTarget& t) {
  return fmt::format("{}_ms_{}", metric_name(t.metric), percentile_name(t.percentile));
}

}  // namespace fleetsizer
