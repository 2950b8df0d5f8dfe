#!/bin/bash
# docs/ARCHITECTURE.md's module graph against the one the build wrote from the CMake targets
# (build/module_graph.txt, src/CMakeLists.txt): the page must not drift from the code.
# Usage: architecture_graph_test.sh DOC GENERATED
set -u
doc=$1 generated=$2
shown=$(sed -n '/<!-- module-graph:begin -->/,/<!-- module-graph:end -->/p' "$doc" | grep -v '^<!--' | grep -v '^```')
[ -n "$shown" ] || { echo "FAIL: no module graph between the markers in $doc"; exit 1; }
if ! diff <(printf '%s\n' "$shown") "$generated"; then
  echo "FAIL: $doc's module graph (<) differs from the CMake targets' (>, $generated)"
  exit 1
fi
echo "ok: $(wc -l <"$generated") modules, as the CMake targets declare them"
