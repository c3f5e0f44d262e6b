//! The page 「更正说明」: the corrections log as a page of the report, and the links from
//! every corrected figure to its entry. A site may write its own `content/corrections.md`;
//! otherwise this built-in one is used whenever the log has entries.

use serde_json::{Value as Json, json};
use std::path::PathBuf;

use super::CorrectedFigures;
use super::pages::{FrontMatter, Source};
use crate::provenance::{self, Origin, Ref, Sources};
use crate::validate::corrections::Correction;

/// The page in the output.
pub const PAGE: &str = "corrections.html";

/// The page's content file (Tera template name).
pub const SOURCE: &str = "corrections.md";

/// The built-in template of the page.
const TEMPLATE: &str = r#"
本页列出本报告发布后更正过的数字，共{{ huibao.corrections | length }}处。报告中每个更正过的数字都标有「更正」，链接到这里的对应条目；把鼠标停在数字上（或点页首的「显示数据来源」），可以看到它来自哪个数据文件的哪一行。

| 序号 | 日期 | 数字 | 原为 | 更正为 | 原因 |
|---:|---|---|---:|---:|---|
{% for c in huibao.corrections -%}
| <span id="{{ c.anchor }}">{{ c.number }}</span> | <span class="nowrap">{{ c.date }}</span> | {{ c.label }} | {{ c.old }} | {{ c.new }} | {{ c.reason }} |
{% endfor %}
更正记录保存在数据文件 `data/corrections.yaml` 中。每个数字最后一条记录的「更正为」必须与数据一致（同一数字再次更正时，新的记录从上一条的「更正为」算起），否则 huibao 不生成网站。
"#;

/// The page as a content source.
pub fn source() -> Source {
    Source {
        name: SOURCE.to_string(),
        file: PathBuf::from("content").join(SOURCE),
        template: TEMPLATE.to_string(),
        front: Some(FrontMatter {
            title: "更正说明".to_string(),
            weight: 1_000_000,
            ..FrontMatter::default()
        }),
    }
}

/// Figure key → (anchor, note): what a corrected figure links to and says on hover.
pub fn corrected(corrections: &[Correction]) -> CorrectedFigures {
    corrections
        .iter()
        .map(|c| {
            let note = format!(
                "更正：原为{}，{}更正为{}。{}",
                c.old_shown(),
                c.date,
                c.new_shown(),
                c.reason
            );
            (c.key.clone(), (c.anchor(), note))
        })
        .collect()
}

/// The entries as the template sees them (`huibao.corrections`): the corrected value
/// carries its provenance, so the page shows where it is in the data.
pub fn context(corrections: &[Correction], sources: &Sources) -> Json {
    // A figure corrected more than once: only its last entry's value is the data's now
    // (the others are shown as text, not as the figure: a change report reads the figure
    // where it is first printed, and this page comes first).
    let last_of_figure =
        |at: usize, c: &Correction| !corrections[at + 1..].iter().any(|later| later.key == c.key);
    let list: Vec<Json> = corrections
        .iter()
        .enumerate()
        .map(|(at, c)| {
            let found = find(sources, &c.key);
            let label = found
                .and_then(|r| sources.value(r))
                .map(|(file, value)| format!("{} {}", file.title, value.label()))
                .unwrap_or_else(|| c.what.clone());
            let new = format!("{}{}", c.value.normalize(), c.unit);
            let new = match found.filter(|_| last_of_figure(at, c)) {
                Some(r) => provenance::mark(&Origin::Data(r).encode(), &new),
                None => new,
            };
            json!({
                "number": c.number,
                "anchor": c.anchor(),
                "date": c.date,
                "what": c.what,
                "label": label,
                "old": c.old_shown(),
                "new": new,
                "reason": c.reason,
            })
        })
        .collect();
    Json::Array(list)
}

/// The reference of the value whose key is `key`.
fn find(sources: &Sources, key: &str) -> Option<Ref> {
    let (path, inside) = key.split_once('#')?;
    sources.files.iter().enumerate().find_map(|(f, file)| {
        if file.path != path {
            return None;
        }
        let v = file.values.iter().position(|v| v.key() == inside)?;
        Some(Ref {
            file: f as u32,
            value: v as u32,
        })
    })
}
