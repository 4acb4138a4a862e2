#pragma once
// What every fuzz target checks beyond "no crash": a reader returns a value or an error of one
// plain line (never an exception: libFuzzer reports one that escapes as a crash, and never an
// empty or multi-line message). Path-based readers get the input through a file of the target's
// own in the temporary folder, named with the extension that picks the format.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "fleetsizer/error.h"

namespace fleetsizer::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts (a libFuzzer finding) unless the result is a value or a one-line error.
template <class T>
void expect_value_or_one_line(const Result<T>& r) {
  if (r) return;
  const std::string& m = r.error().message;
  if (m.empty() || m.find('\n') != std::string::npos) {
    std::fprintf(stderr, "not a one-line error: [%s]\n", m.c_str());
    std::abort();
  }
}

// The input as a file with this name ending (".csv", ".jsonl", ".json", ".yaml").
inline std::string input_file(std::string_view text, const std::string& ending) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path =
      std::string(dir ? dir : "/tmp") + "/fleetsizer-fuzz-" + std::to_string(::getpid()) + ending;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
  return path;
}

}  // namespace fleetsizer::fuzz
