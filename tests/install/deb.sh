#!/usr/bin/env bash
# `make deb` checked: CPack builds libsoma0, libsoma-dev and soma from BUILD into a
# temporary folder; their contents and control files are checked, the two library
# packages are unpacked into a scratch root and a pkg-config consumer built and run
# against it (Plotly.js must resolve inside that root), the packaged soma must run from
# it without a RUNPATH, and lintian, where installed, may report no errors and no
# warnings but those debian/*.lintian-overrides explain (and, while no maintainer
# address was found, the placeholder's: cmake/Package.cmake).
#   deb.sh BUILD_DIR SOURCE_DIR CXX PKG_CONFIG
set -euo pipefail
build="$(cd "$1" && pwd)" cxx="$3" pkg_config="$4"
consumer_src="$(cd "$(dirname "$0")/consumer" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
unset SOMA_PLOTLY_JS

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out") > "$work/cpack.log" 2>&1 ||
  fail "cpack failed: $(tail -n 30 "$work/cpack.log")"
deb() { find "$work/out" -maxdepth 1 -name "$1_*.deb" | head -n 1; }
lib_deb="$(deb libsoma0)" dev_deb="$(deb libsoma-dev)" cli_deb="$(deb soma)"
[[ -n "$lib_deb" && -n "$dev_deb" && -n "$cli_deb" ]] || fail "missing packages: $(ls "$work/out")"

has() { dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "$2" || fail "$(basename "$1") lacks $2"; }
has "$lib_deb" ./usr/lib/libsoma.so.0
has "$dev_deb" ./usr/lib/libsoma.so
has "$dev_deb" ./usr/include/soma/soma.hpp
has "$dev_deb" ./usr/lib/pkgconfig/soma.pc
has "$dev_deb" ./usr/lib/cmake/soma/somaConfig.cmake
has "$cli_deb" ./usr/bin/soma
for package in "$lib_deb" "$dev_deb" "$cli_deb"; do
  name="$(dpkg-deb -f "$package" Package)"
  has "$package" "./usr/share/doc/$name/copyright"
  has "$package" "./usr/share/doc/$name/changelog.gz"
done
[[ ! -f "$build/man/soma.1.gz" ]] || has "$cli_deb" ./usr/share/man/man1/soma.1.gz
plotly_built="$build/share/soma/plotly.min.js"
[[ ! -f "$plotly_built" ]] || has "$lib_deb" ./usr/share/soma/plotly.min.js
dpkg-deb -e "$lib_deb" "$work/control"
[[ -f "$work/control/shlibs" ]] || fail "libsoma0 has no shlibs file"
grep -qx 'activate-noawait ldconfig' "$work/control/triggers" || fail "libsoma0 has no ldconfig trigger"
depends="$(dpkg-deb -f "$lib_deb" Depends)"
[[ "$depends" == *libsundials-cvode* && "$depends" == *libopenblas* ]] ||
  fail "libsoma0's Depends lack what libsoma.so links (dpkg-shlibdeps): $depends"
[[ "$(dpkg-deb -f "$cli_deb" Depends)" == *"libsoma0 (= "* ]] || fail "soma does not depend on libsoma0"

# The library packages, unpacked under a scratch root, serve a pkg-config build.
root="$work/root"
dpkg-deb -x "$lib_deb" "$root"
dpkg-deb -x "$dev_deb" "$root"
export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
# pkgconf prints variables with the sysroot in front.
prefix="$("$pkg_config" --variable=prefix soma)"
[[ "$prefix" == /usr || "$prefix" == "$root/usr" ]] || fail "soma.pc's prefix is $prefix, not /usr"
# shellcheck disable=SC2046
"$cxx" -o "$work/consumer" "$consumer_src/main.cpp" $("$pkg_config" --cflags --libs soma) \
  -Wl,-rpath,"$root/usr/lib" 2> "$work/build.log" ||
  fail "consumer does not build against the packages: $(tail -n 30 "$work/build.log")"
mkdir -p "$work/figures"
"$work/consumer" "$work/figures" > "$work/consumer.log" || fail "consumer failed: $(cat "$work/consumer.log")"
cat "$work/consumer.log"
# The packaged tool: stripped, no RUNPATH, and it runs against the unpacked libsoma0.
dpkg-deb -x "$cli_deb" "$root"
readelf -d "$root/usr/bin/soma" | grep -E 'R(UN)?PATH' && fail "usr/bin/soma has a RUNPATH"
readelf -S "$root/usr/bin/soma" | grep -q '\.symtab' && fail "usr/bin/soma is not stripped"
LD_LIBRARY_PATH="$root/usr/lib" "$root/usr/bin/soma" --version | grep -q '^soma ' ||
  fail "the packaged soma does not run"
plotly="$(sed -n 's/^plotly: //p' "$work/consumer.log")"
if [[ -f "$plotly_built" ]]; then
  [[ "$plotly" == "$(cd "$root" && pwd -P)/usr/share/soma/plotly.min.js" ]] ||
    fail "Plotly.js found at '$plotly', not in the unpacked libsoma0"
  [[ -f "$work/figures/loss.html" ]] || fail "no HTML figure written"
fi

if command -v lintian > /dev/null; then
  # Errors and warnings fail; the deliberate ones are overridden in the packages. The
  # placeholder maintainer address (no $DEBEMAIL, no git identity) is the publisher's to set.
  tolerated='^$'
  [[ "$(dpkg-deb -f "$cli_deb" Maintainer)" != *@localhost.localdomain* ]] ||
    tolerated=' bogus-mail-host'
  lintian "$lib_deb" "$dev_deb" "$cli_deb" 2>&1 | grep -E '^(E|W): ' |
    grep -v -e "$tolerated" > "$work/lintian.txt" || true
  [[ ! -s "$work/lintian.txt" ]] || fail "lintian: $(cat "$work/lintian.txt")"
else
  echo "note: lintian not installed; packages not linted"
fi
echo "deb: libsoma0, libsoma-dev and soma built and used"
