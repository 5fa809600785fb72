#!/usr/bin/env bash
# make bench: every comparison in one run, printed and written to BENCHMARKS.md with the machine and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
{
  echo "# awl benchmarks"
  echo
  echo "Measured by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') ($(nproc) cores),"
  echo "$(uname -sr). Every row compares awl with a peer in the same run; read the ratios, not the absolute times."
  echo
  echo "## The command line"
  bench/run-cli.sh
  echo
  echo "## Transfers"
  bench/run-transfer.sh
  echo
  echo "## Many small files"
  bench/run-many.sh
  echo
  echo "## Through a realistic link"
  bench/run-link.sh
  echo
  echo "## At scale"
  bench/run-scale.sh
  echo
  echo "## Signing and hashing"
  bench/run-sign.sh
  echo
  echo "## Size and dependencies"
  echo
  awl_bytes=$(stat -c %s target/x86_64-unknown-linux-musl/release/awl)
  echo "awl's static binary: $awl_bytes bytes ($(awk -v b="$awl_bytes" 'BEGIN { printf "%.2f", b / 1048576 }') MiB), $(file -b target/x86_64-unknown-linux-musl/release/awl | grep -o 'static[-a-z]* linked'), stripped."
  echo
  echo "| program | crates in the dependency graph (normal, with itself) |"
  echo "|---|---|"
  bench/crate-counts.sh | awk '{ printf "| %s | %s |\n", $1, $2 }'
  echo
  echo "Binary sizes of the comparison programs: \`make bench-size\` (builds them; over 10 minutes)."
} | tee "$out"
# Terminal escapes and progress lines stay out of the file.
sed -e 's/\x1b\[[0-9;]*m//g' "$out" | grep -v '^bench/' > BENCHMARKS.md
rm -f "$out"
echo
echo "written to BENCHMARKS.md"
