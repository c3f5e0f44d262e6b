//! A chart as HTML: the figure with its caption, the SVG (with `<title>` and `<desc>`), its
//! notes and its data table; chart ids unique per page.

use super::{ChartKind, ChartSpec, draw};
use crate::diagnostics::Text;
use crate::figure::format_figure;
use crate::html::{escape_html_text, push_html_text};

/// The chart as HTML: a figure with its caption, the SVG (with `<title>` and `<desc>`), a
/// note, and the data table in `<details>`. One block without blank lines, so Markdown
/// keeps it whole.
pub fn to_html(spec: &ChartSpec) -> String {
    let drawn = draw::draw(spec);
    let id = format!("chart-{}", crate::html::slug(&spec.title));
    let title = escape_html_text(&spec.title);
    let description = describe(spec);
    let mut html = String::with_capacity(drawn.svg.len() + 4096);
    // Pieces pushed one by one (no `format!`: a village page has two charts).
    html.push_str("<figure class=\"chart chart-");
    html.push_str(spec.kind.name());
    html.push_str("\" id=\"");
    html.push_str(&id);
    html.push_str("\">\n<figcaption>");
    html.push_str(&title);
    html.push_str("</figcaption>\n");
    // The root `<svg>` gets its role and labels, and its title and description come first.
    let svg = drawn.svg.as_str();
    match svg.find("<svg ").filter(|&at| !svg[..at].contains('>')) {
        Some(at) => {
            let after = &svg[at + "<svg ".len()..];
            html.push_str(&svg[..at]);
            html.push_str("<svg role=\"img\" aria-labelledby=\"");
            html.push_str(&id);
            html.push_str("-title ");
            html.push_str(&id);
            html.push_str("-desc\" class=\"chart-svg\" ");
            match after.find('>') {
                Some(end) => {
                    html.push_str(&after[..end]);
                    html.push_str("><title id=\"");
                    html.push_str(&id);
                    html.push_str("-title\">");
                    html.push_str(&title);
                    html.push_str("</title><desc id=\"");
                    html.push_str(&id);
                    html.push_str("-desc\">");
                    push_html_text(&mut html, &description);
                    html.push_str("</desc>");
                    html.push_str(&after[end + 1..]);
                }
                None => html.push_str(after),
            }
        }
        // (plotters always starts with `<svg `.)
        None => html.push_str(svg),
    }
    html.push('\n');
    if let Some(note) = &spec.note {
        html.push_str("<p class=\"chart-note\">");
        push_html_text(&mut html, note);
        html.push_str("</p>\n");
    }
    if matches!(spec.kind, ChartKind::Pie | ChartKind::Donut) {
        html.push_str("<p class=\"chart-note\">");
        html.push_str(
            Text::new(
                "百分比按四舍五入保留1位小数，合计可能不等于100%。",
                "Percentages are rounded half-up to 1 decimal; they may not add up to 100%.",
            )
            .get(spec.lang),
        );
        html.push_str("</p>\n");
    }
    push_data_table(&mut html, spec);
    html.push_str("</figure>");
    html
}

