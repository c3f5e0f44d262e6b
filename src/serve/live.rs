//! What the preview server adds to every HTML page it serves (never to `build` output):
//! the live-reload script and, while the last build failed, an overlay with the problems.

use crate::diagnostics::{Diagnostic, Lang};
use crate::html::escape_html_text;

/// The path of the Server-Sent Events stream.
pub const EVENTS_PATH: &str = "/__huibao/events";
/// The path of the status document (JSON).
pub const STATUS_PATH: &str = "/__huibao/status";

/// The live-reload script: reloads the page when a build finishes (a good one, or a failed
/// one whose overlay the reloaded page then shows). Reconnects when the server restarts.
pub fn script() -> String {
    format!(
        "<script>/* huibao serve: live reload */(function(){{var s=new EventSource(\"{EVENTS_PATH}\");\
s.addEventListener(\"reload\",function(){{location.reload()}});\
s.addEventListener(\"errors\",function(){{location.reload()}});\
var o=document.getElementById(\"huibao-overlay\");if(o){{o.querySelector(\"button\").onclick=function(){{o.remove()}}}}}})();</script>"
    )
}

/// How many of a problem's other places the overlay lists (a rule over 10,000 villages
/// reads 10,000 values: the terminal lists them all).
const OVERLAY_RELATED: usize = 12;

/// The overlay listing `problems` (errors first): file:line:col, message, the other places
/// involved (the first [`OVERLAY_RELATED`]), hint. `served`: a good build is served under
/// it (else no build has succeeded yet since the preview started).
pub fn overlay(problems: &[Diagnostic], lang: Lang, served: bool) -> String {
    let words = match (lang, served) {
        (Lang::Zh, true) => (
            "huibao：生成失败，请修正以下问题",
            "页面显示的是上一次成功生成的内容。保存修改后会自动刷新。",
            "关闭",
        ),
        (Lang::Zh, false) => (
            "huibao：生成失败，请修正以下问题",
            "预览启动以来还没有成功生成过，所以还没有报告可看。保存修改后会自动刷新。",
            "关闭",
        ),
        (Lang::En, true) => (
            "huibao: the build failed; fix these problems",
            "The page shows the last good build. It reloads by itself when you save a fix.",
            "Close",
        ),
        (Lang::En, false) => (
            "huibao: the build failed; fix these problems",
            "No build has succeeded since the preview started, so there is no report to show yet. The page reloads by itself when you save a fix.",
            "Close",
        ),
    };
    overlay_with(problems, lang, words)
}

/// The overlay above a good build listing the errors `huibao build` would stop at when
/// comparing it with the published site (`problems`: the corrections log's).
pub fn publish_overlay(problems: &[Diagnostic], lang: Lang) -> String {
    let words = match lang {
        Lang::Zh => (
            "huibao：预览正常，但发布时（huibao build）会因以下问题停下",
            "这些问题来自与已发布站点的比较：更正记录要与读者看到过的数字一致。页面显示的是这次生成的内容。保存修改后会自动刷新。",
            "关闭",
        ),
        Lang::En => (
            "huibao: the preview is fine, but publishing (huibao build) would stop at these problems",
            "They come from comparing with the published site: the corrections log must agree with the figures readers saw. The page shows this build. It reloads by itself when you save a fix.",
            "Close",
        ),
    };
    overlay_with(problems, lang, words)
}

