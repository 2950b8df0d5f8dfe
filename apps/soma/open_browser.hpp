#pragma once
// `soma dashboard --open`: the page in the user's browser, as `jupyter notebook` and
// `tensorboard` users expect, through xdg-open (the desktop's choice of browser). Without
// a display (SSH, a container, CI) no browser could show it, so nothing is started and
// the reason is returned for the CLI to print beside the URL.
#include <string>

namespace soma::cli {

// Starts `xdg-open URL` (not waited for: some browsers keep it until they exit) when
// DISPLAY or WAYLAND_DISPLAY is set and xdg-open is on PATH. Returns "" when started,
// else why not, in words ("no display: DISPLAY and WAYLAND_DISPLAY are unset").
std::string open_browser(const std::string& url);

}  // namespace soma::cli
