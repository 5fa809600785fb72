#!/usr/bin/env bash
# make bench-link: awl against s5cmd, rclone and the AWS CLI through a realistic link: `relay` (DELAY ms each
# way, RATE MB/s per connection) in front of a local s3s-fs. Rows: FILES x 4 KiB up (`cp --recursive`) and down,
# a sync up with nothing to do (FILES files), `ls --recursive` of LS_FILES objects, `rm --recursive` of FILES,
# BIG MiB up and down. Every tool at its defaults, in the same run, interleaved (the order of the tools turns
# each round), RUNS rounds (BIG_RUNS for the BIG MiB rows); medians of wall and client CPU (user + sys) with
# their spread (min-max), the best peer's median over awl's, and whether awl is ahead or behind by more than
# the spread. Every result is checked (downloads and uploads with diff -r, counts, SHA-256 of the big file), so
# a fast wrong run cannot win. bench/README.md says how to read it.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BIG_RUNS=${BIG_RUNS:-3}
FILES=${FILES:-1000}
LS_FILES=${LS_FILES:-10000}
BIG=${BIG:-256}     # MiB
DELAY=${DELAY:-10}  # ms each way
RATE=${RATE:-90}    # MB/s per connection and direction; 0 for no cap
# shellcheck source=bench/lib.sh
. bench/lib.sh
RELAY="$PWD/bench/target/release/relay"
MKFILES="$PWD/bench/mkfiles.py"
(cd bench && cargo build --release --locked --quiet --bin relay) || { echo "error: building bench's relay failed" >&2; exit 1; }

