#!/usr/bin/env bash
# Installs soma from BUILD into a temporary prefix and uses it the two ways a user would:
# a CMake project with find_package(soma), and a plain compiler call with
# `pkg-config --cflags --libs soma`. Each consumer trains a model and writes an HTML
# figure, which must take Plotly.js from the prefix. Also checked: the installed library
# holds no path into the source tree, the exported CMake targets name no target a consumer
# lacks, soma.pc's private libraries cover what libsoma.so links, and examples/ builds
# against the prefix as a project of its own (4.).
#   run.sh BUILD_DIR SOURCE_DIR CXX PKG_CONFIG
set -euo pipefail
build="$1" source="$(cd "$2" && pwd -P)" cxx="$3" pkg_config="$4"
consumer_src="$(cd "$(dirname "$0")/consumer" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$(cd "$work" && pwd -P)/prefix"
fail() { echo "FAIL: $*" >&2; exit 1; }
unset SOMA_PLOTLY_JS  # the search itself is under test

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
lib="$(find "$prefix" -name 'libsoma.so.*.*' -type f | head -n 1)"
[[ -n "$lib" ]] || fail "no libsoma.so.X.Y.Z under $prefix"
libdir="$(dirname "$lib")"

# No path into the source tree (the build tree is usually inside it). Debug information
# names the sources legitimately (Debian moves it to -dbgsym), so it is stripped first.
objcopy --strip-debug "$lib" "$work/libsoma-stripped.so"
if strings "$work/libsoma-stripped.so" | grep -F "$source" > "$work/paths.txt"; then
  fail "libsoma.so holds source-tree paths: $(head -n 3 "$work/paths.txt")"
fi

# The exported targets may name only soma's own: anything else (SUNDIALS::cvode_shared)
# would have to be found on the consumer's machine.
foreign="$(cat "$libdir"/cmake/soma/*.cmake | grep -o '[A-Za-z0-9_.+-]*::[A-Za-z0-9_.+-]*' |
  grep -v -e '^soma::' -e '_for_soma::soma$' | sort -u || true)"
[[ -z "$foreign" ]] || fail "the installed CMake package names other targets: $foreign"

# Plotly.js is installed when the build has it (web/node_modules was there).
plotly_built="$build/share/soma/plotly.min.js"
if [[ -f "$plotly_built" ]]; then
  cmp -s "$plotly_built" "$prefix/share/soma/plotly.min.js" ||
    fail "share/soma/plotly.min.js not installed from $plotly_built"
else
  echo "note: this build has no Plotly.js (npm ci --prefix web); HTML figures not checked"
fi

# Runs one consumer in a fresh folder and checks what it printed and wrote.
check_consumer() {
  local name="$1" exe="$2" out="$work/out-$1"
  mkdir -p "$out"
  (cd "$work" && "$exe" "$out") > "$out/stdout" || fail "$name consumer failed: $(cat "$out/stdout")"
  cat "$out/stdout"
  local plotly
  plotly="$(sed -n 's/^plotly: //p' "$out/stdout")"
  if [[ -f "$plotly_built" ]]; then
    [[ "$plotly" == "$prefix/share/soma/plotly.min.js" ]] ||
      fail "$name consumer found Plotly.js at '$plotly', not in the prefix"
    [[ -f "$out/loss.html" ]] || fail "$name consumer wrote no loss.html"
    grep -q 'Plotly.newPlot' "$out/loss.html" || fail "$name: loss.html draws nothing"
    # HTML figures link the installed Plotly.js (Figure::embed_plotly inlines it instead).
    grep -qF "src=\"file://$prefix/share/soma/plotly.min.js\"" "$out/loss.html" ||
      fail "$name: loss.html does not load the installed Plotly.js"
  else
    [[ "$plotly" == none:* ]] || fail "$name consumer claims a Plotly.js the build lacks: $plotly"
  fi
}

# 1. CMake: find_package(soma) and nothing else.
cmake -S "$consumer_src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" > "$work/configure.log" 2>&1 ||
  fail "find_package(soma) consumer does not configure: $(cat "$work/configure.log")"
cmake --build "$work/cmake-build" > "$work/build.log" 2>&1 ||
  fail "find_package(soma) consumer does not build: $(tail -n 30 "$work/build.log")"
check_consumer cmake "$work/cmake-build/consumer"

# 2. pkg-config: the flags it gives are all a compiler call needs.
pc_dir="$(dirname "$(find "$prefix" -name soma.pc | head -n 1)")"
export PKG_CONFIG_PATH="$pc_dir"
[[ "$("$pkg_config" --variable=prefix soma)" == "$prefix" ]] ||
  fail "soma.pc's prefix is $("$pkg_config" --variable=prefix soma), not $prefix"
