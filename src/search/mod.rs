//! Offline search: the report's pages found by what they say, with no server and no
//! request outside the site.
//!
//! Chinese needs no dictionary here: every Han character is a term and so is every pair of
//! neighbours, so any run of characters (横溪, 雨露计划, 饮水安全) is found by the pairs it
//! holds, with no word segmenter on either side. Latin words and figures (`1094.52`, `2019`)
//! are terms whole; full-width forms typed on a Chinese keyboard (`１０９４．５２`) are read as
//! their half-width ones (`tokens.rs`). A build reads each page's text from its Markdown's
//! events as its HTML is written (`text.rs`) and gathers its terms (`index.rs`), writing each
//! file of page texts as soon as its pages are in, then writes the terms as scripts cut into
//! shards (`files.rs`) that the search page's program (`search.js`, tokenising queries
//! exactly as `tokens.rs` does) loads by relative path — from `file://` as from a server.

pub mod files;
pub mod index;
pub mod text;
pub mod tokens;
