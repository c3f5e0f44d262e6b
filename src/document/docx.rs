//! The report as a Word document (docx-rs), for the office that edits and submits it.
//!
//! The document model ([`super::model`]) written with Word's own structure: page titles and
//! headings in the built-in styles `heading 1`–`heading 6` (Word's 标题 1–6, so the navigation
//! pane and a table of contents work), body paragraphs in `Body Text` (3号 仿宋, first line
//! indented two characters, 22 lines of 28 characters a page), tables as Word tables whose
//! header row repeats on every page, charts as PNG pictures (drawn from their SVG with the
//! fonts of this machine) with captions, A4 with the GB/T 9704 margins, and 「— 1 —」 page
//! numbers in the footer, on the outer side. Fonts are named as the reader's Word or WPS
//! knows them (仿宋, 黑体, 楷体 …, also as `w:eastAsia`), not embedded. The package has fixed
//! dates: the same report gives the same bytes.

use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Footer, Footnote, InstrPAGE, InstrText,
    LineSpacing, LineSpacingType, PageMargin, Paragraph, Pic, Run, RunFonts, SpecialIndentType,
    Style, StyleType, Table, TableAlignmentType, TableCell, TableRow, WidthType,
};
use std::sync::Arc;

use super::Document;
use super::fonts::Fonts;
use super::model::{Align, Block, Inline};
use crate::diagnostics::{Diagnostic, Text};

/// A font by one name for Latin, Chinese and every other script.
fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .east_asia(name)
        .cs(name)
}

/// Lengths in twentieths of a point (twips) and half-points.
mod size {
    /// 3号, in half-points.
    pub const BODY: usize = 32;
    /// 2号.
    pub const TITLE: usize = 44;
    /// 4号 (page numbers, captions).
    pub const SMALL: usize = 28;
    /// 小四 (tables).
    pub const TABLE: usize = 24;
    /// The line pitch of 22 lines in the 225 mm type area, exactly.
    pub const LINE: i32 = 579;
    /// Two characters of 3号: the first-line indent.
    pub const INDENT: i32 = 640;
    /// Character spacing that fits 28 characters of 3号 into the 156 mm line (−0.25 pt).
    pub const TRACKING: i32 = -5;
}

/// How docx-rs writes the mark of a table's header row (a least height of 1 twip, which no
/// other row has), replaced by Word's `<w:tblHeader />`: the row repeats on every page.
const HEADER_ROW: &str = "<w:trHeight w:val=\"1\" w:hRule=\"atLeast\" />";

/// The width of the type area, in EMU (156 mm).
const TYPE_WIDTH_EMU: u32 = 156 * 36_000;

/// Writes `document` as a Word document: its bytes.
pub fn docx(
    document: &Document,
    fonts_of: &Fonts,
    fontdb: Arc<resvg::usvg::fontdb::Database>,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut writer = Writer {
        docx: base(fonts_of),
        fonts: fonts_of.clone(),
        fontdb,
        pictures: 0,
        captions: 0,
    };
    for (n, page) in document.model().into_iter().enumerate() {
        let title = Paragraph::new()
            .style("Heading1")
            .page_break_before(n > 0)
            .add_run(Run::new().add_text(page.title));
        writer.docx = std::mem::take(&mut writer.docx).add_paragraph(title);
        for block in &page.blocks {
            writer.block(block, 0);
        }
    }
    let mut xml = writer.docx.build();
    // docx-rs writes no repeating header rows: the header rows carry a mark of their own
    // (`HEADER_ROW`), which becomes Word's `tblHeader` here.
    xml.document = String::from_utf8_lossy(&xml.document)
        .replace(HEADER_ROW, "<w:tblHeader />")
        .into_bytes();
    // docx-rs writes a `Normal` style without saying it is the default one, which readers
    // (python-docx) need to know.
    xml.styles = String::from_utf8_lossy(&xml.styles)
        .replacen(
            "<w:style w:type=\"paragraph\" w:styleId=\"Normal\">",
            "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">",
            1,
        )
        .into_bytes();
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes).map_err(|error| {
        vec![Diagnostic::error(
            "docx",
            None,
            Text::new(
                format!("写 Word 文档失败：{error}"),
                format!("writing the Word document failed: {error}"),
            ),
        )]
    })?;
    Ok(bytes.into_inner())
}

