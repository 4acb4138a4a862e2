#include "fleetsizer/sim/two_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "fleetsizer/perf/decode_only.h"
#include "fleetsizer/workload/list_source.h"

namespace fleetsizer {
namespace {

struct Pending {
  double arrival_s = 0;
  std::int64_t output_tokens = 0;
  double handoff_s = 0;  // prefill first token + transfer
};

// The source's requests as prompts: one output token each, the real one remembered.
class PromptSource final : public RequestSource {
 public:
  PromptSource(RequestSource& inner, std::unordered_map<std::uint64_t, Pending>& pending)
      : inner_(inner), pending_(pending) {}
  Result<bool> next(Request& out) override {
    auto more = inner_.next(out);
    if (!more || !*more) return more;
    if (out.output_tokens < 2)
      return fail(fmt::format(
          "request {} has {} output tokens: the two-pool simulation needs at least 2 (one from "
          "the prefill pool, the rest from the decode pool)",
          out.id, out.output_tokens));
    pending_[out.id] = Pending{out.arrival_s, out.output_tokens, 0};
    out.output_tokens = 1;
    return true;
  }
  std::int64_t skipped() const override { return inner_.skipped(); }

 private:
  RequestSource& inner_;
  std::unordered_map<std::uint64_t, Pending>& pending_;
};

}  // namespace

Result<TwoPoolResult> simulate_two_pool(const StepTimeModel& prefill_model,
                                        const StepTimeModel& decode_model, RequestSource& source,
                                        const TwoPoolOptions& options) {
  if (options.prefill_replicas < 1 || options.decode_replicas < 1)
    return fail("the two-pool simulation needs at least one replica in each pool");
  TwoPoolResult out;
  std::unordered_map<std::uint64_t, Pending> pending;
  std::vector<Request> handed;
  PromptSource prompts(source, pending);
  SimOptions p;
  p.replicas = options.prefill_replicas;
  p.replica = options.prefill;
  p.router = options.prefill_router;
  p.seed = options.seed;
  p.max_waiting = options.max_waiting;
  p.on_finish = [&](const FinishedRequest& r) {
    const double transfer = options.transfer_latency_s +
                            options.transfer_s_per_token * static_cast<double>(r.input_tokens);
    out.transfer_ms.add(transfer * 1e3);
    auto& pend = pending.at(r.id);
    pend.handoff_s = r.first_token_s + transfer;
    Request d;
    d.id = r.id;
    d.arrival_s = pend.handoff_s;
    d.input_tokens = r.input_tokens;
    d.output_tokens = pend.output_tokens - 1;
    handed.push_back(d);
  };
  auto pre = simulate(prefill_model, prompts, p);
  if (!pre) return fail(pre.error().message);
  out.prefill = std::move(*pre);

  std::ranges::stable_sort(handed, {}, &Request::arrival_s);
  ListSource decodes(std::move(handed));
  SimOptions d;
  d.replicas = options.decode_replicas;
  d.replica = options.decode;
  d.replica.prefix_hit_rate = 0;  // the whole KV arrives over the link
  d.router = options.decode_router;
  d.seed = options.seed + 1;
  d.max_waiting = options.max_waiting;
  SimResult& c = out.combined;
  d.on_finish = [&](const FinishedRequest& r) {
    const Pending& pend = pending.at(r.id);
    const double ttft = pend.handoff_s - pend.arrival_s;
    const double e2e = r.finish_s - pend.arrival_s;
    c.ttft_ms.add(ttft * 1e3);
    c.tpot_ms.add((r.finish_s - pend.handoff_s) / static_cast<double>(pend.output_tokens - 1) *
                  1e3);
    c.e2e_ms.add(e2e * 1e3);
    c.queue_ms.add(0);
    ++c.requests;
    c.input_tokens += static_cast<double>(r.input_tokens);
    c.output_tokens += static_cast<double>(pend.output_tokens);
    if (c.requests == 1 || pend.arrival_s < c.first_arrival_s) c.first_arrival_s = pend.arrival_s;
    c.last_finish_s = std::max(c.last_finish_s, r.finish_s);
  };
  const DecodeOnlyModel decode_only(decode_model);
  auto dec = simulate(decode_only, decodes, d);
  if (!dec) return fail(dec.error().message);
  out.decode = std::move(*dec);
  c.arrived = out.prefill.arrived;
  c.rejected = out.prefill.rejected + out.decode.rejected;
  c.diverged = out.prefill.diverged || out.decode.diverged;
  c.divergence = out.prefill.diverged  ? "prefill pool: " + out.prefill.divergence
                 : out.decode.diverged ? "decode pool: " + out.decode.divergence
                                       : "";
  c.preemptions = out.prefill.preemptions + out.decode.preemptions;
  c.steps = out.prefill.steps + out.decode.steps;
  c.events = out.prefill.events + out.decode.events;
  c.prefix_hit_fraction = out.prefill.prefix_hit_fraction;
  c.itl_ms = out.decode.itl_ms;  // gaps between tokens are all made in the decode pool
  return out;
}

}  // namespace fleetsizer
