#!/usr/bin/env bash
# The instructions a one-village correction costs `huibao serve`, counted by valgrind
# (callgrind): steady where this machine's wall time moves by a fifth from run to run, so a
# change of a few milliseconds to a rebuild shows. The first build runs uninstrumented; the
# count covers only the rebuilds (every thread: the one that rebuilds, the cores it hands
# work to, and the one that lets the last build go).
#   bash bench/serve_instructions.sh [N] [EDITS]   default: 10000 villages, 8 edits of
#                                                  farmland_mu (not on the overview page)
# HUIBAO_BIN=path counts another binary (an older one, to compare); HUIBAO_CALLGRIND_OUT=dir
# keeps the profiles. Needs valgrind; the first build of 10,000 villages takes about a
# minute under it.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
edits="${2:-8}"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)"; exit 1; }
source bench/binary.sh
work=$(mktemp -d "${HUIBAO_BENCH_SCRATCH:-/tmp}/huibao-serve-instr.XXXXXX")
python3 bench/scale_site.py "$n" "$work/site" >/dev/null
source bench/serve_start.sh
start_serve valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$work/callgrind.out" "$bin"
sleep 1
callgrind_control -i on "$pid" >/dev/null 2>&1
village="$work/site/data/villages/v0005.yaml"
for i in $(seq 1 "$edits"); do
  before=$(grep -c "已重新生成" "$log" || true)
  sed -i "s/^farmland_mu: .*/farmland_mu: $((1000 + i))/" "$village"
  until [ "$(grep -c "已重新生成" "$log" || true)" -gt "$before" ]; do sleep 0.2; done
done
# The last build is let go on a thread of its own after the new one is served: counted too.
sleep 2
callgrind_control -i off "$pid" >/dev/null 2>&1
callgrind_control -d "$pid" >/dev/null 2>&1
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
total=0
for f in "$work"/callgrind.out*; do
  count=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' || true)
  case "$count" in [0-9]*) total=$((total + count)) ;; esac
done
echo "== $n villages, $edits one-village corrections: $total instructions," \
  "$((total / edits / 1000000)) M a correction"
if [ -n "${HUIBAO_CALLGRIND_OUT:-}" ]; then
  mkdir -p "$HUIBAO_CALLGRIND_OUT"
  cp "$work"/callgrind.out* "$HUIBAO_CALLGRIND_OUT"/
  echo "   profiles in $HUIBAO_CALLGRIND_OUT (callgrind_annotate --inclusive=yes FILE tells where)"
fi