/// The document before its content: page, styles, footers.
fn base(f: &Fonts) -> Docx {
    let heading = |id: &str, name: &str, level: usize, font: &str| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("BodyText")
            .next("BodyText")
            .q_format(true)
            .fonts(fonts(font))
            .size(size::BODY)
            .outline_lvl(level)
    };
    let page_number = |align: AlignmentType| {
        let run = Run::new()
            .size(size::SMALL)
            .fonts(fonts(&f.numbers))
            .character_spacing(0);
        let number = run
            .clone()
            .add_field_char(FieldCharType::Begin, false)
            .add_instr_text(InstrText::PAGE(InstrPAGE::default()))
            .add_field_char(FieldCharType::Separate, false)
            .add_text("1")
            .add_field_char(FieldCharType::End, false);
        // One character from the outer edge (GB/T 9704: 单页码居右空一字，双页码居左空一字).
        let paragraph = Paragraph::new()
            .align(align)
            .add_run(run.clone().add_text("— "));
        let paragraph = paragraph.add_run(number).add_run(run.add_text(" —"));
        let paragraph = match align {
            AlignmentType::Right => paragraph.indent(Some(0), None, Some(280), None),
            _ => paragraph.indent(Some(280), None, Some(0), None),
        };
        Footer::new().add_paragraph(paragraph)
    };
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1587)
                .right(1474)
                .header(851)
                .footer(1304),
        )
        .default_fonts(fonts(&f.body))
        .default_size(size::BODY)
        .default_spacing(size::TRACKING)
        .add_style(
            Style::new("BodyText", StyleType::Paragraph)
                .name("Body Text")
                .based_on("Normal")
                .q_format(true)
                .fonts(fonts(&f.body))
                .size(size::BODY)
                .align(AlignmentType::Both)
                .line_spacing(
                    LineSpacing::new()
                        .line(size::LINE)
                        .line_rule(LineSpacingType::Exact)
                        .before(0)
                        .after(0),
                )
                .indent(
                    None,
                    Some(SpecialIndentType::FirstLine(size::INDENT)),
                    None,
                    None,
                ),
        )
        .add_style(title_weight(
            heading("Heading1", "heading 1", 0, &f.title)
                .size(size::TITLE)
                .align(AlignmentType::Center)
                .indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None)
                .line_spacing(
                    LineSpacing::new()
                        .line(size::LINE * 2)
                        .line_rule(LineSpacingType::AtLeast)
                        .after(size::LINE as u32),
                ),
            f,
        ))
        .add_style(heading("Heading2", "heading 2", 1, &f.heiti))
        .add_style(heading("Heading3", "heading 3", 2, &f.kaiti))
        .add_style(heading("Heading4", "heading 4", 3, &f.body))
        .add_style(heading("Heading5", "heading 5", 4, &f.body))
        .add_style(heading("Heading6", "heading 6", 5, &f.body))
        .add_style(
            Style::new("TableText", StyleType::Paragraph)
                .name("Table Text")
                .based_on("BodyText")
                .size(size::TABLE)
                .indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None)
                .line_spacing(
                    LineSpacing::new()
                        .line(240)
                        .line_rule(LineSpacingType::Auto)
                        .before(0)
                        .after(0),
                ),
        )
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .based_on("BodyText")
                .fonts(fonts(&f.heiti))
                .size(size::SMALL)
                .align(AlignmentType::Center)
                .indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None),
        )
        .footer(page_number(AlignmentType::Right))
        .even_footer(page_number(AlignmentType::Left))
}

/// A paragraph of body text (3号 仿宋, first line indented two characters).
fn body() -> Paragraph {
    Paragraph::new().style("BodyText")
}

/// The title style, bold unless its font is a heavy face of its own (方正小标宋).
fn title_weight(style: Style, f: &Fonts) -> Style {
    if f.title_is_bold { style } else { style.bold() }
}

