//! Source files and error reporting.
//!
//! `SourceMap` owns the text of every file that was parsed, so that a `Span`
//! can be turned into `file:line:col` and a `Diagnostic` can be rendered with
//! the offending source line and a caret (through codespan-reporting).
//!
//! Rendering never panics: spans past the end of a file, spans that cut a
//! UTF-8 character, reversed spans and unknown file ids are all clamped.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor};

use super::ast::{FileId, Span};

/// At most this many errors are reported for one file (lexer and parser alike).
pub const MAX_ERRORS: usize = 20;

/// One source file: its name, text and the byte offsets at which lines start.
#[derive(Clone, Debug)]
struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

/// The files of one run, by `FileId` (the index of the file, in order of `add`).
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let line_starts = files::line_starts(&text).collect();
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile { name: name.into(), text, line_starts });
        id
    }

    fn file(&self, f: FileId) -> Option<&SourceFile> {
        self.files.get(f.0 as usize)
    }

    /// The file's name as given to `add` (`"<unknown>"` for an unknown id).
    pub fn name(&self, f: FileId) -> &str {
        self.file(f).map_or("<unknown>", |s| s.name.as_str())
    }

    /// The file's text (empty for an unknown id).
    pub fn text(&self, f: FileId) -> &str {
        self.file(f).map_or("", |s| s.text.as_str())
    }

    /// 1-based line and column (column in chars) of a byte offset.
    /// Offsets past the end are clamped to the end of the file, offsets inside
    /// a UTF-8 character to the start of that character.
    pub fn line_col(&self, f: FileId, offset: u32) -> (usize, usize) {
        let Some(file) = self.file(f) else {
            return (1, 1);
        };
        let offset = floor_char_boundary(&file.text, offset as usize);
        let line = line_index(&file.line_starts, offset);
        let start = file.line_starts[line];
        let col = file.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// `"file:line:col"` of a span's start, e.g. `"scenarios/x.c:7:9"`.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.file, span.lo);
        format!("{}:{}:{}", self.name(span.file), line, col)
    }

    /// A span's byte range made safe to slice: inside the file, on character
    /// boundaries, `lo <= hi`.
    fn clamp(&self, span: Span) -> Range<usize> {
        let text = self.text(span.file);
        let lo = floor_char_boundary(text, span.lo as usize);
        let hi = floor_char_boundary(text, span.hi as usize).max(lo);
        lo..hi
    }
}

/// Index of the line containing `offset` (`line_starts` always has a 0 entry).
fn line_index(line_starts: &[usize], offset: usize) -> usize {
    match line_starts.binary_search(&offset) {
        Ok(line) => line,
        Err(next) => next.saturating_sub(1),
    }
}

/// The largest char boundary `<= min(offset, text.len())`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.file(id).map(|f| f.name.as_str()).ok_or(files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.file(id).map(|f| f.text.as_str()).ok_or(files::Error::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        let file = self.file(id).ok_or(files::Error::FileMissing)?;
        Ok(line_index(&file.line_starts, byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.file(id).ok_or(files::Error::FileMissing)?;
        let start = *file
            .line_starts
            .get(line_index)
            .ok_or(files::Error::LineTooLarge { given: line_index, max: file.line_starts.len() - 1 })?;
        let end = file.line_starts.get(line_index + 1).copied().unwrap_or(file.text.len());
        Ok(start..end)
    }
}

/// An error message pointing into the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The headline, e.g. "unknown function `frok`".
    pub message: String,
    /// Where the caret goes.
    pub primary: Span,
    /// Text under the caret; may be empty.
    pub label: String,
    /// Other places worth showing, with their labels.
    pub secondary: Vec<(Span, String)>,
    /// Rendered as `= ...` lines after the source, e.g. "help: use `->`".
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at `primary` with `label` under the caret.
    pub fn error(message: impl Into<String>, primary: Span, label: impl Into<String>) -> Self {
        Diagnostic { message: message.into(), primary, label: label.into(), secondary: Vec::new(), notes: Vec::new() }
    }

    /// Adds a note line (write `"help: ..."` or `"note: ..."`; the text is kept as given).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    /// The codespan-reporting form, with every span clamped into its file.
    /// Labels in unknown files are dropped (the message and notes remain).
    fn to_codespan(&self, map: &SourceMap) -> CsDiagnostic<FileId> {
        let mut labels = Vec::new();
        if map.file(self.primary.file).is_some() {
            labels.push(Label::primary(self.primary.file, map.clamp(self.primary)).with_message(self.label.clone()));
        }
        for (span, text) in &self.secondary {
            if map.file(span.file).is_some() {
                labels.push(Label::secondary(span.file, map.clamp(*span)).with_message(text.clone()));
            }
        }
        CsDiagnostic::error().with_message(self.message.clone()).with_labels(labels).with_notes(self.notes.clone())
    }
}

