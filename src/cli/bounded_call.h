#pragma once
// One piece of work run in a child process with a wall-clock limit: what `serve` does with each
// planner call, so that no request can hold the shared server for longer than the limit (a
// simulation of ten million requests, a calibration over thousands of uploaded rows), and a call
// that crashes ends that call only, never the server. The child's output comes back over a pipe;
// the child is killed at the limit, and when the parent dies.
#include <functional>
#include <string>

namespace fleetsizer::cli {

struct BoundedCall {
  enum class Outcome { done, timed_out, ended_abnormally };
  Outcome outcome = Outcome::done;
  std::string output;  // done: what the work returned
  std::string why;  // otherwise: a sentence ("killed after 2.0 s", "ended by signal 6 (Aborted)")
  double seconds = 0;  // wall-clock time of the call
};

// Runs `work` in a forked child and returns its result, or why there is none. The caller must be
// single-threaded when it calls this (fork copies only the calling thread); the work may start
// threads of its own in the child. An exception thrown by the work ends the child abnormally.
BoundedCall run_bounded(const std::function<std::string()>& work, double max_seconds);

}  // namespace fleetsizer::cli
