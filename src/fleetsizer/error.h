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

// An error is one line whatever text it quotes (a YAML key holding a line break, a server's
// body, a parser's message with a control character in it; found by fuzzing): control characters
// are written as escapes.
inline std::string one_line(std::string text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += ' ';
    else if (u < 0x20 || u == 0x7f)
      out += std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
    else
      out += c;
  }
  return out;
}

inline std::unexpected<Error> fail(std::string message) {
  return std::unexpected(Error{one_line(std::move(message))});
}

}  // namespace fleetsizer
