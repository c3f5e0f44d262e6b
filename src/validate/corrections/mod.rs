//! Corrections: `data/corrections.yaml`, the log of figures corrected after publication.
//!
//! ```yaml
//! entries:
//!   - date: 2020-12-01
//!     what: policies.health.hospital.hospitalisations   # the figure, as a data path
//!     old: 1445人次                                       # as published
//!     new: 1446                                           # as it is now (= the data)
//!     reason: 县卫健局复核，补录一人次
//! ```
//!
//! The log cannot lie: a figure's last entry's `new` must equal the data (after converting
//! its unit), an entry of a figure corrected before starts from the `new` before it, and
//! when a build changes a published figure, its entry's `old` is what was published. It becomes the
//! page 「更正说明」 (`render::corrections_page`), linked from every page's footer, and every corrected figure
//! links to its entry. Dates come from the log, never from the clock, so builds stay
//! byte-identical.

use rust_decimal::Decimal;
use std::path::Path;

use super::schema::Schema;
use crate::diagnostics::{Diagnostic, Location, Severity, Text};
use crate::load::{Data, Node, Value};

mod entry;
mod figure;

use entry::{Written, entry_of, unknown_key};
use figure::{Checked, check_entry, find, unknown_figure, walk_key};

/// The log's file, relative to the site folder.
pub const FILE: &str = "data/corrections.yaml";

/// What the entry a warning suggests says for `reason`, to be replaced.
const PLACEHOLDER: &str = "（写明更正原因）";
/// What [`missing_input_entry`] writes for the `old` of a value the site never printed.
const OLD_PLACEHOLDER: &str = "（改动前的数）";

/// The keys of an entry.
pub(super) const ENTRY_KEYS: &[&str] = &["date", "what", "old", "new", "reason"];

/// One checked entry of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Correction {
    /// 1-based, in the order of the log; the entry's anchor is `c<n>`.
    pub number: usize,
    /// `2020-12-01`.
    pub date: String,
    /// The data path written: `policies.health.hospital.hospitalisations`.
    pub what: String,
    /// The figure's key (as in the figures manifest):
    /// `data/policies/health.yaml#hospital.hospitalisations`.
    pub key: String,
    /// As published before, as written in the log (`1445`, `342元`).
    pub old: String,
    /// The corrected value as written in the log.
    pub new: String,
    /// The corrected value in the field's unit: what the data say.
    pub value: Decimal,
    /// The field's unit (`人次`), empty when it has none.
    pub unit: String,
    /// Why.
    pub reason: String,
    /// Where the entry is.
    pub location: Location,
    /// Where its `old` is.
    pub old_location: Location,
}

impl Correction {
    /// The entry's anchor on the corrections page.
    pub fn anchor(&self) -> String {
        format!("c{}", self.number)
    }

    /// The published value as shown: as written, with the field's unit when none is written
    /// (`67` → `67人`; `342元` stays).
    pub fn old_shown(&self) -> String {
        with_unit(&self.old, &self.unit)
    }

    /// The corrected value as shown, like [`Correction::old_shown`].
    pub fn new_shown(&self) -> String {
        with_unit(&self.new, &self.unit)
    }

    /// The entry as the figures manifest records it published.
    pub fn logged(&self) -> crate::manifest::Logged {
        crate::manifest::Logged {
            number: self.number,
            key: self.key.clone(),
            what: self.what.clone(),
            date: self.date.clone(),
            old: self.old_shown(),
            new: self.new_shown(),
            reason: self.reason.clone(),
        }
    }
}

fn with_unit(text: &str, unit: &str) -> String {
    if crate::figure::parse_decimal(text.trim()).is_ok() {
        format!("{}{unit}", text.trim())
    } else {
        text.trim().to_string()
    }
}

/// Whether `path` (relative to the site) is the corrections log.
pub fn is_log(path: &Path) -> bool {
    // A data file's path (as discovery gives it: no trailing separator) that does not end
    // as the log's name is not the log: told without splitting it into its components
    // (asked of every data file, several times).
    path.as_os_str().as_encoded_bytes().ends_with(LOG_NAME) && path == Path::new(FILE)
}

