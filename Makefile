# netflow: the Makefile only wraps cmake and ctest.
#   make deps   install the Debian packages the build and tests need (idempotent)
#   make        build (build/)
#   make run    deps + build + convert a capture shipped in the repo, show the result
#   make test   deps + build + every test, then the sanitizer build's tests
#   make bench  deps + build + the benchmarks against ndpiReader and softflowd
#   make fuzz   deps + the libFuzzer targets (build-fuzz/), each run FUZZ_SECONDS
#   make soak   deps + build + a live run under lab traffic for SOAK_SECONDS (root)
#   make deb    deps + the Debian package (debian/, dpkg-buildpackage) in build-deb/

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
BUILD_TSAN ?= build-tsan
BUILD_DEB  ?= build-deb
# Per fuzz target: `make fuzz` as long as asked, `make test` a bounded time.
FUZZ_SECONDS ?= 300
FUZZ_CI_SECONDS ?= 15
SOAK_SECONDS ?= 600
JOBS       ?= $(shell nproc)
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Every build goes through ccache: a clean clone (CI) compiles again only
# what changed since the last build on this machine, whichever folder it
# was cloned into (paths below the tree count as relative).
export CCACHE_BASEDIR  := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_CCACHE := $(shell command -v ccache >/dev/null && \
	echo -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# Build, test and lab dependencies. Keep sorted.
DEB_PACKAGES := bpftool ccache clang clang-14 clang-format cmake curl debhelper dnsmasq-base dnsutils dpkg-dev ethtool faketime \
	g++ iproute2 iputils-ping kcat libbenchmark-dev libbpf-dev libcap-dev libcli11-dev \
	libcpp-httplib-dev libcurl4-openssl-dev libfuzzer-14-dev libgmock-dev libgtest-dev \
	libndpi-bin libndpi-dev libpcap-dev librdkafka-dev libseccomp-dev libssl-dev libxdp-dev \
	libzstd-dev lintian llvm make man-db nfdump nginx-light nlohmann-json3-dev pkg-config pmacct \
	prometheus python3 softflowd systemd tcpdump tcpreplay time tnftp tshark vsftpd \
	wireshark-common xxd zlib1g-dev zstd

.PHONY: all deps build run test test-unit test-asan test-tsan test-fuzz fuzz fuzz-build bench soak deb format clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$(echo ' '$$missing)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/build.ninja $(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_CCACHE)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

run: deps build
	$(BUILD)/netflow -f tests/golden/http.pcap -c $(BUILD)/http.csv
	@echo "--- first rows of $(BUILD)/http.csv ---"
	@head -n 5 $(BUILD)/http.csv

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-asan
	$(MAKE) test-tsan
	$(MAKE) test-fuzz

# ASan and UBSan at -O1 (a Debug build's asserts and symbols, not its -O0),
# as the sanitizers' own documentation advises for speed: the whole suite
# runs here again, and at -O0 it was most of CI's time (a corpus capture
# converts ~30% faster at -O1).
test-asan:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DNETFLOW_SANITIZE=ON \
	  -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" $(CMAKE_CCACHE) >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS)

# ThreadSanitizer over threaded conversions (--threads): netflow only.
test-tsan:
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETFLOW_TSAN=ON $(CMAKE_CCACHE) >/dev/null
	cmake --build $(BUILD_TSAN) -j $(JOBS) --target netflow gen_synthetic_flows
	tests/threads/tsan_run.sh $(BUILD_TSAN)

# The fuzz targets (fuzz/): clang-14 with libFuzzer, ASan and UBSan.
fuzz-build:
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETFLOW_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 $(CMAKE_CCACHE) >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_targets

fuzz: deps fuzz-build
	fuzz/run_fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

test-fuzz: fuzz-build
	fuzz/run_fuzz.sh $(BUILD_FUZZ) $(FUZZ_CI_SECONDS)

bench: deps build
	tools/bench/run_bench.sh $(BUILD)

soak: deps build
	tools/bench/soak.sh $(BUILD) $(SOAK_SECONDS)

# From a copy of the tree (packaging/build_deb.sh); lintian reports, errors fail.
deb: deps
	packaging/build_deb.sh . $(BUILD_DEB)
	lintian --fail-on error $(BUILD_DEB)/netflow_*.deb

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_DEB)
