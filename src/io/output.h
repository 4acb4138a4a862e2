#pragma once
#include <string>

#include "fleetsizer/error.h"

namespace fleetsizer::io {

// Writes `content` to `path` atomically: a temporary file beside it, flushed, then renamed, so a
// failure never leaves a half-written output file.
Result<void> write_file_atomically(const std::string& path, const std::string& content);

}  // namespace fleetsizer::io
