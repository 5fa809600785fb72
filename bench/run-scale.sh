#!/usr/bin/env bash
# make bench-scale: many keys on a local s3s-fs (loopback, no relay), wall time and peak RSS (GNU time %M).
#  - OBJECTS (100,000) real objects, made directly as files in s3s-fs's bucket folder (it lists them; seconds,
#    not an upload), and a copy of them in a local folder with the same sizes and times: `ls --recursive`, a
#    sync down with nothing to do, a sync up --delete with nothing to do; awl, s5cmd, rclone and the AWS CLI
#    (each run of the AWS CLI stopped after AWS_CAP seconds, shown as "> AWS_CAP s").
#  - a sync down of DOWN_FILES (20,000) files of 4 KiB into an empty folder: awl, rclone, s5cmd.
#  - awl's peak RSS at GROWTH_OBJECTS (10,000) and OBJECTS objects for the same three rows: KiB per 1,000 objects.
#  - examples/flat_deletes.rs: a sync --delete fed generated listings of KEYS (1,000,000) keys, half of them
#    pending deletes (sent to s3s-fs as DeleteObjects), at KEYS/10 and KEYS: peak RSS and its growth.
# Rounds interleaved (the order of the tools turns each round): OBJECT_RUNS (1) for the rows of OBJECTS objects
# and the growth, RUNS (3) for the sync into an empty folder; medians and spreads (min-max). s3s-fs 0.14 stats
# every object of the bucket for every listing page (tokio's fs, a blocking task per call): at 100,000 objects a
# page takes seconds, so a full listing takes minutes for every tool that lists page after page (README). Every
# result is checked: listings counted, syncs with nothing to do must write nothing (no file changed on either
# side), downloads compared with diff -r. bench/README.md says how to read it.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
OBJECT_RUNS=${OBJECT_RUNS:-1}
OBJECTS=${OBJECTS:-100000}
GROWTH_OBJECTS=${GROWTH_OBJECTS:-10000}
DOWN_FILES=${DOWN_FILES:-20000}
KEYS=${KEYS:-1000000}
AWS_CAP=${AWS_CAP:-120}  # seconds
# shellcheck source=bench/lib.sh
. bench/lib.sh
MKFILES="$PWD/bench/mkfiles.py"
cargo build --release --locked --quiet --example flat_deletes || { echo "error: building examples/flat_deletes.rs failed" >&2; exit 1; }
FLAT="$PWD/target/release/examples/flat_deletes"

work="$PWD/target/bench-scale"
# shellcheck source=bench/s3s-fs.sh
. bench/s3s-fs.sh
cleanup() { kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
rclone_remote
# rclone lists a whole tree (ls) with `delimiter=` (empty), which s3s-fs 0.14 takes for a delimiter (one
# CommonPrefix, no keys); without ListR it lists folder by folder, as its sync does anyway (run-link.sh).
export RCLONE_DISABLE=ListR
S5="$S5CMD --endpoint-url $AWS_ENDPOINT_URL"
root="$work/root"
cd "$work"

# The objects: files in s3s-fs's folder (a folder there is a bucket), 1,000 to a folder, all with one time in
# whole seconds; the local copies made with cp -a (same sizes and times), so no tool has anything to do.
#   scale   OBJECTS objects of 256 bytes, and `local` the same
#   growth  GROWTH_OBJECTS objects of 256 bytes, and `local-growth` the same (awl only)
#   small   DOWN_FILES objects of 4 KiB, synced down into a fresh folder each run
#   del     empty: where flat_deletes sends its deletes
t0=1700000000
python3 "$MKFILES" "$root/scale" "$OBJECTS" 256 1000 "$t0"
python3 "$MKFILES" "$root/growth" "$GROWTH_OBJECTS" 256 1000 "$t0"
python3 "$MKFILES" "$root/small" "$DOWN_FILES" 4096 1000 "$t0"
mkdir "$root/del" empty
cp -a "$root/scale" local
cp -a "$root/growth" local-growth

# cmd tool row bucket folder: the command line of one run, as words (read into an array: the wildcards are s5cmd's).
cmd() {
  local t=$1 row=$2 b=$3 d=$4
  case "$t/$row" in
    awl/ls)          echo "$AWL s3 ls --recursive s3://$b/" ;;
    awl/syncdown)    echo "$AWL s3 sync s3://$b/ $d" ;;
    awl/syncup)      echo "$AWL s3 sync --delete $d s3://$b/" ;;
    awl/fill)        echo "$AWL s3 sync s3://$b/ $d" ;;
    aws/ls)          echo "$AWS s3 ls --recursive s3://$b/" ;;
    aws/syncdown)    echo "$AWS s3 sync s3://$b/ $d" ;;
    aws/syncup)      echo "$AWS s3 sync --delete $d s3://$b/" ;;
    s5cmd/ls)        echo "$S5 ls s3://$b/*" ;;
    s5cmd/syncdown)  echo "$S5 sync s3://$b/* $d/" ;;
    s5cmd/syncup)    echo "$S5 sync --delete $d/ s3://$b/" ;;
    s5cmd/fill)      echo "$S5 sync s3://$b/* $d/" ;;
    rclone/ls)       echo "rclone ls b:$b" ;;
    rclone/syncdown) echo "rclone sync b:$b $d" ;;
    rclone/syncup)   echo "rclone sync $d b:$b" ;;
    rclone/fill)     echo "rclone sync b:$b $d" ;;
  esac
}
fail() { echo "error: $*" >&2; exit 1; }

