# The two commands a fresh Debian 12 machine needs: `make run` and `make test`.
# Each installs what is missing (scripts/bootstrap), builds, and runs.
JOBS ?= $(shell nproc)
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
ARM64_BUILD ?= build-arm64
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# Which targets `make fuzz` runs (default: all of fuzz/*_fuzz.cpp) and how many at once.
FUZZ_TARGETS ?=
FUZZ_PARALLEL ?= 2
# ccache keys on paths relative to the checkout, so fresh clones (CI) reuse the cache.
export CCACHE_BASEDIR ?= $(CURDIR)
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-sanitize test-arm64 fuzz bench format format-check install deb docs clean

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

# aarch64: cross-compiled with Debian's g++-aarch64-linux-gnu against the arm64 multiarch
# packages (cmake/toolchain-aarch64.cmake), run under qemu-aarch64: the tests, then four
# examples (scripts/run-arm64-examples). On an ARM machine `make test` is native.
# Left out under the emulator:
#   cli, browser: scripts that start build-arm64/bin/soma themselves, which would need
#     binfmt_misc rather than ctest's emulator (the examples below run the CLI instead);
#   embed_quality: t-SNE on 5,000 images, minutes natively, hours emulated;
#   install_find_package, install_deb: build their consumers with the build machine's compiler.
# The other heavy tests run: snn_coba (about 100 s emulated) and expr_speed (its ratio
# compares two loops in one emulated process).
test-arm64:
	@scripts/bootstrap --arm64
	cmake -S . -B $(ARM64_BUILD) -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/toolchain-aarch64.cmake \
	  -DCMAKE_BUILD_TYPE=Release -DSOMA_BUILD_BENCH=OFF $(LAUNCHER)
	cmake --build $(ARM64_BUILD) -j $(JOBS) --target unit_tests soma_cli
	cd $(ARM64_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600 -LE 'cli|browser' \
	  -E '^(embed_quality|install_find_package|install_deb)$$'
	scripts/run-arm64-examples $(ARM64_BUILD)

# Coverage-guided fuzzing: every fuzz/*_fuzz.cpp built with clang and libFuzzer under
# ASan + UBSan in $(FUZZ_BUILD), then each run for FUZZ_SECONDS from fuzz/corpus/NAME and
# fuzz/regressions/NAME (scripts/fuzz-run; docs/DEVELOPING.md, "Fuzzing").
fuzz:
	@scripts/bootstrap --fuzz
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_BUILD_TYPE=Debug -DSOMA_FUZZ=ON -DSOMA_BUILD_TESTS=OFF -DSOMA_BUILD_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS=-O1 -DCMAKE_CXX_FLAGS_DEBUG=-g1 $(LAUNCHER)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	scripts/fuzz-run $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_PARALLEL) $(FUZZ_TARGETS)

bench:
	@scripts/bootstrap --bench
	@$(MAKE) --no-print-directory build
	cmake --build $(BUILD) -j $(JOBS) --target benches
	bench/run $(BUILD)

format:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror

install: build
	cmake --install $(BUILD) --prefix $(or $(PREFIX),/usr/local)

# Debian packages libsoma0, libsoma-dev and soma in $(BUILD) (cmake/Package.cmake).
deb: build
	cd $(BUILD) && cpack -G DEB

# The API reference from the headers and docs/api/*.md (Doxygen): $(BUILD)/docs/api/html/index.html.
docs:
	@scripts/bootstrap --docs
	scripts/api-docs . $(BUILD)/docs/api

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(ARM64_BUILD) $(FUZZ_BUILD)
