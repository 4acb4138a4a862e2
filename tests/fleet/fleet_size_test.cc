#include <gtest/gtest.h>

#include <cmath>

#include "fleetsizer/fleet/fleet.h"

namespace fleetsizer {
namespace {

FleetInputs inputs(double Q, double q, int g) {
  FleetInputs in;
  in.target_rps = Q;
  in.replica_rps = q;
  in.gpus_per_replica = g;
  in.gpus_per_host = 8;
  in.usd_per_gpu_hour = 1.5;
  return in;
}

TEST(FleetSize, FloorIsCeilOfRatio) {
  auto p = size_fleet(inputs(4000, 18, 4));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->floor_replicas, 223);
  EXPECT_EQ(p->replicas, 223);
  EXPECT_EQ(p->gpus, 892);
  EXPECT_EQ(p->hosts, 112);  // 892 / 8 = 111.5
  EXPECT_DOUBLE_EQ(p->usd_per_hour, 112 * 8 * 1.5);
}

TEST(FleetSize, IntegerRatioAddsNoNode) {
  auto p = size_fleet(inputs(0.3, 0.1, 1));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->floor_replicas, 3);
}

TEST(FleetSize, HeadroomAndRedundancy) {
  FleetInputs in = inputs(100, 7, 4);
  in.target_utilization = 0.8;
  in.redundancy = 2;
  auto p = size_fleet(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->floor_replicas, 15);     // 14.29
  EXPECT_EQ(p->headroom_replicas, 18);  // 100 / 5.6 = 17.86
  EXPECT_EQ(p->replicas, 20);
  EXPECT_EQ(p->hosts, 10);
  EXPECT_NEAR(p->utilization_at_target, 100.0 / (20 * 7), 1e-12);
}

TEST(FleetSize, PackingReplicasThatDoNotDivideTheHost) {
  EXPECT_EQ(hosts_for(5, 3, 8), 3);    // 2 replicas of 3 GPUs per 8-GPU host
  EXPECT_EQ(hosts_for(5, 16, 8), 10);  // a 16-GPU replica takes 2 hosts
  EXPECT_EQ(hosts_for(9, 1, 8), 2);
  EXPECT_EQ(hosts_for(0, 2, 8), 0);
}

// A replica wider than a host takes whole hosts, rounded up: Llama-3.1-405B at TP 8 x PP 2 is 16
// GPUs, which 6-GPU hosts hold only in 3 (18 GPUs, 2 idle); 14 replicas take 42 hosts, not the
// 28 that 16 / 6 rounded down would quote (nor the 38 that packing GPUs across replicas would).
TEST(FleetSize, AReplicaSpanningHostsUnevenlyTakesWholeHosts) {
  EXPECT_EQ(hosts_for(14, 16, 6), 42);
  EXPECT_EQ(hosts_for(1, 9, 8), 2);
  FleetInputs in;
  in.target_rps = 14;
  in.replica_rps = 1;
  in.gpus_per_replica = 16;
  in.gpus_per_host = 6;
  in.usd_per_gpu_hour = 2;
  auto p = size_fleet(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->replicas, 14);
  EXPECT_EQ(p->hosts_per_replica, 3);
  EXPECT_EQ(p->hosts, 42);
  // Billed by the host (the default): every GPU of the 42 hosts, idle ones included.
  EXPECT_EQ(p->gpus_reserved, 42 * 6);
}

TEST(FleetSize, BillingPerGpuPaysOnlyUsedGpus) {
  FleetInputs in = inputs(10, 1, 3);
  in.billing = Billing::per_gpu;
  auto p = size_fleet(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->gpus_reserved, 30);
  EXPECT_DOUBLE_EQ(p->usd_per_hour, 45.0);
  in.billing = Billing::per_host;
  p = size_fleet(in);
  EXPECT_EQ(p->gpus_reserved, 5 * 8);  // 10 replicas of 3, 2 per host
}

TEST(FleetSize, CostPerTokenAndRequest) {
  FleetInputs in = inputs(10, 2, 8);
  in.output_tokens_per_request = 250;
  in.usd_per_host_hour = 16;
  auto p = size_fleet(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->hosts, 5);
  EXPECT_DOUBLE_EQ(p->usd_per_hour, 80);
  EXPECT_NEAR(p->usd_per_1k_requests, 80.0 / (10 * 3600) * 1000, 1e-12);
  EXPECT_NEAR(p->usd_per_million_output_tokens, 80.0 / (10 * 3600 * 250.0) * 1e6, 1e-12);
}

TEST(FleetSize, RejectsBadNumbers) {
  EXPECT_FALSE(size_fleet(inputs(-1, 1, 1)));
  EXPECT_FALSE(size_fleet(inputs(1, 0, 1)));
  EXPECT_FALSE(size_fleet(inputs(NAN, 1, 1)));
  EXPECT_FALSE(size_fleet(inputs(INFINITY, 1, 1)));
  FleetInputs in = inputs(1, 1, 1);
  in.target_utilization = 1.5;
  EXPECT_FALSE(size_fleet(in));
  // More than 1e12 replicas is a unit mistake: an error, never an overflowed (negative) count.
  auto huge = size_fleet(inputs(1e20, 5, 4));
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("1e12 replicas"), std::string::npos);
  ASSERT_TRUE(size_fleet(inputs(1e12, 1, 4)));
}

// A fleet the simulator finds short of the SLO serves with the simulated count, plus redundancy.
TEST(FleetSize, SimulatedReplicasRaiseTheServingCount) {
  FleetInputs in = inputs(100, 10, 4);
  in.target_utilization = 1.0;
  in.redundancy = 2;
  in.simulated_replicas = 13;
  auto p = size_fleet(in);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->floor_replicas, 10);
  EXPECT_EQ(p->serving_replicas, 13);
  EXPECT_EQ(p->replicas, 15);
  in.simulated_replicas = 7;  // fewer than the closed form: the closed form stands
  EXPECT_EQ(size_fleet(in)->serving_replicas, 10);
}

}  // namespace
}  // namespace fleetsizer
