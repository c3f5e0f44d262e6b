//! The report as Typst markup, laid out as GB/T 9704-2012 lays out official documents: A4,
//! margins 37/35/28/26 mm, body 3号 (16 pt) 仿宋 in 22 lines of 28 characters, page titles 2号
//! 小标宋, headings 一、 in 黑体 and （一） in 楷体, page numbers 「— 1 —」 in 4号 on the outer
//! side.
//!
//! Each page's Markdown is read with pulldown-cmark, as the HTML pages are, and written as
//! Typst: every run of text as a string literal (`#"…";`), so no character of the report is
//! ever read as Typst markup. Charts (the `<figure class="chart …">` blocks the `chart`
//! helper writes) become vector images of their SVG with their caption; `site-only` blocks
//! are left out, as on the whole-report page.

use super::Document;
use super::fonts::Fonts;
use super::model::{Align, Block, Inline, LinkTo};

/// The Typst source of the report and the files it reads (the charts' SVG, by path).
#[derive(Debug, Default)]
pub struct TypstSource {
    /// The main file's text.
    pub main: String,
    /// The other files: (path from the project root, `/charts/1.svg`; bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// Typesetting lengths of GB/T 9704-2012 (in points unless said): 3号 body, 29 pt line pitch
/// (22 lines in the 225 mm type area), 28 characters in the 156 mm line.
const PREAMBLE: &str = r#"#set text(font: BODY, size: 16pt, lang: LANG, region: REGION, cjk-latin-spacing: none,
  top-edge: 0.8em, bottom-edge: -0.2em, tracking: -0.22pt)
#set page(
  paper: "a4",
  margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  footer-descent: 7mm,
  footer: context {
    let n = counter(page).get().first()
    let number = text(font: NUMBERS, size: 14pt, tracking: 0pt)[— #n —]
    if calc.odd(n) { align(right, number + h(1em)) } else { align(left, h(1em) + number) }
  },
)
#set par(first-line-indent: (amount: 2em, all: true), leading: 13pt, spacing: 13pt, justify: true)
#set list(indent: 2em)
#set enum(indent: 2em)
#show heading: set text(size: 16pt, weight: "regular")
#show heading: it => block(above: 13pt, below: 13pt, sticky: true, {
  if it.level > 1 { h(2em) }
  it.body
})
#show heading.where(level: 1): it => block(width: 100%, above: 0pt, below: 29pt, sticky: true,
  align(center, text(font: TITLE, size: 22pt, weight: TITLE_WEIGHT, tracking: 0pt, it.body)))
#show heading.where(level: 2): set text(font: HEITI)
#show heading.where(level: 3): set text(font: KAITI)
#show emph: set text(font: KAITI, style: "normal")
#set table(stroke: 0.5pt, inset: (x: 4pt, y: 5pt))
#show table: set text(size: 12pt, tracking: 0pt, top-edge: "cap-height", bottom-edge: "baseline")
#show table: set par(first-line-indent: 0pt, justify: false, leading: 0.6em)
#show table.cell.where(y: 0): set text(font: HEITI)
#set figure(gap: 8pt)
#show figure.caption: set text(font: HEITI, size: 14pt, tracking: 0pt)
#show figure: set block(breakable: false)
#show raw: set text(size: 12pt, tracking: 0pt)
#show footnote.entry: set text(size: 12pt, tracking: 0pt)
#show footnote.entry: set par(first-line-indent: 0pt)
"#;

/// Writes the report `document` as Typst markup set in `fonts`.
pub fn write(document: &Document, fonts: &Fonts) -> TypstSource {
    let (lang, region) = language(&document.language);
    let mut out = String::new();
    out.push_str(&format!(
        "#set document(title: {}, date: none)\n",
        string(&document.title)
    ));
    let preamble = PREAMBLE
        .replace("NUMBERS", &string(&fonts.numbers))
        .replace("BODY", &string(&fonts.body))
        .replace("LANG", &string(&lang))
        .replace(
            "REGION",
            &region.as_deref().map_or("none".to_string(), string),
        )
        .replace(
            "TITLE_WEIGHT",
            if fonts.title_is_bold {
                "\"regular\""
            } else {
                "\"bold\""
            },
        )
        .replace("TITLE", &string(&fonts.title))
        .replace("HEITI", &string(&fonts.heiti))
        .replace("KAITI", &string(&fonts.kaiti));
    out.push_str(&preamble);
    let mut writer = Writer {
        out,
        files: Vec::new(),
        depth: 0,
    };
    for (n, page) in document.model().iter().enumerate() {
        if n > 0 {
            writer.out.push_str("\n#pagebreak(weak: true)\n");
        }
        writer.out.push_str(&format!(
            "#heading(level: 1)[{}]#label({})\n\n",
            text(&page.title),
            string(&page_label(&page.key))
        ));
        writer.blocks(&page.blocks);
    }
    TypstSource {
        main: writer.out,
        files: writer.files,
    }
}

