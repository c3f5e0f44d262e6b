#!/usr/bin/env bash
# Side by side with Hugo, in one run: huibao on a data-driven site (bench/scale_site.py:
# N village YAML files, a schema with consistency rules, a page with two charts per village,
# an overview table) against Hugo on the equivalent hand-written anchor site of
# ../shared/bench/gen_anchor_sites.py (same villages, same prose, static figures).
#   bash bench/scale.sh [N]          default: 1000
# Needs hugo (apt-get install hugo) and ../shared/bench. Prints min/median/max wall, cpu
# and peak RSS per tool (quote the median); huibao's work includes validation and charts,
# which Hugo's site does not do. Outputs go to a temporary folder on disk; set
# HUIBAO_BENCH_SCRATCH=/dev/shm/huibao-bench to write them on tmpfs (less noise from the disk).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
anchors="${HUIBAO_ANCHORS:-../shared/bench}"
source bench/binary.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$anchors/gen_anchor_sites.py" "$n" "$work/anchors" >/dev/null
python3 bench/scale_site.py "$n" "$work/huibao-site"
echo "== $n villages: hugo (anchor site) vs huibao (data site)"
scratch=()
if [ -n "${HUIBAO_BENCH_SCRATCH:-}" ]; then
  mkdir -p "$HUIBAO_BENCH_SCRATCH"
  scratch=(--scratch "$HUIBAO_BENCH_SCRATCH")
fi
python3 "$anchors/run_anchors.py" "$work/anchors" --tools hugo "${scratch[@]}" \
  --extra "huibao=$bin build --site $work/huibao-site --out {out}" | tee "$work/table"
# The target of issue 10 is a ratio of medians: huibao wall / Hugo wall <= 0.5.
awk '$1 == "hugo" { h = $4 } $1 == "huibao" { b = $4 }
     END { if (h > 0) printf "huibao / hugo (median wall): %.2f\n", b / h }' "$work/table"
