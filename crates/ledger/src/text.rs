//! The one place that knows about encodings, byte-order marks and line terminators.
//!
//! Checksums are a compatibility contract: Flyway decodes a file strictly with the configured
//! encoding (a bad byte is an error, never a replacement character) and then reads lines the way
//! `java.io.BufferedReader.readLine` does, ending a line at `\n`, `\r` or `\r\n`. `str::lines`
//! does not treat a lone `\r` as a terminator, which is why clippy.toml bans it and every line
//! split in the workspace goes through [`lines`].

/// A character encoding, named as Java names charsets (`UTF-8`, `ISO-8859-1`, `UTF-16LE`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, strict. A BOM is kept as U+FEFF (as Java's decoder does).
    Utf8,
    /// ISO-8859-1 / Latin-1: every byte is the code point of the same value.
    Latin1,
    /// UTF-16 little endian (a BOM is kept as U+FEFF).
    Utf16Le,
    /// UTF-16 big endian (a BOM is kept as U+FEFF).
    Utf16Be,
    /// Java's `UTF-16`: a BOM picks the byte order and is removed; big endian without one.
    Utf16,
    /// Any other WHATWG encoding known to `encoding_rs` (windows-1252, Shift_JIS, ...), strict.
    Other(&'static encoding_rs::Encoding),
}

/// A file could not be decoded, or an encoding name is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The `encoding` setting names no charset tidemark knows.
    #[error("unknown encoding '{0}'")]
    UnknownEncoding(String),
    /// Strict decoding failed at this byte offset.
    #[error("malformed input for encoding {encoding} at byte {offset}")]
    Malformed {
        /// The encoding's Java name.
        encoding: String,
        /// Byte offset of the first bad byte.
        offset: usize,
    },
}

impl Encoding {
    /// Looks up a Java charset name or alias, case-insensitively (`utf8`, `UTF-8`, `latin1`,
    /// `ISO-8859-1`, `ISO_8859_1`, `UTF-16LE`, `windows-1252`, ...).
    pub fn from_name(name: &str) -> Result<Encoding, TextError> {
        let _ = name;
        todo!("helper: encoding lookup")
    }

    /// The canonical Java name (`UTF-8`, `ISO-8859-1`, ...), for messages.
    pub fn name(&self) -> &'static str {
        todo!("helper: encoding name")
    }
}

/// Decodes `bytes` strictly. UTF-8 and explicit-endian UTF-16 keep a BOM as U+FEFF.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, TextError> {
    let _ = (bytes, encoding);
    todo!("helper: strict decode")
}

/// Removes one leading U+FEFF, if present.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Lines as `BufferedReader.readLine` yields them: split at `\n`, `\r` or `\r\n`, terminators
/// removed, a final unterminated line included, no line at all for empty input.
pub fn lines(text: &str) -> Lines<'_> {
    Lines { rest: text }
}

/// Iterator returned by [`lines`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let _ = self.rest;
        todo!("helper: line iterator")
    }
}

/// 1-based line number of `offset` (a byte offset into `text`), counting `\n`, `\r` and `\r\n`
/// each as one terminator.
pub fn line_at(text: &str, offset: usize) -> usize {
    let _ = (text, offset);
    todo!("helper: line_at")
}
