//! The progress bar of a long render: shown on stderr once rendering has taken a second,
//! never when stderr is not a terminal (CI logs, pipes, tests), cleared when done.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long rendering runs before the bar appears: short builds print nothing extra.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Counts rendered pages; safe to tick from every rayon worker.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    show_after: Duration,
    /// Where the bar draws once shown; taken on first show.
    target: Mutex<Option<ProgressDrawTarget>>,
}

impl Progress {
    /// A bar for `pages` pages, drawn on stderr after [`SHOW_AFTER`].
    pub fn new(pages: usize) -> Progress {
        Progress::with_target(pages, SHOW_AFTER, ProgressDrawTarget::stderr())
    }

    /// A bar for `pages` pages, drawn on `target` once `show_after` has passed.
    pub fn with_target(pages: usize, show_after: Duration, target: ProgressDrawTarget) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(pages as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{wide_bar} {pos}/{len} {elapsed}") {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            show_after,
            target: Mutex::new(Some(target)),
        }
    }

    /// One more page rendered.
    pub fn tick(&self) {
        if self.started.elapsed() >= self.show_after
            && let Ok(mut target) = self.target.try_lock()
            && let Some(target) = target.take()
        {
            self.bar.set_draw_target(target);
        }
        self.bar.inc(1);
    }

    /// Rendering is over: the bar leaves no line behind.
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
            drawn(Duration::ZERO).contains("3/3"),
            "{}",
            drawn(Duration::ZERO)
        );
    }

    #[test]
    fn a_short_render_draws_nothing() {
        assert_eq!(drawn(Duration::from_secs(3600)).trim(), "");
    }
}
