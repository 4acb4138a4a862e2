#pragma once
// The mechanistic lever stack: each optimization is a named change to the replica (its spec, its
// step-time model or its scheduler), not a typed-in factor. After every lever the footprint, the
// GPUs per replica, the SLO-limited q, the replicas and the cost are recomputed by the plan layer,
// so that interactions (an FP8 KV cache raises the batch, which pushes decode toward the compute
// bound, which shrinks what the next lever gives) fall out of the model. docs/model.md, "The
// mechanistic lever stack", states every lever's terms and sources.
//
// The transformations set distinct fields of one state, so they commute: the state, and so the
// cost, after a set of levers does not depend on the order they were applied in. Order matters
// only for the marginal credit each lever gets in a given sequence. Hence every distinct *set* is
// evaluated once (2^n states, cached by bit mask) and every ordering (n!) is a walk through the
// lattice of sets; the Shapley value of a lever is its marginal saving averaged over orderings.
//
// With `interactions` off the stack is the seed calculator's: each lever's isolated factors on q
// and on GPUs per replica (measured against the baseline) multiply, and the cost is the continuous
// Q / q x g x price, so the order cannot matter and the log-Shapley factor of a lever is its own
// isolated factor.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/catalog/model.h"
#include "fleetsizer/error.h"
#include "fleetsizer/plan/evaluate.h"
#include "fleetsizer/plan/scenario.h"

