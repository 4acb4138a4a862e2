#include "cli/bounded_call.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace fleetsizer::cli {
namespace {

using Outcome = BoundedCall::Outcome;

TEST(BoundedCall, ReturnsTheWorksOutputByteForByte) {
  // 3 MB of every byte value: far more than a pipe holds, so the parent must read while the
  // child writes, and nothing may be lost or translated on the way.
  std::string expected;
  for (int i = 0; i < 3 << 20; ++i) expected += static_cast<char>((i * 7 + i / 256) & 0xff);
  const BoundedCall call = run_bounded([&] { return expected; }, 60);
  ASSERT_EQ(call.outcome, Outcome::done) << call.why;
  EXPECT_EQ(call.output.size(), expected.size());
  EXPECT_TRUE(call.output == expected);
  EXPECT_TRUE(run_bounded([] { return std::string(); }, 60).output.empty());
}

TEST(BoundedCall, TheWorkCannotChangeTheCallersState) {
  // The work runs in a copy of the process: what it does to memory stays there.
  int state = 1;
  const BoundedCall call = run_bounded(
      [&] {
        state = 2;
        return std::to_string(state);
      },
      60);
  EXPECT_EQ(call.output, "2");
  EXPECT_EQ(state, 1);
}

TEST(BoundedCall, WorkPastTheLimitIsStoppedAtTheLimit) {
  const BoundedCall call = run_bounded(
      [] {
        std::this_thread::sleep_for(std::chrono::seconds(60));
        return std::string("too late");
      },
      0.5);
  EXPECT_EQ(call.outcome, Outcome::timed_out);
  EXPECT_TRUE(call.output.empty());
  EXPECT_NE(call.why.find("0.5 s"), std::string::npos) << call.why;
  // Stopped at the limit, not when the work would have ended (generous for loaded machines).
  EXPECT_GE(call.seconds, 0.5);
  EXPECT_LT(call.seconds, 30);
}

TEST(BoundedCall, ACrashOrAnExceptionEndsTheCallNotTheCaller) {
  const BoundedCall crashed = run_bounded([]() -> std::string { std::abort(); }, 60);
  EXPECT_EQ(crashed.outcome, Outcome::ended_abnormally);
  EXPECT_NE(crashed.why.find("signal 6"), std::string::npos) << crashed.why;

  const BoundedCall threw =
      run_bounded([]() -> std::string { throw std::runtime_error("no such plan"); }, 60);
  EXPECT_EQ(threw.outcome, Outcome::ended_abnormally);
  EXPECT_EQ(threw.why, "internal error: no such plan");

  const BoundedCall exited = run_bounded([]() -> std::string { std::_Exit(3); }, 60);
  EXPECT_EQ(exited.outcome, Outcome::ended_abnormally);
  EXPECT_EQ(exited.why, "ended with exit code 3");

  // And the caller goes on calling.
  EXPECT_EQ(run_bounded([] { return std::string("still here"); }, 60).output, "still here");
}

}  // namespace
}  // namespace fleetsizer::cli
