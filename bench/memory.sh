#!/usr/bin/env bash
# Time and peak memory of huibao alone building N villages (bench/scale_site.py: the site of
# bench/scale.sh), for issue 10's memory targets (250 MiB at 10,000 villages, 400 MiB at
# 100,000) and its near-linear one (100,000 villages in at most 11 x the 10,000 time).
#   bash bench/memory.sh [N] [RUNS]          default: 100000 3
# Prints each run's wall, CPU and peak RSS, their medians, and the memory after each stage
# of the last run (HUIBAO_TIMINGS=1). A 100,000-village site is 390 MB and its output 3.5
# GB: set HUIBAO_BENCH_SCRATCH=/dev/shm/huibao-bench to put both on tmpfs (on this
# machine's disk the kernel's writing doubles the time).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
runs="${2:-3}"
cargo build --release --quiet
bin="$PWD/target/release/huibao"
scratch="${HUIBAO_BENCH_SCRATCH:-}"
if [ -z "$scratch" ]; then
  scratch=$(mktemp -d)
fi
mkdir -p "$scratch"
site="$scratch/memory-site-$n"
out="$scratch/memory-out-$n"
trap 'rm -rf "$site" "$out"' EXIT
rm -rf "$site"
python3 bench/scale_site.py "$n" "$site" >/dev/null
echo "== huibao build, $n villages, $runs runs (outputs in $scratch)"
python3 - "$bin" "$site" "$out" "$runs" <<'EOF'
import os, resource, shutil, statistics, subprocess, sys, time
bin, site, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
walls, cpus, peaks = [], [], []
for run in range(1, runs + 1):
    shutil.rmtree(out, ignore_errors=True)
    last = run == runs
    env = dict(os.environ, HUIBAO_TIMINGS="1") if last else None
    start = time.monotonic()
    # Each run in a process of its own, so that the peak is this run's.
    probe = (
        "import resource, subprocess, sys; "
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(u.ru_utime + u.ru_stime, u.ru_maxrss, r.returncode); "
        "sys.stderr.write(r.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, bin, "build", "--site", site, "--out", out],
        capture_output=True, text=True, env=env,
    )
    wall = time.monotonic() - start
    cpu, peak_kib, code = done.stdout.split()
    if code != "0":
        sys.exit(f"build failed ({code}):\n{done.stderr}")
    walls.append(wall)
    cpus.append(float(cpu))
    peaks.append(int(peak_kib) / 1024)
    print(f"run {run}: wall {wall:.2f} s, CPU {float(cpu):.2f} s, peak RSS {peaks[-1]:.0f} MiB")
    if last:
        stages = [l for l in done.stderr.splitlines() if "rss" in l and "(at" in l]
print(f"median: wall {statistics.median(walls):.2f} s, CPU {statistics.median(cpus):.2f} s, "
      f"peak RSS {statistics.median(peaks):.0f} MiB")
print("stages of the last run (time, then resident and peak memory after each):")
for line in stages:
    print("  " + line.strip())
EOF