/// Gives the charts of one page's HTML unique ids: the second chart titled like the first
/// becomes `chart-x-1` (with its `-title` and `-desc`), as headings do. The HTML as it is
/// when no two charts share an id.
pub fn unique_ids(html: &str) -> std::borrow::Cow<'_, str> {
    // Most pages' charts have ids of their own already (a village page's two): the page is
    // then handed back as it is, not copied.
    let mut ids: Vec<&str> = charts(html).map(|(_, figure)| chart_id(figure)).collect();
    ids.sort_unstable();
    if ids.windows(2).all(|pair| pair[0] != pair[1]) {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut used = std::collections::HashSet::new();
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    for (before, figure) in charts(html) {
        out.push_str(before);
        rest = &rest[before.len() + figure.len()..];
        let id = chart_id(figure).to_string();
        let mut unique = id.clone();
        let mut n = 0;
        while used.contains(&unique) {
            n += 1;
            unique = format!("{id}-{n}");
        }
        used.insert(unique.clone());
        if unique == id {
            out.push_str(figure);
        } else {
            out.push_str(
                &figure
                    .replace(&format!("\"{id}"), &format!("\"{unique}"))
                    .replace(&format!(" {id}-desc"), &format!(" {unique}-desc")),
            );
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The charts of a page's HTML, in order: (the HTML since the last chart's end, the chart's
/// `<figure>`, to its end tag or the end of the page).
fn charts(html: &str) -> impl Iterator<Item = (&str, &str)> {
    const START: &str = "<figure class=\"chart chart-";
    let mut rest = html;
    std::iter::from_fn(move || {
        let at = crate::html::finder!(START.as_bytes()).find(rest.as_bytes())?;
        let end = crate::html::finder!(b"</figure>")
            .find(&rest.as_bytes()[at..])
            .map_or(rest.len(), |e| at + e + "</figure>".len());
        let found = (&rest[..at], &rest[at..end]);
        rest = &rest[end..];
        Some(found)
    })
}

/// A chart's id: what its `<figure>`'s first ` id="…"` says (empty when none).
fn chart_id(figure: &str) -> &str {
    figure
        .split_once(" id=\"")
        .and_then(|(_, after)| after.split_once('"'))
        .map_or("", |(id, _)| id)
}

/// A one-sentence text of the data: what screen readers and search read.
fn describe(spec: &ChartSpec) -> String {
    // `标题。甲：1户，…；乙：…。`, pushed piece by piece.
    let mut text = String::with_capacity(spec.title.len() + 32 * spec.labels.len());
    text.push_str(&spec.title);
    text.push('。');
    for (i, label) in spec.labels.iter().enumerate() {
        if i > 0 {
            text.push('；');
        }
        text.push_str(label);
        text.push('：');
        for (n, s) in spec.series.iter().enumerate() {
            if n > 0 {
                text.push('，');
            }
            if spec.series.len() > 1 {
                text.push_str(&s.name);
            }
            text.push_str(&format_figure(s.values[i], None, &s.unit));
        }
    }
    text.push('。');
    text
}

/// Pushes the chart's data table: a row for each label, a column for each series (right-aligned by
/// the theme's `details.chart-data td + td`: a village page's two charts had two dozen
/// `style` attributes).
fn push_data_table(html: &mut String, spec: &ChartSpec) {
    html.push_str("<details class=\"chart-data\"><summary>");
    html.push_str(Text::new("查看数据表", "Data table").get(spec.lang));
    html.push_str("</summary>\n<table>\n<thead><tr><th>");
    html.push_str(Text::new("项目", "Item").get(spec.lang));
    html.push_str("</th>");
    // Pieces pushed one by one (no `format!` a cell: a page's two charts have dozens).
    for s in &spec.series {
        html.push_str("<th>");
        push_html_text(html, &s.name);
        html.push_str("</th>");
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for (i, label) in spec.labels.iter().enumerate() {
        html.push_str("<tr><td>");
        push_html_text(html, label);
        html.push_str("</td>");
        for s in &spec.series {
            let text = format_figure(s.values[i], None, &s.unit);
            // A value from the data keeps its provenance: the page shows its source.
            let text = match s.sources.get(i).and_then(Option::as_ref) {
                Some(payload) => crate::provenance::mark(payload, &text),
                None => text,
            };
            html.push_str("<td>");
            push_html_text(html, &text);
            html.push_str("</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</details>\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn charts_of_one_title_get_their_own_ids() {
        let chart = "<figure class=\"chart chart-bar\" id=\"chart-x\"><svg aria-labelledby=\"chart-x-title chart-x-desc\"><title id=\"chart-x-title\">x</title><desc id=\"chart-x-desc\">d</desc></svg></figure>";
        let html = format!("<p>a</p>{chart}<p>b</p>{chart}");
        let out = super::unique_ids(&html);
        assert!(
            out.contains("<p>a</p><figure class=\"chart chart-bar\" id=\"chart-x\">"),
            "{out}"
        );
        assert!(out.contains("id=\"chart-x-1\""), "{out}");
        assert!(
            out.contains("aria-labelledby=\"chart-x-1-title chart-x-1-desc\""),
            "{out}"
        );
        assert!(
            out.contains("<title id=\"chart-x-1-title\">")
                && out.contains("<desc id=\"chart-x-1-desc\">"),
            "{out}"
        );
        assert_eq!(out.matches("id=\"chart-x\"").count(), 1, "{out}");
    }

    #[test]
    fn a_page_whose_charts_have_their_own_ids_is_handed_back_as_it_is() {
        let chart = |id: &str| format!("<figure class=\"chart chart-pie\" id=\"{id}\"></figure>");
        let distinct = format!("<p>a</p>{}{}<p>b</p>", chart("chart-x"), chart("chart-x-1"));
        assert!(matches!(
            super::unique_ids(&distinct),
            std::borrow::Cow::Borrowed(page) if page == distinct
        ));
        // A repeat after other charts: only it is renamed, the text around each kept.
        let repeated = format!(
            "{}<p>1</p>{}<p>2</p>{}<p>3</p>",
            chart("a"),
            chart("b"),
            chart("a")
        );
        assert_eq!(
            super::unique_ids(&repeated),
            format!(
                "{}<p>1</p>{}<p>2</p>{}<p>3</p>",
                chart("a"),
                chart("b"),
                chart("a-1")
            )
        );
    }
}

#[cfg(test)]
mod language_tests {
    use crate::chart::{PALETTE, spec_from_args, to_html};
    use crate::diagnostics::Lang;
    use tera::HashMap;
    use tera::Value;

    #[test]
    fn the_text_a_chart_adds_is_in_the_site_language() {
        let args: HashMap<String, Value> = serde_json::from_value(serde_json::json!({
            "kind": "pie", "title": "t", "labels": ["a", "b"], "values": ["1", "2"]
        }))
        .unwrap();
        let mut spec = spec_from_args(&args, &PALETTE, Lang::Zh).unwrap();
        let zh = to_html(&spec);
        assert!(
            zh.contains("查看数据表") && zh.contains("百分比按四舍五入"),
            "{zh}"
        );
        spec.lang = Lang::En;
        let en = to_html(&spec);
        assert!(
            en.contains("Data table") && en.contains("rounded half-up"),
            "{en}"
        );
        assert!(!en.contains("查看数据表"), "{en}");
        // A bar chart's axis names its unit in the site's language.
        let args: HashMap<String, Value> = serde_json::from_value(serde_json::json!({
            "kind": "grouped", "title": "t", "labels": ["a"], "values": ["1"], "values2": ["2"],
            "names": "x,y", "unit": "户"
        }))
        .unwrap();
        let title = |lang| spec_from_args(&args, &PALETTE, lang).unwrap().y_title;
        assert_eq!(title(Lang::Zh).as_deref(), Some("单位：户"));
        assert_eq!(title(Lang::En).as_deref(), Some("Unit: 户"));
    }
}
