#pragma once
// The emulator's Prometheus /metrics, under vLLM's gauge names, so scrapers written for vLLM
// (bench --scrape-metrics among them) read it unchanged.
#include <cstdint>
#include <string>

namespace fleetsizer::http {

struct EmulatorGauges {
  std::int64_t running = 0, waiting = 0;
  double kv_usage = 0;  // fraction of KV blocks in use
  std::int64_t requests_total = 0;
};

std::string prometheus_text(const std::string& model_name, const EmulatorGauges& g);

}  // namespace fleetsizer::http