work="$PWD/target/bench-link"
# The server's store on tmpfs where there is one (STORE= for the disk): the link and the clients are measured,
# not the server's disk (see bench/s3s-fs.sh). The clients' own files (downloads) stay on disk.
if [ -z "${STORE+set}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then STORE=/dev/shm; fi
relay=""
# shellcheck source=bench/s3s-fs.sh
. bench/s3s-fs.sh
cleanup() { kill "$server" $relay 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work" "$store"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
direct=$AWS_ENDPOINT_URL
"$RELAY" --target "127.0.0.1:$port" --delay-ms "$DELAY" --rate-mbps "$RATE" > "$work/relay.addr" 2> "$work/relay.log" &
relay=$!
for _ in $(seq 100); do [ -s "$work/relay.addr" ] && break; sleep 0.05; done
[ -s "$work/relay.addr" ] || { echo "error: relay did not start:" >&2; cat "$work/relay.log" >&2; exit 1; }
AWS_ENDPOINT_URL="http://$(cat "$work/relay.addr")"
export AWS_ENDPOINT_URL
rclone_remote
# rclone lists a whole tree (ls, delete) with `delimiter=` (empty), which s3s-fs 0.14 takes for a delimiter: it
# answers one CommonPrefix and no keys, so rclone would list nothing and delete nothing. Without ListR, rclone
# lists folder by folder (8 at once, its --checkers), as its copy and sync do anyway.
export RCLONE_DISABLE=ListR
S5="$S5CMD --endpoint-url $AWS_ENDPOINT_URL"
root="$work/root"
cd "$work"

# The data, made directly or sent straight to s3s-fs (not through the relay). A bucket per use: s3s-fs walks
# the whole bucket for every listing page, so no row lists objects that another row left behind.
#   src     FILES files of 4 KiB, what every tool downloads (uploaded by awl, so s3s-fs keeps their checksums)
#   list    LS_FILES small objects in folders of 1,000, made as files in s3s-fs's folder (it lists them)
#   sync-T  tool T's copy of the files, made by T's own sync (so its second one has nothing to do by T's rules)
#   rm-T-R  FILES objects for tool T to remove in round R, files copied into s3s-fs's folder (a folder there is
#           a bucket). A bucket, not a prefix: rclone first asks whether the prefix is an object (HEAD), and
#           s3s-fs 0.14 answers 500 for a key that is a folder, which rclone retries for a minute and more.
#   uploads every upload, removed once checked
#   big     the BIG MiB object every tool downloads (uploaded by awl)
python3 "$MKFILES" tree "$FILES" 4096
head -c $((BIG * 1048576)) /dev/urandom > big.bin
big_sha=$(sha256sum < big.bin | cut -d' ' -f1)
for b in src list uploads big sync-awl sync-s5cmd sync-rclone sync-aws; do "$AWL" s3 mb "s3://$b" > /dev/null; done
"$AWL" --endpoint-url "$direct" s3 cp --recursive --quiet tree s3://src/
"$AWL" --endpoint-url "$direct" s3 cp --quiet big.bin s3://big/big.bin
python3 "$MKFILES" "$root/list" "$LS_FILES" 64 1000

tools=(awl s5cmd rclone aws)
# cmd tool row run: the command line of one run, as words (read into an array: the wildcards are s5cmd's).
cmd() {
  local t=$1 row=$2 r=$3
  case "$t/$row" in
    awl/up)        echo "$AWL s3 cp --recursive tree s3://uploads/awl-$r/" ;;
    awl/down)      echo "$AWL s3 cp --recursive s3://src/ down-awl-$r" ;;
    awl/sync)      echo "$AWL s3 sync tree s3://sync-awl/" ;;
    awl/ls)        echo "$AWL s3 ls --recursive s3://list/" ;;
    awl/rm)        echo "$AWL s3 rm --recursive s3://rm-awl-$r/" ;;
    awl/bigup)     echo "$AWL s3 cp big.bin s3://uploads/awl-big-$r" ;;
    awl/bigdown)   echo "$AWL s3 cp s3://big/big.bin big-awl-$r" ;;
    aws/up)        echo "$AWS s3 cp --recursive tree s3://uploads/aws-$r/" ;;
    aws/down)      echo "$AWS s3 cp --recursive s3://src/ down-aws-$r" ;;
    aws/sync)      echo "$AWS s3 sync tree s3://sync-aws/" ;;
    aws/ls)        echo "$AWS s3 ls --recursive s3://list/" ;;
    aws/rm)        echo "$AWS s3 rm --recursive s3://rm-aws-$r/" ;;
    aws/bigup)     echo "$AWS s3 cp big.bin s3://uploads/aws-big-$r" ;;
    aws/bigdown)   echo "$AWS s3 cp s3://big/big.bin big-aws-$r" ;;
    s5cmd/up)      echo "$S5 cp tree/* s3://uploads/s5cmd-$r/" ;;
    s5cmd/down)    echo "$S5 cp s3://src/* down-s5cmd-$r/" ;;
    s5cmd/sync)    echo "$S5 sync tree/ s3://sync-s5cmd/" ;;
    s5cmd/ls)      echo "$S5 ls s3://list/*" ;;
    s5cmd/rm)      echo "$S5 rm s3://rm-s5cmd-$r/*" ;;
    s5cmd/bigup)   echo "$S5 cp big.bin s3://uploads/s5cmd-big-$r" ;;
    s5cmd/bigdown) echo "$S5 cp s3://big/big.bin big-s5cmd-$r" ;;
    rclone/up)     echo "rclone copy tree b:uploads/rclone-$r" ;;
    rclone/down)   echo "rclone copy b:src down-rclone-$r" ;;
    rclone/sync)   echo "rclone sync tree b:sync-rclone" ;;
    rclone/ls)     echo "rclone ls b:list" ;;
    rclone/rm)     echo "rclone delete b:rm-rclone-$r" ;;
    rclone/bigup)  echo "rclone copyto big.bin b:uploads/rclone-big-$r" ;;
    rclone/bigdown) echo "rclone copyto b:big/big.bin big-rclone-$r" ;;
  esac
}
fail() { echo "error: $*" >&2; exit 1; }

# Each tool's own copy for the sync row (not measured), checked like an upload.
for t in "${tools[@]}"; do
  read -ra c <<< "$(cmd "$t" sync 0)"
  "${c[@]}" > /dev/null 2>&1 || fail "$t's first sync failed"
  diff -r tree "$root/sync-$t" > /dev/null || fail "$t's first sync left other objects than the files"
done

