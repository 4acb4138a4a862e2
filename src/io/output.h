#pragma once
#include <fstream>
#include <memory>
#include <string>

#include "fleetsizer/error.h"

namespace fleetsizer::io {

// An output file written whole or not at all. Text goes to a temporary file beside the target (a
// symlink's target, so -o writes through the link), which commit() checks, flushes and renames
// over it, keeping an existing target's permissions; a write error (a full disk) fails commit()
// and leaves no partial file. A target that is not a regular file (/dev/stdout, /dev/full, a
// FIFO) is written directly: renaming over it would replace the device. SIGINT, SIGTERM or
// SIGHUP while a temporary file is open removes it before the process ends with that signal.
class OutputFile {
 public:
  static Result<OutputFile> open(const std::string& path);
  OutputFile(OutputFile&&) noexcept;
  OutputFile& operator=(OutputFile&&) noexcept;
  ~OutputFile();  // removes the temporary file unless committed

  std::ostream& stream() { return *out_; }
  Result<void> commit();

 private:
  OutputFile() = default;
  std::string path_, target_, tmp_;  // tmp_ empty: written directly
  std::unique_ptr<std::ofstream> out_;
  bool committed_ = false;
  int pending_slot_ = -1;  // the temporary file's entry in the signal handler's removal list
};

// Writes `content` to `path` through an OutputFile.
Result<void> write_file_atomically(const std::string& path, const std::string& content);

// The largest text file read (scenarios, catalogs, traces, CSV): a device file such as /dev/zero
// or a mistaken huge file is refused with this size in the message instead of read for ever.
inline constexpr std::uintmax_t kMaxTextFileBytes = 1ull << 30;
// The cap for hand-written settings (scenario, catalog, profile, stack YAML).
inline constexpr std::uintmax_t kMaxSettingsFileBytes = 16ull << 20;

// The whole file as text, one plain sentence naming the file when it cannot be: not there, a
// directory, over `max_bytes` (devices are read up to it), or not UTF-8.
Result<std::string> read_text_file(const std::string& path, const std::string& what,
                                   std::uintmax_t max_bytes = kMaxTextFileBytes);

}  // namespace fleetsizer::io
