#!/usr/bin/env bash
# pagecost.sh: what writing and reading through the page cache costs on this machine, the figure
# behind much of an import's system time. Needs GNU time (/usr/bin/time) and dd.
#
#   scripts/pagecost.sh [DIR] [MiB]
#
# Moves MiB (default 1024) through a file in DIR (default $TMPDIR or /tmp) five ways (four writes and
# a read) and prints the seconds and system CPU-seconds of each:
#   new file          buffered writes into page cache pages the kernel has to find (fresh memory)
#   rewrite at once   the same again right after deleting the first file: its pages are reused
#   after 10 s idle   the same after the freed pages have sat idle (a VM may hand them back to the
#                     host, and the next touch faults them in again)
#   O_DIRECT          no page cache at all: the disk's own speed
#   cold read         reading a file written with O_DIRECT into the page cache
# What it printed on this project's 2-core VM (kernel time is most of it; the figures move by 2x
# between runs):
#   twelve minutes after boot, memory never touched yet: a new 1 GiB file took 2.5-4.2 s, the
#     same write right after deleting it 0.3-0.45 s (the host backs a guest page on first touch)
#   later, 1-2 GiB: new file 0.4-0.85 sys-s/GiB, rewrite at once 0.35-0.45, after 10 s idle
#     0.35-1.1, O_DIRECT 0.15-0.2, cold read 2.2-2.8 sys-s/GiB
# An import writes ~9 GB (wchar) for a 1 GiB dump: topics, engine runs, store journal and tables,
# and loopback TCP; on a machine fresh from boot that alone is seconds of its CPU.
set -euo pipefail
D=${1:-${TMPDIR:-/tmp}}; N=${2:-1024}
f=$(mktemp -p "$D" pagecost.XXXXXX); trap 'rm -f "$f" "$f.2" "$f.time"' EXIT
[ -x /usr/bin/time ] || { echo "pagecost: needs GNU time at /usr/bin/time" >&2; exit 3; }
run() { # label, command...: one line of figures, or status 1 when the command fails
  local label=$1; shift
  if ! /usr/bin/time -f "%e %S" -o "$f.time" "$@" >/dev/null 2>&1; then
    rm -f "$f.time"; return 1
  fi
  read -r s sys <"$f.time"; rm -f "$f.time"
  awk -v l="$label" -v s="$s" -v sys="$sys" -v n="$N" 'BEGIN { printf "%-16s %6.2f s  %6.2f sys-s  %7.0f MiB/s\n", l, s, sys, n/(s>0?s:0.01) }'
}
sync
run "new file" dd if=/dev/zero of="$f" bs=1M count="$N" conv=fsync
rm -f "$f"; run "rewrite at once" dd if=/dev/zero of="$f" bs=1M count="$N" conv=fsync
rm -f "$f"; sleep 10; run "after 10 s idle" dd if=/dev/zero of="$f" bs=1M count="$N" conv=fsync
rm -f "$f"
if run "O_DIRECT" dd if=/dev/zero of="$f.2" bs=1M count="$N" oflag=direct; then
  sleep 3 # let the O_DIRECT write settle before reading it back
  run "cold read" dd if="$f.2" of=/dev/null bs=1M
else
  echo "O_DIRECT not supported in $D"
fi
