#include "soma/core/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace soma {

bool stderr_is_terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) == 1 && !(term && std::strcmp(term, "dumb") == 0);
}

ProgressBar::ProgressBar(int64_t total, std::string label, bool enabled)
    : total_(total), label_(std::move(label)), enabled_(enabled && stderr_is_terminal()) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::advance(int64_t n, const std::string& status) {
  done_ += n;
  if (!status.empty()) status_ = status;
  draw(done_ >= total_);
}

void ProgressBar::set_status(const std::string& status) {
  status_ = status;
  draw(false);
}

void ProgressBar::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // Redrawing costs a write(2); ten times a second is plenty for a human.
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const int width = 30;
  const double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 0.0;
  const int filled = static_cast<int>(frac * width);
  char bar[width + 1];
  for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
  bar[width] = '\0';
  const double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld %.1fs %s", label_.c_str(), bar,
               static_cast<long long>(done_), static_cast<long long>(total_), secs,
               status_.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  enabled_ = false;
}

}  // namespace soma
