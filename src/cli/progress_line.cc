#include "cli/progress_line.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace fleetsizer::cli {
namespace {

std::string duration_text(double s) {
  if (!(s >= 0) || !std::isfinite(s)) return "?";
  if (s < 60) return fmt::format("{:.1f} s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  return fmt::format("{}h{:02}m", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
}

// 12345 -> "12,345": counts read at a glance while they change.
std::string count_text(double v) {
  std::string digits = fmt::format("{}", std::llround(std::max(0.0, v)));
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

}  // namespace

std::string progress_text(const Progress& p, double elapsed_s) {
  std::string s = fmt::format("[{}] {}", p.task, count_text(p.done));
  if (p.total > 0) {
    s += fmt::format(" of {} {} ({:.0f}%)", count_text(p.total), p.unit,
                     100.0 * std::min(1.0, p.done / p.total));
  } else if (!p.unit.empty()) {
    s += fmt::format(" {}", p.unit);
  }
  return s + ", " + duration_text(elapsed_s) + eta_text(p.done, p.total, elapsed_s);
}

std::string eta_text(double done, double total, double elapsed_s) {
  if (!(total > 0 && done > 0 && done < total)) return "";
  return ", ETA " + duration_text(elapsed_s * (total - done) / done);
}

ProgressLine::ProgressLine(bool enabled, std::FILE* out, double quiet_s)
    : enabled_(enabled), out_(out), quiet_s_(quiet_s), started_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() {
  finish();
}

bool ProgressLine::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) != 0;
}

void ProgressLine::update(const Progress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  // Quick work stays silent; a slow one redraws at most ten times a second.
  if (elapsed < quiet_s_ || now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::string line = progress_text(p, elapsed);
  const std::size_t width = line.size();
  if (width < drawn_width_) line.append(drawn_width_ - width, ' ');
  std::fprintf(out_, "\r%s", line.c_str());
  std::fflush(out_);
  drawn_width_ = width;
}

void ProgressLine::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (drawn_width_ == 0) return;
  std::fprintf(out_, "\r%s\r", std::string(drawn_width_, ' ').c_str());
  std::fflush(out_);
  drawn_width_ = 0;
}

ProgressFn ProgressLine::fn() {
  if (!enabled_) return {};
  return [this](const Progress& p) { update(p); };
}

}  // namespace fleetsizer::cli
