//! The progress bar of a long stage (reading data files, rendering pages): shown on stderr
//! once the stage has taken a second, never when stderr is not a terminal (CI logs, pipes,
//! tests), cleared when done.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a stage runs before its bar appears: short builds print nothing extra.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Counts what a stage has done (files read, pages rendered); safe to tick from every rayon
/// worker.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    show_after: Duration,
    /// Where the bar draws once shown; taken on first show.
    target: Mutex<Option<ProgressDrawTarget>>,
    /// Whether the bar is shown (then each tick moves it).
    shown: AtomicBool,
    /// Items done before the bar is shown: counted here, not by the bar, and the clock read
    /// every [`CLOCK_EVERY`] items (10,000 files are read in a few milliseconds).
    counted: AtomicU64,
}

/// How many items pass between two looks at the clock before the bar is shown.
const CLOCK_EVERY: u64 = 32;

impl Progress {
    /// A bar named `label` (`页面 pages`) for `count` items, drawn on stderr after
    /// [`SHOW_AFTER`].
    pub fn new(label: &'static str, count: usize) -> Progress {
        Progress::with_target(label, count, SHOW_AFTER, ProgressDrawTarget::stderr())
    }

    /// A bar named `label` for `count` items, drawn on `target` once `show_after` has passed.
    pub fn with_target(
        label: &'static str,
        count: usize,
        show_after: Duration,
        target: ProgressDrawTarget,
    ) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{prefix} {wide_bar} {pos}/{len} {elapsed}")
        {
            bar.set_style(style);
        }
        bar.set_prefix(label);
        Progress {
            bar,
            started: Instant::now(),
            show_after,
            target: Mutex::new(Some(target)),
            shown: AtomicBool::new(false),
            counted: AtomicU64::new(0),
        }
    }

    /// One more done.
    pub fn tick(&self) {
        if self.shown.load(Ordering::Relaxed) {
            self.bar.inc(1);
            return;
        }
        let counted = self.counted.fetch_add(1, Ordering::Relaxed) + 1;
        if counted % CLOCK_EVERY == 1
            && self.started.elapsed() >= self.show_after
            && let Ok(mut target) = self.target.try_lock()
            && let Some(target) = target.take()
        {
            self.bar.set_draw_target(target);
            self.shown.store(true, Ordering::Relaxed);
            self.bar.inc(self.counted.swap(0, Ordering::Relaxed));
        }
    }

    /// The stage is over: the bar leaves no line behind.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::InMemoryTerm;

    fn drawn(show_after: Duration) -> String {
        let term = InMemoryTerm::new(4, 60);
        let progress = Progress::with_target(
            "页面 pages",
            3,
            show_after,
            ProgressDrawTarget::term_like(Box::new(term.clone())),
        );
        for _ in 0..3 {
            progress.tick();
        }
        progress.bar.tick(); // draw now, not at the next refresh
        let contents = term.contents();
        progress.finish();
        contents
    }

    #[test]
    fn the_bar_shows_once_rendering_is_long() {
        assert!(
            drawn(Duration::ZERO).contains("页面 pages") && drawn(Duration::ZERO).contains("3/3"),
            "{}",
            drawn(Duration::ZERO)
        );
    }

    #[test]
    fn a_short_render_draws_nothing() {
        assert_eq!(drawn(Duration::from_secs(3600)).trim(), "");
    }
}
