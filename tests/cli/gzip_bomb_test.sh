#!/bin/sh
# Issue 13, item 4: a gzip IDX bomb (2 MB of gzip, 2 GiB of zeros) is refused from its
# header, and one whose header is valid (10000 x 28 x 28 images, 7.8 MB) but whose data
# goes on for 2 GiB is refused once the header's bytes are read: peak RSS stays under
# 100 MB (before: the whole 2.1 GB was inflated before the header was looked at).
# Usage: gzip_bomb_test.sh SOMA PEAK_RSS
set -u
soma=$1 peak_rss=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

head -c 2147483648 /dev/zero | gzip -6 >"$dir/zeros-idx3-ubyte.gz"
{
  printf '\0\0\10\3\0\0\47\20\0\0\0\34\0\0\0\34'
  head -c 2147483648 /dev/zero
} | gzip -6 >"$dir/long-idx3-ubyte.gz"
echo "bombs: $(wc -c <"$dir/zeros-idx3-ubyte.gz") and $(wc -c <"$dir/long-idx3-ubyte.gz") bytes of gzip"

check() {  # check FILE PATTERN
  start=$(date +%s)
  "$peak_rss" "$dir/rss" "$soma" tsne "$dir/$1" >/dev/null 2>"$dir/err"
  status=$?
  [ $status -eq 1 ] || fail "$1: exit status $status (expected 1): $(cat "$dir/err")"
  grep -q "$2" "$dir/err" || fail "$1: message: $(cat "$dir/err")"
  rss=$(cat "$dir/rss")
  [ "$rss" -lt 102400 ] || fail "$1: peak RSS $rss KiB (limit 100 MB)"
  echo "ok: $1 refused in $(($(date +%s) - start)) s, peak RSS $rss KiB: $(cat "$dir/err")"
}
check zeros-idx3-ubyte.gz "magic number: unknown type code 0"
check long-idx3-ubyte.gz "10000x28x28 uint8 elements need 7840016 bytes, file has more"
echo "OK"
