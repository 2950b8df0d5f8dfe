# The two commands a fresh Debian 12 machine needs: `make run` and `make test`.
# Each installs what is missing (scripts/bootstrap), builds, and runs.
JOBS ?= $(shell nproc)
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
# ccache keys on paths relative to the checkout, so fresh clones (CI) reuse the cache.
export CCACHE_BASEDIR ?= $(CURDIR)
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-sanitize bench format format-check install clean

all: build

deps:
	@scripts/bootstrap

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/bin/soma train

test: deps
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (CI runs this too);
# tests that need the CLI or minutes of run time (labels cli, heavy) run in `make test`.
# -g1 keeps the line tables a sanitizer report needs and builds ~30 % faster than -g.
test-sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSOMA_SANITIZE=ON \
	  -DSOMA_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_CXX_FLAGS_DEBUG=-g1 $(LAUNCHER)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS) --target unit_tests
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600 -LE 'heavy|cli'


bench:
	@scripts/bootstrap --bench
	@$(MAKE) --no-print-directory build
	cmake --build $(BUILD) -j $(JOBS) --target benches
	bench/run $(BUILD)
	scripts/gather-bench-results

format:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror

install: build
	cmake --install $(BUILD) --prefix $(or $(PREFIX),/usr/local)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
