# mpic: the two commands a newcomer needs are `make demo` and `make test`.
# Each installs its Debian packages (as root) and builds what it needs.

BUILD      ?= build
BUILD_ASAN ?= build-asan
MESON_OPTS ?=

.PHONY: all deps build build-asan demo test bench clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD_ASAN)/build.ninja:
	meson setup $(BUILD_ASAN) -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dbuildtype=debug \
	    -Dc_args=-fno-sanitize-recover=all $(MESON_OPTS)

build-asan: deps $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)

# The demo: the DNS lab, then CAA and DNS-based DCV checks from six
# in-process perspectives, printed as tables.
demo: build
	lab/demo $(BUILD)

# Every test: unit, fuzz-corpus replay and integration tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a valgrind pass.
test: build-asan build
	tests/run-all $(BUILD_ASAN) $(BUILD)

bench: build
	bench/run $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
