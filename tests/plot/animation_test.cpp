// Animated GIFs through gnuplot's `gif animate` terminal: the file's own structure is
// read back (frames counted from its image descriptors, size from its screen
// descriptor), so the count is what a viewer would play, not what soma meant to write.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"
#include "soma/plot/animation.hpp"
#include "test_util.hpp"

namespace plot = soma::plot;
using plot_test::ScratchDir;

namespace {

struct GifInfo {
  int width = 0, height = 0, frames = 0;
  bool looping = false;  // a NETSCAPE2.0 application extension is present
};

// Walks the GIF89a block structure (header, screen descriptor, optional global colour
// table, then extensions and images up to the 0x3B trailer).
GifInfo read_gif(const std::string& b) {
  auto u8 = [&](size_t i) -> unsigned {
    if (i >= b.size()) throw std::runtime_error("GIF truncated at byte " + std::to_string(i));
    return static_cast<unsigned char>(b[i]);
  };
  auto skip_sub_blocks = [&](size_t i) {
    while (u8(i) != 0) i += u8(i) + 1;
    return i + 1;
  };
  if (b.substr(0, 6) != "GIF89a") throw std::runtime_error("not a GIF89a file");
  GifInfo g;
  g.width = int(u8(6) | u8(7) << 8);
  g.height = int(u8(8) | u8(9) << 8);
  size_t i = 13;
  if (u8(10) & 0x80) i += 3u * (1u << ((u8(10) & 7) + 1));
  for (;;) {
    const unsigned tag = u8(i);
    if (tag == 0x3B) return g;
    if (tag == 0x21) {
      if (u8(i + 1) == 0xFF && b.compare(i + 3, 11, "NETSCAPE2.0") == 0) g.looping = true;
      i = skip_sub_blocks(i + 2);
    } else if (tag == 0x2C) {
      ++g.frames;
      const unsigned flags = u8(i + 9);
      i += 10;
      if (flags & 0x80) i += 3u * (1u << ((flags & 7) + 1));
      i = skip_sub_blocks(i + 1);  // after the LZW minimum code size
    } else {
      throw std::runtime_error("unexpected GIF block 0x" + std::to_string(tag));
    }
  }
}

std::vector<plot::Figure> moving_line(int n) {
  std::vector<plot::Figure> frames;
  for (int k = 0; k < n; ++k) {
    plot::Figure f({.width = 320, .height = 200});
    f.axes().ylim = plot::Range{-1, 10};
    f.axes().line({0.0, 1.0}, {0.0, double(k)}, {.label = "frame " + std::to_string(k)});
    frames.push_back(f);
  }
  return frames;
}

TEST(Animation, GifHasOneImagePerFrameAndTheFirstFramesSize) {
  ScratchDir dir;
  const auto path = dir.path / "line.gif";
  plot::save_animation(moving_line(7), path, {.delay_ms = 50});
  const GifInfo g = read_gif(soma::read_file(path));
  EXPECT_EQ(g.frames, 7);
  EXPECT_EQ(g.width, 320);
  EXPECT_EQ(g.height, 200);
  EXPECT_TRUE(g.looping);
}

TEST(Animation, ScriptHasOneMultiplotPerFrameUnderOneTerminal) {
  const std::string s = plot::animation_script(moving_line(3), "out.gif", {.delay_ms = 250});
  EXPECT_NE(s.find("set terminal gif animate delay 25 loop 0"), std::string::npos) << s;
  size_t pages = 0;
  for (size_t at = s.find("\nset multiplot"); at != std::string::npos;
       at = s.find("\nset multiplot", at + 1))
    ++pages;
  EXPECT_EQ(pages, 3u);
}

TEST(Animation, BadInputIsAnError) {
  ScratchDir dir;
  EXPECT_THROW(plot::save_animation({}, dir.path / "none.gif"), soma::Error);
  EXPECT_THROW(plot::save_animation(moving_line(1), dir.path / "a.png"), soma::Error);
  EXPECT_THROW(plot::animation_script(moving_line(1), "a.gif", {.delay_ms = 1}), soma::Error);
  try {
    plot::save_animation(moving_line(1), dir.path / "a.mp4");
    FAIL() << "expected soma::Error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected .gif"), std::string::npos) << e.what();
  }
}

}  // namespace
