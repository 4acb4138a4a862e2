#pragma once
// One serving replica under continuous batching, modeled on vLLM's V1 scheduler: running requests
// first (one decode token each, then unfinished prompt chunks), then waiting requests admitted
// first-come first-served while there is token budget, a free running slot and KV blocks; paged
// KV in 16-token blocks; when a decode needs a block and none is free, the most recently admitted
// request is preempted and recomputed later; prefix-cache hits skip prompt work.
//
// Between events that change the batch (an arrival, a finish, a block shortage) consecutive decode
// steps differ only in context length, and a step's time is linear in context (every term of the
// roofline is either constant or proportional to the KV read), so k steps take
// k f0 + d k (k - 1) / 2 exactly: the replica jumps over them in one event.
#include <cstdint>
#include <deque>
#include <list>
#include <unordered_map>
#include <vector>

#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/sim/histogram.h"
#include "fleetsizer/workload/request.h"

namespace fleetsizer {

// What the scheduler needs beyond the step-time model (whose token_budget() is the chunked-prefill
// budget). Built from a ReplicaSpec and its Footprint by replica_options(); tests may set the
// numbers by hand.
struct ReplicaOptions {
  std::int64_t max_num_seqs = 256;
  std::int64_t kv_blocks = 0;  // total KV blocks of block_tokens tokens
  std::int64_t block_tokens = 16;
  double prefix_hit_rate = 0;  // fraction of each prompt found in the prefix cache (no hash ids)
  std::int64_t prefix_block_tokens = 512;  // tokens per hash id (Mooncake)
  bool closed_form = true;                 // false: advance one step per event (reference mode)
  // true (vLLM, TensorRT-LLM): decodes and prompt chunks share a step. false (SGLang without
  // --enable-mixed-chunk): prefill first, a step with prompt work carries no decodes, and the
  // running requests decode only in steps without prompt work.
  bool mixed_batches = true;
};

// The one place a replica's scheduler limits are derived: the engine's max_num_seqs, the
// footprint's KV blocks, and whether the engine mixes prefill and decode in a step (not SGLang).
ReplicaOptions replica_options(const ReplicaSpec& spec, const Footprint& footprint);

struct FinishedRequest {
  std::uint64_t id = 0;
  double arrival_s = 0, admitted_s = 0, first_token_s = 0, finish_s = 0;
  std::int64_t input_tokens = 0, output_tokens = 0, cached_tokens = 0;
  int preemptions = 0;
  int replica = 0;
};

// Tokens one step gave one request (for streaming them in real time).
struct TokenEmission {
  std::uint64_t id = 0;
  std::int64_t tokens = 0;
  bool finished = false;
};

struct ReplicaStats {
  double busy_s = 0;
  double kv_block_seconds = 0;  // integral of used blocks over time
  std::int64_t steps = 0;
  std::int64_t events = 0;
  std::int64_t preemptions = 0;
  // Requests that can never finish on this replica: the prompt, or prompt plus output, needs more
  // blocks than the whole KV cache (preempting everything else would not make room).
  std::int64_t rejected = 0;
  std::int64_t rejected_max_tokens = 0;  // the longest rejected sequence (prompt + output)
  std::int64_t prefix_hit_tokens = 0;
  std::int64_t prompt_tokens = 0;
};

class ReplicaSim {
 public:
  ReplicaSim(const StepTimeModel& model, ReplicaOptions options, int index);

  void enqueue(const Request& request, double now);
  bool busy() const { return busy_; }
  double step_end() const { return step_end_; }
  // Plans the next step (or jump of decode steps) starting at `now`; false when there is no work.
  bool start(double now);
  // An arrival at `now` during a jump: end the jump at the first step boundary at or after `now`.
  void interrupt(double now);
  // Applies the step that ends at step_end(): tokens, finishes (appended to `done`), ITL samples.
  void complete(std::vector<FinishedRequest>& done, Histogram& itl_ms);
  // When set, complete() also appends every request's new tokens of the step.
  void set_token_sink(std::vector<TokenEmission>* sink) { token_sink_ = sink; }

  // A waiting request could join the batch at the next step boundary (a free running slot).
  bool can_admit() const {
    return static_cast<std::int64_t>(running_.size()) < options_.max_num_seqs;
  }
  std::int64_t outstanding() const {
    return static_cast<std::int64_t>(waiting_.size() + running_.size());
  }
  std::int64_t waiting() const { return static_cast<std::int64_t>(waiting_.size()); }
  std::int64_t running() const { return static_cast<std::int64_t>(running_.size()); }
  std::int64_t used_blocks() const { return options_.kv_blocks - free_blocks_; }
  const ReplicaStats& stats() const { return stats_; }
  const ReplicaOptions& options() const { return options_; }

 private:
  struct Seq {
    Request request;
    std::int64_t prefill_target = 0, prefilled = 0, kv = 0, generated = 0, blocks = 0, cached = 0;
    double admitted_s = -1, first_token_s = -1;
    int preemptions = 0;
  };
  struct Chunk {
    int seq;
    std::int64_t tokens;
  };

  int allocate_seq(const Request& r);
  void release(int seq);
  bool in_decode(const Seq& s) const;
  std::int64_t blocks_for(std::int64_t tokens) const;
  bool grow(Seq& s, std::int64_t tokens);
  void preempt_latest();
  std::int64_t cached_prefix(const Request& r);
  double jump_duration(std::int64_t k) const;

  const StepTimeModel& model_;
  std::int64_t token_budget_;
  ReplicaOptions options_;
  int index_;
  std::vector<Seq> pool_;
  std::vector<int> free_seqs_;
  std::deque<int> waiting_;
  std::vector<int> running_;  // in admission order
  std::int64_t free_blocks_;
  // The planned step (or jump).
  bool busy_ = false;
  double step_start_ = 0, step_end_ = 0;
  std::int64_t jump_steps_ = 0;  // > 0: a decode jump of this many steps
  double jump_f0_ = 0, jump_d_ = 0;
  std::vector<int> decodes_;
  std::vector<Chunk> chunks_;
  // Prefix cache: LRU of hash ids.
  std::list<std::uint64_t> lru_;
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> cached_;
  std::size_t cache_capacity_ = 0;
  ReplicaStats stats_;
  std::vector<TokenEmission>* token_sink_ = nullptr;
};

}  // namespace fleetsizer
