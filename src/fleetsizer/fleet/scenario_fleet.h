#pragma once
// The fleet equation's inputs for a scenario: its target rate, packing, prices, headroom and
// redundancy around one replica's q. `size` prices its plan with it and `search` every candidate.
#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/plan/scenario.h"

namespace fleetsizer {

FleetInputs fleet_inputs(const Scenario& s, double replica_rps, int gpus_per_replica);

}  // namespace fleetsizer
