#include "fleetsizer/fleet/prices.h"

#include <algorithm>

namespace fleetsizer {

const GpuPrice* PriceBook::find(std::string_view gpu) const {
  auto it = std::ranges::find(prices, gpu, &GpuPrice::gpu);
  return it == prices.end() ? nullptr : &*it;
}

void PriceBook::set(GpuPrice price) {
  auto it = std::ranges::find(prices, price.gpu, &GpuPrice::gpu);
  if (it == prices.end())
    prices.push_back(std::move(price));
  else
    *it = std::move(price);
}

PriceBook catalog_prices(const std::vector<GpuSpec>& gpus) {
  PriceBook book;
  for (const GpuSpec& g : gpus)
    book.set({g.name, g.usd_per_gpu_hour, 0, "illustrative catalog price", true});
  return book;
}

}  // namespace fleetsizer
