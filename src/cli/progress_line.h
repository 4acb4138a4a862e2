#pragma once
// The one updating progress line of the CLI: drawn on stderr with carriage returns when stderr is
// a terminal and the work has run for more than a second, never otherwise (a pipe, a file, CI
// logs stay clean). Thread-safe, throttled to ten redraws a second, erased when done.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "fleetsizer/progress.h"

namespace fleetsizer::cli {

// "[simulating] 4,200 of 10,000 requests (42%), 3.1 s, ETA 4.3 s"; without a total, the count
// and the elapsed time only. The ETA assumes the rest goes at the pace so far.
std::string progress_text(const Progress& p, double elapsed_s);
// ", ETA 4.3 s" for `done` of `total` after `elapsed_s` at the pace so far; empty when it cannot
// be said (nothing done yet, no total, or finished).
std::string eta_text(double done, double total, double elapsed_s);

class ProgressLine {
 public:
  // Draws on `out` only when `enabled` (by default: stderr is a terminal), and only once the work
  // has run `quiet_s` seconds.
  explicit ProgressLine(bool enabled = stderr_is_terminal(), std::FILE* out = stderr,
                        double quiet_s = 1.0);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(const Progress& p);
  // Erases the line (the result follows on a clean terminal).
  void finish();
  // A ProgressFn drawing on this line (empty when disabled, so that the core skips the calls).
  ProgressFn fn();
  static bool stderr_is_terminal();

 private:
  bool enabled_;
  std::FILE* out_;
  double quiet_s_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  std::size_t drawn_width_ = 0;
};

}  // namespace fleetsizer::cli
