#include "fleetsizer/sim/replica.h"

#include <algorithm>
#include <cmath>

namespace fleetsizer {

ReplicaOptions replica_options(const ReplicaSpec& spec, const Footprint& footprint) {
  ReplicaOptions o;
  o.max_num_seqs = spec.limits.max_num_seqs;
  o.kv_blocks = footprint.kv_blocks;
  o.block_tokens = footprint.kv_block_tokens;
  // SGLang's scheduler runs a prefill batch whenever a prompt can be admitted and pauses the
  // decodes meanwhile (enable_mixed_chunk is off by default).
  o.mixed_batches = spec.engine != "sglang";
  return o;
}

ReplicaSim::ReplicaSim(const StepTimeModel& model, ReplicaOptions options, int index)
    : model_(model),
      token_budget_(static_cast<std::int64_t>(model.token_budget())),
      options_(options),
      index_(index),
      free_blocks_(options.kv_blocks) {
  // The closed-form decode jump is exact only for a step time affine in the context.
  if (!model.linear_in_context()) options_.closed_form = false;
  cache_capacity_ = static_cast<std::size_t>(
      std::max<std::int64_t>(0, options_.kv_blocks * options_.block_tokens /
                                    std::max<std::int64_t>(1, options_.prefix_block_tokens)));
}

int ReplicaSim::allocate_seq(const Request& r) {
  int idx;
  if (!free_seqs_.empty()) {
    idx = free_seqs_.back();
    free_seqs_.pop_back();
  } else {
    idx = static_cast<int>(pool_.size());
    pool_.emplace_back();
  }
  Seq& s = pool_[idx];
  s = Seq{};
  s.request = r;
  s.prefill_target = r.input_tokens;
  return idx;
}

void ReplicaSim::release(int seq) {
  free_blocks_ += pool_[seq].blocks;
  pool_[seq].blocks = 0;
  pool_[seq].request.hash_ids.clear();
  free_seqs_.push_back(seq);
}

bool ReplicaSim::in_decode(const Seq& s) const {
  return s.prefilled >= s.prefill_target && s.generated >= 1 &&
         s.generated < s.request.output_tokens;
}

std::int64_t ReplicaSim::blocks_for(std::int64_t tokens) const {
  return (tokens + options_.block_tokens - 1) / options_.block_tokens;
}

bool ReplicaSim::grow(Seq& s, std::int64_t tokens) {
  const std::int64_t need = blocks_for(tokens) - s.blocks;
  if (need <= 0) return true;
  if (need > free_blocks_) return false;
  free_blocks_ -= need;
  s.blocks += need;
  return true;
}

void ReplicaSim::preempt_latest() {
  const int victim = running_.back();
  running_.pop_back();
  Seq& s = pool_[victim];
  free_blocks_ += s.blocks;
  s.blocks = 0;
  // Recompute: the KV built so far (prompt and generated tokens but the last) is prefilled again.
  s.prefill_target = s.kv;
  s.prefilled = 0;
  s.kv = 0;
  ++s.preemptions;
  ++stats_.preemptions;
  waiting_.push_front(victim);
}

std::int64_t ReplicaSim::cached_prefix(const Request& r) {
  std::int64_t cached = 0;
  if (!r.hash_ids.empty() && cache_capacity_ > 0) {
    std::int64_t hits = 0;
    for (auto h : r.hash_ids) {
      if (!cached_.contains(h)) break;
      ++hits;
    }
    for (auto h : r.hash_ids) {  // touch or insert, most recent last
      if (auto it = cached_.find(h); it != cached_.end()) {
        lru_.splice(lru_.end(), lru_, it->second);
      } else {
        lru_.push_back(h);
        cached_[h] = std::prev(lru_.end());
        if (cached_.size() > cache_capacity_) {
          cached_.erase(lru_.front());
          lru_.pop_front();
        }
      }
    }
    cached = hits * options_.prefix_block_tokens;
  } else if (options_.prefix_hit_rate > 0) {
    cached = static_cast<std::int64_t>(
        std::floor(options_.prefix_hit_rate * static_cast<double>(r.input_tokens)));
  }
  // At least one prompt token is always computed (it produces the first output token).
  return std::clamp<std::int64_t>(cached, 0, r.input_tokens - 1);
}

void ReplicaSim::enqueue(const Request& r, double /*now*/) {
  waiting_.push_back(allocate_seq(r));
}

double ReplicaSim::jump_duration(std::int64_t k) const {
  const double kk = static_cast<double>(k);
  return kk * jump_f0_ + jump_d_ * kk * (kk - 1) / 2;
}

bool ReplicaSim::start(double now) {
  decodes_.clear();
  chunks_.clear();
  jump_steps_ = 0;
  // Closed form: only decodes, and nothing waiting can join (no request waits, or every running
  // slot is taken), so the batch stays the same until a finish or a block shortage.
  // One pass: are all running sequences decoding, the fewest tokens any has left, the context sum.
  bool all_decoding =
      options_.closed_form && (waiting_.empty() || !can_admit()) && !running_.empty();
  std::int64_t k = INT64_MAX;
  double context = 0;
  for (std::size_t pos = 0; all_decoding && pos < running_.size(); ++pos) {
    const Seq& s = pool_[running_[pos]];
    all_decoding = in_decode(s);
    k = std::min(k, s.request.output_tokens - s.generated);
    context += static_cast<double>(s.kv + 1);
  }
  if (all_decoding) {
    // The most steps whose new blocks the free pool covers (monotone in k: bisection). A sequence
    // needs at most ceil(k / block) + 1 new blocks in k steps, so the exact count is only needed
    // when the pool is nearly empty.
    auto blocks_needed = [&](std::int64_t steps) {
      std::int64_t need = 0;
      for (int i : running_) need += blocks_for(pool_[i].kv + steps) - pool_[i].blocks;
      return need;
    };
    const std::int64_t bound = static_cast<std::int64_t>(running_.size()) *
                               ((k + options_.block_tokens - 1) / options_.block_tokens + 1);
    if (bound > free_blocks_ && blocks_needed(k) > free_blocks_) {
      std::int64_t lo = 0, hi = k;
      while (hi - lo > 1) {
        const std::int64_t mid = (lo + hi) / 2;
        (blocks_needed(mid) <= free_blocks_ ? lo : hi) = mid;
      }
      k = lo;
    }
    if (k >= 2) {
      StepWork w;
      w.decode_seqs = static_cast<double>(running_.size());
      w.decode_context = context;
      jump_f0_ = model_.step(w).total_s;
      w.decode_context += w.decode_seqs;
      jump_d_ = model_.step(w).total_s - jump_f0_;
      jump_steps_ = k;
      decodes_ = running_;
      busy_ = true;
      step_start_ = now;
      step_end_ = now + jump_duration(k);
      ++stats_.events;
      return true;
    }
  }

  std::int64_t budget = token_budget_;
  const std::int64_t preemptions_before = stats_.preemptions;
  StepWork w;
  // 1. Decodes of running requests, preempting the latest admitted when blocks run out.
  auto schedule_decodes = [&] {
    for (std::size_t pos = 0; pos < running_.size() && budget > 0; ++pos) {
      const int i = running_[pos];
      Seq& s = pool_[i];
      if (!in_decode(s)) continue;
      bool ok = grow(s, s.kv + 1);
      while (!ok && running_.back() != i) {
        preempt_latest();
        ok = grow(s, s.kv + 1);
      }
      if (!ok) {  // it is itself the latest: preempt it
        preempt_latest();
        break;
      }
      decodes_.push_back(i);
      w.decode_context += static_cast<double>(s.kv + 1);
      --budget;
    }
  };
  // Without mixed batches, prompt work (an unfinished chunk, or a waiting request that could be
  // admitted) goes first and the step carries no decodes.
  bool prefill_only = false;
  if (!options_.mixed_batches) {
    prefill_only = !waiting_.empty() && can_admit();
    for (std::size_t pos = 0; !prefill_only && pos < running_.size(); ++pos)
      prefill_only = pool_[running_[pos]].prefilled < pool_[running_[pos]].prefill_target;
  }
  if (!prefill_only) schedule_decodes();
  // 2. Unfinished prompt chunks of running requests, then 3. waiting requests, first come first
  // served.
  auto schedule_chunk = [&](int i) -> bool {
    Seq& s = pool_[i];
    std::int64_t chunk = std::min(s.prefill_target - s.prefilled, budget);
    const std::int64_t room = (s.blocks + free_blocks_) * options_.block_tokens - s.kv;
    chunk = std::min(chunk, room);
    if (chunk <= 0) return false;
    grow(s, s.kv + chunk);
    chunks_.push_back({i, chunk});
    w.prefill_attended += static_cast<double>(chunk) *
                          (static_cast<double>(s.prefilled) + static_cast<double>(chunk) / 2);
    budget -= chunk;
    return true;
  };
  for (int i : running_) {
    if (budget <= 0) break;
    const Seq& s = pool_[i];
    if (s.prefilled < s.prefill_target)
      schedule_chunk(i);  // (a decoding sequence has its prompt done)
  }
  // As vLLM's scheduler does, a step that had to preempt admits nobody new.
  const bool preempted = stats_.preemptions > preemptions_before;
  while (!preempted && !waiting_.empty() && budget > 0 &&
         static_cast<std::int64_t>(running_.size()) < options_.max_num_seqs) {
    const int i = waiting_.front();
    Seq& s = pool_[i];
    // Can never fit: the prompt (plus the first token's slot), or the whole sequence at its last
    // decode (prompt + output - 1 tokens of KV), needs more blocks than the cache has. Admitting
    // it would preempt itself for ever, neither finished nor rejected.
    const std::int64_t whole = s.request.input_tokens + s.request.output_tokens - 1;
    if (blocks_for(std::max(s.prefill_target + 1, whole)) > options_.kv_blocks) {
      waiting_.pop_front();
      ++stats_.rejected;
      stats_.rejected_max_tokens =
          std::max(stats_.rejected_max_tokens, s.request.input_tokens + s.request.output_tokens);
      release(i);
      continue;
    }
    if (s.admitted_s < 0) {
      s.cached = cached_prefix(s.request);
      s.admitted_s = now;
      stats_.prefix_hit_tokens += s.cached;
      stats_.prompt_tokens += s.request.input_tokens;
      s.prefilled = s.kv = s.cached;
      if (!grow(s, s.kv)) {  // the cached prefix itself needs blocks
        s.prefilled = s.kv = 0;
        s.cached = 0;
      }
    }
    if (s.prefill_target - s.prefilled > 0 &&
        (s.blocks + free_blocks_) * options_.block_tokens - s.kv <= 0)
      break;
    waiting_.pop_front();
    running_.push_back(i);
    if (!schedule_chunk(i) && s.prefilled < s.prefill_target) break;
  }
  if (prefill_only && chunks_.empty()) schedule_decodes();  // no prompt could be placed
  if (decodes_.empty() && chunks_.empty()) {
    if (!running_.empty()) {
      // Partial prompts hold every block and none can grow: free the latest and try again.
      preempt_latest();
      return start(now);
    }
    busy_ = false;
    return false;
  }
  for (const auto& c : chunks_) w.prefill_tokens += static_cast<double>(c.tokens);
  w.prefill_seqs = static_cast<double>(chunks_.size());
  w.decode_seqs = static_cast<double>(decodes_.size());
  jump_f0_ = model_.step(w).total_s;
  jump_d_ = 0;
  busy_ = true;
  step_start_ = now;
  step_end_ = now + jump_f0_;
  ++stats_.events;
  return true;
}

void ReplicaSim::interrupt(double now) {
  if (!busy_ || jump_steps_ < 2 || now >= step_end_) return;
  const double elapsed = now - step_start_;
  // Smallest k >= 1 with k f0 + d k (k - 1) / 2 >= elapsed.
  std::int64_t k;
  if (std::abs(jump_d_) < 1e-18) {
    k = static_cast<std::int64_t>(std::ceil(elapsed / jump_f0_));
  } else {
    const double a = jump_d_ / 2, b = jump_f0_ - jump_d_ / 2;
    k = static_cast<std::int64_t>(std::ceil((-b + std::sqrt(b * b + 4 * a * elapsed)) / (2 * a)));
  }
  k = std::clamp<std::int64_t>(k, 1, jump_steps_);
  while (k > 1 && jump_duration(k - 1) >= elapsed) --k;  // guard against round-off in the root
  while (k < jump_steps_ && jump_duration(k) < elapsed) ++k;
  jump_steps_ = k;
  step_end_ = step_start_ + jump_duration(k);
}

void ReplicaSim::complete(std::vector<FinishedRequest>& done, Histogram& itl_ms) {
  const double t = step_end_;
  const double duration = t - step_start_;
  stats_.busy_s += duration;
  stats_.kv_block_seconds += static_cast<double>(used_blocks()) * duration;
  const std::int64_t steps = jump_steps_ > 0 ? jump_steps_ : 1;
  stats_.steps += steps;
  std::vector<int> finished;
  if (!decodes_.empty()) {
    const double b = static_cast<double>(decodes_.size());
    if (jump_steps_ > 0) {
      itl_ms.add_range(jump_f0_ * 1e3, (jump_f0_ + jump_d_ * static_cast<double>(steps - 1)) * 1e3,
                       b * static_cast<double>(steps));
    } else {
      itl_ms.add(duration * 1e3, b);
    }
    for (int i : decodes_) {
      Seq& s = pool_[i];
      if (jump_steps_ > 0) grow(s, s.kv + steps);  // blocks were checked when the jump was planned
      s.kv += steps;
      s.generated += steps;
      if (s.generated >= s.request.output_tokens) finished.push_back(i);
      if (token_sink_)
        token_sink_->push_back({s.request.id, steps, s.generated >= s.request.output_tokens});
    }
  }
  for (const auto& c : chunks_) {
    Seq& s = pool_[c.seq];
    s.prefilled += c.tokens;
    s.kv += c.tokens;
    if (s.prefilled >= s.prefill_target && s.generated == 0) {
      s.generated = 1;  // the prompt's last position samples the first output token
      s.first_token_s = t;
      if (s.generated >= s.request.output_tokens) finished.push_back(c.seq);
      if (token_sink_)
        token_sink_->push_back({s.request.id, 1, s.generated >= s.request.output_tokens});
    }
  }
  for (int i : finished) {
    const Seq& s = pool_[i];
    done.push_back({s.request.id, s.request.arrival_s, s.admitted_s, s.first_token_s, t,
                    s.request.input_tokens, s.request.output_tokens, s.cached, s.preemptions,
                    index_});
    running_.erase(std::ranges::find(running_, i));
    release(i);
  }
  busy_ = false;
  decodes_.clear();
  chunks_.clear();
  jump_steps_ = 0;
}

}  // namespace fleetsizer
