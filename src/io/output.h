#pragma once
#include <string>

#include "fleetsizer/error.h"

namespace fleetsizer::io {

// Writes `content` to `path` atomically: a temporary file beside it, flushed, then renamed, so a
// failure never leaves a half-written output file.
Result<void> write_file_atomically(const std::string& path, const std::string& content);

// The whole file as text; "<path>: cannot open <what>" when it cannot be read.
Result<std::string> read_text_file(const std::string& path, const std::string& what);

}  // namespace fleetsizer::io
