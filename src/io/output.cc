#include "io/output.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <utility>

namespace fleetsizer::io {

namespace fs = std::filesystem;

namespace {

// The temporary files a signal must remove: fixed slots (a handler may not allocate or lock),
// each claimed by compare-and-swap and published once its path is written.
constexpr int kPendingSlots = 64;
constexpr std::size_t kPendingPathBytes = 4096;
struct PendingSlot {
  std::atomic<bool> claimed{false};
  std::atomic<bool> ready{false};
  char path[kPendingPathBytes];
};
PendingSlot g_pending[kPendingSlots];
std::atomic<bool> g_handlers_installed{false};

// unlink(2) and raise(2) are async-signal-safe; the default action then ends the process with the
// signal, so the exit status says what happened (130 for Ctrl-C in a shell).
extern "C" void remove_pending_then_die(int sig) {
  for (auto& slot : g_pending)
    if (slot.ready.load()) ::unlink(slot.path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers_once() {
  if (g_handlers_installed.exchange(true)) return;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    // A handler someone else installed (the servers' own signal handling) stays theirs.
    if (::sigaction(sig, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;
    struct sigaction action {};
    action.sa_handler = remove_pending_then_die;
    sigemptyset(&action.sa_mask);
    ::sigaction(sig, &action, nullptr);
  }
}

// -1 when every slot is taken or the path is too long (the file is then only removed by the
// destructor, as before).
int register_pending(const std::string& path) {
  if (path.size() >= kPendingPathBytes) return -1;
  install_handlers_once();
  for (int i = 0; i < kPendingSlots; ++i) {
    bool expected = false;
    if (!g_pending[i].claimed.compare_exchange_strong(expected, true)) continue;
    std::memcpy(g_pending[i].path, path.c_str(), path.size() + 1);
    g_pending[i].ready.store(true);
    return i;
  }
  return -1;
}

void unregister_pending(int slot) {
  if (slot < 0) return;
  g_pending[slot].ready.store(false);
  g_pending[slot].claimed.store(false);
}

}  // namespace

Result<OutputFile> OutputFile::open(const std::string& path) {
  OutputFile f;
  f.path_ = path;
  std::error_code ec;
  // Through a symlink to what it names, so the link stays a link.
  f.target_ = fs::is_symlink(path, ec) ? fs::weakly_canonical(path, ec).string() : path;
  if (ec) f.target_ = path;
  const auto status = fs::status(f.target_, ec);
  if (fs::is_directory(status)) return fail(fmt::format("{}: is a directory", path));
  const bool direct = fs::exists(status) && !fs::is_regular_file(status);
  if (!direct) f.tmp_ = fmt::format("{}.tmp.{}", f.target_, ::getpid());
  f.out_ = std::make_unique<std::ofstream>(direct ? f.target_ : f.tmp_,
                                           std::ios::binary | std::ios::trunc);
  if (!*f.out_) {
    const std::string why = std::strerror(errno);
    return fail(fmt::format("{}: cannot write output file ({})", path, why));
  }
  if (!direct) f.pending_slot_ = register_pending(f.tmp_);
  return f;
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)),
      target_(std::move(other.target_)),
      tmp_(std::exchange(other.tmp_, {})),
      out_(std::move(other.out_)),
      committed_(other.committed_),
      pending_slot_(std::exchange(other.pending_slot_, -1)) {}

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this != &other) {
    this->~OutputFile();
    new (this) OutputFile(std::move(other));
  }
  return *this;
}

OutputFile::~OutputFile() {
  if (committed_ || tmp_.empty() || !out_) {
    unregister_pending(pending_slot_);
    return;
  }
  out_->close();
  std::error_code ignored;
  fs::remove(tmp_, ignored);
  unregister_pending(pending_slot_);
}

Result<void> OutputFile::commit() {
  out_->flush();
  const bool ok = static_cast<bool>(*out_);
  const std::string why = ok ? "" : std::strerror(errno);
  out_->close();
  if (!ok || out_->fail())
    return fail(fmt::format("{}: write failed ({})", path_, why.empty() ? "I/O error" : why));
  if (tmp_.empty()) {
    committed_ = true;
    return {};
  }
  std::error_code ec;
  if (const auto perms = fs::status(target_, ec).permissions(); !ec && fs::exists(target_))
    fs::permissions(tmp_, perms, ec);  // keep the target's mode (best effort)
  fs::rename(tmp_, target_, ec);
  if (ec) return fail(fmt::format("{}: cannot replace output file ({})", path_, ec.message()));
  committed_ = true;
  unregister_pending(std::exchange(pending_slot_, -1));
  return {};
}

Result<void> write_file_atomically(const std::string& path, const std::string& content) {
  auto out = OutputFile::open(path);
  if (!out) return std::unexpected(out.error());
  out->stream() << content;
  return out->commit();
}

namespace {
// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF); the offset of the
// first bad byte, or npos.
std::size_t invalid_utf8_at(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string::npos;
}
}  // namespace

Result<std::string> read_text_file(const std::string& path, const std::string& what,
                                   std::uintmax_t max_bytes) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (fs::is_directory(status))
    return fail(fmt::format("{}: is a directory, not a {}", path, what));
  if (fs::is_regular_file(status) && fs::file_size(path, ec) > max_bytes)
    return fail(fmt::format("{}: over the {} MiB limit, not a {}", path, max_bytes >> 20, what));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("{}: cannot open {}", path, what));
  // Read in pieces up to the cap: a device (/dev/zero) or a growing file never ends.
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)
      return fail(fmt::format("{}: over the {} MiB limit (a device file?), not a {}", path,
                              max_bytes >> 20, what));
  }
  if (const auto at = invalid_utf8_at(text); at != std::string::npos)
    return fail(fmt::format("{}: not UTF-8 text (byte 0x{:02x} at offset {}), not a {}", path,
                            static_cast<unsigned char>(text[at]), at, what));
  return text;
}

}  // namespace fleetsizer::io