# run tool row round: one measured run and its check.
run() {
  local t=$1 row=$2 r=$3 n c
  case "$row" in
    rm) cp -r tree "$root/rm-$t-$r" ;;
    sync) touch -d '-1 second' marker ;;
  esac
  read -ra c <<< "$(cmd "$t" "$row" "$r")"
  measure "$t-$row" "${c[@]}"
  echo "bench/run-link: round $r, $row, $t: $(tail -n 1 "m-$t-$row" | cut -d' ' -f1) s" >&2
  case "$row" in
    up) diff -r tree "$root/uploads/$t-$r" > /dev/null || fail "$t's upload of $FILES files differs"
        rm -rf "${root:?}/uploads/$t-$r" ;;
    # The downloaded folders stay until the end: ext4 makes whoever creates files next skip the inodes just
    # freed (perf: recently_deleted, find_inode_bit), which slowed each download after another's removal.
    down) diff -r tree "down-$t-$r" > /dev/null || fail "$t's download of $FILES files differs" ;;
    sync) n=$(find "$root/sync-$t" -type f -cnewer marker | wc -l)
        [ "$n" = 0 ] || fail "$t's sync with nothing to do wrote $n objects"
        diff -r tree "$root/sync-$t" > /dev/null || fail "$t's sync with nothing to do changed the objects" ;;
    ls) n=$(wc -l < out); [ "$n" = "$LS_FILES" ] || fail "$t's ls printed $n lines for $LS_FILES objects" ;;
    rm) n=$(find "$root/rm-$t-$r" -type f 2> /dev/null | wc -l)
        [ "$n" = 0 ] || fail "$t's rm --recursive left $n of $FILES objects"
        rm -rf "${root:?}/rm-$t-$r" ;;
    bigup) [ "$(sha256sum < "$root/uploads/$t-big-$r" | cut -d' ' -f1)" = "$big_sha" ] || fail "$t's upload of $BIG MiB differs"
        rm -f "$root/uploads/$t-big-$r" ;;
    bigdown) [ "$(sha256sum < "big-$t-$r" | cut -d' ' -f1)" = "$big_sha" ] || fail "$t's download of $BIG MiB differs"
        rm -f "big-$t-$r" ;;
  esac
}

# ROWS picks rows (all by default): ROWS="ls rm" bash bench/run-link.sh
read -ra rows <<< "${ROWS:-up down sync ls rm bigup bigdown}"
for r in $(seq "$RUNS"); do
  # The order of the tools turns each round, so none always runs first (or right after the slowest).
  order=("${tools[@]:$(((r - 1) % 4))}" "${tools[@]:0:$(((r - 1) % 4))}")
  for row in "${rows[@]}"; do
    case "$row" in big*) [ "$r" -le "$BIG_RUNS" ] || continue ;; esac
    for t in "${order[@]}"; do run "$t" "$row" "$r"; done
  done
done

F=$(commas "$FILES"); L=$(commas "$LS_FILES")
label() {
  case "$1" in
    up) echo "$F x 4 KiB up (\`cp --recursive\`)" ;;
    down) echo "$F x 4 KiB down (\`cp --recursive\`)" ;;
    sync) echo "sync up, nothing to do ($F files)" ;;
    ls) echo "\`ls --recursive\` of $L" ;;
    rm) echo "\`rm --recursive\` of $F" ;;
    bigup) echo "$BIG MiB up" ;;
    bigdown) echo "$BIG MiB down" ;;
  esac
}
table() { # col title
  echo
  echo "$2"
  echo
  if [ "$1" = 3 ]; then
    echo "| work | awl | s5cmd | rclone | aws |"
    echo "|---|---|---|---|---|"
  else
    echo "| work | awl | s5cmd | rclone | aws | best peer / awl | awl vs best peer |"
    echo "|---|---|---|---|---|---|---|"
  fi
  for row in "${rows[@]}"; do
    printf '| %s | %s | %s | %s | %s |' "$(label "$row")" "$(cell "awl-$row" "$1")" "$(cell "s5cmd-$row" "$1")" \
      "$(cell "rclone-$row" "$1")" "$(cell "aws-$row" "$1")"
    if [ "$1" = 3 ]; then echo; else echo " $(verdict "awl-$row" "s5cmd-$row rclone-$row aws-$row" "$1") |"; fi
  done
}

echo
echo "Through \`relay\` ($DELAY ms each way, $([ "$RATE" = 0 ] && echo "no rate cap" || echo "$RATE MB/s per connection")) in front of s3s-fs, $(nproc) cores; every tool at its defaults: awl $("$AWL" --version | cut -d' ' -f2) (static musl), s5cmd $("$S5CMD" version | cut -d- -f1), rclone $(rclone version | head -1 | cut -d' ' -f2), aws $("$AWS" --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2). $RUNS round(s) interleaved ($((BIG_RUNS < RUNS ? BIG_RUNS : RUNS)) for $BIG MiB); medians with the spread (min-max). Ratio: the best peer's median over awl's (above 1: awl took less); \"ahead\"/\"behind\": by more than the spread (awl's slowest run against the best peer's fastest)."
table 1 "Wall seconds:"
table 2 "Client CPU seconds (user + sys):"
table 3 "Peak RSS (GNU time), medians:"