/// Writes the document model into a [`Docx`].
struct Writer {
    docx: Docx,
    fonts: Fonts,
    fontdb: Arc<resvg::usvg::fontdb::Database>,
    pictures: usize,
    captions: usize,
}

/// How an inline run looks.
#[derive(Clone, Copy, Default)]
struct Look {
    strong: bool,
    emphasis: bool,
    strike: bool,
    code: bool,
    underline: bool,
}

impl Writer {
    fn add(&mut self, paragraph: Paragraph) {
        self.docx = std::mem::take(&mut self.docx).add_paragraph(paragraph);
    }

    /// Writes `block`, `depth` lists deep.
    fn block(&mut self, block: &Block, depth: i32) {
        let indented = |p: Paragraph| {
            if depth > 0 {
                // At most 8 levels in: deeper ones stay there, inside the type area.
                p.indent(Some(size::INDENT * depth.min(8)), None, None, None)
            } else {
                p
            }
        };
        match block {
            Block::Heading {
                level,
                number,
                content,
            } => {
                let style = format!("Heading{}", (*level).clamp(1, 6));
                let mut paragraph = Paragraph::new().style(&style).keep_next(true);
                if !number.is_empty() {
                    paragraph = paragraph.add_run(Run::new().add_text(number.as_str()));
                }
                let paragraph = self.runs(paragraph, content, Look::default());
                self.add(paragraph);
            }
            Block::Paragraph(content) => {
                let paragraph = self.runs(indented(body()), content, Look::default());
                self.add(paragraph);
            }
            Block::List { start, items } => {
                for (n, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(first) => format!("{}. ", first + n as u64),
                        None => "• ".to_string(),
                    };
                    for (i, block) in item.iter().enumerate() {
                        match block {
                            Block::Paragraph(content) if i == 0 => {
                                let paragraph =
                                    indented(body()).add_run(Run::new().add_text(marker.as_str()));
                                let paragraph = self.runs(paragraph, content, Look::default());
                                self.add(paragraph);
                            }
                            other => self.block(other, depth + 1),
                        }
                    }
                }
            }
            Block::Quote(blocks) => {
                for block in blocks {
                    self.block(block, depth + 1);
                }
            }
            Block::Code(code) => {
                for line in code.lines() {
                    let run = Run::new().fonts(fonts("Courier New")).size(size::TABLE);
                    self.add(
                        Paragraph::new()
                            .style("TableText")
                            .add_run(run.add_text(line)),
                    );
                }
            }
            Block::Table {
                alignments,
                header,
                rows,
            } => self.table(alignments, header, rows),
            Block::Chart {
                caption,
                svg,
                notes,
            } => self.chart(caption, svg, notes),
            Block::Rule => self.add(body()),
        }
    }

    fn table(&mut self, alignments: &[Align], header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>]) {
        let widths = column_widths(alignments.len().max(header.len()), header, rows);
        let cell = |writer: &Writer, column: usize, content: &[Inline], head: bool| {
            let align = match alignments.get(column) {
                Some(Align::Right) => AlignmentType::Right,
                Some(Align::Center) => AlignmentType::Center,
                _ => AlignmentType::Left,
            };
            let paragraph = Paragraph::new().style("TableText").align(align);
            let paragraph = if head {
                let heiti = Run::new().fonts(fonts(&writer.fonts.heiti));
                writer.runs_with(paragraph, content, Look::default(), &heiti)
            } else {
                writer.runs(paragraph, content, Look::default())
            };
            let width = widths.get(column).copied().unwrap_or(0);
            TableCell::new()
                .width(width, WidthType::Dxa)
                .add_paragraph(paragraph)
        };
        let row_of = |writer: &Writer, cells: &[Vec<Inline>], head: bool| {
            let cells = cells
                .iter()
                .enumerate()
                .map(|(i, c)| cell(writer, i, c, head))
                .collect();
            TableRow::new(cells)
        };
        // No row breaks across pages; the header row repeats on each (see `HEADER_ROW`).
        let mut table_rows = Vec::new();
        if !header.is_empty() {
            let row = row_of(self, header, true).cant_split();
            table_rows.push(
                row.row_height(1.0)
                    .height_rule(docx_rs::HeightRule::AtLeast),
            );
        }
        for row in rows {
            table_rows.push(row_of(self, row, false).cant_split());
        }
        let table = Table::new(table_rows)
            .align(TableAlignmentType::Center)
            .width(widths.iter().sum(), WidthType::Dxa)
            .set_grid(widths);
        self.docx = std::mem::take(&mut self.docx).add_table(table);
    }

    fn chart(&mut self, caption: &str, svg: &str, notes: &[String]) {
        let centred = || {
            body()
                .align(AlignmentType::Center)
                .indent(Some(0), Some(SpecialIndentType::FirstLine(0)), None, None)
                .line_spacing(
                    LineSpacing::new()
                        .line(240)
                        .line_rule(LineSpacingType::Auto),
                )
                .keep_next(true)
        };
        if let Some((png, width, height)) = chart_png(svg, &self.fontdb) {
            self.pictures += 1;
            let width_emu = TYPE_WIDTH_EMU / 100 * 92;
            let height_emu =
                (u64::from(width_emu) * u64::from(height) / u64::from(width.max(1))) as u32;
            let picture = Pic::new_with_dimensions(png, width, height)
                .id(format!("rIdImage{}", self.pictures))
                .size(width_emu, height_emu);
            self.add(centred().add_run(Run::new().add_image(picture)));
        }
        self.captions += 1;
        let label = format!("图{}  {caption}", self.captions);
        self.add(
            Paragraph::new()
                .style("Caption")
                .add_run(Run::new().add_text(label)),
        );
        for note in notes {
            let run = Run::new().size(size::TABLE).character_spacing(0);
            self.add(
                centred()
                    .keep_next(false)
                    .add_run(run.add_text(note.as_str())),
            );
        }
    }

    /// `paragraph` with runs for `content`.
    fn runs(&self, paragraph: Paragraph, content: &[Inline], look: Look) -> Paragraph {
        self.runs_with(paragraph, content, look, &Run::new())
    }

    /// `paragraph` with runs for `content`, each starting from `base` (its fonts, size).
    fn runs_with(
        &self,
        mut paragraph: Paragraph,
        content: &[Inline],
        look: Look,
        base: &Run,
    ) -> Paragraph {
        for inline in content {
            paragraph = match inline {
                Inline::Text(text) => {
                    paragraph.add_run(self.run(base, look).add_text(text.as_str()))
                }
                Inline::Code(text) => {
                    let look = Look { code: true, ..look };
                    paragraph.add_run(self.run(base, look).add_text(text.as_str()))
                }
                Inline::Emphasis(inner) => self.runs_with(
                    paragraph,
                    inner,
                    Look {
                        emphasis: true,
                        ..look
                    },
                    base,
                ),
                Inline::Strong(inner) => self.runs_with(
                    paragraph,
                    inner,
                    Look {
                        strong: true,
                        ..look
                    },
                    base,
                ),
                Inline::Strike(inner) => self.runs_with(
                    paragraph,
                    inner,
                    Look {
                        strike: true,
                        ..look
                    },
                    base,
                ),
                Inline::Link { to, content } => {
                    let look = Look {
                        underline: matches!(to, super::model::LinkTo::Url(_)),
                        ..look
                    };
                    self.runs_with(paragraph, content, look, base)
                }
                Inline::LineBreak => {
                    paragraph.add_run(Run::new().add_break(BreakType::TextWrapping))
                }
                Inline::Footnote(blocks) => {
                    // A footnote holds paragraphs: each block of it is one, with its text.
                    let mut footnote = Footnote::new();
                    for block in blocks {
                        let text = Paragraph::new().style("TableText");
                        let text = match block {
                            Block::Paragraph(content) | Block::Heading { content, .. } => {
                                self.runs(text, content, look)
                            }
                            other => {
                                text.add_run(Run::new().add_text(super::model::text_of(other)))
                            }
                        };
                        footnote = footnote.add_content(text);
                    }
                    paragraph.add_run(Run::new().add_footnote_reference(footnote))
                }
            };
        }
        paragraph
    }

    fn run(&self, base: &Run, look: Look) -> Run {
        let mut run = base.clone();
        if look.strong {
            run = run.bold();
        }
        if look.emphasis {
            run = run.fonts(fonts(&self.fonts.kaiti));
        }
        if look.strike {
            run = run.strike();
        }
        if look.underline {
            run = run.underline("single");
        }
        if look.code {
            run = run.fonts(fonts("Courier New"));
        }
        run
    }
}

