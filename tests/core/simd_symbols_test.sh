#!/bin/sh
# The per-level kernel objects (src/**/*.simd.cpp built for avx2 and avx512) must not
# define shared symbols outside their own isa_* namespace: an inline function or template
# instance emitted there under a common name could be the copy the linker keeps for every
# caller, and baseline CPUs would then run AVX code (see src/core/dispatch.hpp).
# Usage: simd_symbols_test.sh BUILD_DIR
set -u
build=$1
command -v nm >/dev/null 2>&1 || { echo "nm not found (binutils)"; exit 1; }
objects=$(find "$build" -path '*simd/avx*' -name '*.o' | sort)
[ -n "$objects" ] || { echo "FAIL: no per-level kernel objects under $build"; exit 1; }
bad=0
for obj in $objects; do
  # Weak (W/V) and unique (u) definitions are the ones merged across objects.
  leaks=$(nm -C --defined-only "$obj" | awk '$2 ~ /^[WVu]$/ { $1 = ""; $2 = ""; print }' |
    grep -v 'isa_avx' || true)
  if [ -n "$leaks" ]; then
    echo "FAIL: $obj defines shared symbols outside its level's namespace:"
    echo "$leaks" | sed 's/^/    /'
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "ok: $(echo "$objects" | wc -l) per-level objects keep their symbols to themselves"
exit $bad