# shellcheck disable=SC2046
"$cxx" -o "$work/pc-consumer" "$consumer_src/main.cpp" $("$pkg_config" --cflags --libs soma) \
  -Wl,-rpath,"$libdir" 2> "$work/pc-build.log" ||
  fail "pkg-config consumer does not build: $(tail -n 30 "$work/pc-build.log")"
check_consumer pkg-config "$work/pc-consumer"

# 3. Libs.private/Requires.private name every library libsoma.so needs, except the C and
#    C++ runtimes (and libgomp, which -fopenmp brings).
static_libs=" $("$pkg_config" --static --libs soma) "
for needed in $(objdump -p "$lib" | awk '$1 == "NEEDED" {print $2}'); do
  base="${needed%%.so*}"
  base="${base#lib}"
  case "$base" in
    c | m | stdc++ | gcc_s | pthread | dl | rt | ld-linux*) continue ;;
    gomp) [[ "$static_libs" == *" -fopenmp "* ]] || fail "soma.pc's Libs.private lacks -fopenmp" ;;
    *) [[ "$static_libs" == *" -l$base "* ]] ||
      fail "libsoma.so needs $needed; pkg-config --static --libs soma lacks -l$base" ;;
  esac
done
# 4. The examples (examples/CMakeLists.txt) as a project of its own against the prefix, with
#    warnings as errors, as a user copying them would build them: their include path has
#    the prefix and their own folder only, so they use soma's public headers alone. Two
#    run briefly and give what `soma example NAME` gives (the same run(); the CLI adds the
#    flags, apps/soma/examples/), timings aside.
cmake -S "$source/examples" -B "$work/examples-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS=-Werror > "$work/examples-configure.log" 2>&1 ||
  fail "examples/ does not configure against the prefix: $(cat "$work/examples-configure.log")"
cmake --build "$work/examples-build" -j "$(nproc)" > "$work/examples-build.log" 2>&1 ||
  fail "examples/ does not build against the prefix: $(tail -n 30 "$work/examples-build.log")"
for f in "$source"/examples/*.cpp "$source"/examples/*.hpp; do
  sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
    [[ "$inc" == soma/* || -f "$source/examples/$inc" ]] ||
      fail "$(basename "$f") includes \"$inc\", neither soma's public header nor an example's"
  done
done
cli="$prefix/bin/soma"
[[ -x "$cli" ]] || cli="$build/bin/soma"
untimed() { tail -n 1 | sed -E 's/"[a-z_]*seconds":[^,}]*,?//g'; }
same_as_cli() {  # NAME CLI-NAME ARGS...: the program's --json line equals the CLI's
  local name="$1" cli_name="$2"
  shift 2
  local own via_cli
  own="$("$work/examples-build/$name" "$@" --json | untimed)" || fail "examples/$name $* failed"
  via_cli="$("$cli" example "$cli_name" "$@" --json | untimed)" || fail "soma example $cli_name failed"
  [[ -n "$own" && "$own" == "$via_cli" ]] ||
    fail "examples/$name $* gives $own; soma example $cli_name gives $via_cli"
}
same_as_cli numpy_basics numpy-basics
same_as_cli perceptron perceptron --seed 7 --epochs 300
if "$work/examples-build/perceptron" --epochs x > /dev/null 2> "$work/bad-arg.txt" ||
  ! grep -q -- "--epochs 'x': expected an integer" "$work/bad-arg.txt"; then
  fail "examples/perceptron --epochs x: $(cat "$work/bad-arg.txt")"
fi
# docs/api/cli.md's worked example is a whole program: built and run, its loss is
# (1 - 0.01)^3 after three epochs at rate 0.01, as doubles multiply it.
awk '/^```cpp/ {on = 1; next} on && /^```/ {exit} on' "$source/docs/api/cli.md" > "$work/cli_page.cpp"
"$cxx" -std=c++20 -Wall -Wextra -Werror -o "$work/cli_page" "$work/cli_page.cpp" \
  -I"$prefix/include" -L"$libdir" -lsoma -Wl,-rpath,"$libdir" 2> "$work/cli_page.log" ||
  fail "docs/api/cli.md's example does not build: $(tail -n 20 "$work/cli_page.log")"
page_json="$("$work/cli_page" --epochs 3 --json | tail -n 1)"
[[ "$page_json" == '{"epochs":3,"figures":[],"loss":0.9702989999999999}' ]] ||
  fail "docs/api/cli.md's example printed $page_json"
echo "install: examples/ built against the prefix; numpy_basics and perceptron agree with the CLI"
echo "install: find_package and pkg-config consumers passed"
