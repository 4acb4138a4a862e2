#include "fleetsizer/perf/profile.h"

#include <gtest/gtest.h>

namespace fleetsizer {
namespace {

Profile one_entry() {
  Profile p;
  ProfileEntry e;
  e.gpu = "h100-sxm";
  e.engine = "vllm";
  e.efficiency.compute = 0.42;
  p.entries.push_back(e);
  return p;
}

TEST(Profile, ChoosesTheEntryForExactlyThatGpuAndEngine) {
  const EfficiencyChoice c = choose_efficiency(one_entry(), "h100-sxm", "vllm");
  EXPECT_TRUE(c.from_profile);
  EXPECT_EQ(c.key, "h100-sxm/vllm");
  EXPECT_EQ(c.efficiency.compute, 0.42);
}

// A profile that is given but has no entry for the pair is not "the profile": the engine
// defaults apply and the choice says so.
TEST(Profile, NoEntryMeansEngineDefaults) {
  for (auto [gpu, engine] : {std::pair{"h200", "vllm"}, {"h100-sxm", "sglang"}}) {
    const EfficiencyChoice c = choose_efficiency(one_entry(), gpu, engine);
    EXPECT_FALSE(c.from_profile) << gpu << " " << engine;
    EXPECT_EQ(c.key, std::string(gpu) + "/" + engine);
    EXPECT_EQ(c.efficiency.compute, engine_defaults(engine).efficiency.compute);
    EXPECT_EQ(efficiency_for(one_entry(), gpu, engine).compute, c.efficiency.compute);
  }
  EXPECT_FALSE(choose_efficiency(Profile{}, "h100-sxm", "vllm").from_profile);
}

}  // namespace
}  // namespace fleetsizer