/// The language and region of a language tag as Typst takes them: `zh-CN`, `zh_CN`,
/// `zh-Hans-CN` → (`zh`, `cn`); `zh-Hans` → (`zh`, none); an unreadable tag → `zh`.
fn language(tag: &str) -> (String, Option<String>) {
    let mut subtags = tag.split(['-', '_']).map(str::to_ascii_lowercase);
    let lang = subtags
        .next()
        .filter(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()))
        .unwrap_or_else(|| "zh".to_string());
    let region = subtags.find(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()));
    (lang, region)
}

/// The label of a page's title, which links to the page lead to.
fn page_label(key: &str) -> String {
    format!("page:{key}")
}

/// A Typst string literal of `value`.
fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` as markup that shows it as it is (an embedded string).
fn text(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!("#{};", string(value))
    }
}

/// Writes the document model as Typst markup.
struct Writer {
    out: String,
    /// The charts' SVG files.
    files: Vec<(String, Vec<u8>)>,
    /// How many lists and quotes the block written is inside.
    depth: usize,
}

/// How many lists and quotes deep blocks are nested as such; deeper ones are written as
/// plain paragraphs (Typst's layout has a depth limit of its own).
const MAX_DEPTH: usize = 8;

impl Writer {
    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading {
                level,
                number,
                content,
            } => {
                self.out
                    .push_str(&format!("#heading(level: {level})[{}", text(number)));
                self.inlines(content);
                self.out.push_str("]\n\n");
            }
            Block::Paragraph(content) => {
                self.inlines(content);
                self.out.push_str("\n\n");
            }
            Block::List { items, .. } if self.depth >= MAX_DEPTH => {
                for item in items {
                    self.blocks(item);
                }
            }
            Block::Quote(blocks) if self.depth >= MAX_DEPTH => self.blocks(blocks),
            Block::List { start, items } => {
                self.depth += 1;
                match start {
                    Some(first) => self.out.push_str(&format!("#enum(start: {first}, ")),
                    None => self.out.push_str("#list("),
                }
                for item in items {
                    self.out.push('[');
                    self.blocks(item);
                    self.out.push_str("], ");
                }
                self.out.push_str(")\n\n");
                self.depth -= 1;
            }
            Block::Quote(blocks) => {
                self.depth += 1;
                self.out.push_str(
                    "#block(inset: (left: 1em, y: 2pt), stroke: (left: 1pt), above: 13pt, below: 13pt, text(size: 14pt)[",
                );
                self.blocks(blocks);
                self.out.push_str("])\n\n");
                self.depth -= 1;
            }
            Block::Code(code) => {
                self.out
                    .push_str(&format!("#raw({}, block: true)\n\n", string(code)));
            }
            Block::Table {
                alignments,
                header,
                rows,
            } => {
                let align: Vec<&str> = alignments
                    .iter()
                    .map(|a| match a {
                        Align::Left => "left",
                        Align::Center => "center",
                        Align::Right => "right",
                    })
                    .collect();
                self.out.push_str(&format!(
                    "#align(center, table(columns: {}, align: ({},), ",
                    alignments.len().max(1),
                    align.join(", ")
                ));
                if !header.is_empty() {
                    self.out.push_str("table.header(repeat: true, ");
                    self.cells(header);
                    self.out.push_str("), ");
                }
                for row in rows {
                    self.cells(row);
                }
                self.out.push_str("))\n\n");
            }
            Block::Chart {
                caption,
                svg,
                notes,
            } => {
                if svg.is_empty() {
                    self.out.push_str(&format!("{}\n\n", text(caption)));
                } else {
                    let path = format!("/charts/{}.svg", self.files.len() + 1);
                    self.files.push((path.clone(), svg.as_bytes().to_vec()));
                    self.out.push_str(&format!(
                        "#figure(image({}, width: 92%), caption: [{}])\n\n",
                        string(&path),
                        text(caption)
                    ));
                }
                for note in notes {
                    self.out.push_str(&format!(
                        "#align(center, block(text(size: 12pt, tracking: 0pt)[{}]))\n\n",
                        text(note)
                    ));
                }
            }
            Block::Rule => self.out.push_str("#line(length: 100%, stroke: 0.5pt)\n\n"),
        }
    }

    fn cells(&mut self, cells: &[Vec<Inline>]) {
        for cell in cells {
            self.out.push('[');
            self.inlines(cell);
            self.out.push_str("], ");
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            match inline {
                Inline::Text(value) => self.out.push_str(&text(value)),
                Inline::Code(value) => self.out.push_str(&format!("#raw({});", string(value))),
                Inline::Emphasis(content) => self.wrapped("#emph[", content, "]"),
                Inline::Strong(content) => self.wrapped("#strong[", content, "]"),
                Inline::Strike(content) => self.wrapped("#strike[", content, "]"),
                Inline::Link {
                    to: LinkTo::Page(key),
                    content,
                } => {
                    let open = format!("#link(label({}))[", string(&page_label(key)));
                    self.wrapped(&open, content, "]");
                }
                Inline::Link {
                    to: LinkTo::Url(url),
                    content,
                } => {
                    let open = format!("#link({})[", string(url));
                    self.wrapped(&open, content, "]");
                }
                Inline::LineBreak => self.out.push_str("#linebreak()"),
                Inline::Footnote(blocks) => {
                    self.out.push_str("#footnote[");
                    self.blocks(blocks);
                    self.out.push(']');
                }
            }
        }
    }

    fn wrapped(&mut self, open: &str, content: &[Inline], close: &str) {
        self.out.push_str(open);
        self.inlines(content);
        self.out.push_str(close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::MarkdownPage;

    fn fonts() -> Fonts {
        Fonts {
            body: "仿宋".into(),
            heiti: "黑体".into(),
            kaiti: "楷体".into(),
            title: "小标宋".into(),
            title_is_bold: true,
            numbers: "宋体".into(),
        }
    }

    fn page(key: &str, markdown: &str) -> MarkdownPage {
        MarkdownPage {
            index: 0,
            key: key.into(),
            output: key.replace(".md", ".html"),
            title: "标题".into(),
            number_headings: true,
            markdown: markdown.into(),
        }
    }

    fn typst_of(pages: Vec<MarkdownPage>) -> TypstSource {
        let document = Document {
            title: "报告".into(),
            language: "zh-CN".into(),
            pages,
        };
        write(&document, &fonts())
    }

    #[test]
    fn language_tags_are_read_as_typst_takes_them() {
        let tag = |t: &str| language(t);
        assert_eq!(tag("zh-CN"), ("zh".into(), Some("cn".into())));
        assert_eq!(tag("zh_CN"), ("zh".into(), Some("cn".into())));
        assert_eq!(tag("zh-Hans-CN"), ("zh".into(), Some("cn".into())));
        assert_eq!(tag("zh-Hans"), ("zh".into(), None));
        assert_eq!(tag("中文"), ("zh".into(), None));
    }

    #[test]
    fn lists_nested_past_the_limit_are_written_flat() {
        let markdown = (0..40)
            .map(|i| format!("{}- 第{i}层\n", "  ".repeat(i)))
            .collect::<String>();
        let source = typst_of(vec![page("index.md", &markdown)]);
        assert_eq!(source.main.matches("#list(").count(), MAX_DEPTH);
        assert!(source.main.contains("第39层"));
    }

    #[test]
    fn text_is_never_read_as_markup() {
        let source = typst_of(vec![page(
            "index.md",
            "a #b *c* $d$ \\\"e\\\" [g] = h\n- not a list\n",
        )]);
        let main = &source.main;
        assert!(
            main.contains("#\"a #b \";#emph[#\"c\";]#\" $d$ \\\"e\\\" [g] = h\";"),
            "{main}"
        );
        assert!(main.contains("#list([#\"not a list\";"), "{main}");
    }

    #[test]
    fn headings_links_tables_and_charts_are_written() {
        let chart = "<figure class=\"chart chart-pie\" id=\"c\">\n<figcaption>构成</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n<p class=\"chart-note\">注</p>\n</figure>";
        let markdown = format!(
            "## 基本情况\n\n见[村委会](villages/index.md)[^1]。\n\n| 年度 | 户数 |\n|---|---:|\n| 2014年 | 153户 |\n\n{chart}\n\n[^1]: 注释。\n"
        );
        let source = typst_of(vec![
            page("index.md", &markdown),
            page("villages/index.md", ""),
        ]);
        let main = &source.main;
        for expected in [
            "#set document(title: \"报告\", date: none)",
            "#heading(level: 1)[#\"标题\";]#label(\"page:index.md\")",
            "#heading(level: 2)[#\"一、\";#\"基本情况\";]",
            "#link(label(\"page:villages/index.md\"))[#\"村委会\";]#footnote[#\"注释。\";",
            "#align(center, table(columns: 2, align: (left, right,), table.header(repeat: true, [#\"年度\";], [#\"户数\";], ), [#\"2014年\";], [#\"153户\";], ))",
            "#figure(image(\"/charts/1.svg\", width: 92%), caption: [#\"构成\";])",
            "#pagebreak(weak: true)",
            "font: \"仿宋\"",
        ] {
            assert!(main.contains(expected), "{expected} in {main}");
        }
        assert_eq!(source.files.len(), 1);
    }
}
