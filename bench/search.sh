#!/usr/bin/env bash
# Offline search at scale (issue 12): builds the scale site of N villages (default 10,000)
# with and without search (medians of 5 builds each, interleaved: the index's share of the
# build) and, when valgrind is there, a 1,000-village site with and without search in
# instructions (steadier than time on a busy machine), then opens its search page in headless
# Chromium from file:// for a few queries and prints, for each, the time from the query to the
# results shown (the page's data-ms, median of 5) and the bytes of the index files it loaded.
# Needs python3 and chromium.
#   bash bench/search.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
cargo build --release --quiet
bin="$PWD/target/release/huibao"
work=$(mktemp -d "${HUIBAO_BENCH_SCRATCH:-/tmp}/huibao-search.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 bench/scale_site.py "$n" "$work/site" >/dev/null
# The builds with and without search are interleaved, five of each, and each side's median
# taken: this machine's runs move by more than search's share, and by the hour.
build() {
  rm -rf "$work/out"
  { TIMEFORMAT=%R; time "$bin" build --site "$1" --out "$work/out" >/dev/null 2>&1; } 2>&1
}
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
cp -r "$work/site" "$work/site-off"
printf '\n[search]\nenabled = false\n' >> "$work/site-off/huibao.toml"
ons=(); offs=()
for _ in 1 2 3 4 5; do
  offs+=("$(build "$work/site-off")")
  ons+=("$(build "$work/site")")
done
off=$(median "${offs[@]}")
on=$(median "${ons[@]}")
echo "== $n villages: build without search ${off} s, with search ${on} s" \
  "($(python3 -c "print(f'{100 * ($on - $off) / $off:.1f}')") % more; medians of 5, interleaved:" \
  "without ${offs[*]}; with ${ons[*]})"
echo "   index: $(ls "$work/out/search" | wc -l) files, $(du -sh "$work/out/search" | cut -f1)"
# The same share counted in instructions (valgrind), which a busy or virtual machine does not
# blur as it does wall and CPU time: 1,000 villages (a build under valgrind is ~30 times slower).
if command -v valgrind >/dev/null; then
  python3 bench/scale_site.py 1000 "$work/small" >/dev/null
  cp -r "$work/small" "$work/small-off"
  printf '\n[search]\nenabled = false\n' >> "$work/small-off/huibao.toml"
  instructions() {
    rm -rf "$work/small-out"
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
      "$bin" build --site "$1" --out "$work/small-out" 2>&1 >/dev/null | sed -n 's/.*I *refs: *//p' | tr -d ,
  }
  ioff=$(instructions "$work/small-off")
  ion=$(instructions "$work/small")
  echo "   1,000 villages in instructions: without search $ioff, with $ion" \
    "($(python3 -c "print(f'{100 * ($ion - $ioff) / $ioff:.1f}')") % more)"
fi
for query in 贫困 饮水 精准帮扶 第0042村 2019; do
  python3 - "$work/out" "$query" <<'PY'
import subprocess, sys, re, os, statistics, urllib.parse
out, query = sys.argv[1], sys.argv[2]
url = "file://" + os.path.join(out, "search.html") + "?q=" + urllib.parse.quote(query)
times, files = [], []
for _ in range(5):
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--dump-dom", url],
        capture_output=True, text=True, timeout=60).stdout
    ms = re.search(r'data-ms="(\d+)"', dom)
    loaded = re.search(r'data-files="([^"]*)"', dom)
    if ms:
        times.append(int(ms.group(1)))
    if loaded:
        files = loaded.group(1).split()
found = re.search(r'找到 (\d+) 个页面', dom)
size = sum(os.path.getsize(os.path.join(out, f)) for f in files)
size += os.path.getsize(os.path.join(out, "search", "search.js"))
print(f"   {query}: {statistics.median(times) if times else '?'} ms (median of {len(times)}), "
      f"{size / 1024:.0f} KB loaded, {found.group(1) if found else 0} pages found")
PY
done
