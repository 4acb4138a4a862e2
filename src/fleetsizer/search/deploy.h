#pragma once
// Deployable artifacts for a plan: the `vllm serve` command line and a Kubernetes Deployment +
// Service running it. Flag names follow vLLM's argument parser (vllm/engine/arg_utils.py: the
// EngineArgs fields tensor_parallel_size, pipeline_parallel_size, max_num_seqs,
// max_num_batched_tokens, max_model_len, gpu_memory_utilization, kv_cache_dtype, quantization,
// dtype, each as --kebab-case); tests/search/deploy_test.cc keeps that list.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fleetsizer/plan/replica_spec.h"

namespace fleetsizer {

struct VllmArgs {
  std::string model;                                       // Hugging Face id (or catalog name)
  std::vector<std::pair<std::string, std::string>> flags;  // ("--tensor-parallel-size", "4")
  // What the command alone cannot do (a pre-quantized checkpoint for int8/int4/fp4 weights).
  std::vector<std::string> notes;
};

// `context_tokens`: the longest sequence the plan holds (--max-model-len).
VllmArgs vllm_args(const ReplicaSpec& spec, std::int64_t context_tokens);
// "vllm serve MODEL --flag value ..." on one line.
std::string vllm_command(const VllmArgs& args);

struct K8sOptions {
  std::string name = "fleetsizer-plan";
  std::string image = "vllm/vllm-openai:latest";
  std::int64_t replicas = 1;
  int gpus_per_replica = 1;
  int port = 8000;
};
// A Deployment (replicas, nvidia.com/gpu limits, the vllm serve arguments, a readiness probe on
// /health, a shared-memory volume for tensor parallelism) and a Service, as two YAML documents.
std::string k8s_manifest(const VllmArgs& args, const K8sOptions& options);

}  // namespace fleetsizer
