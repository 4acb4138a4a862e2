// The client's server-sent-events decoder, fed the stream in pieces of fuzzed sizes.
#include "fuzz/fuzz_support.h"
#include "http/client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 17;
  http::SseDecoder decoder;
  std::size_t events = 0;
  for (std::size_t at = 1; at < size; at += piece)
    decoder.feed(reinterpret_cast<const char*>(data + at), std::min(piece, size - at),
                 [&](const std::string&) { ++events; });
  return 0;
}
