#include "soma/core/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace soma {

namespace {
// "42s", "3m05s", "2h07m": short enough to leave room for the status.
std::string duration_text(double seconds) {
  const long long s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s / 60) % 60);
  return buf;
}
}  // namespace

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
  // The time left at the mean pace so far (none before a step is done).
  std::string eta;
  if (done_ > 0 && done_ < total_)
    eta = " ETA " +
          duration_text(secs * static_cast<double>(total_ - done_) / static_cast<double>(done_));
  std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld %s%s %s", label_.c_str(), bar,
               static_cast<long long>(done_), static_cast<long long>(total_),
               duration_text(secs).c_str(), eta.c_str(), status_.c_str());
  std::fflush(stderr);
}

void ProgressBar::println(const std::string& line) {
  if (enabled_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
  if (enabled_) draw(true);
}

void ProgressBar::finish() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  enabled_ = false;
}

}  // namespace soma
