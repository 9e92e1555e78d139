#!/usr/bin/env bash
# logical-bench.sh: rows/s of `lightstream import --backend tidb` into a private MariaDB
# against ../shared/peers/mariadb-load.sh (the mariadb client loading the same dump), in one
# run, with the same number of connections (MARIADB_JOBS = --writer-conns, default 2).
#
#   scripts/logical-bench.sh DUMP DB [-- extra import flags]
#
# DUMP is a dumpling-layout SQL dump (`lightstream gen --out D --size 256MiB --file-size 16MiB`),
# DB the database it creates (gen). The private server runs with the peer's settings
# (innodb-flush-log-at-trx-commit=2, no binlog, the same buffer pool). Prints each side's
# seconds and rows/s, the ratio lightstream / mysql client, and the load average; lightstream's
# time is the whole import (start-up, checksum and ANALYZE included) and its write phase apart.
set -euo pipefail
D=${1:?usage: logical-bench.sh DUMP DB [-- import flags]}; DB=${2:?db}; shift 2
[ "${1:-}" = "--" ] && shift
JOBS=${MARIADB_JOBS:-2}; export MARIADB_JOBS=$JOBS
POOL=${MARIADB_BUFFER_POOL:-1G}; export MARIADB_BUFFER_POOL=$POOL
root=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER:-$root/../shared/peers/mariadb-load.sh}
bin=${LIGHTSTREAM:-$(mktemp -d)/lightstream}
[ -x "$bin" ] || (cd "$root" && go build -o "$bin" ./cmd/lightstream)
W=$(mktemp -d "${TMPDIR:-/tmp}/logical-bench.XXXXXX"); PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf -- "$W"
}
trap cleanup EXIT

load0=$(cut -d' ' -f1-3 /proc/loadavg)
peer_out=$(CHECK_ROWS=1 bash "$peer" "$D" "$DB" 2>&1)
ps=$(echo "$peer_out" | awk '/^mariadb-load: [0-9.]+ s/ {print $2}' | tail -1)
rows=$(echo "$peer_out" | awk '/^mariadb-load: rows/ {s=0; for(i=3;i<=NF;i++) {split($i,a,"="); s+=a[2]}; print s}' | tail -1)

mariadb-install-db --no-defaults --datadir="$W/data" --user="$(id -un)" --auth-root-authentication-method=normal >"$W/install.log" 2>&1
mariadbd --no-defaults --datadir="$W/data" --socket="$W/sock" --skip-networking --user="$(id -un)" \
  --pid-file="$W/pid" --innodb-buffer-pool-size="$POOL" --innodb-log-file-size=2G \
  --innodb-flush-log-at-trx-commit=2 --innodb-fast-shutdown=2 --skip-log-bin --max-allowed-packet=256M >"$W/server.log" 2>&1 &
PID=$!
for _ in $(seq 120); do mariadb -S "$W/sock" -uroot -e 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
# CPU seconds (user+system) of a process from /proc/PID/stat, and of this shell's waited-for children.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }
# (times runs in this shell, not in a $(...) subshell, which has no children of its own).
children_cpu() { awk 'NR==2 {gsub("m"," "); gsub("s",""); print $1*60+$2+$3*60+$4}' "$1"; }
times >"$W/times0"; server0=$(cpu_of "$PID"); own0=$(children_cpu "$W/times0")
start=$(date +%s.%N)
"$bin" import --dump "$D" --work-dir "$W/work" --backend tidb --tidb "$W/sock" -q --writers 1 --writer-conns "$JOBS" "$@" >"$W/out" 2>&1 \
  || { tail -20 "$W/out"; exit 1; }
end=$(date +%s.%N)
times >"$W/times1"; server1=$(cpu_of "$PID"); own1=$(children_cpu "$W/times1")
grep -q ': complete' "$W/out" || { tail -20 "$W/out"; echo "import did not complete" >&2; exit 1; }
lrows=$(mariadb -S "$W/sock" -uroot -N -e "SELECT SUM(row_count) FROM lightstream_task_info.logical_batches")
# The write phase: first to last batch committed (no start-up, no checksum, no ANALYZE).
wspan=$(mariadb -S "$W/sock" -uroot -N -e "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(written_at), MAX(written_at))/1e6 FROM lightstream_task_info.logical_batches")
load1=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v ps="$ps" -v s="$start" -v e="$end" -v r="$rows" -v lr="$lrows" -v j="$JOBS" -v ws="$wspan" -v l0="$load0" -v l1="$load1" \
  -v sv0="$server0" -v sv1="$server1" -v o0="$own0" -v o1="$own1" 'BEGIN {
  ls = e - s
  printf "mysql client (%d jobs): %.1f s, %d rows, %.0f rows/s\n", j, ps, r, r/ps
  printf "lightstream --backend tidb (%d conns, checksums included): %.1f s, %d rows, %.0f rows/s\n", j, ls, lr, lr/ls
  printf "  of which writing (first to last batch committed): %.1f s, %.0f rows/s (%.2fx the client)\n", ws, lr/ws, (lr/ws)/(r/ps)
  printf "  CPU: lightstream %.2f s, the server %.2f s (user+system; on a machine whose cores they share, the import takes at least their sum over the cores)\n", o1-o0, sv1-sv0
  printf "ratio lightstream/mysql client: %.2fx (load before %s, after %s)\n", (lr/ls)/(r/ps), l0, l1 }'
