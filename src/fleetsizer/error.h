#pragma once
// Bad input is a value, not an exception: every parser and validator returns Result<T>, whose
// error carries one line that names the file, field and line at fault.
#include <expected>
#include <string>
#include <utility>

namespace fleetsizer {

struct Error {
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message) {
  return std::unexpected(Error{std::move(message)});
}

}  // namespace fleetsizer
