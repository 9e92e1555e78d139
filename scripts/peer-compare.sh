#!/usr/bin/env bash
# peer-compare.sh times `lightstream import` against ../shared/peers/mariadb-load.sh
# (MariaDB loading the same dump) in one run, alternating, and prints the ratio.
#
#   scripts/peer-compare.sh DUMP DB [ROUNDS] [-- extra import flags]
#
# DUMP is a dumpling-layout SQL dump (e.g. `lightstream gen --out D --size 1GiB
# --tables tpch`), DB the database it creates (gen for `lightstream gen`).
# Each round runs the peer, then lightstream (checksum included) under
# /usr/bin/time -v; the last lines give each run's seconds, lightstream's peak
# RSS and CPU-seconds per GiB, and peer seconds / lightstream seconds.
set -euo pipefail
D=${1:?usage: peer-compare.sh DUMP DB [ROUNDS] [-- import flags]}; DB=${2:?db}; shift 2
ROUNDS=1
if [ $# -gt 0 ] && [ "$1" != "--" ]; then ROUNDS=$1; shift; fi
[ "${1:-}" = "--" ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER:-$root/../shared/peers/mariadb-load.sh}
bin=${LIGHTSTREAM:-$(mktemp -d)/lightstream}
[ -x "$bin" ] || (cd "$root" && go build -o "$bin" ./cmd/lightstream)
bytes=$(find "$D" -name '*.sql' ! -name '*-schema*.sql' -printf '%s\n' | awk '{s+=$1} END {print s}')
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$ROUNDS"); do
  ps=$(bash "$peer" "$D" "$DB" 2>&1 | awk '/^mariadb-load: [0-9.]+ s/ {print $2}' | tail -1)
  rm -rf "$tmp/w"
  /usr/bin/time -v "$bin" import --dump "$D" --work-dir "$tmp/w" -q "$@" >"$tmp/out" 2>"$tmp/time" || { cat "$tmp/out" "$tmp/time"; exit 1; }
  grep -q ': complete' "$tmp/out" || { cat "$tmp/out"; echo "import did not complete" >&2; exit 1; }
  ls=$(awk -F'[ :]+' '/Elapsed \(wall clock\)/ {n=split($0,a," "); t=a[n]; m=split(t,b,":"); s=0; for(i=1;i<=m;i++) s=s*60+b[i]; print s}' "$tmp/time")
  rss=$(awk '/Maximum resident set size/ {print $NF}' "$tmp/time")
  cpu=$(awk '/User time|System time/ {s+=$NF} END {print s}' "$tmp/time")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  awk -v r="$r" -v ps="$ps" -v ls="$ls" -v rss="$rss" -v cpu="$cpu" -v b="$bytes" -v la="$load" 'BEGIN {
    printf "round %d: mariadb %.1f s, lightstream %.1f s (peak RSS %.2f GiB, %.1f CPU-s/GiB): %.2fx the peer (load %s)\n",
      r, ps, ls, rss/1048576, cpu/(b/1073741824), ps/ls, la }'
done