/// The log's file name: [`FILE`] after its last `/`.
const LOG_NAME: &[u8] = {
    let bytes = FILE.as_bytes();
    let mut start = bytes.len();
    while start > 0 && bytes[start - 1] != b'/' {
        start -= 1;
    }
    bytes.split_at(start).1
};

/// Reads and checks the log in `data` (which holds the checked data files), if there is
/// one. Every problem is reported; only good entries are returned.
pub fn read(data: &Data, schema: Option<&Schema>) -> (Vec<Correction>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let Some(log) = data.files.iter().find(|f| is_log(&f.path)) else {
        return (Vec::new(), problems);
    };
    let file = log.path.as_path();
    let Value::Map(top) = &log.root.value else {
        return (Vec::new(), problems);
    };
    for (key, _) in top {
        if &*key.name != "entries" {
            problems.push(unknown_key(file, key, &["entries"]));
        }
    }
    let items = match log.root.get("entries").map(|n| (&n.value, n)) {
        Some((Value::List(items), _)) => &items[..],
        Some((Value::Null, _)) | None => &[],
        Some((_, node)) => {
            // One correction written without its `- ` (its keys right under `entries:`).
            let one_entry = matches!(&node.value, Value::Map(keys)
                if keys.iter().any(|(key, _)| ENTRY_KEYS.contains(&&*key.name)));
            let hint = one_entry.then(|| {
                Text::new(
                    "每条更正的第一行以「- 」开头：写成「  - date: …」，下面的 what、old、new、reason 与 date 对齐",
                    "each correction's first line starts with `- `: write `  - date: …`, with what, old, new and reason lined up under date",
                )
            });
            problems.push(problem(
                file,
                node,
                "entries 要是列表（每条更正以 - 开头）".into(),
                "entries must be a list (each correction starts with -)".into(),
                hint,
            ));
            &[]
        }
    };
    let mut checked = Vec::new();
    for (index, item) in items.iter().enumerate() {
        // Every problem of an entry is said: its figure's too when its date or reason is
        // wrong (the entry is then not kept), the figure it names when a key is missing.
        match entry_of(item, file, &mut problems) {
            Some(Written::Whole { entry, sound }) => {
                let entry = check_entry(entry, index, item, file, (data, schema), &mut problems);
                checked.extend(entry.filter(|_| sound));
            }
            Some(Written::Partial(texts)) => {
                if let Some(what) = texts
                    .what
                    .filter(|what| find(data, schema, &what.0).is_none())
                {
                    let new = texts.new.map(|(new, _)| new).unwrap_or_default();
                    problems.push(unknown_figure(&what, &new, (data, schema), file));
                }
            }
            None => {}
        }
    }
    let corrections = chain(checked, file, &mut problems);
    (corrections, problems)
}

