#pragma once
// Validation of the disaggregated model on measured prefill/decode deployments (AIConfigurator's
// disaggregated silicon runs, data/measurements/aiconfigurator-disagg.csv). A run is C closed-loop
// clients over Np prefill workers and Nd decode workers; its measured mean TTFT and TPOT are
// predicted by a fixed point over the two pools' models:
//   decode: the C x (osl - 1) TPOT / E2E clients decoding share the Nd workers evenly; TPOT is the
//     DecodeOnlyModel step at that batch and a mean context of isl + osl / 2;
//   prefill: throughput X = C / E2E reaches each prefill worker as X / Np Poisson arrivals; TTFT
//     is the open-loop mean TTFT of a one-token request there plus the KV transfer; when the
//     prefill workers cannot keep up, clients wait for them and TTFT = C / X - (osl - 1) TPOT at
//     the prefill pool's capacity.
// Coverage is decided at run time by catalog lookup: a row is covered when its model and GPU are in
// the catalog and its pools' layouts are ones ReplicaSpec models (pool_spec says which not).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/disagg/link.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/validation.h"
#include "fleetsizer/plan/replica_spec.h"

namespace fleetsizer {

struct DisaggPoolLayout {
  int workers = 0, tp = 1, pp = 1, attention_dp = 1, moe_tp = 0, moe_ep = 0, batch = 0;
};

struct DisaggRun {
  std::string id;
  std::string model, gpu, engine, engine_version;
  Dtype weights_dtype = Dtype::fp8, kv_dtype = Dtype::fp8;
  std::string weights_name;  // as written (an unknown dtype is an uncovered reason)
  double isl = 0, osl = 0;
  std::int64_t concurrency = 0;  // 0: not recorded
  DisaggPoolLayout prefill, decode;
  double ttft_ms = 0, tpot_ms = 0;  // measured means
  int line = 0;
};

// The ONE mapping of a measured pool to a ReplicaSpec: the catalog model and GPU, the pool's TP
// and dtypes, the engine's default limits. Expert and attention-data parallelism are not in
// ReplicaSpec yet: a pool whose experts are split other than over its TP group (moe_ep x moe_tp
// != tp), or whose attention runs data-parallel, or which is pipelined, is not modeled.
struct PoolSpecResult {
  std::optional<ReplicaSpec> spec;
  std::string uncovered;  // "unknown model", "unknown GPU", "parallelism not modeled", ...
};
PoolSpecResult pool_spec(const DisaggRun& run, const DisaggPoolLayout& pool,
                         const Catalog& catalog);

struct DisaggPrediction {
  double ttft_ms = 0, tpot_ms = 0;
  bool prefill_saturated = false;
};
DisaggPrediction predict_disagg_run(const DisaggRun& run, const ReplicaSpec& prefill,
                                    const ReplicaSpec& decode, const Profile& profile,
                                    const KvLink& link);

struct DisaggValidationRow {
  const DisaggRun* run = nullptr;
  DisaggPrediction predicted;
  double ttft_error_pct = 0, tpot_error_pct = 0;  // (predicted - measured) / measured
};

struct DisaggValidation {
  std::int64_t converted = 0, covered = 0;
  std::map<std::string, std::int64_t> uncovered;  // reason -> rows
  std::vector<DisaggValidationRow> rows;
  ErrorSummary ttft, tpot;  // over the covered rows
};

// The link between the pools: an NVLink domain on GB200/GB300 (NVL72) and inside one 8-GPU host,
// InfiniBand otherwise.
KvLink link_for_run(const DisaggRun& run, const ReplicaSpec& prefill);

DisaggValidation validate_disagg(const std::vector<DisaggRun>& runs, const Catalog& catalog,
                                 const Profile& profile);

}  // namespace fleetsizer
