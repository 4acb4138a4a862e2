// The emulator's request decoding: a completion or chat body, and its context check.
#include "fuzz/fuzz_support.h"
#include "http/openai_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  if (size == 0) return 0;
  const std::string body(fuzz::as_text(data + 1, size - 1));
  auto ask = http::openai::parse_completion(body, data[0] % 2 == 0);
  fuzz::expect_value_or_one_line(ask);
  if (ask) (void)http::openai::context_error(*ask, 4096);
  // Whatever the body, the error answer it may quote is JSON.
  (void)http::openai::error_json(400, body);
  (void)http::openai::escape_invalid_utf8(body);
  return 0;
}
