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
#include <set>
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

// The input as a file with this name ending (".csv", ".jsonl", ".json", ".yaml"): in $TMPDIR,
// else in memory (/dev/shm) where there is one, else /tmp. Each input is written and read back,
// and on a disk-backed /tmp that doubled the time of an input (curve_csv: 15 s against 8 s for
// 40,000 inputs).
inline std::string input_file(std::string_view text, const std::string& ending) {
  static const std::string dir = [] {
    if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) return std::string(tmp);
    return std::string(::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  }();
  const std::string path = dir + "/fleetsizer-fuzz-" + std::to_string(::getpid()) + ending;
  // Removed when the run ends (one file per ending and process, rewritten for each input).
  static std::set<std::string> written;
  if (written.insert(path).second && written.size() == 1)
    std::atexit([] {
      for (const auto& p : written) std::remove(p.c_str());
    });
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
  return path;
}

}  // namespace fleetsizer::fuzz
