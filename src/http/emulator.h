#pragma once
// `fleetsizer emulate`: an OpenAI-compatible streaming server (POST /v1/completions and
// /v1/chat/completions, GET /v1/models, /health, /metrics) that behaves like the modeled replica.
// In model mode it runs the simulator's replica scheduler on the wall clock: requests queue,
// batch, and their tokens are streamed when the modeled step that produced them ends. In fixed
// mode every request gets a set TTFT and TPOT, with at most `max_concurrency` running and the rest
// queued (a server of known capacity for testing load generators). Fault switches make it fail in
// the ways real servers do. One thread, Boost.Asio.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fleetsizer/error.h"
#include "fleetsizer/perf/step_time.h"
#include "fleetsizer/sim/replica.h"

namespace fleetsizer::http {

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8000;  // 0: any free port (reported through on_listening)
  std::string model_name = "fleetsizer-emulated";
  // Fixed mode (model == nullptr)
  double ttft_ms = 50;
  double tpot_ms = 10;
  int max_concurrency = 0;  // 0: unlimited
  // Prompt + max_tokens above this is answered 400 as vLLM does (0: no limit). Model mode: the
  // tokens the replica's KV cache holds (a longer request could never be scheduled).
  std::int64_t max_model_len = 0;
  // Model mode
  std::shared_ptr<const StepTimeModel> model;
  ReplicaOptions replica;
  // Faults
  double error_rate = 0;       // fraction answered with HTTP 500
  double disconnect_rate = 0;  // fraction whose stream is cut halfway
  double stall_rate = 0;       // fraction whose stream pauses for stall_ms after the first token
  double stall_ms = 0;
  double malformed_rate = 0;       // fraction that get one unparseable event
  double slow_accept_ms = 0;       // delay before reading each new connection
  double rate_limit_rate = 0;      // fraction answered with HTTP 429
  bool ignore_max_tokens = false;  // generate twice the max_tokens asked for
  // As a real endpoint: https with this PEM certificate chain and key (both or neither), and a
  // required bearer token (401 without it).
  std::string tls_cert_file, tls_key_file, api_key;
  std::uint64_t seed = 1;
  double max_seconds = 0;  // stop after this long (0: until killed)
  std::function<void(unsigned short port)> on_listening;
};

Result<void> run_emulator(const EmulatorOptions& options);

// Prompt length as the emulator counts it: whitespace-separated words (the load generator
// synthesizes prompts of one-token words, so both sides agree).
std::int64_t count_prompt_tokens(const std::string& text);

}  // namespace fleetsizer::http
