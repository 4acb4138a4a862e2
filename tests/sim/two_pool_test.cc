// The simulator's two-pool mode: one request by hand; requests and tokens are conserved across the
// prefill pool, the transfer and the decode pool; at light load the simulated TTFT and TPOT match
// the analytic pools (disagg/disagg.cc's open-loop models) within 5%.
#include "fleetsizer/sim/two_pool.h"

#include <gtest/gtest.h>

#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/decode_only.h"
#include "fleetsizer/perf/steady_state.h"
#include "sim_test_support.h"

namespace fleetsizer {
namespace {

using testing::ListSource;

Request request(std::uint64_t id, double arrival_s, std::int64_t in, std::int64_t out) {
  Request r;
  r.id = id;
  r.arrival_s = arrival_s;
  r.input_tokens = in;
  r.output_tokens = out;
  return r;
}

LengthSpec lengths(LengthKind kind, double mean, double min, double max) {
  LengthSpec l;
  l.kind = kind;
  l.mean = mean;
  l.min = min;
  l.max = max;
  return l;
}

ReplicaOptions roomy() {
  ReplicaOptions o;
  o.kv_blocks = 100000;
  return o;
}

TEST(TwoPoolSim, OneRequestByHand) {
  // Step = 10 ms + 0.1 ms per token. Prefill: one 1,000-token step = 110 ms. Transfer: 2 ms +
  // 1,000 x 1 us = 3 ms. Decode: the joining step and 9 more, each one sequence: 10.1 ms.
  const LinearStepModel model({.fixed_s = 0.010, .per_token_s = 1e-4});
  ListSource source({request(7, 1.0, 1000, 11)});
  TwoPoolOptions o;
  o.prefill = o.decode = roomy();
  o.transfer_latency_s = 0.002;
  o.transfer_s_per_token = 1e-6;
  auto r = simulate_two_pool(model, model, source, o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->combined.requests, 1);
  EXPECT_NEAR(r->combined.ttft_ms.mean(), 110 + 3, 1e-6);
  EXPECT_NEAR(r->combined.tpot_ms.mean(), 10.1, 1e-6);
  EXPECT_NEAR(r->combined.e2e_ms.mean(), 113 + 10 * 10.1, 1e-6);
  EXPECT_NEAR(r->transfer_ms.mean(), 3, 1e-9);
  EXPECT_EQ(r->prefill.output_tokens, 1);
  EXPECT_EQ(r->decode.output_tokens, 10);
}

TEST(TwoPoolSim, ConservesRequestsAndTokens) {
  const RooflineModel model = testing::h100_llama8b();
  const ReplicaSpec spec = testing::h100_llama8b_spec();
  const ReplicaOptions replica = replica_options(spec, footprint_at(spec, 4096));
  const LengthSpec in = lengths(LengthKind::uniform, 1050, 100, 2000);
  const LengthSpec out = lengths(LengthKind::uniform, 151, 2, 300);
  ArrivalSpec arrivals;
  arrivals.rate = 20;
  double input = 0, output = 0;
  {
    SyntheticSource count(arrivals, in, out, 3000, 5);
    Request r;
    while (*count.next(r)) {
      input += static_cast<double>(r.input_tokens);
      output += static_cast<double>(r.output_tokens);
    }
  }
  SyntheticSource source(arrivals, in, out, 3000, 5);
  TwoPoolOptions o;
  o.prefill_replicas = 2;
  o.decode_replicas = 3;
  o.prefill = o.decode = replica;
  o.transfer_latency_s = 5e-6;
  o.transfer_s_per_token = 131072.0 / 50e9;
  auto r = simulate_two_pool(model, model, source, o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_FALSE(r->combined.diverged);
  EXPECT_EQ(r->combined.arrived, 3000);
  EXPECT_EQ(r->prefill.requests, 3000);
  EXPECT_EQ(r->decode.requests, 3000);
  EXPECT_EQ(r->combined.requests, 3000);
  EXPECT_EQ(r->combined.input_tokens, input);
  EXPECT_EQ(r->prefill.input_tokens, input);
  EXPECT_EQ(r->decode.input_tokens, input);
  EXPECT_EQ(r->combined.output_tokens, output);
  EXPECT_EQ(r->prefill.output_tokens, 3000);
  EXPECT_EQ(r->decode.output_tokens, output - 3000);
  EXPECT_EQ(r->transfer_ms.count(), 3000);
}

TEST(TwoPoolSim, RejectsOneTokenOutputs) {
  const LinearStepModel model({.fixed_s = 0.010});
  ListSource source({request(1, 0, 10, 1)});
  TwoPoolOptions o;
  o.prefill = o.decode = roomy();
  auto r = simulate_two_pool(model, model, source, o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("at least 2"), std::string::npos);
}

TEST(TwoPoolSim, MatchesTheAnalyticPoolsAtLightLoad) {
  const RooflineModel model = testing::h100_llama8b();
  const ReplicaSpec spec = testing::h100_llama8b_spec();
  const double isl = 1024, osl = 128, rate = 0.5;
  const Footprint fp = footprint_at(spec, static_cast<std::int64_t>(isl + osl));
  const ReplicaOptions replica = replica_options(spec, fp);
  ArrivalSpec arrivals;
  arrivals.rate = rate;
  SyntheticSource source(arrivals, lengths(LengthKind::fixed, isl, 1, 1),
                         lengths(LengthKind::fixed, osl, 1, 1), 4000, 3);
  TwoPoolOptions o;
  o.prefill = o.decode = replica;
  o.transfer_latency_s = 5e-6;
  o.transfer_s_per_token = fp.kv_bytes_per_token / 50e9;
  auto r = simulate_two_pool(model, model, source, o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const double transfer_ms = (o.transfer_latency_s + isl * o.transfer_s_per_token) * 1e3;
  const SteadyState prefill = open_loop(model, {isl, 1}, rate, fp.max_running);
  const DecodeOnlyModel decode_model(model);
  const SteadyState decode = open_loop(decode_model, {isl, osl}, rate, fp.max_running);
  ASSERT_TRUE(prefill.stable && decode.stable);
  EXPECT_NEAR(r->combined.ttft_ms.mean(), prefill.ttft_ms.mean + transfer_ms,
              0.05 * (prefill.ttft_ms.mean + transfer_ms));
  EXPECT_NEAR(r->combined.tpot_ms.mean(), decode.tpot_ms.mean, 0.05 * decode.tpot_ms.mean);
}

}  // namespace
}  // namespace fleetsizer