/// The width of each of `columns` columns, in twips, filling the type area: each column as
/// wide as its widest text (小四, a Chinese character 12 pt) when they all fit, the room left
/// shared out in proportion; else the widest columns narrowed to one width, their text
/// wrapped, so that narrow columns (years, counts) never wrap.
fn column_widths(columns: usize, header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>]) -> Vec<usize> {
    /// The type area's width, 156 mm, in twips.
    const TYPE_WIDTH: usize = 8845;
    /// Half a Chinese character of 小四 (6 pt, with room for digits, which are wider, and
    /// the space Word puts between digits and Chinese), and a cell's padding, in twips.
    const UNIT: usize = 135;
    const PADDING: usize = 320;
    let width = |cell: &[Inline]| -> usize {
        let text: String = cell
            .iter()
            .map(|inline| match inline {
                Inline::Text(text) | Inline::Code(text) => text.clone(),
                _ => String::new(),
            })
            .collect();
        unicode_width::UnicodeWidthStr::width(text.as_str())
    };
    let mut natural = vec![2 * UNIT + PADDING; columns];
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (column, cell) in row.iter().enumerate().take(columns) {
            natural[column] = natural[column].max(width(cell) * UNIT + PADDING);
        }
    }
    let total: usize = natural.iter().sum();
    if total <= TYPE_WIDTH {
        let room = TYPE_WIDTH - total;
        return natural
            .iter()
            .map(|w| w + room * w / total.max(1))
            .collect();
    }
    // The widest width `cap` for which the columns, none wider than it, fill the line.
    let (mut low, mut high) = (0, natural.iter().copied().max().unwrap_or(0));
    while low < high {
        let cap = (low + high).div_ceil(2);
        if natural.iter().map(|&w| w.min(cap)).sum::<usize>() <= TYPE_WIDTH {
            low = cap;
        } else {
            high = cap - 1;
        }
    }
    natural.iter().map(|&w| w.min(low)).collect()
}