/// The overlay listing `problems` under `title` and `note`, with a `close` button.
fn overlay_with(
    problems: &[Diagnostic],
    lang: Lang,
    (title, note, close): (&str, &str, &str),
) -> String {
    let mut html = format!(
        "<div id=\"huibao-overlay\" role=\"alert\" style=\"position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:2147483647;\
background:#fff8f6;color:#222;border-bottom:4px solid #9b1c1c;box-shadow:0 4px 24px rgba(0,0,0,.25);padding:16px 24px;\
font:14px/1.6 'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif\">\
<button type=\"button\" style=\"float:right;font:inherit\">{close}</button><h2 style=\"margin:0 0 4px;font-size:18px;color:#9b1c1c\">{title}</h2>\
<p style=\"margin:0 0 8px;color:#555\">{note}</p><ol style=\"margin:0;padding-left:20px\">"
    );
    let mut sorted: Vec<&Diagnostic> = problems.iter().collect();
    sorted.sort_by_key(|d| d.severity);
    for d in sorted {
        let place = d
            .location
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let label = match &d.rule {
            Some(rule) => format!("{}[{}]", d.severity.label(lang), escape_html_text(rule)),
            None => d.severity.label(lang).to_string(),
        };
        html.push_str(&format!(
            "<li style=\"margin:6px 0\"><code style=\"background:#f3e6e3;padding:0 4px\">{}</code> <strong>{label}</strong> {}",
            escape_html_text(&place),
            escape_html_text(d.message.get(lang))
        ));
        // The other places involved (a rule's values, the includes of a partial), as the
        // terminal lists them, the first few.
        for (location, what) in d.related.iter().take(OVERLAY_RELATED) {
            html.push_str(&format!(
                "<br><span style=\"color:#555;font-size:13px\">= <code>{}</code> {}</span>",
                escape_html_text(&location.to_string()),
                escape_html_text(what.get(lang))
            ));
        }
        if let Some(more) = d
            .related
            .len()
            .checked_sub(OVERLAY_RELATED)
            .filter(|n| *n > 0)
        {
            let more = match lang {
                Lang::Zh => format!("另有 {more} 处（见终端）"),
                Lang::En => format!("{more} more (see the terminal)"),
            };
            html.push_str(&format!(
                "<br><span style=\"color:#555;font-size:13px\">= {more}</span>"
            ));
        }
        if let Some(hint) = &d.hint {
            html.push_str(&format!(
                "<br><span style=\"color:#555;white-space:pre-wrap\">{}</span>",
                escape_html_text(hint.get(lang))
            ));
        }
        html.push_str("</li>");
    }
    html.push_str("</ol></div>");
    html
}

/// `html` with `extra` inserted before `</body>` (or appended when there is none).
pub fn inject(html: &str, extra: &str) -> String {
    match html.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &html[..at], &html[at..]),
        None => format!("{html}{extra}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Location, Text};

    /// A problem's other places are listed under it, the first few, with how many more.
    #[test]
    fn the_overlay_lists_a_problem_s_other_places() {
        let mut partial = Diagnostic::error(
            "template-path",
            Some(Location::new("content/_row.md", 2, 18)),
            Text::new("模板读取「v.peple」", "the template reads `v.peple`"),
        );
        partial.related = vec![(
            Location::new("content/list.md", 5, 56),
            Text::new("由这里 include", "included here"),
        )];
        let mut rule = Diagnostic::error("rule", None, Text::new("之和不等", "the sum differs"));
        rule.related = (1..=20)
            .map(|n| {
                (
                    Location::new(format!("data/villages/v{n}.yaml"), 8, 11),
                    Text::new("人数 = 1", "people = 1"),
                )
            })
            .collect();
        let zh = overlay(&[partial.clone(), rule.clone()], Lang::Zh, true);
        assert!(
            zh.contains("= <code>content/list.md:5:56</code> 由这里 include"),
            "{zh}"
        );
        assert!(
            zh.contains("<code>data/villages/v12.yaml:8:11</code>"),
            "{zh}"
        );
        assert!(!zh.contains("v13.yaml"), "{zh}");
        assert!(zh.contains("= 另有 8 处（见终端）"), "{zh}");
        assert!(zh.contains("页面显示的是上一次成功生成的内容"), "{zh}");
        let en = overlay(&[partial.clone(), rule], Lang::En, true);
        assert!(en.contains("</code> included here"), "{en}");
        assert!(en.contains("= 8 more (see the terminal)"), "{en}");
        // A hint's indentation (the line to write) shows as typed.
        let indented = Diagnostic::error("unknown-field", None, Text::new("少了缩进", "indent"))
            .with_hint(Text::new("写成「  people: 468」", "write `  people: 468`"));
        let page = overlay(&[indented], Lang::Zh, true);
        assert!(
            page.contains("white-space:pre-wrap\">写成「  people: 468」"),
            "{page}"
        );
        // With no good build behind it, it does not say it shows one.
        let first = overlay(&[partial.clone()], Lang::Zh, false);
        assert!(first.contains("还没有成功生成过"), "{first}");
        assert!(!first.contains("上一次成功生成的内容"), "{first}");
        // Above a good build that publishing would stop at: says so, not that it failed.
        let publish = publish_overlay(&[partial.clone()], Lang::Zh);
        assert!(
            publish.contains("预览正常，但发布时（huibao build）会因以下问题停下")
                && publish.contains("页面显示的是这次生成的内容")
                && publish.contains("content/_row.md:2:18</code>")
                && !publish.contains("生成失败"),
            "{publish}"
        );
        let publish = publish_overlay(&[partial], Lang::En);
        assert!(
            publish.contains("publishing (huibao build) would stop at these problems")
                && !publish.contains("failed"),
            "{publish}"
        );
    }
}
