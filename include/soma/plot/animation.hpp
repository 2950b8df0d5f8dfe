#pragma once
// An animation: a sequence of figures written as one animated GIF through gnuplot's
// `gif animate` terminal (libgd, in Debian's gnuplot-nox), as matplotlib's FuncAnimation
// saved with a GIF writer would. Every frame takes the first frame's size.
//
//   std::vector<plot::Figure> frames;
//   for (int epoch = 1; epoch <= 99; ++epoch) frames.push_back(fit_at(epoch));
//   plot::save_animation(frames, "fit.gif", {.delay_ms = 100});
#include <string>
#include <vector>

#include "soma/plot/figure.hpp"

namespace soma::plot {

struct AnimationOptions {
  int delay_ms = 100;  // between frames; GIF counts in hundredths of a second
  bool loop = true;    // play again from the start, forever
};

// The gnuplot script that writes `frames` to `output` (one multiplot page per frame).
// Throws soma::Error for no frames or a delay outside 10 ms .. 60 s.
std::string animation_script(const std::vector<Figure>& frames, const std::string& output,
                             const AnimationOptions& options = {});

// Writes the animated GIF atomically; `path` must end in .gif (soma::Error otherwise).
void save_animation(const std::vector<Figure>& frames, const std::string& path,
                    const AnimationOptions& options = {});

}  // namespace soma::plot