# run tool row round [label bucket folder count]: one measured run and its check.
run() {
  local t=$1 row=$2 r=$3 label=${4:-$1-$2} b=${5:-scale} d=${6:-local} n=${7:-$OBJECTS} c changed
  [ "$row" = fill ] && { b=small; d="fill-$t-$r"; n=$DOWN_FILES; }
  [ -f "capped-$label" ] && return 0  # the AWS CLI ran out of time in an earlier round
  read -ra c <<< "$(cmd "$t" "$row" "$b" "$d")"
  touch -d '-1 second' marker
  if [ "$t" = aws ]; then measure_capped "$AWS_CAP" "$label" "${c[@]}"; else measure "$label" "${c[@]}"; fi
  if [ -f "capped-$label" ]; then
    echo "bench/run-scale: round $r, $row, $t: stopped after $AWS_CAP s" >&2
  else
    echo "bench/run-scale: round $r, $row ($n), $t: $(tail -n 1 "m-$label" | cut -d' ' -f1) s" >&2
  fi
  case "$row" in
    ls) [ -f "capped-$label" ] || [ "$(wc -l < out)" = "$n" ] || fail "$t's ls printed $(wc -l < out) lines for $n objects" ;;
    syncdown|syncup)
      # Nothing to do: no file changed on either side (a sync that copied again, or set times, fails here).
      changed=$(find "$d" "$root/$b" -cnewer marker ! -type d | wc -l)
      [ "$changed" = 0 ] || fail "$t's $row with nothing to do changed $changed files"
      if [ "$(find "$d" -type f | wc -l)" != "$n" ] || [ "$(find "$root/$b" -type f | wc -l)" != "$n" ]; then
        fail "$t's $row with nothing to do changed the number of files"
      fi ;;
    fill) diff -r "$root/small" "$d" > /dev/null || fail "$t's sync down of $n files differs"
      rm -rf "$d" ;;
  esac
}

tools=(awl s5cmd rclone aws)
for r in $(seq $((RUNS > OBJECT_RUNS ? RUNS : OBJECT_RUNS))); do
  order=("${tools[@]:$(((r - 1) % 4))}" "${tools[@]:0:$(((r - 1) % 4))}")
  if [ "$r" -le "$OBJECT_RUNS" ]; then
    for row in ls syncdown syncup; do
      for t in "${order[@]}"; do run "$t" "$row" "$r"; done
    done
    for row in ls syncdown syncup; do run awl "$row" "$r" "awl-$row-growth" growth local-growth "$GROWTH_OBJECTS"; done
  fi
  if [ "$r" -le "$RUNS" ]; then
    for t in "${order[@]}"; do [ "$t" = aws ] || run "$t" fill "$r"; done
  fi
done

