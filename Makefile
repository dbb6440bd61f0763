# Thin wrapper over CMake: the README's commands.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)

.PHONY: all deps build build-asan test test-fast bench-ddb bench-emulator local-bench soak fuzz format format-check clean

all: build

deps:
	@scripts/install-deps.sh build

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# Everything, twice: the normal build, then under ASan+UBSan.
test:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory build build-asan
	@$(MAKE) --no-print-directory format-check
	cd $(BUILD) && ctest --output-on-failure -j 2
	cd $(ASAN_BUILD) && ctest --output-on-failure -j 2

# The normal build only.
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j 2

bench-ddb: build
	@bench/ddb/run.sh $(BUILD)/bin

bench-emulator: build
	@bench/emulator/run.sh $(BUILD)/bin

# The seed article's measurements offline: shim + network model + emulator,
# C and Python functions, tables, JSON, markdown and SVG in bench-results/.
# Options: make local-bench LOCAL_BENCH_ARGS="--cold 5 --warm 50 --rtt-ms 2"
# (bench/README.md lists them all).
LOCAL_BENCH_ARGS ?=
local-bench:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory build
	@python3 bench/local/local_bench.py --bin-dir $(BUILD)/bin $(LOCAL_BENCH_ARGS)

# A bounded mixed load through emulator -> function -> shim, with figures.
SOAK_SECONDS ?= 60
soak: build
	@python3 tests/load/soak.py --bin-dir $(BUILD)/bin --seconds $(SOAK_SECONDS) --concurrency 8

# Every libFuzzer target for FUZZ_SECONDS each (clang, ASan+UBSan), in build-fuzz/.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps.sh test
	@scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# The C function as a provided.al2023 zip (bootstrap + lib/libcjson.so.1) and
# the Python one, then checked: unpacked, and created and invoked on the
# emulator. See function/README.md.
.PHONY: package
package: build
	@function/package.sh $(BUILD)/bin/bench-function $(BUILD)/function.zip
	@BIN_DIR=$(CURDIR)/$(BUILD)/bin FUNCTION_ZIP=$(CURDIR)/$(BUILD)/function.zip \
	  PYTHONPATH=$(CURDIR)/tests/integration PYTHONDONTWRITEBYTECODE=1 \
	  python3 tests/integration/function/test_package.py

# docker/: builds the images with podman and runs docker/compose.yaml end to
# end (installs podman, podman-compose and a local debian:bookworm-slim base
# when missing). Slow the first time; not part of `make test`. docker/README.md.
.PHONY: docker-test
docker-test:
	@tests/docker/run.sh
