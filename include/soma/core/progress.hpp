#pragma once
// A progress bar for long commands: drawn on stderr when it is a terminal,
// silent in a pipe or a file so logs and --json output stay clean. It shows the time
// spent and, once a step is done, the time left at the mean pace so far (ETA), as tqdm.
#include <cstdint>
#include <string>

#include "soma/core/std_chrono.hpp"

namespace soma {

class ProgressBar {
 public:
  ProgressBar(int64_t total, std::string label, bool enabled = true);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Advances by `n` steps; `status` is shown after the bar (loss, throughput...).
  void advance(int64_t n = 1, const std::string& status = "");
  void set_status(const std::string& status);
  // Prints `line` on stdout above the bar, which is drawn again under it: a log line that
  // stays on screen (Keras' one line per epoch). Printed in a pipe too, without the bar.
  void println(const std::string& line);
  // Clears the bar's line; called by the destructor too.
  void finish();
  bool active() const { return enabled_; }

 private:
  void draw(bool force);
  int64_t total_, done_ = 0;
  std::string label_, status_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// True when stderr is a terminal (and TERM is not "dumb").
bool stderr_is_terminal();

}  // namespace soma
