//! Offline search (issue 12, in progress): the terms of the report's text, as the search
//! index will hold them and the search page will look them up.
//!
//! Chinese needs no dictionary here: every Han character is a term and so is every pair of
//! neighbours, so any run of characters (横溪, 雨露计划, 饮水安全) is found by the pairs it
//! holds, with no word segmenter on either side. Latin words and figures (`1094.52`, `2019`)
//! are terms whole; full-width forms typed on a Chinese keyboard (`１０９４．５２`) are read as
//! their half-width ones. Built so far, with tests: the terms (`tokens.rs`), and the index of
//! pages' text with its shards (`index.rs`, in memory); still to come: feeding it the rendered
//! pages in a build without holding them all, writing the shards as `.js` files, the search
//! page.

pub mod index;
pub mod tokens;
