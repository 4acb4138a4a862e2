#pragma once
// Measured ablations: throughput measured at several stack states (sets of levers on one model and
// GPU), turned into measured factors and compared with the multiplicative estimate. For a state S
// with isolated factors f_i = m({i}) / m({}) for every i in S, the product prod f_i is what the
// seed calculator would predict; the measured combined factor F_S = m(S) / m({}) differs from it
// by the gap F_S / prod f_i - 1: above zero the levers compounded, below zero they interfered.
// Each state's factor is also predicted by the mechanistic stack (mech_stack.h) at the measured
// operating point, so the model's interactions can be checked against the measured ones.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/fleet/mech_stack.h"

namespace fleetsizer {

struct AblationRow {
  std::string origin;     // file:line
  std::string stage;      // as written
  std::uint32_t set = 0;  // levers of the stage beyond the baseline (bits into levers)
  int num_gpus = 1;
  double output_tok_s = 0;  // of the whole replica
  double isl = 0, osl = 0;
  std::optional<double> concurrency;  // closed loop; unset: offline (the largest batch that fits)
  std::string source;
  double per_gpu_tok_s() const { return output_tok_s / num_gpus; }
};

// One ablation: rows of one model on one GPU with the same baseline.
struct AblationGroup {
  std::string key;       // "model/gpu"
  MechStackInput stack;  // the model, GPU and lengths; levers = baseline levers then stage levers
  std::uint32_t base_set = 0;  // levers present in every stage (the measured baseline's)
  std::vector<AblationRow> rows;
};

struct AblationStateResult {
  std::string stage;
  std::uint32_t set = 0;
  double measured_tok_s_per_gpu = 0;
  double measured_factor = 1;                 // vs the baseline stage
  std::optional<double> product_of_isolated;  // when every lever of the set was measured alone
  std::optional<double> gap;                  // measured / product - 1
  std::optional<double> predicted_tok_s_per_gpu;
  std::optional<double> predicted_factor;
  std::optional<double> predicted_gap;  // the model's own combined / product - 1
};

struct AblationPair {
  std::string a, b;
  double measured_interaction = 1;  // F_ab / (f_a f_b)
  std::optional<double> predicted_interaction;
};

// One lever's marginal factor where both S and S without it were measured: m(S) / m(S - lever).
struct AblationMarginal {
  std::string lever;
  std::string from_stage, to_stage;
  double measured_factor = 1;
  std::optional<double> predicted_factor;
};

struct AblationResult {
  std::string key;
  std::string baseline_stage;
  std::vector<std::string> lever_names;  // stage levers (not the baseline's)
  std::vector<AblationStateResult> states;
  std::vector<AblationPair> pairs;
  std::vector<AblationMarginal> marginals;  // for stages of two or more levers
  std::vector<std::string> sources;
};

Result<AblationResult> compare_ablation(const AblationGroup& group);

}  // namespace fleetsizer
