#!/usr/bin/env bash
# Time and peak memory of huibao alone building N villages (bench/scale_site.py: the site of
# bench/scale.sh), for issue 10's memory targets (250 MiB at 10,000 villages, 400 MiB at
# 100,000) and its near-linear one (100,000 villages in at most 11 x the 10,000 time).
#   bash bench/memory.sh [N] [RUNS]          default: 100000 3
# Prints each run's wall, CPU and peak RSS, their medians, the memory after each stage of
# the last run (HUIBAO_TIMINGS=1) and its resident memory second by second (sampled every
# quarter second: the peak's humps between the stages); then the same of one more build
# over the site just published (what a correction does: figures compared, files replaced).
# A 100,000-village site is 390 MB and its output 3.5 GB: set
# HUIBAO_BENCH_SCRATCH=/dev/shm/huibao-bench to put both on tmpfs (on this machine's disk
# the kernel's writing doubles the time).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
runs="${2:-3}"
source bench/binary.sh
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
import os, shutil, statistics, subprocess, sys, tempfile, time
bin, site, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
walls, cpus, peaks = [], [], []

def resident_mib(pid):
    """The process's resident memory now and its highest so far (VmHWM: a spike between two
    samples, such as the overview's list of records, made and let go within a second, is
    in it), from /proc (None when they cannot be read)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            found = {}
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found[line[:5]] = int(line.split()[1]) / 1024
            if len(found) == 2:
                return found["VmRSS"], found["VmHWM"]
    except OSError:
        return None
    return None

def build(timed):
    """One build into `out` (whatever it holds): wall, CPU, peak RSS, stage lines, samples."""
    env = dict(os.environ, HUIBAO_TIMINGS="1") if timed else None
    # The build is this script's child: its own CPU time and peak come from wait4, and its
    # resident memory is sampled every quarter second meanwhile (the peak's "humps": before
    # the pages, at the overview page, at the end).
    with tempfile.TemporaryFile(mode="w+") as errors:
        start = time.monotonic()
        child = subprocess.Popen(
            [bin, "build", "--site", site, "--out", out],
            stdout=subprocess.DEVNULL, stderr=errors, env=env,
        )
        samples = []
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid != 0:
                break
            resident = resident_mib(child.pid)
            if resident is not None:
                samples.append((time.monotonic() - start, resident))
            time.sleep(0.25)
        wall = time.monotonic() - start
        errors.seek(0)
        stderr = errors.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"build failed ({code}):\n{stderr}")
    cpu = usage.ru_utime + usage.ru_stime
    stages = [l for l in stderr.splitlines() if "rss" in l and "(at" in l]
    return wall, cpu, usage.ru_maxrss / 1024, stages, samples

def report(stages, timeline):
    print("stages (time, then resident and peak memory after each):")
    for line in stages:
        print("  " + line.strip())
    # The highest sample of each second, and the highest so far at its end: where the
    # second number rises above the first, a spike fell between two samples.
    by_second = {}
    for at, (rss, highest) in timeline:
        seen, _ = by_second.get(int(at), (0, 0))
        by_second[int(at)] = (max(seen, rss), highest)
    print("resident memory, highest sample of each second / highest so far (s: MiB):")
    print("  " + " ".join(f"{second}:{rss:.0f}/{highest:.0f}"
                          for second, (rss, highest) in sorted(by_second.items())))

for run in range(1, runs + 1):
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu, peak, stages, samples = build(timed=run == runs)
    walls.append(wall)
    cpus.append(cpu)
    peaks.append(peak)
    print(f"run {run}: wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {peak:.0f} MiB")
print(f"median: wall {statistics.median(walls):.2f} s, CPU {statistics.median(cpus):.2f} s, "
      f"peak RSS {statistics.median(peaks):.0f} MiB")
print("== the last run, into an empty folder:")
report(stages, samples)
# What a correction does: the same site built again over the one just published (its
# figures compared with the published ones, its files replaced).
wall, cpu, peak, stages, samples = build(timed=True)
print(f"== built again over the published site: wall {wall:.2f} s, CPU {cpu:.2f} s, "
      f"peak RSS {peak:.0f} MiB")
report(stages, samples)
EOF
