// `emulate` under hostile requests over loopback (127.0.0.1 only): wrong JSON types, malformed
// JSON and HTTP, prompts over the context, oversized bodies, and a bounded random request fuzzer.
// Every answer is a 4xx JSON error shaped like vLLM's (never a 5xx) and the server keeps serving.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

// The answer to a request the server refused: its status and the vLLM-shaped error message.
std::pair<int, std::string> refusal(const std::string& reply) {
  const Json e = Json::parse(body_of(reply), nullptr, false);
  if (e.is_discarded() || !e.contains("error")) return {status_of(reply), "(not a JSON error)"};
  EXPECT_EQ(e["error"]["code"], status_of(reply));
  return {status_of(reply), e["error"]["message"].get<std::string>()};
}

void expect_serving(int port) {
  const std::string ok =
      raw_exchange(port, raw_post("/v1/completions", R"({"prompt":"a b c","max_tokens":2})"));
  EXPECT_EQ(status_of(ok), 200) << ok;
  EXPECT_NE(body_of(ok).find("\"completion_tokens\":2"), std::string::npos) << ok;
}

TEST(EmulateRobust, NamedBadRequestsGet4xxAndTheServerKeepsServing) {
  EmulatorProcess server("--model llama-3.1-8b --gpu h100-sxm", 60);
  ASSERT_GT(server.port(), 0);
  const int port = server.port();
  using P = std::pair<int, std::string>;
  EXPECT_EQ(refusal(raw_exchange(port, raw_post("/v1/completions", "[1,2]"))),
            P(400, "request body must be a JSON object, got an array"));
  EXPECT_EQ(refusal(raw_exchange(port, raw_post("/v1/completions", R"({"stream":"yes"})"))),
            P(400, "'stream' must be a boolean, got a string"));
  EXPECT_EQ(
      refusal(raw_exchange(port, raw_post("/v1/chat/completions", R"({"messages":{"a":1}})"))),
      P(400, "'messages' must be an array, got an object"));
  EXPECT_EQ(refusal(raw_exchange(port, raw_post("/v1/completions", "{\"prompt\": \"a"))),
            P(400, "request body is not valid JSON"));
  // llama-3.1-8b: a 131072-token context (the KV cache of one H100 holds more).
  EXPECT_EQ(refusal(raw_exchange(
                port, raw_post("/v1/completions", R"({"prompt":"a b","max_tokens":131071})"))),
            P(400,
              "This model's maximum context length is 131072 tokens. However, you requested "
              "131073 tokens (2 in the prompt, 131071 in the completion). Please reduce the length "
              "of the prompt or completion."));
  // A body over the 16 MiB limit: 413 before it is all read.
  const std::string big(17u << 20, 'a');
  EXPECT_EQ(refusal(raw_exchange(port, raw_post("/v1/completions", big))),
            P(413, "request body over 16777216 bytes"));
  // Not HTTP at all.
  EXPECT_EQ(status_of(raw_exchange(port, "GARBAGE\r\n\r\n")), 400);
  expect_serving(port);
}

TEST(EmulateRobust, APromptOverTheKvCacheIs400NotAHang) {
  // A small cache (gpu-memory-utilization) below the model's context: the cache is the limit.
  EmulatorProcess server("--model llama-3.1-8b --gpu h100-sxm --gpu-memory-utilization 0.25", 60);
  ASSERT_GT(server.port(), 0);
  std::string words;
  for (int i = 0; i < 120000; ++i) words += "w ";
  const auto [status, message] = refusal(
      raw_exchange(server.port(), raw_post("/v1/completions", Json{{"prompt", words}}.dump())));
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("maximum context length is"), std::string::npos) << message;
  EXPECT_EQ(message.find("is 131072 tokens"), std::string::npos)
      << message;  // the cache, not the model
  expect_serving(server.port());
}

// One random request: a valid one with bytes flipped, inserted or cut; a body of a random JSON
// type; or random bytes. Token counts stay small so each answer is quick.
std::string random_request(std::mt19937_64& rng) {
  static const std::vector<std::string> values = {
      "null",        "true",     "-1",
      "0",           "1",        "3",
      "1.5",         "1e400",    "18446744073709551616",
      "\"x\"",       "[]",       "[1,2]",
      "[\"a\"]",     "{}",       "{\"a\":[{}]}",
      "\"\\u0000\"", "\"\xff\"", std::string(200, '[') + std::string(200, ']')};
  static const std::vector<std::string> keys = {
      "prompt", "messages",       "max_tokens",    "max_completion_tokens",
      "stream", "stream_options", "include_usage", "content",
      "model"};
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const bool chat = rng() % 2 == 0;
  const std::string target = chat ? "/v1/chat/completions" : "/v1/completions";
  switch (rng() % 4) {
    case 0: {  // a JSON object of random keys and random-typed values
      std::string body = "{";
      for (std::size_t i = 0, n = pick(5); i < n; ++i)
        body +=
            (i ? "," : "") + ("\"" + keys[pick(keys.size())] + "\":") + values[pick(values.size())];
      return raw_post(target, body + "}");
    }
    case 1:
      return raw_post(target, values[pick(values.size())]);
    case 2: {  // a valid request mutated byte by byte (Content-Length may now lie)
      std::string text =
          raw_post(target, chat ? R"({"messages":[{"role":"user","content":"a b"}],"max_tokens":2})"
                                : R"({"prompt":"a b","max_tokens":2,"stream":true})");
      for (std::size_t i = 0, n = 1 + pick(4); i < n; ++i) {
        const std::size_t at = pick(text.size());
        switch (rng() % 3) {
          case 0:
            text[at] = static_cast<char>(rng());
            break;
          case 1:
            text.insert(at, 1, static_cast<char>(rng()));
            break;
          default:
            text.erase(at, 1);
        }
      }
      return text;
    }
    default: {
      std::string text(pick(300), '\0');
      for (auto& c : text) c = static_cast<char>(rng());
      return text;
    }
  }
}

TEST(EmulateRobust, RequestFuzzerNeverGets5xxAndAWellFormedRequestStillWorks) {
  // FLEETSIZER_EMULATOR_FUZZ_REQUESTS scales the run (scripts/fuzz: 100,000); CI sends 1,500.
  const char* env = std::getenv("FLEETSIZER_EMULATOR_FUZZ_REQUESTS");
  const long count = env ? std::atol(env) : 1500;
  EmulatorProcess server("--mode fixed --ttft-ms 0 --tpot-ms 0", 600);
  ASSERT_GT(server.port(), 0);
  std::mt19937_64 rng(14);
  long answered = 0, refused = 0;
  for (long i = 0; i < count; ++i) {
    const std::string request = random_request(rng);
    const std::string reply = raw_exchange(server.port(), request, 2000);
    const int status = status_of(reply);
    if (status == 0) continue;  // cut before a full request: the connection just closes
    ++answered;
    ASSERT_LT(status, 500) << "request " << i << ":\n" << request << "\nreply:\n" << reply;
    if (status >= 400) {
      ++refused;
      EXPECT_NE(refusal(reply).second, "(not a JSON error)") << reply;
    }
  }
  EXPECT_GT(refused, count / 4);  // the fuzzer does reach the checks
  RecordProperty("answered", std::to_string(answered));
  expect_serving(server.port());
}

}  // namespace
}  // namespace fleetsizer::testing
