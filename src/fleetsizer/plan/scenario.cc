#include "fleetsizer/plan/scenario.h"

namespace fleetsizer {

Scenario default_scenario(const Catalog& catalog) {
  Scenario s;
  s.name = "built-in default";
  s.replica.model = *catalog.model("llama-3.1-70b");
  s.replica.gpu = *catalog.gpu("h100-sxm");
  s.context_tokens = 4096;
  s.target_qps = 100;
  s.workload = fixed_workload(1024, 256);
  s.slo = {{Metric::ttft, Percentile::p99, 2000}, {Metric::tpot, Percentile::p99, 50}};
  s.gpus_per_host = s.replica.gpu.gpus_per_host;
  s.usd_per_gpu_hour = s.replica.gpu.usd_per_gpu_hour;
  s.target_utilization = 0.8;
  s.redundancy = 1;
  return s;
}

}  // namespace fleetsizer
