# MediaVault front door. `make run ARGS="..."` and `make check` install the
# Debian packages they need when missing, configure and build.

JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
BUILD  ?= build
CHECK  ?= build-check
TSAN   ?= build-tsan
# The threaded parts (digest batches, scan pipeline, catalog writer) also run
# under ThreadSanitizer, and so does the two-thread audio decode.
TSAN_TESTS = test_core test_digest test_catalog test_scan test_audio_pipe
CMAKE_FLAGS ?=
# `make install` puts the program, the library with its plugins and the headers
# under PREFIX (DESTDIR=... stages them elsewhere, as packagers do).
PREFIX ?= /usr/local

.PHONY: all deps deps-check configure build run check test install format bench clean

all: build

deps:
	@bash scripts/deps.sh build

deps-check:
	@bash scripts/deps.sh check

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: deps
	@$(MAKE) --no-print-directory build >/dev/null
	./$(BUILD)/mediavault $(ARGS)

# Debug build with AddressSanitizer and UndefinedBehaviorSanitizer, then every test.
check: deps-check
	cmake -S . -B $(CHECK) -DCMAKE_BUILD_TYPE=Debug -DMV_SANITIZE="address;undefined" \
		-DMV_BUILD_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(CHECK) -j $(JOBS)
	cd $(CHECK) && ctest --output-on-failure -j $(JOBS)
	cmake -S . -B $(TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMV_SANITIZE=thread \
		-DMV_BUILD_TESTS=ON -DMV_BUILD_BENCH=OFF -DMV_WITH_CUDA=OFF $(CMAKE_FLAGS)
	cmake --build $(TSAN) -j $(JOBS) --target $(TSAN_TESTS)
	cd $(TSAN) && ctest --output-on-failure -j $(JOBS) \
		-R '^unit\.($(subst $(eval) ,|,$(strip $(TSAN_TESTS))))\.'

test: check

install: deps
	@$(MAKE) --no-print-directory build
	cmake --install $(BUILD) --prefix $(PREFIX)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

bench: build
	bash bench/hash.sh

clean:
	rm -rf $(BUILD) $(CHECK) $(TSAN)
