// Validation of the disaggregated model: the one pool-to-spec mapping decides coverage by catalog
// lookup and layout; the closed-loop fixed point reduces to hand-checkable limits; the reader
// keeps every row and names the line of a bad cell.
#include "fleetsizer/disagg/validate.h"

#include <gtest/gtest.h>

#include "fleetsizer/perf/decode_only.h"
#include "fleetsizer/perf/efficiency.h"
#include "fleetsizer/perf/roofline.h"
#include "io/disagg_measurements.h"
#include "tests/test_support.h"

namespace fleetsizer {
namespace {

DisaggRun run_of(const std::string& model, const std::string& gpu) {
  DisaggRun r;
  r.id = "t";
  r.model = model;
  r.gpu = gpu;
  r.engine = "trtllm";
  r.weights_dtype = Dtype::fp8;
  r.weights_name = "fp8";
  r.kv_dtype = Dtype::fp8;
  r.isl = 1024;
  r.osl = 256;
  r.concurrency = 8;
  r.prefill = {1, 8, 1, 1, 1, 8, 1};
  r.decode = {2, 8, 1, 1, 1, 8, 4};
  r.ttft_ms = 100;
  r.tpot_ms = 20;
  return r;
}

TEST(DisaggValidate, CoverageByCatalogAndLayout) {
  const Catalog catalog = builtin_catalog();
  EXPECT_TRUE(pool_spec(run_of("deepseek-v3", "h200"), run_of("", "").prefill, catalog).spec);
  EXPECT_EQ(pool_spec(run_of("no-such-model", "h200"), {1, 8}, catalog).uncovered, "unknown model");
  EXPECT_EQ(pool_spec(run_of("deepseek-v3", "no-such-gpu"), {1, 8}, catalog).uncovered,
            "unknown GPU");
  // DEP8: attention data-parallel over 8 GPUs, the experts split 8 ways over the same GPUs.
  DisaggPoolLayout dep8{1, 1, 1, 8, 1, 8, 1};
  const auto dep = pool_spec(run_of("deepseek-v3", "h200"), dep8, catalog);
  ASSERT_TRUE(dep.spec) << dep.uncovered;
  EXPECT_EQ(dep.spec->attention_dp, 8);
  EXPECT_EQ(dep.spec->moe_ep, 8);
  EXPECT_EQ(dep.spec->moe_tp_size(), 1);
  EXPECT_EQ(dep.spec->gpus(), 8);
  // Experts that do not tile the pool's GPUs (TP 8, 1 x 4 expert groups), and pipeline stages,
  // are not modeled.
  for (DisaggPoolLayout odd :
       {DisaggPoolLayout{1, 8, 1, 1, 1, 4, 1}, DisaggPoolLayout{1, 8, 2, 1, 0, 1, 1}})
    EXPECT_NE(pool_spec(run_of("deepseek-v3", "h200"), odd, catalog)
                  .uncovered.find("parallelism not modeled"),
              std::string::npos);
  DisaggPoolLayout no_workers{0, 8};
  EXPECT_EQ(pool_spec(run_of("deepseek-v3", "h200"), no_workers, catalog).uncovered,
            "worker count or TP not recorded");
  // A dense model's pool maps its TP and dtypes as given.
  auto dense = pool_spec(run_of("qwen3-32b", "h100-sxm"), {1, 2, 1, 1, 0, 0, 1}, catalog);
  ASSERT_TRUE(dense.spec);
  EXPECT_EQ(dense.spec->tp, 2);
  EXPECT_EQ(dense.spec->weights_dtype, Dtype::fp8);
  EXPECT_EQ(dense.spec->engine, "trtllm");

  const std::vector<DisaggRun> runs = {run_of("qwen3-32b", "h100-sxm"), run_of("nope", "h200"),
                                       run_of("qwen3-32b", "nope"),
                                       run_of("qwen3-32b", "h100-sxm")};
  std::vector<DisaggRun> adjusted = runs;
  for (auto& r : adjusted) r.prefill = r.decode = {1, 2, 1, 1, 0, 0, 1};
  adjusted[3].concurrency = 0;
  const DisaggValidation v = validate_disagg(adjusted, catalog, Profile{});
  EXPECT_EQ(v.converted, 4);
  EXPECT_EQ(v.covered, 1);
  EXPECT_EQ(v.uncovered.at("unknown model"), 1);
  EXPECT_EQ(v.uncovered.at("unknown GPU"), 1);
  EXPECT_EQ(v.uncovered.at("no concurrency recorded"), 1);
  ASSERT_EQ(v.rows.size(), 1u);
  EXPECT_NEAR(v.rows[0].ttft_error_pct, (v.rows[0].predicted.ttft_ms - 100) / 100 * 100, 1e-9);
}

TEST(DisaggValidate, OneClientIsOnePrefillThenSoloDecodes) {
  // One client, one worker each: nothing queues, the decode batch is one sequence, so TPOT is the
  // decode-only step of one sequence at context isl + osl / 2, and TTFT is the lone prompt's
  // open-loop TTFT at the client's own rate plus the NVLink transfer (one host).
  const Catalog catalog = builtin_catalog();
  DisaggRun r = run_of("qwen3-32b", "h100-sxm");
  r.concurrency = 1;
  r.prefill = r.decode = {1, 2, 1, 1, 0, 0, 1};
  const ReplicaSpec spec = *pool_spec(r, r.prefill, catalog).spec;
  const KvLink link = link_for_run(r, spec);
  EXPECT_EQ(link.name, "nvlink");
  const DisaggPrediction p = predict_disagg_run(r, spec, spec, Profile{}, link);
  const RooflineModel model(spec, efficiency_for(Profile{}, spec.gpu.name, spec.engine));
  const DecodeOnlyModel decode(model);
  EXPECT_NEAR(p.tpot_ms, decode.step(StepWork::decoding(1, 1024 + 128)).total_s * 1e3, 1e-6);
  EXPECT_FALSE(p.prefill_saturated);
  const double alone = model.step(StepWork{}.with_prefill(1024, 1, 1024)).total_s * 1e3;
  EXPECT_GE(p.ttft_ms, alone);  // at least the lone prompt's step
  EXPECT_LT(p.ttft_ms, 1.2 * alone + 1);
}

TEST(DisaggValidate, ReaderKeepsRowsAndNamesBadLines) {
  const std::string dir = testing::temp_dir("disagg-runs");
  const std::string header =
      "id,model,gpu,engine,engine_version,weights_dtype,kv_dtype,isl,osl,concurrency,"
      "prefill_workers,prefill_tp,prefill_pp,prefill_attention_dp,prefill_moe_tp,prefill_moe_ep,"
      "prefill_batch,decode_workers,decode_tp,decode_pp,decode_attention_dp,decode_moe_tp,"
      "decode_moe_ep,decode_batch,ttft_ms,tpot_ms,latency_stat,source\n";
  testing::write_text(dir + "/ok.csv",
                      header +
                          "a,deepseek-v3,h200,trtllm,1.0,fp8,fp8,1024,1024,36,1,8,1,1,1,8,1,9,8,1,"
                          "1,1,8,4,673.2,13.39,mean,x\n"
                          "b,glm-5,gb200,trtllm,1.0,fp4,fp8,8192,1024,,,4,1,1,1,4,1,,8,1,1,1,8,"
                          ",500,10,mean,y\n");
  auto runs = io::read_disagg_runs(dir + "/ok.csv");
  ASSERT_TRUE(runs.has_value()) << runs.error().message;
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].decode.workers, 9);
  EXPECT_EQ((*runs)[0].decode.moe_ep, 8);
  EXPECT_EQ((*runs)[0].concurrency, 36);
  EXPECT_EQ((*runs)[1].concurrency, 0);
  EXPECT_EQ((*runs)[1].prefill.workers, 0);
  EXPECT_EQ((*runs)[1].weights_dtype, Dtype::fp4);
  testing::write_text(dir + "/bad.csv",
                      header +
                          "a,deepseek-v3,h200,trtllm,1.0,fp8,fp8,1024,abc,36,1,8,1,1,1,8,1,9,8,1,"
                          "1,1,8,4,673.2,13.39,mean,x\n");
  auto bad = io::read_disagg_runs(dir + "/bad.csv");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("bad.csv:2: osl"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace fleetsizer
