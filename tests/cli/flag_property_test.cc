// The property of issue 14: a numeric flag of any command, given any value (huge, tiny, zero,
// negative, NaN, infinite, past an integer's range, fractional where a count is meant, not a
// number), either yields a finite answer (exit 0, JSON whose every number is finite) or one
// clear line on stderr (exit 1 or 2) - never a crash, an "internal error", a hang or a
// non-finite number. Values are drawn with a fixed seed; flags that scale the work (request
// counts, replicas) draw only values that must be refused, so every run stays short.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

struct Case {
  std::string command;  // the command and the flags that keep its run short
  std::vector<std::string> flags;
  std::vector<std::string> work_flags;  // flags that scale the work: invalid values only
};

// Every JSON number is finite (nlohmann reads a non-finite one only as null or a string).
bool all_finite(const Json& j, std::string& where, const std::string& at = "") {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    where = at;
    return false;
  }
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "inf" || s == "nan" || s == "-inf") {
      where = at;
      return false;
    }
  }
  if (j.is_structured())
    for (const auto& [k, v] : j.items())
      if (!all_finite(v, where, at + "." + k)) return false;
  return true;
}

TEST(FlagProperty, AnyNumberInAnyNumericFlagIsAnAnswerOrOneLine) {
  const std::vector<Case> cases = {
      {"fit --model llama-3.1-8b --gpu h100-sxm",
       {"--tp", "--context", "--max-model-len", "--gpu-memory-utilization", "--max-num-seqs"},
       {}},
      {"predict --model llama-3.1-8b --gpu h100-sxm --tp 1 --isl 512 --osl 64 --concurrency 4",
       {"--isl", "--osl", "--concurrency", "--max-num-batched-tokens", "--tp"},
       {}},
      {"size --model llama-3.1-8b --gpu h100-sxm --sim-requests 1000 --no-fleet-sim",
       {"--target-qps", "--isl", "--osl", "--usd-per-gpu-hour", "--target-utilization",
        "--redundancy", "--gpus-per-host", "--q", "--q-tolerance"},
       {"--sim-requests", "--seed"}},
      {"simulate --model llama-3.1-8b --gpu h100-sxm --requests 300",
       {"--rate", "--isl", "--osl", "--cv", "--prefix-hit-rate", "--max-waiting"},
       {"--requests", "--replicas"}},
      {"slo --curve examples/curve-70b.csv --slo e2e:p99=20000",
       {"--target-qps", "--usd-per-gpu-hour", "--target-utilization"},
       {}},
      {"stack --scenario examples/seed-stack.yaml", {"--target-qps"}, {}},
      {"disagg --model llama-3.1-8b --gpus h100-sxm --target-qps 10",
       {"--isl", "--osl", "--kv-transfer-gb-s", "--kv-transfer-latency-us", "--prefill-tp",
        "--decode-tp"},
       {"--sweep-points"}},
  };
  // Values any flag may get, and the ones that must be refused however the flag is read.
  const std::vector<std::string> refused = {"0",     "-1",  "nan",        "inf",   "-inf",
                                            "1e308", "abc", "4294967300", "-1e-9", "1e400"};
  const std::vector<std::string> extra = {"1e-308", "1.5", "9223372036854775808", "1e20", "0.0001",
                                          "3",      "1e9"};
  std::mt19937_64 rng(14);
  auto pick = [&](const std::vector<std::string>& pool) {
    return pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
  };
  int answered = 0, refused_count = 0;
  for (const Case& c : cases) {
    std::vector<std::pair<std::string, bool>> flags;
    for (const auto& f : c.flags) flags.emplace_back(f, false);
    for (const auto& f : c.work_flags) flags.emplace_back(f, true);
    for (const auto& [flag, work] : flags) {
      for (int draw = 0; draw < 2; ++draw) {
        std::string value = work ? pick(refused) : pick(draw == 0 ? refused : extra);
        if (!work && draw == 1 && std::uniform_int_distribution<int>(0, 2)(rng) == 0)
          value = std::to_string(std::uniform_real_distribution<double>(0.001, 64)(rng));
        const std::string args = c.command + " " + flag + " '" + value + "' --format json";
        const RunResult r = run_cli(args, 120);
        SCOPED_TRACE(args);
        ASSERT_NE(r.exit_code, 124) << "hung";
        if (r.exit_code == 0) {
          ++answered;
          const Json j = Json::parse(r.out, nullptr, false);
          ASSERT_FALSE(j.is_discarded()) << r.out.substr(0, 300);
          std::string where;
          EXPECT_TRUE(all_finite(j, where)) << "non-finite at " << where;
        } else {
          ++refused_count;
          EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << r.exit_code << ": " << r.err;
          EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
          EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
          EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 200);
        }
      }
    }
  }
  // Both outcomes occur: the property is exercised on both sides.
  EXPECT_GT(answered, 5);
  EXPECT_GT(refused_count, 20);
}

}  // namespace
}  // namespace fleetsizer::testing
