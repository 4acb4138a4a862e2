// The emitted artifacts: vllm serve flags that vLLM's argument parser knows, and Kubernetes YAML
// with the fields `kubectl apply --dry-run=client` needs.
#include "fleetsizer/search/deploy.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "fleetsizer/catalog/catalog.h"

namespace fleetsizer {
namespace {

// EngineArgs fields of vllm/engine/arg_utils.py that the plan sets, as vLLM spells their flags
// (field name with '_' -> '-'); the values accepted for the enumerated ones.
const std::set<std::string> kVllmFlags = {
    "--tensor-parallel-size",   "--pipeline-parallel-size", "--max-num-seqs",
    "--max-num-batched-tokens", "--max-model-len",          "--gpu-memory-utilization",
    "--kv-cache-dtype",         "--quantization",           "--dtype"};
const std::set<std::string> kKvCacheDtypes = {"auto", "fp8", "fp8_e4m3", "fp8_e5m2"};

ReplicaSpec spec_of(const std::string& model, Dtype w, Dtype kv, int tp, int pp) {
  Catalog c = builtin_catalog();
  ReplicaSpec s;
  s.model = *c.model(model);
  s.gpu = *c.gpu("h100-sxm");
  s.weights_dtype = w;
  s.kv_dtype = kv;
  s.tp = tp;
  s.pp = pp;
  s.limits.max_num_seqs = 128;
  return s;
}

TEST(Deploy, VllmFlagsAreVllmsOwn) {
  const VllmArgs a = vllm_args(spec_of("llama-3.1-70b", Dtype::fp8, Dtype::fp8, 4, 2), 8192);
  EXPECT_EQ(a.model, "meta-llama/Llama-3.1-70B");
  std::map<std::string, std::string> flags(a.flags.begin(), a.flags.end());
  for (const auto& [name, value] : a.flags) EXPECT_TRUE(kVllmFlags.contains(name)) << name;
  EXPECT_EQ(flags["--tensor-parallel-size"], "4");
  EXPECT_EQ(flags["--pipeline-parallel-size"], "2");
  EXPECT_EQ(flags["--max-num-seqs"], "128");
  EXPECT_EQ(flags["--max-model-len"], "8192");
  EXPECT_EQ(flags["--quantization"], "fp8");
  EXPECT_TRUE(kKvCacheDtypes.contains(flags["--kv-cache-dtype"]));
  EXPECT_EQ(
      vllm_command(a).rfind("vllm serve meta-llama/Llama-3.1-70B --tensor-parallel-size 4", 0), 0u);
  // int4 needs a pre-quantized checkpoint: a note, no --quantization flag.
  const VllmArgs q = vllm_args(spec_of("llama-3.1-8b", Dtype::int4, Dtype::bf16, 1, 1), 4096);
  EXPECT_FALSE(q.notes.empty());
  for (const auto& [name, value] : q.flags) EXPECT_NE(name, "--quantization");
  EXPECT_EQ(std::ranges::count_if(
                q.flags, [](const auto& f) { return f.first == "--pipeline-parallel-size"; }),
            0);
}

TEST(Deploy, KubernetesManifestParsesWithTheFieldsKubectlNeeds) {
  const VllmArgs a = vllm_args(spec_of("llama-3.1-70b", Dtype::bf16, Dtype::bf16, 4, 1), 4096);
  K8sOptions o;
  o.replicas = 23;
  o.gpus_per_replica = 4;
  const auto docs = YAML::LoadAll(k8s_manifest(a, o));
  ASSERT_EQ(docs.size(), 2u);
  const YAML::Node& d = docs[0];
  EXPECT_EQ(d["apiVersion"].as<std::string>(), "apps/v1");
  EXPECT_EQ(d["kind"].as<std::string>(), "Deployment");
  EXPECT_EQ(d["metadata"]["name"].as<std::string>(), o.name);
  EXPECT_EQ(d["spec"]["replicas"].as<int>(), 23);
  EXPECT_EQ(d["spec"]["selector"]["matchLabels"]["app"].as<std::string>(),
            d["spec"]["template"]["metadata"]["labels"]["app"].as<std::string>());
  const YAML::Node c = d["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["resources"]["limits"]["nvidia.com/gpu"].as<int>(), 4);
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/health");
  std::vector<std::string> args;
  for (const auto& x : c["args"]) args.push_back(x.as<std::string>());
  ASSERT_GE(args.size(), 3u);
  EXPECT_EQ(args[0], "meta-llama/Llama-3.1-70B");
  EXPECT_NE(std::ranges::find(args, "--tensor-parallel-size"), args.end());
  const YAML::Node& svc = docs[1];
  EXPECT_EQ(svc["kind"].as<std::string>(), "Service");
  EXPECT_EQ(svc["spec"]["ports"][0]["port"].as<int>(), 8000);
}

}  // namespace
}  // namespace fleetsizer
