//! The report as a PDF: its Typst source ([`super::typst`]) typeset by Typst, embedded as a
//! library, with the fonts found on the machine ([`super::fonts`]), subset and embedded.
//! No creation date is written, so the same report gives the same bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

use super::Document;
use super::fonts::Fonts;
use crate::config::DocumentSettings;
use crate::diagnostics::{Diagnostic, Text};

/// The fonts of this machine, searched in the documented order, and the folders searched
/// before the system's.
pub struct FontSearch {
    store: FontStore,
    searched: Vec<PathBuf>,
    /// The site folder (a font its settings name and this machine lacks is said at its line).
    site_root: PathBuf,
}

impl FontSearch {
    /// Finds the fonts for the site at `site_root`: its own folders first, then the
    /// system's (see [`super::fonts`]).
    pub fn new(site_root: &Path, settings: &DocumentSettings) -> FontSearch {
        let searched = super::fonts::site_font_dirs(site_root, settings);
        let mut store = FontStore::new();
        for dir in &searched {
            store.extend(typst_kit::fonts::scan(dir));
        }
        store.extend(typst_kit::fonts::system());
        FontSearch {
            store,
            searched,
            site_root: site_root.to_path_buf(),
        }
    }

    /// Chooses each role's font (see [`super::fonts::choose`]).
    pub fn choose(&self, settings: &DocumentSettings) -> Result<Fonts, Vec<Diagnostic>> {
        let root = Some(self.site_root.as_path());
        super::fonts::choose(self.store.book(), settings, &self.searched, root)
    }
}

/// What Typst reads: the library, the fonts, the main file and the charts.
struct ReportWorld<'f> {
    library: LazyHash<Library>,
    fonts: &'f FontStore,
    main: FileId,
    source: Source,
    files: HashMap<FileId, Bytes>,
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match self.files.get(&id) {
            Some(bytes) => Ok(bytes.clone()),
            None if id == self.main => Ok(Bytes::from_string(self.source.clone())),
            None => Err(FileError::NotFound(PathBuf::from(
                id.get().vpath().get_without_slash(),
            ))),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    /// No clock: the document shows no date it was not given.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// A file id of the document's project.
fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// Typesets `document` in `fonts` (found by `search`): the PDF's bytes and its number of
/// pages.
pub fn pdf(
    document: &Document,
    search: &FontSearch,
    fonts: &Fonts,
) -> Result<(Vec<u8>, usize), Vec<Diagnostic>> {
    let source = super::typst::write(document, fonts);
    let internal = |what: String| {
        vec![
            Diagnostic::error(
                "pdf",
                None,
                Text::new(
                    format!("排版 PDF 失败：{what}"),
                    format!("typesetting the PDF failed: {what}"),
                ),
            )
            .with_hint(Text::new(
                "这是 huibao 的问题，请连同站点报告给开发者；在 huibao.toml 的 [document] downloads 里去掉 pdf 可以先生成网站",
                "this is a bug of huibao's: please report it with the site; removing pdf from [document] downloads in huibao.toml lets the site build meanwhile",
            )),
        ]
    };
    let Some(main) = file_id("/main.typ") else {
        return Err(internal("main.typ".into()));
    };
    let files = source
        .files
        .into_iter()
        .filter_map(|(path, bytes)| Some((file_id(&path)?, Bytes::new(bytes))))
        .collect();
    let world = ReportWorld {
        library: LazyHash::new(Library::builder().build()),
        fonts: &search.store,
        main,
        source: Source::new(main, source.main),
        files,
    };
    let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
    let paged = compiled.output.map_err(|errors| {
        let messages: Vec<String> = errors
            .iter()
            .map(|error| {
                let place = typst::WorldExt::range(&world, error.span)
                    .map(|range| {
                        let line = world.source.text()[..range.start].matches('\n').count() + 1;
                        let text = &world.source.text()[range];
                        format!(
                            " (main.typ:{line}: {})",
                            text.chars().take(80).collect::<String>()
                        )
                    })
                    .unwrap_or_default();
                format!("{}{place}", error.message)
            })
            .collect();
        internal(messages.join("; "))
    })?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!("huibao:{}", document.title)),
        creator: Smart::Custom(Some("huibao".to_string())),
        ..typst_pdf::PdfOptions::default()
    };
    let pages = paged.pages().len();
    let bytes = typst_pdf::pdf(&paged, &options).map_err(|errors| {
        internal(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    Ok((bytes, pages))
}
