#!/usr/bin/env bash
# 1,000 files of 4 KiB up and down (`cp --recursive`) through `relay` (10 ms each way, 90 MB/s per connection) in
# front of s3s-fs, for binaries and concurrencies given as VARIANTS ("NAME=PATH:N", N a --max-concurrency or
# `def` for none), interleaved, RUNS (5) rounds; prints one line per run: round, up|down, N, NAME, wall seconds,
# peak RSS KiB, files transferred. How the default of 128 in flight was chosen (README, "Requests in flight").
# Run from the repository root: bash bench/run-link-small.sh
set -euo pipefail
RUNS=${RUNS:-5}; DELAY=${DELAY:-10}; RATE=${RATE:-90}
AWL=${AWL:-"$PWD/target/release/awl"}
[ -x "$AWL" ] || AWL="$PWD/target/x86_64-unknown-linux-musl/release/awl"
VARIANTS=${VARIANTS:-"awl=$AWL:10 awl=$AWL:def awl=$AWL:64 awl=$AWL:128"}
RELAY="$PWD/bench/target/release/relay"
S3S="$PWD/target/tools/bin/s3s-fs"
work=${TMPDIR:-/tmp}/awl-link-small.$$
[ -x "$AWL" ] || { echo "error: $AWL is missing (make build, or AWL=...)" >&2; exit 1; }
[ -x "$S3S" ] || { echo "error: $S3S is missing (make test-deps)" >&2; exit 1; }
(cd bench && cargo build --release --locked --quiet --bin relay) || { echo "error: building bench's relay failed" >&2; exit 1; }
relay=""
# shellcheck source=bench/s3s-fs.sh
source "$PWD/bench/s3s-fs.sh"
trap 'kill "$server" $relay 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work" "$store"' EXIT
trap 'exit 130' INT TERM
"$RELAY" --target "127.0.0.1:$port" --delay-ms "$DELAY" --rate-mbps "$RATE" > "$work/relay.addr" 2>"$work/relay.log" &
relay=$!
for _ in $(seq 50); do [ -s "$work/relay.addr" ] && break; sleep 0.1; done
[ -s "$work/relay.addr" ] || { echo "error: relay did not start" >&2; exit 1; }
AWS_ENDPOINT_URL="http://$(cat "$work/relay.addr")"
export AWS_ENDPOINT_URL
python3 bench/mkfiles.py "$work/src" 1000 4096
"$AWL" s3 mb s3://upbench >/dev/null
"$AWL" s3 cp --recursive --quiet --max-concurrency 64 "$work/src" s3://bench/src/
for r in $(seq "$RUNS"); do
  for v in $VARIANTS; do
    name=${v%%=*}; rest=${v#*=}; bin=${rest%:*}; c=${rest##*:}
    flag=(--max-concurrency "$c"); [ "$c" = def ] && flag=()
    # A fresh upload folder each time: s3s-fs walks the whole bucket for every listing page.
    rm -rf "$work/root/upbench/"*
    t=$( { /usr/bin/time -f '%e %M' "$bin" s3 cp --recursive --quiet "${flag[@]}" "$work/src" s3://upbench/p/ >/dev/null; } 2>&1 | tail -1)
    echo "$r up $c $name $t $(find "$work/root/upbench/p" -type f | wc -l)"
    rm -rf "$work/dst"
    t=$( { /usr/bin/time -f '%e %M' "$bin" s3 cp --recursive --quiet "${flag[@]}" s3://bench/src/ "$work/dst" >/dev/null; } 2>&1 | tail -1)
    echo "$r down $c $name $t $(find "$work/dst" -type f | wc -l)"
  done
done
