#include "fleetsizer/perf/parametric.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <sstream>

namespace fleetsizer {

Result<ParametricCurve> parse_parametric(const std::string& text) {
  ParametricCurve p;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      return fail(fmt::format("--parametric: '{}' is not key=value", item));
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "metric") {
      auto t = parse_slo(value + "=1");
      if (!t) return fail(fmt::format("--parametric: metric '{}' (expected e.g. e2e:p99)", value));
      p.metric = t->metric;
      p.percentile = t->percentile;
      continue;
    }
    double v = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(v))
      return fail(fmt::format("--parametric: {} must be a number, got '{}'", key, value));
    if (key == "q0")
      p.q0 = v;
    else if (key == "alpha")
      p.alpha = v;
    else if (key == "l0")
      p.l0_ms = v;
    else if (key == "l1")
      p.l1_ms = v;
    else if (key == "max_batch")
      p.max_batch = static_cast<int>(v);
    else
      return fail(fmt::format(
          "--parametric: unknown key '{}' (q0, alpha, l0, l1, metric, max_batch)", key));
  }
  if (p.q0 <= 0) return fail("--parametric: q0 must be positive");
  if (p.alpha < 0 || p.l0_ms < 0 || p.l1_ms < 0)
    return fail("--parametric: alpha, l0 and l1 must be >= 0");
  if (p.l0_ms + p.l1_ms <= 0) return fail("--parametric: latency must be positive (l0 + l1 > 0)");
  if (p.max_batch < 1 || p.max_batch > 1000000)
    return fail("--parametric: max_batch must be in [1, 1e6]");
  return p;
}

double parametric_q(const ParametricCurve& p, double b) {
  return p.q0 * b / (1 + p.alpha * b);
}

Curve sample(const ParametricCurve& p) {
  Curve c;
  c.source = fmt::format("parametric q(b) = {} b / (1 + {} b), {}_ms_{} = {} + {} b", p.q0, p.alpha,
                         metric_name(p.metric), percentile_name(p.percentile), p.l0_ms, p.l1_ms);
  const std::string column = curve_column({p.metric, p.percentile, 0});
  for (int b = 1; b <= p.max_batch; ++b) {
    c.batch.push_back(b);
    c.request_rate.push_back(parametric_q(p, b));
    c.latency_ms[column].push_back(p.l0_ms + p.l1_ms * b);
  }
  return c;
}

}  // namespace fleetsizer
