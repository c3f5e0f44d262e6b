#!/usr/bin/env bash
# Offline search at scale (issue 12): builds the scale site of N villages (default 10,000)
# with and without search (medians of 5 builds each, interleaved: the index's share of the
# build) and, when valgrind is there, a 1,000-village site with and without search in
# instructions (steadier than time on a busy machine), then opens its search page in headless
# Chromium from file:// for a few queries and prints, for each, the time from the query to the
# results shown (the page's data-ms, median of 5) and the bytes of the index files it loaded.
# Needs python3, GNU time (/usr/bin/time) and chromium.
#   bash bench/search.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
source bench/binary.sh
work=$(mktemp -d "${HUIBAO_BENCH_SCRATCH:-/tmp}/huibao-search.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 bench/scale_site.py "$n" "$work/site" >/dev/null
# The builds with and without search are interleaved, five of each, and each side's median
# taken: this machine's runs move by more than search's share, and by the hour. Each pair's
# change is printed too (their median is steadier than the medians' change), and the CPU
# time (user + system, GNU time), which the machine's idle moments do not blur.
build() {
  rm -rf "$work/out"
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$bin" build --site "$1" --out "$work/out" >/dev/null 2>&1
  cat "$work/time"
}
cp -r "$work/site" "$work/site-off"
printf '\n[search]\nenabled = false\n' >> "$work/site-off/huibao.toml"
runs=()
for _ in 1 2 3 4 5; do
  runs+=("$(build "$work/site-off") $(build "$work/site")")
done
printf '%s\n' "${runs[@]}" | python3 -c "
import statistics, sys
pairs = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
off = [p[0] for p in pairs]; on = [p[3] for p in pairs]
off_cpu = [p[1] + p[2] for p in pairs]; on_cpu = [p[4] + p[5] for p in pairs]
share = lambda a, b: 100 * (b - a) / a
m = statistics.median
print(f'== $n villages: build without search {m(off):.3f} s, with search {m(on):.3f} s '
      f'({share(m(off), m(on)):.1f} % more; medians of 5, interleaved: without '
      + ' '.join(f'{x:.2f}' for x in off) + '; with ' + ' '.join(f'{x:.2f}' for x in on) + ')')
print(f'   median of the pairs\' changes {m([share(a, b) for a, b in zip(off, on)]):.1f} %; '
      f'CPU {m(off_cpu):.2f} -> {m(on_cpu):.2f} s ({share(m(off_cpu), m(on_cpu)):.1f} % more)')
"
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
