//! `HUIBAO_TIMINGS=1`: each stage's wall and CPU time and memory, printed as it ends.

/// When the first [`Timer`] started: each lap says how long after it it ended.
pub(super) static TIMERS_STARTED: std::sync::OnceLock<std::time::Instant> =
    std::sync::OnceLock::new();

/// Stage timings on stderr when `HUIBAO_TIMINGS` is set (for profiling, not for tests):
/// each stage's wall time, the process's CPU time in it (Linux; two cores busy show twice
/// the wall time) and its resident memory.
pub(crate) struct Timer {
    pub(super) last: std::cell::Cell<std::time::Instant>,
    /// The process's CPU time at the last lap, in milliseconds.
    pub(super) last_cpu: std::cell::Cell<u64>,
    pub(super) on: bool,
}

/// The CPU time the process has used, user and system, in milliseconds (Linux, read from
/// `/proc/self/stat` in its clock ticks of 10 ms; 0 elsewhere).
pub(super) fn cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's name (which may hold spaces, in parentheses): utime
    // and stime are the 14th and 15th of the line, the 12th and 13th after it.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    ticks * 10
}

impl Timer {
    /// A timer from now: it prints only when `HUIBAO_TIMINGS` is set.
    pub(crate) fn start() -> Timer {
        TIMERS_STARTED.get_or_init(std::time::Instant::now);
        let on = std::env::var_os("HUIBAO_TIMINGS").is_some();
        Timer {
            last: std::cell::Cell::new(std::time::Instant::now()),
            last_cpu: std::cell::Cell::new(if on { cpu_ms() } else { 0 }),
            on,
        }
    }

    /// Prints the time since the last lap (or the start) as `stage`'s, with the CPU time,
    /// the memory resident and its peak; the next lap starts now.
    pub(crate) fn lap(&self, stage: &str) {
        if self.on {
            let now = std::time::Instant::now();
            // Resident memory now and at its peak (Linux only; blank elsewhere).
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().trim_end_matches(" kB").trim().to_string())
                    .and_then(|kb| kb.parse::<u64>().ok())
                    .map_or(String::new(), |kb| format!("{:>6} MiB", kb / 1024))
            };
            let since = TIMERS_STARTED
                .get()
                .map_or(0, |start| (now - *start).as_millis());
            let cpu = cpu_ms();
            eprintln!(
                "{stage:>10}: {:>6} ms (at {since:>6} ms)  cpu {:>6} ms  rss {} peak {}",
                (now - self.last.get()).as_millis(),
                cpu.saturating_sub(self.last_cpu.get()),
                field("VmRSS:"),
                field("VmHWM:")
            );
            self.last.set(now);
            self.last_cpu.set(cpu);
        }
    }
}