/// The entries of each figure read together, in the log's order: a figure corrected twice
/// (1445 → 1446, then 1446 → 1447) has each entry's `old` the `new` of the one before it,
/// and only its last entry's `new` is what the data say. The entries that agree are
/// returned; each that does not is a problem at the value to correct.
fn chain(
    checked: Vec<Checked<'_>>,
    file: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Correction> {
    // Each figure's entries, by their places in `checked`.
    let mut of_figure: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (at, entry) in checked.iter().enumerate() {
        of_figure.entry(&entry.correction.key).or_default().push(at);
    }
    let mut agree = vec![true; checked.len()];
    for entries in of_figure.values() {
        for pair in entries.windows(2) {
            let (before, entry) = (&checked[pair[0]], &checked[pair[1]]);
            if before.correction.value.normalize() != entry.was.normalize() {
                problems.push(not_chained(before, entry, file));
                agree[pair[1]] = false;
            }
        }
        let Some(&last) = entries.last() else {
            continue;
        };
        let entry = &checked[last];
        let (current, data_at) = &entry.current;
        if entry.correction.value.normalize() != current.normalize() {
            problems.push(not_the_data(entry, (current, data_at), entries.len(), file));
            agree[last] = false;
        }
    }
    checked
        .into_iter()
        .zip(agree)
        .filter_map(|(entry, agrees)| agrees.then_some(entry.correction))
        .collect()
}

/// The problem of an entry whose `new` is not what the data say (`others`: how many
/// entries the figure has).
fn not_the_data(
    entry: &Checked<'_>,
    (current, data_at): (&Decimal, &Location),
    others: usize,
    file: &Path,
) -> Diagnostic {
    let Correction {
        what, new, unit, ..
    } = &entry.correction;
    let swapped = others == 1 && entry.was.normalize() == current.normalize();
    let hint = if swapped {
        // The data say what `old` says: not changed yet (the data file not saved), or
        // `old: 1446`, `new: 1445` where 1446 is the corrected figure.
        let old = &entry.correction.old;
        Text::new(
            format!(
                "数据里还是 {old}（这条记录的 old）：数据还没改的话，先把数据改成 {new} 并保存；若是 old 和 new 写反了（old 写原来发布的数，new 写更正后的数），写成 old: {new}、new: {old}"
            ),
            format!(
                "the data still say {old} (this entry's old): if the data are not changed yet, change them to {new} and save; if old and new are swapped (old is the figure as published, new the corrected one), write old: {new} and new: {old}"
            ),
        )
    } else if others > 1 {
        Text::new(
            format!(
                "「{what}」有 {others} 条更正记录：最后一条的 new 要等于数据；再次更正时加一条新的记录（old 写上一条的 new），不要改旧的"
            ),
            format!(
                "`{what}` has {others} entries: the last one's new must equal the data; to correct it again add an entry (its old the last one's new), do not rewrite an old one"
            ),
        )
    } else {
        Text::new(
            "改正这条记录的 new，或者改正数据；两者要一致",
            "correct this entry's new, or the data: the two must agree",
        )
    };
    let mut d = problem(
        file,
        entry.new_at,
        format!("更正记录说「{what}」现在是 {new}，但数据里是 {current}{unit}：记录不能与数据不符"),
        format!(
            "the log says `{what}` is now {new}, but the data say {current}{unit}: the log cannot disagree with the data"
        ),
        Some(hint),
    );
    d.related.push((
        data_at.clone(),
        Text::new("数据里的值", "the value in the data"),
    ));
    d
}

/// The problem of an entry of a figure corrected before whose `old` is not what the entry
/// before it made the figure.
fn not_chained(before: &Checked<'_>, entry: &Checked<'_>, file: &Path) -> Diagnostic {
    let (earlier, this) = (&before.correction, &entry.correction);
    // The same entry written twice (pasted again): one of them is to go.
    if before.was == entry.was && earlier.value == this.value {
        let mut d = problem(
            file,
            entry.old_at,
            format!(
                "第 {} 条与第 {} 条是同一处更正（「{}」{} → {}）：写了两遍",
                this.number,
                earlier.number,
                this.what,
                this.old_shown(),
                this.new_shown()
            ),
            format!(
                "entry {} is the same correction as entry {} (`{}` {} → {}): written twice",
                this.number,
                earlier.number,
                this.what,
                this.old_shown(),
                this.new_shown()
            ),
            Some(Text::new(
                format!("删去其中一条（第 {} 条）", this.number),
                format!("remove one of them (entry {})", this.number),
            )),
        );
        d.related.push((
            earlier.location.clone(),
            Text::new("同一处更正", "the same correction"),
        ));
        return d;
    }
    let made = earlier.new_shown();
    let mut d = problem(
        file,
        entry.old_at,
        format!(
            "「{}」上一次更正（第 {} 条，{}）后是 {made}，这一条的 old 却是 {}",
            this.what,
            earlier.number,
            earlier.date,
            this.old_shown()
        ),
        format!(
            "`{}` was {made} after its correction before (entry {}, {}), but this entry's old is {}",
            this.what,
            earlier.number,
            earlier.date,
            this.old_shown()
        ),
        Some(Text::new(
            format!(
                "同一个数字更正多次时，每条的 old 写上一条的 new：写成 old: {}",
                earlier.new
            ),
            format!(
                "when a figure is corrected again, each entry's old is the one before's new: write old: {}",
                earlier.new
            ),
        )),
    );
    d.related.push((
        earlier.location.clone(),
        Text::new("上一次更正", "the correction before"),
    ));
    d
}

/// A problem of the log at `node`.
fn problem(file: &Path, node: &Node, zh: String, en: String, hint: Option<Text>) -> Diagnostic {
    let mut d = Diagnostic::error("correction", Some(node.location(file)), Text::new(zh, en));
    d.hint = hint;
    d
}

/// The value of a data file's figure `key` (among `data`'s files) and the log's entry for
/// its change from `old` to the number it is now: where the value is, and the entry to paste.
fn entry_to_paste(key: &str, data: &Data, old: &str, today: &str) -> Option<(Location, String)> {
    let (path, inside) = key.split_once('#')?;
    let file = data
        .files
        .iter()
        .find(|f| crate::site_path::slashed(&f.path) == path)?;
    let (node, what) = walk_key(file, inside)?;
    let Value::Number(current) = node.value else {
        return None;
    };
    let entry = format!(
        "  - date: {today}\n    what: {what}\n    old: {old}\n    new: {current}\n    reason: {PLACEHOLDER}"
    );
    Some((node.location(&file.path), entry))
}

/// A published figure that changed without an entry in the log: a warning that prints the
/// entry to paste.
pub fn missing_entry(
    change: &crate::manifest::Change,
    data: &Data,
    today: &str,
) -> Option<Diagnostic> {
    let (old, new) = (change.old.as_ref()?, change.new.as_ref()?);
    let (at, entry) = entry_to_paste(&change.key, data, old, today)?;
    Some(
        Diagnostic::new(
            Severity::Warning,
            "correction-missing",
            Some(at),
            Text::new(
                format!(
                    "已发布的数字改了，更正记录里却没有它：{} {old} → {new}",
                    change.what
                ),
                format!(
                    "a published figure changed with no entry in the corrections log: {} {old} → {new}",
                    change.what
                ),
            ),
        )
        .with_hint(Text::new(
            format!("在 {FILE} 的 entries 下加上这一条（改好日期和原因）：\n{entry}"),
            format!("add this under entries in {FILE} (with the right date and reason):\n{entry}"),
        )),
    )
}

/// A figure published changed without an entry (owed since: `change.old` is what the
/// published site shows), now put back to the value last published with a record
/// (`change.new`): it owes nothing any more, but readers may have seen the unrecorded
/// figure. Said as information, at the value, with the entry that would tell them.
pub fn put_back(change: &crate::manifest::Change, data: &Data, today: &str) -> Option<Diagnostic> {
    let (shown, back) = (change.old.as_ref()?, change.new.as_ref()?);
    let (at, entry) = entry_to_paste(&change.key, data, shown, today)?;
    Some(
        Diagnostic::new(
            Severity::Info,
            "correction-put-back",
            Some(at),
            Text::new(
                format!(
                    "{} 改回了上次有更正记录时发布的 {back}，不再欠更正记录；但已发布的站点上是没有记录的 {shown}",
                    change.what
                ),
                format!(
                    "{} is back to {back}, as last published with a record, and owes no entry now; but the published site shows {shown}, unrecorded",
                    change.what
                ),
            ),
        )
        .with_hint(Text::new(
            format!(
                "读者可能已经看到了 {shown}：要说明的话，在 {FILE} 的 entries 下加上这一条（改好日期和原因）：\n{entry}"
            ),
            format!(
                "readers may have seen {shown}: to tell them, add this under entries in {FILE} (with the right date and reason):\n{entry}"
            ),
        )),
    )
}

/// The values of the data files `data` that the computed figure of `change` is made of and
/// that the pages do not print (`printed` tells the keys they do): each one's key, where it
/// is, and the entry to paste for it, its `old` left for the clerk to write (the published
/// site never printed it).
pub fn input_candidates(
    change: &crate::manifest::Change,
    data: &Data,
    printed: &dyn Fn(&str) -> bool,
    today: &str,
) -> Vec<InputCandidate> {
    let mut candidates = Vec::new();
    for input in crate::manifest::Key::parse(&change.key).inputs() {
        let Some((_, inside)) = input.split_once('#') else {
            continue;
        };
        for file in &data.files {
            let path = crate::site_path::slashed(&file.path);
            let key = format!("{path}#{inside}");
            if !crate::manifest::is_input(input, &key) || printed(&key) {
                continue;
            }
            if let Some((node, what)) = walk_key(file, inside)
                && let Value::Number(current) = &node.value
            {
                let entry = format!(
                    "  - date: {today}\n    what: {what}\n    old: {OLD_PLACEHOLDER}\n    new: {current}\n    reason: {PLACEHOLDER}"
                );
                candidates.push(InputCandidate {
                    at: node.location(&file.path),
                    key,
                    entry,
                });
            }
        }
    }
    candidates
}

/// A value a computed figure owed an entry is made of, one the entry may be for.
pub struct InputCandidate {
    /// Where the value is.
    pub at: Location,
    /// Its key (`data/extra.yaml#population`).
    pub key: String,
    /// The entry to paste for it.
    pub entry: String,
}

/// A published figure computed from the data (a rate, a sum) that changed though no value
/// it is made of that the pages print did, and no entry in the log says why: a warning,
/// at the value that most likely changed, with an entry to paste for each of `candidates`
/// ([`input_candidates`]).
pub fn missing_input_entry(
    change: &crate::manifest::Change,
    candidates: &[InputCandidate],
) -> Option<Diagnostic> {
    let (old, new) = (change.old.as_ref()?, change.new.as_ref()?);
    let location = candidates
        .first()
        .map_or_else(|| Location::file(FILE), |c| c.at.clone());
    let entries: Vec<&str> = candidates.iter().map(|c| c.entry.as_str()).collect();
    let (zh_entries, en_entries) = match entries.len() {
        0 => (
            "：date、what（它的数据路径）、old（改动前的数）、new（现在的数）、reason".to_string(),
            ": date, what (its data path), old (the value before), new (the value now), reason"
                .to_string(),
        ),
        1 => (
            format!("（写上改动前的数，改好日期和原因）：\n{}", entries[0]),
            format!(
                " (with the value before, the right date and reason):\n{}",
                entries[0]
            ),
        ),
        _ => {
            let listed = entries.join("\n");
            (
                format!(
                    "（写上改动前的数，改好日期和原因；只留实际改动了的那个数的一条）：\n{listed}"
                ),
                format!(
                    " (with the value before, the right date and reason; keep only the one of the value that changed):\n{listed}"
                ),
            )
        }
    };
    let src = &change.src;
    Some(
        Diagnostic::new(
            Severity::Warning,
            "correction-missing",
            Some(location),
            Text::new(
                format!(
                    "已发布的数字改了，更正记录里却没有它所依据的数据的更正：{} {old} → {new}",
                    change.what
                ),
                format!(
                    "a published figure changed with no entry in the corrections log for the data it is made of: {} {old} → {new}",
                    change.what
                ),
            ),
        )
        .with_hint(Text::new(
            format!(
                "这个数由数据算出（{src}），页面上没有印出改动的那个数据，读者只看到结果变了。在 {FILE} 的 entries 下为改动了的那个数据加上一条{zh_entries}"
            ),
            format!(
                "it is computed from the data ({src}) and the value that changed is not printed: readers see only the result change. Add an entry for the value that changed under entries in {FILE}{en_entries}"
            ),
        )),
    )
}

/// A published figure this build changes whose entries in the log (of `corrections`) do
/// not start from what the published site printed (`change.old`, `1445人次`, as
/// `figures.json` has it; a figure printed rounded agrees with an `old` that rounds to it).
/// The figure's entries are a chain (see [`chain`]), and it may have been corrected more
/// than once since it was published: one of them starts from the published figure. When
/// none does, an error at the `old` of the first entry made since — the one after the last
/// entry that made the published figure, else the figure's first.
///
/// `shown_now`: whether `change.old` is what the published site shows now (false for a
/// figure published changed without a record, whose `old` is what readers had before).
pub fn old_not_published(
    change: &crate::manifest::Change,
    corrections: &[Correction],
    shown_now: bool,
) -> Option<Diagnostic> {
    let printed = change.old.as_ref()?;
    let entries: Vec<&Correction> = corrections.iter().filter(|c| c.key == change.key).collect();
    let unit = &entries.first()?.unit;
    let published = figure::figure_value(&printed.replace(',', ""), unit)?;
    let last_digit = Decimal::new(1, published.scale());
    let is_published = |value: Decimal| (value - published).abs() < last_digit;
    let starts_there =
        |c: &&Correction| figure::figure_value(&c.old, &c.unit).is_none_or(is_published);
    if entries.iter().any(starts_there) {
        return None;
    }
    let since = entries
        .iter()
        .rposition(|c| is_published(c.value))
        .map_or(0, |made| made + 1);
    let entry = entries.get(since).or(entries.last())?;
    let d = Diagnostic::error(
        "correction",
        Some(entry.old_location.clone()),
        match shown_now {
            true => Text::new(
                format!(
                    "更正记录说「{}」原来发布的是 {}，但已发布的站点上是 {printed}",
                    entry.what,
                    entry.old_shown()
                ),
                format!(
                    "the log says `{}` was published as {}, but the published site shows {printed}",
                    entry.what,
                    entry.old_shown()
                ),
            ),
            false => Text::new(
                format!(
                    "更正记录说「{}」原来发布的是 {}，但它改动之前发布的是 {printed}（改动后的数发布时还没有更正记录）",
                    entry.what,
                    entry.old_shown()
                ),
                format!(
                    "the log says `{}` was published as {}, but before it changed it was published as {printed} (the changed figure was published with no entry)",
                    entry.what,
                    entry.old_shown()
                ),
            ),
        },
    )
    .with_hint(Text::new(
        format!("old 写已发布的数：写成 old: {printed}"),
        format!("old is the figure as published: write old: {printed}"),
    ));
    Some(d)
}

/// The entry of `corrections` that is the published `logged` with its `new` written anew
/// (the same figure from the same value to another): a figure corrected again by editing
/// the published entry instead of adding one.
fn edited_entry<'c>(
    logged: &crate::manifest::Logged,
    corrections: &'c [Correction],
) -> Option<&'c Correction> {
    corrections.iter().find(|c| {
        c.key == logged.key
            && same_shown(&logged.old, &c.old_shown(), &c.unit)
            && !same_shown(&logged.new, &c.new_shown(), &c.unit)
    })
}

