// Animated GIF through gnuplot: one `gif animate` terminal, one page per frame.
#include "soma/plot/animation.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "plot/writers.hpp"
#include "soma/core/error.hpp"

namespace soma::plot {

std::string animation_script(const std::vector<Figure>& frames, const std::string& output,
                             const AnimationOptions& options) {
  if (frames.empty())
    throw Error("plot: animation " + output + ": no frames (expected at least 1)");
  if (options.delay_ms < 10 || options.delay_ms > 60'000)
    throw Error("plot: animation delay " + std::to_string(options.delay_ms) +
                " ms (expected 10 to 60000: GIF counts in hundredths of a second)");
  const FigureOptions& size = frames.front().options();
  std::ostringstream s;
  // `delay` is in 1/100 s; `loop 0` repeats forever, `loop 1` plays once.
  s << "set terminal gif animate delay " << options.delay_ms / 10 << " loop "
    << (options.loop ? 0 : 1) << " optimize size " << size.width << "," << size.height
    << " noenhanced font \"Sans,10\" background \"#ffffff\"\n";
  s << "set encoding utf8\nset output \"";
  for (char c : output) {
    if (c == '"' || c == '\\') s << '\\';
    s << c;
  }
  s << "\"\n";
  for (const Figure& frame : frames) s << detail::gnuplot_page(frame);
  s << "set output\n";
  return s.str();
}

void save_animation(const std::vector<Figure>& frames, const std::string& file,
                    const AnimationOptions& options) {
  const std::filesystem::path path(file);
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext != ".gif")
    throw Error("plot: cannot write animation '" + path.string() + "': unknown extension '" + ext +
                "' (expected .gif)");
  // Checked before gnuplot starts, so the message names the file rather than a temp name.
  (void)animation_script(frames, path.string(), options);
  detail::run_gnuplot(
      [&](const std::string& output) { return animation_script(frames, output, options); }, "gif",
      path);
}

}  // namespace soma::plot