/// Renders diagnostics one after another with codespan-reporting: the
/// `error: MESSAGE` header, the ` ┌─ file:line:col` line, the source line and
/// a caret, then the notes. `color = false` gives plain text with no escape codes.
pub fn render(map: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let config = term::Config::default();
    let mut out = Vec::new();
    for diag in diags {
        let cs = diag.to_codespan(map);
        let result = if color {
            let mut writer = termcolor::Ansi::new(&mut out);
            term::emit_to_write_style(&mut writer, &config, map, &cs)
        } else {
            term::emit_to_io_write(&mut out, &config, map, &cs)
        };
        if result.is_err() {
            // Cannot happen with clamped spans; fall back to the bare header.
            out.extend_from_slice(
                format!("error: {}\n  --> {}\n", diag.message, map.location(diag.primary)).as_bytes(),
            );
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn sp(f: FileId, lo: u32, hi: u32) -> Span {
        Span::new(f, lo, hi)
    }

    #[test]
    fn line_col_and_location() {
        let mut map = SourceMap::default();
        let f = map.add("scenarios/x.c", "ab\ncdé\n\nxyz");
        assert_eq!(map.name(f), "scenarios/x.c");
        assert_eq!(map.line_col(f, 0), (1, 1));
        assert_eq!(map.line_col(f, 2), (1, 3));
        assert_eq!(map.line_col(f, 3), (2, 1));
        assert_eq!(map.line_col(f, 7), (2, 4)); // after the 2-byte é
        assert_eq!(map.line_col(f, 6), (2, 3)); // inside é: clamped to its start
        assert_eq!(map.line_col(f, 8), (3, 1));
        assert_eq!(map.line_col(f, 9), (4, 1));
        assert_eq!(map.line_col(f, 11), (4, 3));
        assert_eq!(map.line_col(f, 1000), (4, 4));
        assert_eq!(map.location(sp(f, 10, 11)), "scenarios/x.c:4:2");
        assert_eq!(map.line_col(FileId(9), 3), (1, 1));
        assert_eq!(map.name(FileId(9)), "<unknown>");
    }

    #[test]
    fn render_plain() {
        let mut map = SourceMap::default();
        let f = map.add("x.c", "int main(void)\n{\n    frok();\n}\n");
        let d = Diagnostic::error("unknown function `frok`", sp(f, 21, 25), "not declared")
            .with_note("help: did you mean `fork`?")
            .with_secondary(sp(f, 0, 3), "in this function");
        let out = render(&map, &[d.clone(), d], false);
        assert!(!out.contains('\x1b'), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "error: unknown function `frok`");
        assert!(lines[1].contains("x.c:3:5"), "{out}");
        assert!(out.contains("    frok();"), "{out}");
        assert!(out.contains("^^^^ not declared"), "{out}");
        assert!(out.contains("= help: did you mean `fork`?"), "{out}");
        assert!(out.contains("in this function"), "{out}");
        assert_eq!(out.matches("error: unknown function").count(), 2);
    }

    #[test]
    fn render_color_has_escapes() {
        let mut map = SourceMap::default();
        let f = map.add("x.c", "x\n");
        let out = render(&map, &[Diagnostic::error("bad", sp(f, 0, 1), "here")], true);
        assert!(out.contains('\x1b'));
        assert!(out.contains("bad"));
    }

    #[test]
    fn render_never_panics_on_odd_spans() {
        let mut map = SourceMap::default();
        let empty = map.add("empty.c", "");
        let f = map.add("x.c", "é\nab");
        let spans = [
            sp(empty, 0, 0),
            sp(empty, 5, 9),
            sp(f, 1, 2),
            sp(f, 100, 200),
            sp(f, 4, 2),
            sp(f, 0, u32::MAX),
            sp(f, 5, 5),
            sp(FileId(42), 0, 1),
        ];
        for s in spans {
            let d = Diagnostic::error("msg", s, "lbl").with_secondary(s, "sec").with_note("note: n");
            let out = render(&map, &[d], false);
            assert!(out.starts_with("error: msg"), "{out}");
            let _ = map.location(s);
        }
    }
}
