//! Shared copies of the short texts a site repeats by the million: the field names of 10,000
//! village files (the keys and names of their numbers are shared the same way, in pairs, by
//! `provenance::SourceValue::new`). Each thread keeps one copy of each text it has seen
//! ([`intern`]), so a repeated text costs a pointer, not an allocation that lives for the
//! whole build.

use rustc_hash::FxHashSet;
use std::cell::RefCell;
use std::sync::Arc;

/// How many texts a thread keeps at most: a site's names are a few thousand; past this,
/// texts are still returned, only no longer shared.
const MOST: usize = 100_000;

thread_local! {
    static TEXTS: RefCell<FxHashSet<Arc<str>>> = RefCell::new(FxHashSet::default());
}

/// This thread's copy of `text`.
pub fn intern(text: &str) -> Arc<str> {
    TEXTS.with(|texts| {
        let mut texts = texts.borrow_mut();
        if let Some(shared) = texts.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        if texts.len() < MOST {
            texts.insert(shared.clone());
        }
        shared
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_copy_per_thread() {
        let a = intern("registered.households");
        let b = intern(&String::from("registered.households"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*intern("户数"), "户数");
        let other = std::thread::spawn(|| intern("registered.households"))
            .join()
            .expect("thread");
        assert_eq!(other, a);
    }
}
