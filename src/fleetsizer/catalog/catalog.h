#pragma once
// The GPUs and models fleetsizer knows by name: a built-in table with sources, to which a user's
// YAML file adds or overrides entries (parsed at the edge, see src/io/catalog_file.h).
#include <string>
#include <string_view>
#include <vector>

#include "fleetsizer/catalog/gpu.h"
#include "fleetsizer/catalog/model.h"
#include "fleetsizer/error.h"

namespace fleetsizer {

struct Catalog {
  std::vector<GpuSpec> gpus;
  std::vector<ModelSpec> models;

  // Resolves a name or alias ("H100", "meta-llama/Llama-3.1-8B-Instruct"); an unknown name is an
  // error that suggests the nearest known names (unless `suggest` is false: the suggestion costs an
  // edit distance to every name and alias, which a file of many unknown names cannot afford for
  // each).
  Result<GpuSpec> gpu(std::string_view name, bool suggest = true) const;
  Result<ModelSpec> model(std::string_view name, bool suggest = true) const;
  // Adds or replaces (by name) an entry.
  void put(GpuSpec gpu);
  void put(ModelSpec model);
  std::vector<std::string> gpu_names() const;
  std::vector<std::string> model_names() const;
};

Catalog builtin_catalog();

}  // namespace fleetsizer
