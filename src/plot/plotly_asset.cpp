// Where Plotly.js is read from. It is found relative to the file that holds this code
// (libsoma.so, or a program that links the plot module statically), never by a path
// fixed at build time: an installed soma keeps working after its source and build trees
// are gone, and a relocated prefix (a Debian package, `cmake --install --prefix`) finds
// its own copy. The build tree mirrors the installed layout (build/lib, build/bin,
// build/share/soma/plotly.min.js, copied there by src/plot/CMakeLists.txt), so the same
// search serves uninstalled builds.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/plot/figure.hpp"

namespace soma::plot {

namespace {
namespace fs = std::filesystem;

// The folder of the library or program this function was linked into; empty if unknown.
// Symbolic links are resolved first: Debian's /lib is a link to /usr/lib, and the loader
// may name the library through either, while ../share is only right from /usr/lib.
fs::path code_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&code_dir), &info) == 0 || !info.dli_fname ||
      !*info.dli_fname)
    return {};
  std::error_code ec;
  fs::path file = fs::weakly_canonical(info.dli_fname, ec);
  return ec ? fs::path() : file.parent_path();
}

fs::path program_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::string plotly_js_path() {
  if (const char* env = std::getenv("SOMA_PLOTLY_JS"); env && *env) {
    if (fs::exists(env)) return env;
    throw Error("plot: SOMA_PLOTLY_JS=" + std::string(env) + " does not exist");
  }
  // SOMA_LIBDIR_TO_DATADIR and SOMA_BINDIR_TO_DATADIR are the install layout's relative
  // paths ("../share", or "../../share" under a multiarch libdir); "../share" is the
  // build tree's. A statically linked program finds its code in bin/, hence the bindir
  // form for both folders.
  const fs::path asset = fs::path("soma") / "plotly.min.js";
  std::vector<fs::path> tried;
  for (const fs::path& dir : {code_dir(), program_dir()}) {
    if (dir.empty()) continue;
    for (const char* rel : {SOMA_LIBDIR_TO_DATADIR, SOMA_BINDIR_TO_DATADIR, "../share"}) {
      fs::path p = (dir / rel / asset).lexically_normal();
      bool seen = false;
      for (const auto& t : tried) seen = seen || t == p;
      if (!seen) tried.push_back(std::move(p));
    }
  }
  std::error_code ec;
  for (const auto& p : tried)
    if (fs::exists(p, ec)) return p.string();
  std::string list;
  for (const auto& p : tried) list += "\n  " + p.string();
  throw Error("plot: Plotly.js (plotly.min.js) not found; looked in:" + list +
              "\nin a source build run `npm ci --prefix web` and build again (it is copied to "
              "build/share/soma), or set SOMA_PLOTLY_JS to the file");
}

}  // namespace soma::plot
