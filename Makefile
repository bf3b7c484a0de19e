# winback: the two commands of the quick start, plus benchmarks and sanitizer runs.
#   make demo   install dependencies, build, run the whole pipeline on a simulated business
#   make test   install dependencies, build, run every test (exits non-zero on any failure)
#   make bench  build the release preset and run the benchmarks in bench/
#   make lint   clang-tidy and the thread-safety analysis over every source
JOBS ?= $(shell nproc)
DEMO_ARGS ?=

.PHONY: deps demo test bench asan fuzz lint release clean

deps:
	@scripts/install-deps

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target winback

demo: release
	./build/release/winback demo $(DEMO_ARGS)

test: deps
	@cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev

asan: deps
	@cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan

bench: deps
	@cmake --preset release -DWINBACK_BUILD_BENCH=ON >/dev/null
	cmake --build --preset release -j $(JOBS)
	bench/run.sh build/release

# clang-tidy with the checks of .clang-tidy plus Clang's thread-safety analysis; exits non-zero on
# any finding (scripts/lint).
lint: deps
	@cmake --preset dev >/dev/null
	scripts/lint build/dev

fuzz: deps
	@cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target csv_reader_fuzz
	mkdir -p build/fuzz/corpus && cp -n tests/testdata/fuzz/csv/* build/fuzz/corpus/
	./build/fuzz/fuzz/csv_reader_fuzz -max_total_time=$${FUZZ_SECONDS:-60} -timeout=10 build/fuzz/corpus

clean:
	rm -rf build
