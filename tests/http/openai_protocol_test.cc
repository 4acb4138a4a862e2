// The emulator's request parser: every body is a request or a 400 message, never an exception.
#include "http/openai_protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace fleetsizer::http::openai {
namespace {

std::string error_of(const std::string& body, bool chat = false) {
  auto r = parse_completion(body, chat);
  return r ? std::string() : r.error().message;
}

TEST(OpenAiProtocol, WrongJsonTypesAreErrorsNotExceptions) {
  EXPECT_EQ(error_of("[1,2]"), "request body must be a JSON object, got an array");
  EXPECT_EQ(error_of("\"x\""), "request body must be a JSON object, got a string");
  EXPECT_EQ(error_of("null"), "request body must be a JSON object, got null");
  EXPECT_EQ(error_of(R"({"stream":"yes"})"), "'stream' must be a boolean, got a string");
  EXPECT_EQ(error_of(R"({"stream_options":[1]})"),
            "'stream_options' must be an object, got an array");
  EXPECT_EQ(error_of(R"({"stream_options":{"include_usage":1}})"),
            "'include_usage' must be a boolean, got a number");
  EXPECT_EQ(error_of(R"({"max_tokens":1.5})"), "'max_tokens' must be an integer, got a number");
  EXPECT_EQ(error_of(R"({"max_tokens":"8"})"), "'max_tokens' must be an integer, got a string");
  EXPECT_EQ(error_of(R"({"prompt":{}})"),
            "'prompt' must be a string or a list of token ids, got an object");
  EXPECT_EQ(error_of(R"({"prompt":["a","b"]})"),
            "'prompt' must be a string or a list of token ids (integers)");
  EXPECT_EQ(error_of(R"({"messages":"hi"})", true), "'messages' must be an array, got a string");
  EXPECT_EQ(error_of(R"({"messages":[1]})", true), "each of 'messages' must be an object");
  EXPECT_EQ(error_of(R"({"messages":[{"content":5}]})", true),
            "a message's 'content' must be a string or a list of parts, got a number");
  EXPECT_EQ(error_of("{}", true), "'messages' is required");
}

TEST(OpenAiProtocol, MalformedAndOverflowingJson) {
  EXPECT_EQ(error_of("{\"prompt\":"), "request body is not valid JSON");
  EXPECT_EQ(error_of(""), "request body is not valid JSON");
  EXPECT_EQ(error_of("{\"max_tokens\":1e400}"), "request body is not valid JSON");
  EXPECT_EQ(error_of("\xff\xfe"), "request body is not valid JSON");
}

TEST(OpenAiProtocol, TokenCountsAreRangeChecked) {
  EXPECT_EQ(error_of(R"({"max_tokens":0})"), "'max_tokens' must be in [1, 10000000], got 0");
  EXPECT_EQ(error_of(R"({"max_tokens":-5})"), "'max_tokens' must be in [1, 10000000], got -5");
  // Above INT64_MAX: would wrap to a negative count if read as int64.
  EXPECT_EQ(error_of(R"({"max_tokens":18446744073709551615})"),
            "'max_tokens' must be in [1, 10000000], got 18446744073709551615");
  EXPECT_EQ(error_of(R"({"max_completion_tokens":10000001})"),
            "'max_completion_tokens' must be in [1, 10000000], got 10000001");
}

TEST(OpenAiProtocol, ValidRequestsAreRead) {
  auto r = parse_completion(
      R"({"prompt":"a b c","max_tokens":7,"stream":true,"stream_options":{"include_usage":true}})",
      false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->prompt_tokens, 3);
  EXPECT_EQ(r->max_tokens, 7);
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  r = parse_completion(R"({"prompt":[1,2,3,4],"max_tokens":null,"stream":null})", false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->prompt_tokens, 4);
  EXPECT_EQ(r->max_tokens, 16);  // OpenAI's default
  r = parse_completion(
      R"({"messages":[{"role":"user","content":"one two"},{"role":"user","content":[{"type":"text","text":"three"}]},{"role":"assistant","content":null}],"max_tokens":3,"max_completion_tokens":5})",
      true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->prompt_tokens, 3);
  EXPECT_EQ(r->max_tokens, 5);  // max_completion_tokens wins
}

TEST(OpenAiProtocol, ContextLimitUsesVllmsMessage) {
  CompletionRequest r;
  r.prompt_tokens = 100;
  r.max_tokens = 29;
  EXPECT_FALSE(context_error(r, 129));
  EXPECT_FALSE(context_error(r, 0));  // no limit
  r.max_tokens = 30;
  EXPECT_EQ(context_error(r, 129).value_or(""),
            "This model's maximum context length is 129 tokens. However, you requested 130 tokens "
            "(100 in the prompt, 30 in the completion). Please reduce the length of the prompt or "
            "completion.");
}

TEST(OpenAiProtocol, ErrorBodyIsShapedLikeVllms) {
  const auto e = nlohmann::json::parse(error_json(413, "too big"));
  EXPECT_EQ(e["error"]["message"], "too big");
  EXPECT_EQ(e["error"]["code"], 413);
  EXPECT_TRUE(e["error"]["param"].is_null());
  EXPECT_EQ(nlohmann::json::parse(error_json(400, "x"))["error"]["type"], "BadRequestError");
  EXPECT_EQ(nlohmann::json::parse(error_json(404, "x"))["error"]["type"], "NotFoundError");
  // A path of invalid UTF-8 quoted in the message (found by the request fuzzer: it threw).
  EXPECT_EQ(nlohmann::json::parse(error_json(404, "not found: /\xff"))["error"]["message"],
            "not found: /\xef\xbf\xbd");
}

}  // namespace
}  // namespace fleetsizer::http::openai

namespace fleetsizer::http::openai {
namespace {

// What a server sent is kept: valid UTF-8 as is (2-, 3- and 4-byte sequences), every other byte
// as \xNN, including a sequence cut short by the 200-byte excerpt and forbidden forms.
TEST(OpenAiProtocol, InvalidUtf8IsEscapedByteByByte) {
  EXPECT_EQ(escape_invalid_utf8("plain"), "plain");
  EXPECT_EQ(escape_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(escape_invalid_utf8("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escape_invalid_utf8("ok\xe2\x82"), "ok\\xe2\\x82");                // cut short
  EXPECT_EQ(escape_invalid_utf8("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(escape_invalid_utf8("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
  EXPECT_EQ(escape_invalid_utf8("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(escape_invalid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
  // The result always goes into JSON.
  EXPECT_NO_THROW((void)nlohmann::json(escape_invalid_utf8("\x80 binary \xff")).dump());
}

}  // namespace
}  // namespace fleetsizer::http::openai