/// A chart's SVG drawn as a PNG at twice its size (sharp when printed): (bytes, width,
/// height in pixels). `None` when the SVG cannot be read (the caption still says what it was).
pub fn chart_png(
    svg: &str,
    fontdb: &Arc<resvg::usvg::fontdb::Database>,
) -> Option<(Vec<u8>, u32, u32)> {
    use resvg::{tiny_skia, usvg};
    let options = usvg::Options {
        fontdb: fontdb.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).ok()?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width() * 2, size.height() * 2);
    let mut pixmap = tiny_skia::Pixmap::new(width, height)?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    Some((pixmap.encode_png().ok()?, width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> Vec<Inline> {
        vec![Inline::Text(text.into())]
    }

    #[test]
    fn narrow_columns_keep_their_width_and_the_widest_wrap() {
        let header = vec![cell("年度"), cell("户数"), cell("备注")];
        let rows = vec![vec![
            cell("2014年"),
            cell("153户"),
            cell(&"很长的备注".repeat(20)),
        ]];
        let widths = column_widths(3, &header, &rows);
        let total: usize = widths.iter().sum();
        assert!(total <= 8845 && total > 8800, "{widths:?}");
        assert!(
            widths[0] >= 6 * 135 + 320 && widths[1] >= 5 * 135 + 320,
            "{widths:?}"
        );
        assert!(widths[2] > widths[0] * 4, "{widths:?}");
    }

    #[test]
    fn a_table_that_fits_fills_the_line_in_proportion() {
        let widths = column_widths(2, &[cell("年度"), cell("户数")], &[]);
        assert_eq!(widths[0], widths[1]);
        assert!(widths.iter().sum::<usize>() <= 8845 && widths.iter().sum::<usize>() > 8800);
    }
}
