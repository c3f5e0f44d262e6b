#!/usr/bin/env bash
# A clerk correcting one village again and again in `huibao serve`: how long each rebuild
# takes (as serve prints it) and the server's resident memory after each, on the data-driven
# scale site of bench/scale_site.py.
#   bash bench/serve_edits.sh [N] [EDITS] [FIELD]   default: 1000 villages, 20 edits of
#                                                   farmland_mu (not on the overview page);
#                                                   FIELD=households changes the overview too
# Prints one line per edit and the median rebuild time; memory should stay flat.
# HUIBAO_BIN=path runs another binary (an older one, to compare); HUIBAO_BENCH_XLSX=1 has the
# site offer its data as a workbook.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
edits="${2:-20}"
field="${3:-farmland_mu}"
source bench/binary.sh
work=$(mktemp -d)
python3 bench/scale_site.py "$n" "$work/site"
# HUIBAO_BENCH_XLSX=1: the site offers its data as a workbook (the page 「数据下载」).
if [ -n "${HUIBAO_BENCH_XLSX:-}" ]; then
  printf '\n[document]\ndownloads = ["xlsx"]\n' >> "$work/site/huibao.toml"
fi
source bench/serve_start.sh
start_serve "$bin"
village="$work/site/data/villages/v0005.yaml"
rss() { awk '/^VmRSS:/ { printf "%d MiB", $2 / 1024 }' "/proc/$pid/status"; }
echo "== $n villages: first build done, $(rss)"
times=()
for i in $(seq 1 "$edits"); do
  before=$(grep -c "已重新生成" "$log" || true)
  sed -i "s/^$field: .*/$field: $((1000 + i))/" "$village"
  until [ "$(grep -c "已重新生成" "$log" || true)" -gt "$before" ]; do sleep 0.05; done
  ms=$(grep "已重新生成" "$log" | tail -1 | sed -E 's/.*用时 ([0-9]+) ms.*/\1/')
  times+=("$ms")
  echo "edit $i: ${ms} ms, $(rss)"
done
# With HUIBAO_TIMINGS=1 the server's stage times of the last rebuild are shown.
if [ -n "${HUIBAO_TIMINGS:-}" ]; then
  awk '/已重新生成/ { n++ } n == '"$edits"' - 1 && /ms \(at/ { print "   " $0 }' "$log"
fi
printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "median rebuild: %d ms\n", a[int((NR + 1) / 2)] }'
