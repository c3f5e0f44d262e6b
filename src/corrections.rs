//! Corrections: `data/corrections.yaml`, the log of figures corrected after publication.
//!
//! Each entry says when (`date`), which figure (`what`, a data path such as
//! `policies.health.hospital.hospitalisations`), what was published (`old`), what it is now
//! (`new`) and why (`reason`). The log cannot lie: `new` must equal the data. It becomes the
//! page 「更正说明」, and every corrected figure links to its entry.

/// The corrections page in the output.
pub const PAGE: &str = "corrections.html";
