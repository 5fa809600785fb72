#!/usr/bin/env bash
# make bench-size: builds the two minimal comparison programs of crate-counts.sh in release mode (stripped, LTO
# as awl is) and prints their sizes next to awl's static binary. Slow: over 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/crate-counts.sh > /dev/null
work="$PWD/target/bench-crates"
export CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
for p in sdk rusts3; do (cd "$work/$p" && cargo build --quiet --release); done
size() { stat -c %s "$1" | awk '{ printf "%.1f MiB", $1 / 1048576 }'; }
echo "| program | binary |"
echo "|---|---|"
echo "| awl (static musl, everything above) | $(size target/x86_64-unknown-linux-musl/release/awl) |"
echo "| aws-sdk-s3 + aws-config, ListBuckets (glibc) | $(size "$work/sdk/target/release/sdk-minimal") |"
echo "| rust-s3, list (glibc) | $(size "$work/rusts3/target/release/rust-s3-minimal") |"
