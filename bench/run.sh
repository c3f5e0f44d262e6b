#!/usr/bin/env bash
# Times huibao builds of generated sites (see bench/make_site.py).
#   bash bench/run.sh [N ...]        default: 1000 10000
# Uses hyperfine when installed (apt-get install hyperfine), else bash's `time`.
# Targets (2-core machine): 10,000 villages build in under 5 s; a rebuild with nothing
# changed reports 0 added / 0 modified / 0 removed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/binary.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in "${@:-1000 10000}"; do
  for size in $n; do
    python3 bench/make_site.py "$size" "$work/site-$size"
    echo "== $size villages"
    # What the output weighs, and how much of it is provenance (figures.json, data-src).
    rm -rf "$work/out-$size"
    "$bin" build --site "$work/site-$size" --out "$work/out-$size" >/dev/null 2>&1
    echo "output: $(du -sb "$work/out-$size" | cut -f1) bytes; figures.json: $(stat -c %s "$work/out-$size/figures.json") bytes; data-src spans: $(cat "$work"/out-"$size"/villages/*.html | grep -o '<span data-src="[^"]*">' | wc -c) bytes of markup"
    if command -v hyperfine >/dev/null; then
      hyperfine --warmup 1 --runs 5 \
        --prepare "rm -rf $work/out-$size" \
        "$bin build --site $work/site-$size --out $work/out-$size"
    else
      rm -rf "$work/out-$size"
      time "$bin" build --site "$work/site-$size" --out "$work/out-$size"
      echo "-- rebuild, nothing changed"
      time "$bin" build --site "$work/site-$size" --out "$work/out-$size"
    fi
  done
done