namespace fleetsizer {

enum class LeverKind {
  weights_dtype,    // store and stream the weights in `dtype` (fp8/int8 use low-precision GEMMs)
  kv_dtype,         // store and read the KV cache in `dtype`
  paged_kv,         // allocate KV in blocks as sequences grow instead of max_model_len up front
  fused_attention,  // FlashAttention: no materialized score matrix in HBM
  continuous_batching,  // iteration-level scheduling instead of static padded batches
  compiled,             // CUDA graphs / torch.compile: no per-kernel CPU launch cost
  speculative,          // a draft model proposes `draft_tokens`, the target verifies them at once
  prefix_cache,         // a fraction of every prompt is found in the prefix cache
  distill,              // a smaller architecture (pruned or distilled) replaces the model
};
std::string_view lever_kind_name(LeverKind kind);

struct MechLever {
  LeverKind kind = LeverKind::weights_dtype;
  std::string name;                // label in the table ("weights int8")
  Dtype dtype = Dtype::int8;       // weights_dtype, kv_dtype
  double prefix_hit_rate = 0.5;    // prefix_cache
  int draft_tokens = 4;            // speculative: k tokens proposed per verification
  double acceptance = 0.7;         // speculative: probability each proposed token is accepted
  std::optional<ModelSpec> model;  // speculative: the draft; distill: the smaller model
};

// Constants of the baseline's inefficiencies (docs/model.md gives their sources).
struct LeverConstants {
  // Eager PyTorch: every kernel is launched from Python; a Llama decoder layer runs about 12
  // kernels (2 norms, QKV, rotary, cache write, attention, O, gate-up, activation, down, 2
  // residual adds) at a few microseconds of CPU each that the GPU waits for at small batches.
  double eager_kernels_per_layer = 12;
  double eager_launch_us = 4.0;
  // Materialized attention writes the fp16 score matrix S, reads it for the softmax, writes P
  // and reads it for P V: 4 x 2 bytes per (query, key, head) that FlashAttention keeps on chip.
  double materialized_bytes_per_score = 8;
};

struct MechStackInput {
  Scenario scenario;  // model, GPU, workload, SLO, Q, prices; its dtypes are replaced by the
                      // baseline's (fp16 weights and KV, contiguous KV, static, eager)
  std::vector<MechLever> levers;
  bool interactions = true;
  // Verify q with the discrete-event simulator for the states of the shown order (n + 1 states);
  // the other states and every static-batching state use the analytic q.
  bool simulate = false;
  QSearchOptions search;
  LeverConstants constants;
};

enum class QMethod { analytic_static, analytic, simulated, product };
std::string_view q_method_name(QMethod m);

// One set of levers, evaluated.
struct StackState {
  std::uint32_t set = 0;  // bit i: lever i applied
  bool fits = false;
  bool feasible = false;  // fits and some rate meets the SLO
  int gpus = 0;           // per replica (tp x pp)
  double weights_gb = 0;  // per replica, as stored
  double kv_bytes_per_token = 0;
  std::int64_t kv_capacity_tokens = 0;
  std::int64_t running_cap = 0;  // sequences that can run at isl + osl (static: the batch)
  double decode_step_ms = 0;     // one decode step at the reference batch (see row docs)
  double tokens_per_step = 1;    // output tokens per sequence per step (speculative > 1)
  double prefill_ms = 0;         // one prompt of isl tokens prefilled alone
  bool continuous = false;       // iteration-level scheduling (else static batches)
  double q_rps = 0;
  QMethod q_method = QMethod::analytic;
  std::string binding;  // what limits q
  std::int64_t replicas = 0;
  std::int64_t hosts = 0;
  double usd_per_replica_hour = 0;
  double usd_per_hour = 0;
};

// Which term of the fleet equation C = ceil(Q / q) x c, and of the replica behind q, a lever moved.
enum class Term {
  gpus_per_replica,
  running_cap,
  step_time,
  tokens_per_step,
  prefill_time,
  batching,
  none
};
std::string_view term_name(Term t);

struct MechRow {
  std::string label;
  StackState state;
  double q_factor = 1;  // marginal: q after / q before this lever
  double c_factor = 1;  // marginal: replica cost after / before
  double usd_factor = 1;
  std::vector<Term> moved;  // terms that changed, the biggest relative change first
};

struct MechOrder {
  std::vector<std::size_t> sequence;  // lever indices
  double final_usd_per_hour = 0;
  std::vector<double> saved_usd_per_hour;  // per lever index: its marginal saving in this order
};

struct ShapleyValue {
  std::string lever;
  double usd_per_hour_saved = 0;
  // exp(average marginal change of log cost): the lever's multiplicative effect on cost,
  // averaged over orderings; equal to its isolated factor when levers do not interact.
  double cost_factor = 1;
  double min_saved_usd_per_hour = 0;  // its smallest and largest marginal saving over orderings
  double max_saved_usd_per_hour = 0;
};

struct MechStackResult {
  std::vector<MechLever> levers;
  bool interactions = true;
  std::vector<StackState> states;  // indexed by set bit mask (2^n)
  std::vector<MechRow> rows;       // baseline, then the levers in the given order
  std::vector<MechOrder> orders;   // every ordering (n <= 8), lexicographic
  std::size_t best = 0, worst = 0;
  double spread_usd_per_hour = 0;
  bool all_feasible = false;  // Shapley needs a finite cost for every set
  std::vector<ShapleyValue> shapley;
  double total_usd_per_hour_saved = 0;
  double elapsed_ms = 0;  // not part of results compared in tests
};

// The seed's baseline applied to a spec: fp16 weights and KV, contiguous KV reserving the context.
ReplicaSpec baseline_spec(const ReplicaSpec& spec, std::int64_t context_tokens);

// Evaluates one set of levers (bit i of `set` = lever i applied).
Result<StackState> evaluate_lever_set(const MechStackInput& in, std::uint32_t set, bool simulate);

// The whole stack: every set, the given order's rows, every ordering and the Shapley values.
Result<MechStackResult> evaluate_mech_stack(const MechStackInput& in);

// Predicted per-GPU output tokens/s of a set of levers at an operating point of fixed lengths:
// closed loop at `concurrency`, or offline when unset (static batching: the largest batch that
// fits; continuous: the largest stable rate). The replica uses `num_gpus` GPUs as TP.
Result<double> predicted_tok_s_per_gpu(const MechStackInput& in, std::uint32_t set, int num_gpus,
                                       double isl, double osl, std::optional<double> concurrency);

// q of a replica under static batching (docs/model.md 2b): requests arriving while a batch runs
// form the next one (at most `batch_cap`), padded to the longest; the largest rate at which every
// target holds, by bisection. `binding` names the target (or "capacity") that fails just above q.
struct StaticBatchingQ {
  bool feasible = false;
  double q_rps = 0;
  std::string binding;
};
StaticBatchingQ static_batching_q(const StepTimeModel& model, const Workload& workload,
                                  const std::vector<SloTarget>& slo, double batch_cap);

// Shapley values of a game over n players from the value of every coalition (indexed by bit
// mask): phi_i = sum over S not containing i of |S|! (n - |S| - 1)! / n! (v(S + i) - v(S)).
std::vector<double> shapley_values(const std::vector<double>& value, std::size_t n);

}  // namespace fleetsizer
