#include "fleetsizer/perf/measurement.h"

#include <fmt/format.h>

namespace fleetsizer {

std::string Measurement::configuration() const {
  return fmt::format("{} {} {} tp{} {}/{}", model.name, gpu.name, engine, tp,
                     dtype_name(weights_dtype), dtype_name(kv_dtype));
}

std::string Measurement::where() const {
  return fmt::format("{}:{}", file, line);
}

}  // namespace fleetsizer