/// Whether a value as the published manifest recorded it (`text`) is the one an entry shows
/// (`shown`, in `unit`): the same text, or the same number (`1445` and `1445人次`).
fn same_shown(text: &str, shown: &str, unit: &str) -> bool {
    text == shown
        || figure::figure_value(text, unit)
            .zip(figure::figure_value(shown, unit))
            .is_some_and(|(a, b)| a == b)
}

/// The figures whose published entry in the log was edited to another `new` (see
/// [`edited_entry`]): told once, by [`removed_from_log`], not again as an `old` that is not
/// what the site published.
pub fn edited_after_publishing_keys(
    published: &[crate::manifest::Logged],
    corrections: &[Correction],
) -> Vec<String> {
    published
        .iter()
        .filter(|logged| edited_entry(logged, corrections).is_some())
        .map(|logged| logged.key.clone())
        .collect()
}

/// The error of the published entry `logged` whose `new` was edited in `entry`: it stays as
/// published, and the figure's new correction is an entry of its own after it.
fn edited_after_publishing(logged: &crate::manifest::Logged, entry: &Correction) -> Diagnostic {
    let crate::manifest::Logged {
        number, what, new, ..
    } = logged;
    let now = entry.new_shown();
    Diagnostic::error(
        "correction-removed",
        Some(entry.location.clone()),
        Text::new(
            format!(
                "第 {number} 条更正已经发布（{what} 更正为 {new}），它的 new 不能再改成 {now}：读者看到过原来那一条"
            ),
            format!(
                "correction {number} is published ({what} corrected to {new}): its new cannot become {now}, readers saw it as it was"
            ),
        ),
    )
    .with_hint(Text::new(
        format!(
            "把这一条的 new 改回 {new}；再次更正，在它后面另加一条：old: {new}、new: {now}（写上这次的日期和原因）"
        ),
        format!(
            "put this entry's new back to {new}; to correct the figure again, add an entry after it: old: {new}, new: {now} (with this time's date and reason)"
        ),
    ))
}

