#pragma once
// A user's YAML file that adds GPUs and models to the catalog or overrides built-in ones:
//   gpus:   [{name: my-h100, base: h100-sxm, usd_per_gpu_hour: 1.9}, ...]
//   models: [{name: my-llama, config: path/to/config.json}, {name: x, base: llama-3.1-8b, layers:
//   40}]
#include <string>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/error.h"

namespace fleetsizer::io {

Result<void> load_catalog_file(const std::string& path, Catalog& catalog);

}  // namespace fleetsizer::io
