#!/usr/bin/env bash
# make bench-upload: awl against `aws s3 cp` uploading the same files to the same local s3s-fs server, runs
# interleaved, medians of wall time and peak RSS (GNU time). s3s-fs is the fastest server here, so the clients
# are what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
AWL=target/x86_64-unknown-linux-musl/release/awl
AWS=target/tools/venv/bin/aws
S3S=target/tools/bin/s3s-fs
RUNS=${RUNS:-3}
SIZES=${SIZES:-"1 100 1024"}   # MiB
work="$PWD/target/bench-upload"
# shellcheck source=bench/s3s-fs.sh
. bench/s3s-fs.sh

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() { # label file key command...: prints "wall_s rss_kb" per run into $work/label
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  t1=$(date +%s%N)
  # GNU time's %e has centiseconds: a 1 MiB upload needs finer.
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %s\n", (b - a) / 1e9, $1 }' "$work/t" >> "$work/$label"
}

echo
echo "Uploads to a local s3s-fs server: awl (static musl) vs aws s3 cp (awscli $("$AWS" --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2)), $RUNS runs each, interleaved, medians; $(date -u +%F), $(nproc) cores"
echo
printf '| %-8s | %10s | %10s | %8s | %12s | %12s |\n' size "awl s" "aws s" "speedup" "awl RSS MiB" "aws RSS MiB"
printf '|%s|%s|%s|%s|%s|%s|\n' ---------- ------------ ------------ ---------- -------------- --------------
for mib in $SIZES; do
  f="$work/file-$mib"
  head -c $((mib * 1048576)) /dev/urandom > "$f"
  rm -f "$work/awl-$mib" "$work/aws-$mib"
  for _ in $(seq "$RUNS"); do
    measure "awl-$mib" "$AWL" s3 cp "$f" "s3://bench/awl-$mib"
    measure "aws-$mib" "$AWS" s3 cp "$f" "s3://bench/aws-$mib"
  done
  cmp -s "$f" "$work/root/bench/awl-$mib" || { echo "awl's upload of $mib MiB differs"; exit 1; }
  aw=$(awk '{print $1}' "$work/awl-$mib" | median); cw=$(awk '{print $1}' "$work/aws-$mib" | median)
  ar=$(awk '{print $2}' "$work/awl-$mib" | median); cr=$(awk '{print $2}' "$work/aws-$mib" | median)
  printf '| %-8s | %10s | %10s | %7sx | %12s | %12s |\n' "$mib MiB" "$aw" "$cw" \
    "$(awk -v a="$aw" -v c="$cw" 'BEGIN { printf "%.1f", (a > 0 ? c / a : 0) }')" \
    "$(awk -v r="$ar" 'BEGIN { printf "%.1f", r / 1024 }')" "$(awk -v r="$cr" 'BEGIN { printf "%.1f", r / 1024 }')"
  rm -f "$f" "$work/root/bench/awl-$mib" "$work/root/bench/aws-$mib"
done
