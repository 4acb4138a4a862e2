#include "cli/progress_line.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/test_support.h"

namespace fleetsizer::cli {
namespace {

TEST(ProgressText, CountsPercentElapsedAndEta) {
  // 4,200 of 10,000 in 3.0 s: 5,800 left at 1,400 per second = 4.14 s.
  EXPECT_EQ(progress_text({"simulating", 4200, 10000, "requests"}, 3.0),
            "[simulating] 4,200 of 10,000 requests (42%), 3.0 s, ETA 4.1 s");
  // No total: a count and the time so far, no ETA.
  EXPECT_EQ(progress_text({"fitting", 1234567, 0, "row forecasts"}, 75.0),
            "[fitting] 1,234,567 row forecasts, 1m15s");
  EXPECT_EQ(eta_text(0, 10, 5.0), "");   // nothing done: no pace yet
  EXPECT_EQ(eta_text(10, 10, 5.0), "");  // finished
  EXPECT_EQ(eta_text(1, 4, 7200.0), ", ETA 6h00m");
}

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
  return s;
}

TEST(ProgressLine, DrawsOneLineAndErasesIt) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressLine line(true, f, 0.0);
    const ProgressFn fn = line.fn();
    ASSERT_TRUE(fn);
    fn({"simulating", 5, 10, "requests"});
    fn({"simulating", 6, 10, "requests"});  // within 100 ms of the last draw: skipped
    const std::string drawn = contents(f);
    EXPECT_EQ(drawn.rfind("\r[simulating] 5 of 10 requests (50%), ", 0), 0u) << drawn;
    EXPECT_EQ(drawn.find('\n'), std::string::npos);
    EXPECT_EQ(drawn.find("6 of 10"), std::string::npos);
    line.finish();
    const std::string erased = contents(f);
    const std::size_t width = drawn.size() - 1;  // the line without its leading \r
    EXPECT_EQ(erased, drawn + "\r" + std::string(width, ' ') + "\r");
  }
  std::fclose(f);
}

TEST(ProgressLine, SilentWhenDisabledOrQuick) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressLine off(false, f, 0.0);
    EXPECT_FALSE(off.fn());  // the core then skips its calls
    off.update({"simulating", 1, 2, "requests"});
    ProgressLine quick(true, f, 3600.0);  // nothing runs an hour here
    quick.update({"simulating", 1, 2, "requests"});
  }
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}

// End to end: on a terminal (a pseudo-terminal from script(1)) a long simulation draws its line
// with an ETA; through a pipe it prints nothing on stderr. The line appears after a second: an
// optimized build simulates 60,000 requests in a tenth of that, so it is given 2 million (about
// 3 s; the sanitized debug build takes over a second for 60,000).
TEST(ProgressLine, ShownOnATerminalOnly) {
#ifdef NDEBUG
  const std::string requests = "2000000", shown = "2,000,000";
#else
  const std::string requests = "60000", shown = "60,000";
#endif
  const std::string args =
      "simulate --requests " + requests + " --rate 20 --replicas 8 --format json";
  const testing::RunResult piped = testing::run_cli(args);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err, "");
  const std::string dir = testing::temp_dir("progress");
  const std::string out = dir + "/tty.txt";
  const std::string command = "script -qfec '" + std::string(FLEETSIZER_BINARY) + " " + args +
                              " -o " + dir + "/sim.json' /dev/null > " + out + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string tty = testing::read_text(out);
  EXPECT_NE(tty.find("\r[simulating] "), std::string::npos) << tty;
  EXPECT_NE(tty.find(" of " + shown + " requests ("), std::string::npos) << tty;
  EXPECT_NE(tty.find(", ETA "), std::string::npos) << tty;
}

}  // namespace
}  // namespace fleetsizer::cli
