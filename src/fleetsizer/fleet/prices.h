#pragma once
// What a GPU-hour costs, and where the figure came from. The catalog's prices are illustrative
// (2025 on-demand cloud list figures); every place that prints a price says whether it is one of
// those or the user's own (a prices file or --price GPU=USD).
#include <string>
#include <string_view>
#include <vector>

#include "fleetsizer/catalog/gpu.h"

namespace fleetsizer {

// A one-year reservation's discount off the on-demand price when no reserved price is given
// (illustrative: public one-year commitments list 30-45% off).
inline constexpr double kIllustrativeReservedDiscount = 0.35;

struct GpuPrice {
  std::string gpu;
  double usd_per_gpu_hour = 0;           // on demand
  double reserved_usd_per_gpu_hour = 0;  // one-year reservation; 0: on demand x (1 - discount)
  std::string source;                    // "illustrative catalog price", "prices.csv:3", "--price"
  bool illustrative = true;
  double reserved_or(double discount) const {
    return reserved_usd_per_gpu_hour > 0 ? reserved_usd_per_gpu_hour
                                         : usd_per_gpu_hour * (1 - discount);
  }
};

struct PriceBook {
  std::vector<GpuPrice> prices;
  const GpuPrice* find(std::string_view gpu) const;
  void set(GpuPrice price);  // adds or replaces by GPU name
};

// The illustrative catalog price of every GPU.
PriceBook catalog_prices(const std::vector<GpuSpec>& gpus);

}  // namespace fleetsizer
