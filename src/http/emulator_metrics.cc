#include "http/emulator_metrics.h"

#include <fmt/format.h>

namespace fleetsizer::http {

std::string prometheus_text(const std::string& model_name, const EmulatorGauges& g) {
  return fmt::format(
      "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{{model_name=\"{0}\"}} "
      "{1}\n"
      "# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{{model_name=\"{0}\"}} "
      "{2}\n"
      "# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{{model_name=\"{0}\"}} "
      "{3}\n"
      "# TYPE fleetsizer_requests_total counter\nfleetsizer_requests_total {4}\n",
      model_name, g.running, g.waiting, g.kv_usage, g.requests_total);
}

}  // namespace fleetsizer::http
