#pragma once
// A request stream replaying a list already in memory, in the list's order (its arrival times are
// the caller's to sort): the simulator's decode pool replays the prefill pool's hand-offs with it,
// and tests replay hand-made requests.
#include <utility>
#include <vector>

#include "fleetsizer/workload/request.h"

namespace fleetsizer {

class ListSource final : public RequestSource {
 public:
  explicit ListSource(std::vector<Request> requests) : requests_(std::move(requests)) {}
  Result<bool> next(Request& out) override {
    if (i_ >= requests_.size()) return false;
    out = requests_[i_++];
    return true;
  }

 private:
  std::vector<Request> requests_;
  std::size_t i_ = 0;
};

}  // namespace fleetsizer
