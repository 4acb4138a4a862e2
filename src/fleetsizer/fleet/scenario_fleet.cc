#include "fleetsizer/fleet/scenario_fleet.h"

namespace fleetsizer {

FleetInputs fleet_inputs(const Scenario& s, double replica_rps, int gpus_per_replica) {
  FleetInputs in;
  in.target_rps = s.target_qps;
  in.replica_rps = replica_rps;
  in.gpus_per_replica = gpus_per_replica;
  in.gpus_per_host = s.gpus_per_host;
  in.usd_per_gpu_hour = s.usd_per_gpu_hour;
  in.usd_per_host_hour = s.usd_per_host_hour;
  in.billing = s.billing;
  in.target_utilization = s.target_utilization;
  in.redundancy = s.redundancy;
  in.output_tokens_per_request = s.workload.osl();
  return in;
}

}  // namespace fleetsizer