/// The entries the published site showed (`published`, from its figures manifest) that the
/// log (`corrections`, its checked entries now) no longer has: each an error, as a published
/// correction stays on record. An entry is still there when one of the log's is of the same
/// figure from the same value to the same value (its date and reason may have been mended;
/// `1445` and `1445人次` are the same value), or of the same date, values and reason (its
/// figure's file or key renamed since, its `what` written anew).
pub fn removed_from_log(
    published: &[crate::manifest::Logged],
    corrections: &[Correction],
) -> Vec<Diagnostic> {
    // (The same figure's entry; or, when its file or key was renamed since, `what` written
    // anew, the entry of the same date, values and reason.)
    let kept = |logged: &crate::manifest::Logged| {
        corrections.iter().any(|c| {
            (c.key == logged.key || (c.date == logged.date && c.reason == logged.reason))
                && same_shown(&logged.old, &c.old_shown(), &c.unit)
                && same_shown(&logged.new, &c.new_shown(), &c.unit)
        })
    };
    published
        .iter()
        .filter(|logged| !kept(logged))
        .map(|logged| {
            if let Some(edited) = edited_entry(logged, corrections) {
                return edited_after_publishing(logged, edited);
            }
            // At the entry now in its place, else the log's last, else the log itself.
            let location = corrections
                .get(logged.number.saturating_sub(1))
                .or(corrections.last())
                .map_or_else(|| Location::file(FILE), |c| c.location.clone());
            let crate::manifest::Logged {
                number,
                what,
                date,
                old,
                new,
                reason,
                ..
            } = logged;
            let entry = format!(
                "  - date: {date}\n    what: {what}\n    old: {old}\n    new: {new}\n    reason: {reason}"
            );
            Diagnostic::error(
                "correction-removed",
                Some(location),
                Text::new(
                    format!(
                        "已发布的站点上有第 {number} 条更正（{date}，{what} {old} → {new}），更正记录里却没有了"
                    ),
                    format!(
                        "the published site shows correction {number} ({date}, {what} {old} → {new}), which the log no longer has"
                    ),
                ),
            )
            .with_hint(Text::new(
                format!(
                    "更正发布以后要一直留在记录里（读者看到过它）：把它加回 {FILE} 的 entries 下第 {number} 条的位置；只是日期或原因写错了，就改这些，不要删掉整条：\n{entry}"
                ),
                format!(
                    "a published correction stays on record (readers saw it): put it back under entries in {FILE}, as entry {number}; if only its date or reason was wrong, mend those rather than deleting the entry:\n{entry}"
                ),
            ))
        })
        .collect()
}

