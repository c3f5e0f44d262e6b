//! The theme: layout templates (Tera, HTML-escaped) and its static files.
//!
//! A site uses `themes/<theme>/` when it has that folder. The default theme is also built
//! into the binary, so a site without a `themes/` folder still builds.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tera::Tera;

use crate::diagnostics::Diagnostic;
use crate::discover::Site;

/// The layout every page is rendered in.
pub const PAGE_TEMPLATE: &str = "page.html";

/// The built-in default theme: (path inside `themes/default/`, contents).
pub const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "templates/page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "templates/print.html",
        include_str!("../../themes/default/templates/print.html"),
    ),
    (
        "static/assets/huibao.css",
        include_str!("../../themes/default/static/assets/huibao.css"),
    ),
];

/// Whether `site` uses the built-in default theme (it has no theme folder of its own).
pub fn uses_builtin(site: &Site) -> bool {
    site.theme_templates.is_empty() && site.config.theme == "default"
}

/// The file of layout template `name`, relative to the site folder.
pub fn template_path(site: &Site, name: &str) -> PathBuf {
    Path::new("themes")
        .join(&site.config.theme)
        .join("templates")
        .join(name)
}

/// Layout template `name` rendered with `context`; a mistake in it is located in the theme's
/// file.
pub fn render_layout(
    layout_tera: &Tera,
    site: &Site,
    name: &str,
    context: &tera::Context,
) -> Result<String, Diagnostic> {
    layout_tera.render(name, context).map_err(|e| {
        let file = template_path(site, name);
        let text = std::fs::read_to_string(site.root.join(&file)).unwrap_or_default();
        super::template_error(&e, &file, &text)
    })
}

/// What the page layout is given as `page.content` when it shows the content only whole
/// ([`content_spliced`]): the content is put in its place after the layout is rendered.
pub const PAGE_CONTENT_MARKER: &str = "<!--huibao:page-content-->";

/// Whether the page layout shows `page.content` only whole (`{{ page.content | safe }}`), so
/// that a page's content can be put in after the layout is rendered rather than copied into
/// its context and through Tera (and checked as UTF-8 again): see
/// [`super::deps::shows_content_whole`].
pub fn content_spliced(layout_tera: &Tera) -> bool {
    layout_tera
        .get_template(PAGE_TEMPLATE)
        .is_ok_and(|template| super::deps::shows_content_whole(&template.ast))
}

/// The rendered `layout` with each [`PAGE_CONTENT_MARKER`] replaced by `content`.
pub fn splice_content(layout: &str, content: &str) -> String {
    let marker = memchr::memmem::Finder::new(PAGE_CONTENT_MARKER);
    let mut out = String::with_capacity(layout.len() + content.len());
    let mut from = 0;
    for at in marker.find_iter(layout.as_bytes()) {
        out.push_str(&layout[from..at]);
        out.push_str(content);
        from = at + PAGE_CONTENT_MARKER.len();
    }
    out.push_str(&layout[from..]);
    out
}

/// The Tera instance for the layout templates, and a fingerprint of their text; with
/// `last` (the preview's), the last build's instance while the texts are the same (one
/// without problems is kept in `last`).
pub fn layout_tera(
    site: &Site,
    problems: &mut Vec<Diagnostic>,
    last: Option<&mut Option<(u64, Arc<Tera>)>>,
) -> (Arc<Tera>, u64) {
    let templates: Vec<(String, String, PathBuf)> = if uses_builtin(site) {
        DEFAULT_THEME
            .iter()
            .filter_map(|(path, text)| {
                let name = path.strip_prefix("templates/")?;
                Some((
                    name.to_string(),
                    text.to_string(),
                    template_path(site, name),
                ))
            })
            .collect()
    } else {
        site.theme_templates
            .iter()
            .filter_map(|(name, path)| {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| {
                        problems.push(Diagnostic::unreadable(template_path(site, name), &error))
                    })
                    .ok()?;
                Some((name.clone(), text, template_path(site, name)))
            })
            .collect()
    };
    let mut templates = templates;
    // A theme of the site's own without a whole-report layout uses the built-in one.
    if !templates
        .iter()
        .any(|(name, _, _)| name == super::print::TEMPLATE)
        && let Some((_, text)) = DEFAULT_THEME
            .iter()
            .find(|(path, _)| path.strip_prefix("templates/") == Some(super::print::TEMPLATE))
    {
        templates.push((
            super::print::TEMPLATE.to_string(),
            text.to_string(),
            PathBuf::from("(huibao)").join("print.html"),
        ));
    }
    let print = super::fingerprint(&templates.iter().map(|(n, t, _)| (n, t)).collect::<Vec<_>>());
    if let Some(Some((kept, tera))) = last.as_deref()
        && *kept == print
    {
        return (tera.clone(), print);
    }
    let before = problems.len();
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default also escapes `/`, turning every relative URL into `..&#x2F;`.
    tera.set_escape_fn(|text| crate::html::escape_html_text(text).into_owned());
    for (name, text, file) in &templates {
        if let Err(error) = tera.add_raw_template(name, text) {
            problems.push(super::template_error(&error, file, text));
        }
    }
    if !templates.iter().any(|(name, _, _)| name == PAGE_TEMPLATE) {
        problems.push(Diagnostic::error(
            "theme-page-missing",
            Some(crate::diagnostics::Location::file(template_path(
                site,
                PAGE_TEMPLATE,
            ))),
            crate::diagnostics::Text::new(
                "主题缺少页面模板 page.html",
                "the theme has no page template page.html",
            ),
        ));
    }
    let tera = Arc::new(tera);
    if let Some(last) = last {
        *last = (problems.len() == before).then(|| (print, tera.clone()));
    }
    (tera, print)
}

/// The built-in theme's style sheet (inlined into the built-in whole-report layout when a
/// theme of the site's own has no layout for it).
pub fn builtin_css() -> &'static str {
    DEFAULT_THEME
        .iter()
        .find(|(path, _)| path.ends_with("huibao.css"))
        .map_or("", |(_, text)| text)
}

/// Whether the whole-report page is laid out by the built-in layout in a theme of the
/// site's own (which has no `print.html`).
pub fn print_layout_borrowed(site: &Site) -> bool {
    !uses_builtin(site)
        && !site
            .theme_templates
            .iter()
            .any(|(name, _)| name == super::print::TEMPLATE)
}

/// The built-in theme's static files, when the site uses that theme (else none).
pub fn builtin_files(site: &Site) -> Vec<(PathBuf, &'static str)> {
    if uses_builtin(site) {
        builtin_static_files().collect()
    } else {
        Vec::new()
    }
}

/// The built-in theme's static files: (path in the output, contents).
pub fn builtin_static_files() -> impl Iterator<Item = (PathBuf, &'static str)> {
    DEFAULT_THEME.iter().filter_map(|(path, text)| {
        path.strip_prefix("static/")
            .map(|p| (PathBuf::from(p), *text))
    })
}