# flat_deletes: peak RSS with KEYS/10 and KEYS keys, half of them pending deletes (see examples/flat_deletes.rs).
flat() { # keys
  local keys=$1 line
  TMPDIR="$work" /usr/bin/time -f "%e %M" -o t "$FLAT" "$work/empty" del p/ "$keys" > out 2> err ||
    { echo "error: flat_deletes $keys failed" >&2; tail -n 20 err >&2; exit 1; }
  line=$(tail -n 1 out)
  case "$line" in
    *": $((keys / 2)) done, 0 failed, 0 withheld") ;;
    *) fail "flat_deletes $keys: $line" ;;
  esac
  echo "bench/run-scale: flat_deletes $keys: $line, $(tail -n 1 t)" >&2
  echo "$keys $(tail -n 1 t) $line" >> m-flat
}
flat $((KEYS / 10))
flat "$KEYS"

O=$(commas "$OBJECTS")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# growth big small objects_big objects_small: KiB per 1,000 objects between two peak RSS medians.
growth() { awk -v a="$1" -v b="$2" -v na="$3" -v nb="$4" 'BEGIN { printf "%.1f", (a - b) / ((na - nb) / 1000) }'; }
label() {
  case "$1" in
    ls) echo "\`ls --recursive\` of $O" ;;
    syncdown) echo "sync down, nothing to do, $O" ;;
    syncup) echo "sync up \`--delete\`, nothing to do, $O" ;;
    fill) echo "sync down into an empty folder, $(commas "$DOWN_FILES") x 4 KiB" ;;
  esac
}

echo
echo "Local s3s-fs (loopback, no relay), $(nproc) cores; every tool at its defaults: awl $("$AWL" --version | cut -d' ' -f2) (static musl), s5cmd $("$S5CMD" version | cut -d- -f1), rclone $(rclone version | head -1 | cut -d' ' -f2), aws $("$AWS" --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2). $OBJECT_RUNS round(s) for the rows of $O objects, $RUNS for the sync into an empty folder, interleaved; medians of wall seconds with the spread (min-max), of client CPU seconds (user + sys) and of peak RSS (GNU time). The objects were made as files in s3s-fs's folder, 1,000 to a folder, 256 bytes each (4 KiB for the sync into an empty folder); each run of the AWS CLI stopped after $AWS_CAP s (\"> $AWS_CAP s\"); \"-\": not run. Ratio: the best peer's median wall time over awl's; \"ahead\"/\"behind\": by more than the spread."
echo
echo "| work | awl | s5cmd | rclone | aws | best peer / awl (wall) | awl vs best peer |"
echo "|---|---|---|---|---|---|---|"
for row in ls syncdown syncup fill; do
  cells=()
  for t in "${tools[@]}"; do
    if [ -s "m-$t-$row" ]; then
      cells+=("$(cell "$t-$row" 1) s, CPU $(figures "$t-$row" 2 | awk '{ printf "%.2f", $1 }') s, $(cell "$t-$row" 3)")
    else
      cells+=("$(cell "$t-$row" 1)")
    fi
  done
  printf '| %s | %s | %s | %s | %s | %s |\n' "$(label "$row")" "${cells[@]}" "$(verdict "awl-$row" "s5cmd-$row rclone-$row aws-$row" 1)"
done
echo
echo "awl's peak RSS by the number of objects (medians of $OBJECT_RUNS):"
echo
echo "| work | $(commas "$GROWTH_OBJECTS") objects | $O objects | growth, KiB per 1,000 objects |"
echo "|---|---|---|---|"
for row in ls syncdown syncup; do
  a=$(figures "awl-$row" 3 | cut -d' ' -f1); b=$(figures "awl-$row-growth" 3 | cut -d' ' -f1)
  printf '| %s | %s MiB | %s MiB | %s |\n' "$(label "$row" | sed "s/, $O\$//; s/ of $O\$//")" "$(mib "$b")" "$(mib "$a")" "$(growth "$a" "$b" "$OBJECTS" "$GROWTH_OBJECTS")"
done
echo
read -r k1 _ r1 _ < <(sed -n 1p m-flat)
read -r k2 w2 r2 _ < <(sed -n 2p m-flat)
echo "A sync \`--delete\` of $(commas "$k2") keys with half of them pending deletes (examples/flat_deletes.rs, glibc release build: the sync engine fed generated listings, $(commas $((k2 / 2))) deletes sent to s3s-fs as DeleteObjects of 1,000 keys): peak RSS $(mib "$r2") MiB ($(mib "$r1") MiB at $(commas "$k1") keys: $(growth "$r2" "$r1" "$k2" "$k1") KiB per 1,000 keys), $w2 s. It printed: \"$(sed -n 2p m-flat | cut -d' ' -f4-)\"."
