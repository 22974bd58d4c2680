# mpic: the two commands a newcomer needs are `make demo` and `make test`.
# Each installs its Debian packages (as root) and builds what it needs.

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_DEB  ?= build-deb
MESON_OPTS ?=

.PHONY: all deps deps-deploy build build-asan install deb image test-deploy \
	demo demo-local test bench clean

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

# meson install of the plain build (prefix /usr/local unless MESON_OPTS
# says otherwise; DESTDIR works): programs, libmpic.so.0, headers,
# libmpic.pc, man pages, examples, systemd unit, sysusers.d, tmpfiles.d
install: build
	meson install -C $(BUILD)

deps-deploy: deps
	@scripts/install-deps scripts/deps-deploy.txt

# The Debian packages (debian/): mpicd, mpic, libmpic0, libmpic-dev in
# $(BUILD_DEB), checked by lintian
deb: deps-deploy
	scripts/make-deb $(BUILD_DEB)

# The OCI image localhost/mpic:VERSION and :latest, from the packages and
# Debian's archive (mmdebstrap, podman import; no registry)
image: deb
	scripts/make-image $(BUILD_DEB)

# Packages, a Debian 12 root with them, the image, the deployment (root,
# a few minutes; not part of "make test")
test-deploy: deps-deploy build
	tests/deploy/run $(BUILD_DEB) $(BUILD)

# The demo (root): the network lab (lab/net) -- six perspective regions in
# network namespaces behind delayed links, a BGP-style hijack of the
# victim's web and DNS prefixes, and MPIC stopping it -- as one table.
demo: build
	lab/net/demo $(BUILD)

# The DNS-only demo: the loopback DNS lab, CAA and DNS-based DCV checks
# from six in-process perspectives, printed as tables.
demo-local: build
	lab/demo $(BUILD)

# Every test: unit, fuzz-corpus replay and integration tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a valgrind pass.
test: build-asan build
	tests/run-all $(BUILD_ASAN) $(BUILD)

bench: build
	bench/run $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_DEB)
