#!/usr/bin/env bash
# Two huibao binaries built on one site, interleaved (old, new, old, new …), so that a
# change's effect is not hidden by the machine's drift over minutes. Prints the medians of
# wall time, CPU time (user + system) and peak RSS, and the change in percent; then the
# median of each pair's change and the fastest run's change, which bursts of a shared
# machine's load disturb less.
#   bash bench/ab.sh OLD_BIN NEW_BIN SITE [RUNS]      (RUNS default 7)
# For the share of a feature, give one binary and two sites (e.g. the scale site with and
# without `[search] enabled = false`): bash bench/ab.sh BIN BIN SITE_ON RUNS SITE_OFF.
# With HUIBAO_AB_COMMAND=check the binaries run `check` on the site instead (nothing
# written; `huibao check` of 10,000 villages is issue 10's 150 ms).
# Output goes to a scratch folder under $HUIBAO_BENCH_SCRATCH (default /tmp; /dev/shm is
# less noisy). Needs GNU time (/usr/bin/time) and python3.
set -euo pipefail
old="$1"; new="$2"; site_old="$3"; runs="${4:-7}"; site_new="${5:-$3}"
work=$(mktemp -d "${HUIBAO_BENCH_SCRATCH:-/tmp}/huibao-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
for i in $(seq "$runs"); do
  for which in old new; do
    if [ "$which" = old ]; then bin="$old"; site="$site_old"; else bin="$new"; site="$site_new"; fi
    rm -rf "$work/out"
    # Wall time to the millisecond (GNU time's is to the hundredth of a second).
    start=$(date +%s%N)
    if [ "${HUIBAO_AB_COMMAND:-build}" = check ]; then
      /usr/bin/time -f "%U %S %M" -o "$work/$which-$i" \
        "$bin" check --site "$site" >/dev/null 2>&1
    else
      /usr/bin/time -f "%U %S %M" -o "$work/$which-$i" \
        "$bin" build --site "$site" --out "$work/out" >/dev/null 2>&1
    fi
    wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "$wall_ms $(tail -1 "$work/$which-$i")" > "$work/$which-$i"
  done
done
python3 - "$work" <<'PY'
import glob, statistics, sys
work = sys.argv[1]
def median(which, read):
    runs = [open(f).read().split() for f in glob.glob(f"{work}/{which}-*")]
    return statistics.median(read(r) for r in runs)
for name, read in [("wall s", lambda r: float(r[0]) / 1000),
                   ("cpu s", lambda r: float(r[1]) + float(r[2])),
                   ("peak MiB", lambda r: float(r[3]) / 1024)]:
    a, b = median("old", read), median("new", read)
    print(f"{name:9} old {a:8.3f}  new {b:8.3f}  ({100 * (b / a - 1):+.1f} %)")
# The machine's speed drifts in bursts (a shared host): each run of the new is also set
# against the old run just before it, and the fastest runs against each other.
runs = sorted(int(f.rsplit("-", 1)[1]) for f in glob.glob(f"{work}/old-*"))
read = lambda which, i: float(open(f"{work}/{which}-{i}").read().split()[0]) / 1000
pairs = [read("new", i) / read("old", i) for i in runs]
fastest = min(read("new", i) for i in runs) / min(read("old", i) for i in runs)
print(f"wall, new against old: median of pairs {100 * (statistics.median(pairs) - 1):+.1f} %, "
      f"fastest against fastest {100 * (fastest - 1):+.1f} %")
PY
