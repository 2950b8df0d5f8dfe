#!/usr/bin/env bash
# Installs soma from BUILD into a temporary prefix and uses it the two ways a user would:
# a CMake project with find_package(soma), and a plain compiler call with
# `pkg-config --cflags --libs soma`. Each consumer trains a model and writes an HTML
# figure, which must take Plotly.js from the prefix. Also checked: the installed library
# holds no path into the source tree, the exported CMake targets name no target a consumer
# lacks, and soma.pc's private libraries cover what libsoma.so links.
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
echo "install: find_package and pkg-config consumers passed"
