#!/usr/bin/env bash
# regroup.sh rewrites import paths from the flat internal/ layout (before issue 21)
# to the layout grouped by area. Run it on a branch written against the old layout:
#   scripts/regroup.sh [dir]   (default: the module root)
# It only rewrites; the packages themselves were moved with git mv.
set -euo pipefail
root=${1:-$(git rev-parse --show-toplevel)}
M=github.com/lightstream-io/lightstream/internal
# old new [oldpkg newpkg]
map=(
  "tidbcodec tidb/tidbcodec" "kvenc tidb/kvenc" "valueconv tidb/valueconv" "genexpr tidb/genexpr"
  "partition tidb/partition" "tablemodel tidb/tablemodel" "collate tidb/collate" "charset tidb/charset"
  "datum tidb/datum" "mydecimal tidb/mydecimal" "mytime tidb/mytime" "jsonbin tidb/jsonbin"
  "sqlmode tidb/sqlmode" "crc64ecma tidb/crc64ecma"
  "dump source/dump" "rowparse source/rowparse" "gen source/dumpgen gen dumpgen"
  "kafkaio kafka/kafkaio" "member kafka/member" "topiclog kafka/topiclog" "broker kafka/broker"
  "importid kafka/importid" "tableschemas kafka/schematopic tableschemas schematopic"
  "engine kv/engine" "store kv/store" "storeserver kv/storeserver" "mockmvcc kv/mockmvcc"
  "tsomark kv/tsomark" "gate kv/gate"
  "checkpoint state/checkpoint" "catalog state/tidbcatalog catalog tidbcatalog" "storecatalog state/storecatalog"
  "metrics ops/metrics" "precheck ops/precheck"
  "cli app/cli" "pipeline app/pipeline" "bench app/bench" "summary app/summary" "export app/export"
  "statuspage app/statuspage" "dumpcsv app/export/csvwriter dumpcsv csvwriter"
)
files=$(grep -rlE --include='*.go' --include='*.sh' --include='Dockerfile*' --include='*.md' --include='run' "lightstream/internal/" "$root" 2>/dev/null | grep -v '/\.git/' || true)
for f in $files; do
  args=()
  for m in "${map[@]}"; do
    set -- $m
    args+=(-e "s#\"$M/$1\"#\"$M/$2\"#g" -e "s#\"$M/$1/#\"$M/$2/#g" -e "s#$M/$1\.#$M/$2.#g")
  done
  sed -i "${args[@]}" "$f"
done
# Renamed packages: rewrite the qualifier in the files that import them.
for m in "${map[@]}"; do
  set -- $m
  [ $# -eq 4 ] || continue
  for f in $(grep -rl --include='*.go' "\"$M/$2\"" "$root" | grep -v '/\.git/' || true); do
    grep -qE "^\s*[a-zA-Z_]+ \"$M/$2\"" "$f" && continue # aliased import: leave it
    sed -i -E "s/(^|[^A-Za-z0-9_.])$3\./\1$4./g" "$f"
  done
done