/// Today's date (UTC) as `YYYY-MM-DD`, for the entry a warning suggests; never written
/// into the site.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::figure::{Candidate, figure_value, several_figures};
    use super::*;

    #[test]
    fn a_published_entry_is_found_again_after_its_file_was_renamed() {
        let published = crate::manifest::Logged {
            number: 1,
            key: "data/villages/changling.yaml#registered.people".into(),
            what: "villages.changling.registered.people".into(),
            date: "2020-12-01".into(),
            old: "67人".into(),
            new: "76人".into(),
            reason: "复核".into(),
        };
        let entry = |key: &str, date: &str, new: &str| Correction {
            number: 1,
            date: date.into(),
            what: "villages.zhangling.registered.people".into(),
            key: key.into(),
            old: "67".into(),
            new: new.into(),
            value: new.parse().unwrap(),
            unit: "人".into(),
            reason: "复核".into(),
            location: Location::new(FILE, 2, 5),
            old_location: Location::new(FILE, 4, 10),
        };
        let renamed = "data/villages/zhangling.yaml#registered.people";
        assert!(
            removed_from_log(
                std::slice::from_ref(&published),
                &[entry(renamed, "2020-12-01", "76")]
            )
            .is_empty()
        );
        // Another date or value under the new name is another entry.
        assert_eq!(
            removed_from_log(
                std::slice::from_ref(&published),
                &[entry(renamed, "2020-12-02", "76")]
            )
            .len(),
            1
        );
        assert_eq!(
            removed_from_log(
                std::slice::from_ref(&published),
                &[entry(renamed, "2020-12-01", "77")]
            )
            .len(),
            1
        );
        // Under its own key, its date may be mended.
        let own = "data/villages/changling.yaml#registered.people";
        assert!(
            removed_from_log(
                std::slice::from_ref(&published),
                &[entry(own, "2020-12-02", "76")]
            )
            .is_empty()
        );
    }

    #[test]
    fn only_the_log_itself_is_the_log() {
        assert!(is_log(Path::new(FILE)));
        assert!(is_log(&Path::new("data").join("corrections.yaml")));
        for other in [
            "data/villages/corrections.yaml",
            "data/xcorrections.yaml",
            "corrections.yaml",
            "data/corrections.yml",
            "data/schema.yaml",
        ] {
            assert!(!is_log(Path::new(other)), "{other}");
        }
    }

    #[test]
    fn figures_in_the_log_convert_to_the_field_unit() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(figure_value("342元", "万元"), Some(d("0.0342")));
        assert_eq!(figure_value("342", "万元"), Some(d("342")));
        assert_eq!(figure_value("1446人次", "人次"), Some(d("1446")));
        assert_eq!(figure_value("1446户", "人次"), None);
        assert_eq!(figure_value("abc", ""), None);
    }

    #[test]
    fn several_figures_fitting_the_words_are_told_apart_by_new() {
        let figure = |path: &str, label: &str, value: i64| Candidate {
            path: path.to_string(),
            label: label.to_string(),
            unit: "户".to_string(),
            value: Decimal::from(value),
        };
        let two = [
            figure("v.registered.households", "建档立卡户数", 132),
            figure("v.remaining.households", "未脱贫户数", 4),
        ];
        // `new` with the unit, or a value written another way, is the same figure.
        for new in ["132", "132户", "132.0"] {
            let said = several_figures("横溪村户数", new, &two);
            assert!(
                said.zh.starts_with("是不是「v.registered.households」？"),
                "{new}: {}",
                said.zh
            );
            assert!(
                said.en
                    .starts_with("did you mean `v.registered.households`?"),
                "{}",
                said.en
            );
        }
        let said = several_figures("横溪村户数", "5", &two);
        assert_eq!(
            said.en,
            "`横溪村户数` may be any of: v.registered.households (建档立卡户数, 132户), v.remaining.households (未脱贫户数, 4户); write the data path of the one meant as what"
        );
        // Many: the first four, and how many there are.
        let six: Vec<Candidate> = (0..6)
            .map(|i| figure(&format!("v.f{i}"), "户数", i))
            .collect();
        let said = several_figures("户数", "9", &six);
        assert!(
            said.zh
                .starts_with("「户数」可能是 6 个数字中的一个，如：v.f0"),
            "{}",
            said.zh
        );
        assert!(!said.zh.contains("v.f4"), "{}", said.zh);
        assert!(
            said.en.contains("may be any of 6 figures, such as: v.f0"),
            "{}",
            said.en
        );
    }

    #[test]
    fn today_is_a_date() {
        assert!(crate::validate::fields::is_date(&today()));
    }
}
