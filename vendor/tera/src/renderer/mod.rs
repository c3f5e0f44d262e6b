mod square_brackets;
#[cfg(test)]
mod tests;

mod call_stack;
mod for_loop;
mod macros;
mod processor;
mod stack_frame;

use self::processor::Processor;
use crate::errors::Result;
use crate::template::Template;
use crate::tera::Tera;
use crate::Context;

/// Given a `Tera` and reference to `Template` and a `Context`, renders text
#[derive(Debug)]
pub struct Renderer<'a> {
    /// Template to render
    template: &'a Template,
    /// Houses other templates, filters, global functions, etc
    tera: &'a Tera,
    /// Read-only context to be bound to template˝
    context: &'a Context,
    /// If set rendering should be escaped
    should_escape: bool,
    /// (Patched) Lists whose items are made as they are read, by name.
    lists: crate::Lists<'a>,
    /// (Patched) Sums kept from render to render.
    kept: Option<&'a crate::KeptSums>,
}

impl<'a> Renderer<'a> {
    /// Create a new `Renderer`
    #[inline]
    pub fn new(template: &'a Template, tera: &'a Tera, context: &'a Context) -> Renderer<'a> {
        let should_escape = tera.autoescape_suffixes.iter().any(|ext| {
            // We prefer a `path` if set, otherwise use the `name`
            if let Some(ref p) = template.path {
                return p.ends_with(ext);
            }
            template.name.ends_with(ext)
        });

        Renderer { template, tera, context, should_escape, lists: &[], kept: None }
    }

    /// (Patched) Keeps the lists' sums in `kept` (see [`crate::KeptSums`]).
    pub fn keeping(mut self, kept: &'a crate::KeptSums) -> Renderer<'a> {
        self.kept = Some(kept);
        self
    }

    /// (Patched) Reads `lists` as names beside the context.
    pub fn with_lists(mut self, lists: crate::Lists<'a>) -> Renderer<'a> {
        self.lists = lists;
        self
    }

    /// Combines the context with the Template to generate the end result
    /// (patched: written as text, not as bytes checked as UTF-8 afterwards)
    pub fn render(&self) -> Result<String> {
        // (Patched: room for as much as the template's last render, not grown by doubling —
        // up to a megabyte: after a large page, a layout's small ones take no large room.)
        let room = self.template.last_len.get().clamp(2000, 1 << 20);
        let mut output = String::with_capacity(room);
        let mut processor =
            Processor::new(self.template, self.tera, self.context, self.should_escape)
                .with_lists(self.lists)
                .keeping(self.kept);
        processor.render(&mut output)?;
        self.template.last_len.set(output.len());
        Ok(output)
    }

    /// Combines the context with the Template to write the end result to output
    pub fn render_to(&self, output: impl std::io::Write) -> Result<()> {
        let mut processor =
            Processor::new(self.template, self.tera, self.context, self.should_escape)
                .with_lists(self.lists)
                .keeping(self.kept);
        let mut writer = IoWriter { output, error: None };
        processor.render(&mut writer).map_err(|error| match writer.error.take() {
            Some(io_error) => crate::Error::io_error(io_error),
            None => error,
        })
    }
}

/// The rendered text written to an `io::Write` (patched: the processor writes text); the
/// writer's error is kept, to be returned rather than the `fmt::Error` it becomes.
struct IoWriter<W> {
    output: W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> std::fmt::Write for IoWriter<W> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.output.write_all(text.as_bytes()).map_err(|error| {
            self.error = Some(error);
            std::fmt::Error
        })
    }
}
