#include "fleetsizer/perf/steady_state.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/predict.h"

namespace fleetsizer {
namespace {

RooflineModel llama8b(const std::string& engine) {
  const Catalog c = builtin_catalog();
  ReplicaSpec r;
  r.model = *c.model("llama-3.1-8b");
  r.gpu = *c.gpu("h100-sxm");
  r.limits = engine_defaults(engine).limits;
  return RooflineModel(r, engine_defaults(engine).efficiency);
}

// Static batching (wave_sync 1, unlimited token budget) is exact: the whole batch prefills in
// one step, then decodes together.
TEST(SteadyState, StaticBatchIsOnePrefillStepThenDecodes) {
  const RooflineModel m = llama8b("static");
  const SteadyState s = closed_loop(m, {512, 128}, 16, 1000, m.efficiency().wave_sync);
  StepWork prefill;
  prefill.prefill_tokens = 16 * 512;
  prefill.prefill_seqs = 16;
  prefill.prefill_attended = 16 * 512 * 256.0;
  const double ttft_ms = m.step(prefill).total_s * 1e3;
  StepWork decode;
  decode.decode_seqs = 16;
  decode.decode_context = 16 * (512 + 64.0);
  const double tpot_ms = m.step(decode).total_s * 1e3;
  EXPECT_NEAR(s.ttft_ms.mean, ttft_ms, 1e-9);
  EXPECT_NEAR(s.ttft_ms.p99, ttft_ms, 1e-9);
  EXPECT_NEAR(s.tpot_ms.mean, tpot_ms, 1e-9);
  EXPECT_NEAR(s.request_rate, 16 / ((ttft_ms + 127 * tpot_ms) / 1e3), 1e-9);
  EXPECT_NEAR(s.output_tok_s, s.request_rate * 128, 1e-9);
}

TEST(SteadyState, ClientsBeyondTheCapQueueAsTtft) {
  const RooflineModel m = llama8b("vllm");
  const SteadyState at_cap = closed_loop(m, {1024, 256}, 32, 32, m.efficiency().wave_sync);
  const SteadyState over = closed_loop(m, {1024, 256}, 96, 32, m.efficiency().wave_sync);
  EXPECT_EQ(over.running, 32);
  EXPECT_NEAR(over.request_rate, at_cap.request_rate, 1e-9);  // the engine runs the same batch
  // Little's law: 96 clients / X = total time; the excess is queueing.
  EXPECT_NEAR(over.queue_ms, 96 / at_cap.request_rate * 1e3 - at_cap.e2e_ms.mean, 1e-6);
  EXPECT_NEAR(over.ttft_ms.mean, at_cap.ttft_ms.mean + over.queue_ms, 1e-6);
  EXPECT_FALSE(over.limit.empty());
}

TEST(SteadyState, LatencyAndThroughputGrowWithConcurrency) {
  const RooflineModel m = llama8b("vllm");
  double last_tpot = 0, last_rate = 0;
  for (double c : {1.0, 4.0, 16.0, 64.0, 128.0}) {
    const SteadyState s = closed_loop(m, {1024, 256}, c, 256, m.efficiency().wave_sync);
    EXPECT_GT(s.tpot_ms.mean, last_tpot);
    EXPECT_GT(s.request_rate, last_rate);
    last_tpot = s.tpot_ms.mean;
    last_rate = s.request_rate;
  }
}

// An open-loop wait is exponential in its tail (a slot wait, Erlang-C-like; a wait for prefill
// room, M/D/1-like): with probability q of waiting at all and a mean wait m = q x scale, the p99
// wait is scale x ln(100 q) = m ln(100 q) / q, at least twice the mean wait whenever q > 2%. So
// near capacity the TTFT p99 lies beyond the mean by more than twice the mean queueing, and the
// percentiles climb; a p99 taken from the mean wait would equal the mean.
TEST(SteadyState, OpenLoopTtftTailIsExponentialNotTheMean) {
  const RooflineModel m = llama8b("vllm");
  const double capacity = max_stable_rate(m, {1024, 256}, 256);
  for (double load : {0.85, 0.95}) {
    const SteadyState s = open_loop(m, {1024, 256}, capacity * load, 256);
    ASSERT_TRUE(s.stable);
    const auto& t = s.ttft_ms;
    ASSERT_GT(s.queue_ms, 0.0) << load;
    EXPECT_GT(t.p99 - t.mean, 2 * s.queue_ms) << load << ": mean " << t.mean << " p99 " << t.p99;
    EXPECT_GT(t.p99, t.p95) << load;
    EXPECT_GT(t.p95, t.p90) << load;
  }
}

// Almost no load: an arrival almost never finds a step in progress, so its TTFT is its own
// prompt's step alone (no residual of a step it had to wait out, no queue).
TEST(SteadyState, OpenLoopAtNoLoadIsThePromptsOwnStep) {
  const RooflineModel m = llama8b("vllm");
  const double capacity = max_stable_rate(m, {1024, 256}, 256);
  const SteadyState s = open_loop(m, {1024, 256}, capacity * 1e-4, 256);
  ASSERT_TRUE(s.stable);
  EXPECT_NEAR(s.ttft_ms.mean / s.prefill_step_ms, 1.0, 0.005);
  EXPECT_LT(s.queue_ms, 1e-3 * s.prefill_step_ms);
}

TEST(SteadyState, OpenLoopDivergesBeyondCapacity) {
  const RooflineModel m = llama8b("vllm");
  const double capacity = max_stable_rate(m, {1024, 256}, 256);
  ASSERT_GT(capacity, 1);
  const SteadyState low = open_loop(m, {1024, 256}, capacity * 0.3, 256);
  const SteadyState high = open_loop(m, {1024, 256}, capacity * 0.95, 256);
  const SteadyState over = open_loop(m, {1024, 256}, capacity * 1.05, 256);
  EXPECT_TRUE(low.stable);
  EXPECT_TRUE(high.stable);
  EXPECT_FALSE(over.stable);
  EXPECT_GT(high.ttft_ms.p99, low.ttft_ms.p99);
  EXPECT_GT(high.queue_ms, low.queue_ms);
  // Little's law on the running batch: each request decodes O - 1 = 255 tokens, one per step (its
  // first token comes from its prompt's step).
  EXPECT_NEAR(low.running, capacity * 0.3 * 255 * low.decode_step_ms / 1e3, 1e-6 * low.running);
}

}  // namespace
}  // namespace fleetsizer
