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
    /// Java's `US-ASCII`, strict: a byte above 0x7F is an error. (WHATWG, and so `encoding_rs`,
    /// treats `ascii` as a label of windows-1252, which would silently accept such bytes.)
    UsAscii,
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

/// Java charset names and aliases that must NOT go through the WHATWG label table, because
/// WHATWG maps them to a different decoder (`latin1` and `ascii` to windows-1252, `utf-16` and
/// `unicode` to little-endian UTF-16). Compared after ASCII lower-casing.
const JAVA_ALIASES: &[(&str, Encoding)] = &[
    // UTF-8
    ("utf-8", Encoding::Utf8),
    ("utf8", Encoding::Utf8),
    ("utf_8", Encoding::Utf8),
    ("unicode-1-1-utf-8", Encoding::Utf8),
    // ISO-8859-1
    ("iso-8859-1", Encoding::Latin1),
    ("iso8859-1", Encoding::Latin1),
    ("iso8859_1", Encoding::Latin1),
    ("iso_8859_1", Encoding::Latin1),
    ("iso_8859-1", Encoding::Latin1),
    ("iso_8859-1:1987", Encoding::Latin1),
    ("iso-ir-100", Encoding::Latin1),
    ("8859_1", Encoding::Latin1),
    ("latin1", Encoding::Latin1),
    ("l1", Encoding::Latin1),
    ("ibm819", Encoding::Latin1),
    ("ibm-819", Encoding::Latin1),
    ("cp819", Encoding::Latin1),
    ("819", Encoding::Latin1),
    ("csisolatin1", Encoding::Latin1),
    // UTF-16 with byte-order detection
    ("utf-16", Encoding::Utf16),
    ("utf_16", Encoding::Utf16),
    ("utf16", Encoding::Utf16),
    ("unicode", Encoding::Utf16),
    ("unicodebig", Encoding::Utf16),
    // UTF-16LE
    ("utf-16le", Encoding::Utf16Le),
    ("utf_16le", Encoding::Utf16Le),
    ("utf16le", Encoding::Utf16Le),
    ("x-utf-16le", Encoding::Utf16Le),
    ("unicodelittleunmarked", Encoding::Utf16Le),
    // UTF-16BE
    ("utf-16be", Encoding::Utf16Be),
    ("utf_16be", Encoding::Utf16Be),
    ("utf16be", Encoding::Utf16Be),
    ("x-utf-16be", Encoding::Utf16Be),
    ("iso-10646-ucs-2", Encoding::Utf16Be),
    ("unicodebigunmarked", Encoding::Utf16Be),
    // US-ASCII
    ("us-ascii", Encoding::UsAscii),
    ("ascii", Encoding::UsAscii),
    ("ascii7", Encoding::UsAscii),
    ("us", Encoding::UsAscii),
    ("iso646-us", Encoding::UsAscii),
    ("iso_646.irv:1991", Encoding::UsAscii),
    ("iso_646.irv:1983", Encoding::UsAscii),
    ("ansi_x3.4-1968", Encoding::UsAscii),
    ("ansi_x3.4-1986", Encoding::UsAscii),
    ("iso-ir-6", Encoding::UsAscii),
    ("cp367", Encoding::UsAscii),
    ("ibm367", Encoding::UsAscii),
    ("csascii", Encoding::UsAscii),
    ("646", Encoding::UsAscii),
    // windows-1252 (Java spellings WHATWG does not list)
    ("cp1252", Encoding::Other(encoding_rs::WINDOWS_1252)),
    ("cp5348", Encoding::Other(encoding_rs::WINDOWS_1252)),
    ("ibm-1252", Encoding::Other(encoding_rs::WINDOWS_1252)),
];

impl Encoding {
    /// Looks up a Java charset name or alias, case-insensitively (`utf8`, `UTF-8`, `latin1`,
    /// `ISO-8859-1`, `ISO_8859_1`, `UTF-16LE`, `windows-1252`, ...).
    ///
    /// Java's own aliases are tried first; any other name goes through the WHATWG label table of
    /// `encoding_rs` (`windows-1252`, `shift_jis`, `euc-kr`, ...). The WHATWG "replacement"
    /// pseudo-encoding is refused: it decodes nothing.
    pub fn from_name(name: &str) -> Result<Encoding, TextError> {
        let lower = name.to_ascii_lowercase();
        if let Some((_, enc)) = JAVA_ALIASES.iter().find(|(alias, _)| *alias == lower) {
            return Ok(*enc);
        }
        match encoding_rs::Encoding::for_label(name.as_bytes()) {
            Some(enc) if enc == encoding_rs::UTF_8 => Ok(Encoding::Utf8),
            Some(enc) if enc == encoding_rs::UTF_16LE => Ok(Encoding::Utf16Le),
            Some(enc) if enc == encoding_rs::UTF_16BE => Ok(Encoding::Utf16Be),
            Some(enc) if enc == encoding_rs::REPLACEMENT => {
                Err(TextError::UnknownEncoding(name.to_string()))
            }
            Some(enc) => Ok(Encoding::Other(enc)),
            None => Err(TextError::UnknownEncoding(name.to_string())),
        }
    }

    /// The canonical Java name (`UTF-8`, `ISO-8859-1`, ...), for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Latin1 => "ISO-8859-1",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Utf16 => "UTF-16",
            Encoding::UsAscii => "US-ASCII",
            Encoding::Other(enc) => enc.name(),
        }
    }

    fn malformed(&self, offset: usize) -> TextError {
        TextError::Malformed {
            encoding: self.name().to_string(),
            offset,
        }
    }
}

/// Decodes `bytes` strictly. UTF-8 and explicit-endian UTF-16 keep a BOM as U+FEFF.
///
/// Strict means what Java's `CharsetDecoder` does with `CodingErrorAction.REPORT`: a malformed
/// or unmappable sequence is an error, never a replacement character. For UTF-16 that includes a
/// lone surrogate, an odd byte count, and a U+FFFE code unit after the optional initial BOM
/// (Java's `UnicodeDecoder` treats a reversed BOM inside the stream as malformed). For
/// windows-1252 the five bytes Java leaves unmapped (0x81, 0x8D, 0x8F, 0x90, 0x9D) are errors,
/// although WHATWG maps them to C1 controls. Other `encoding_rs` encodings follow WHATWG tables.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, TextError> {
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(encoding.malformed(e.valid_up_to())),
        },
        Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Encoding::UsAscii => match bytes.iter().position(|b| !b.is_ascii()) {
            Some(offset) => Err(encoding.malformed(offset)),
            None => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        },
        Encoding::Utf16Le => decode_utf16(bytes, false, 0, encoding),
        Encoding::Utf16Be => decode_utf16(bytes, true, 0, encoding),
        Encoding::Utf16 => match bytes {
            [0xFE, 0xFF, ..] => decode_utf16(bytes, true, 2, encoding),
            [0xFF, 0xFE, ..] => decode_utf16(bytes, false, 2, encoding),
            _ => decode_utf16(bytes, true, 0, encoding),
        },
        Encoding::Other(enc) => decode_other(bytes, enc, encoding),
    }
}

/// Strict UTF-16 from byte `start` on (after a BOM that was consumed); offsets in errors are
/// relative to the whole of `bytes`.
fn decode_utf16(
    bytes: &[u8],
    big_endian: bool,
    start: usize,
    encoding: Encoding,
) -> Result<String, TextError> {
    let body = bytes.get(start..).unwrap_or_default();
    let pairs = body.chunks_exact(2);
    let odd = !pairs.remainder().is_empty();
    let units = pairs.map(|pair| {
        let two = [
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        ];
        if big_endian {
            u16::from_be_bytes(two)
        } else {
            u16::from_le_bytes(two)
        }
    });
    let mut out = String::with_capacity(body.len());
    let mut units_done = 0usize;
    for decoded in char::decode_utf16(units) {
        let offset = start + units_done * 2;
        match decoded {
            Ok('\u{FFFE}') | Err(_) => return Err(encoding.malformed(offset)),
            Ok(c) => {
                out.push(c);
                units_done += c.len_utf16();
            }
        }
    }
    if odd {
        return Err(encoding.malformed(bytes.len().saturating_sub(1)));
    }
    Ok(out)
}

/// Bytes windows-1252 leaves undefined in Java (`MS1252` maps them to nothing).
const WINDOWS_1252_UNMAPPED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

fn decode_other(
    bytes: &[u8],
    enc: &'static encoding_rs::Encoding,
    encoding: Encoding,
) -> Result<String, TextError> {
    if enc == encoding_rs::WINDOWS_1252 {
        if let Some(offset) = bytes.iter().position(|b| WINDOWS_1252_UNMAPPED.contains(b)) {
            return Err(encoding.malformed(offset));
        }
    }
    if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(text.into_owned());
    }
    // Decoding failed: run the streaming decoder once more to learn where.
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len()),
    );
    let mut pos = 0usize;
    loop {
        let rest = bytes.get(pos..).unwrap_or_default();
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        pos += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => {
                // Cannot happen (the one-shot decode failed), but do not guess: report the end.
                return Err(encoding.malformed(bytes.len()));
            }
            encoding_rs::DecoderResult::OutputFull => out.reserve(rest.len().max(16) * 3),
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                let offset = pos
                    .saturating_sub(usize::from(after))
                    .saturating_sub(usize::from(bad));
                return Err(encoding.malformed(offset));
            }
        }
    }
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
        if self.rest.is_empty() {
            return None;
        }
        let rest = self.rest;
        // memchr, not `str::find` with a char set (which walks char by char): every file's
        // header is split into lines, and so is a file with directives.
        match memchr::memchr2(b'\r', b'\n', rest.as_bytes()) {
            None => {
                self.rest = "";
                Some(rest)
            }
            Some(end) => {
                // `\r` and `\n` are one byte each, so these are char boundaries.
                let after = &rest[end..];
                let skip = if after.starts_with("\r\n") { 2 } else { 1 };
                self.rest = after.get(skip..).unwrap_or_default();
                Some(&rest[..end])
            }
        }
    }
}

/// 1-based line number of `offset` (a byte offset into `text`), counting `\n`, `\r` and `\r\n`
/// each as one terminator.
///
/// A terminator belongs to the line it ends: the offset of the `\n` in `\r\n` is still on the
/// earlier line. An offset past the end counts every terminator in `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut line = 1;
    for (i, &b) in bytes.iter().enumerate().take(end) {
        match b {
            b'\n' => line += 1,
            // `\r\n` is counted once, at its `\n`.
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<&str> {
        lines(text).collect()
    }

    #[test]
    fn lines_split_like_buffered_reader() {
        assert!(all("").is_empty());
        assert_eq!(all("a"), ["a"]);
        assert_eq!(all("a\n"), ["a"]);
        assert_eq!(all("a\r\n"), ["a"]);
        assert_eq!(all("a\r"), ["a"]);
        assert_eq!(all("\n"), [""]);
        assert_eq!(all("\r\n"), [""]);
        assert_eq!(all("\r"), [""]);
        assert_eq!(all("\n\n"), ["", ""]);
        assert_eq!(all("\r\r\n"), ["", ""]);
        assert_eq!(all("\n\r"), ["", ""]);
        assert_eq!(all("a\nb"), ["a", "b"]);
        assert_eq!(all("a\rb\r"), ["a", "b"]);
        assert_eq!(all("a\r\nb\r\n"), ["a", "b"]);
        // Mixed endings, blank lines kept.
        assert_eq!(all("a\r\n\rb\n\r\nc"), ["a", "", "b", "", "c"]);
    }

    #[test]
    fn only_cr_and_lf_end_lines() {
        for sep in ["\u{2028}", "\u{2029}", "\u{0085}", "\u{000b}", "\u{000c}"] {
            let text = format!("a{sep}b");
            assert_eq!(all(&text), [text.as_str()], "{sep:?}");
        }
    }

    #[test]
    fn lines_keep_non_ascii_intact() {
        assert_eq!(all("é\r日本\n😀"), ["é", "日本", "😀"]);
        assert_eq!(all("\u{feff}x\r\n"), ["\u{feff}x"]);
    }

    #[test]
    fn line_at_counts_each_terminator_once() {
        let text = "a\nb\r\nc\rd";
        assert_eq!(line_at(text, 0), 1);
        assert_eq!(line_at(text, 1), 1); // the \n itself
        assert_eq!(line_at(text, 2), 2); // b
        assert_eq!(line_at(text, 3), 2); // \r of \r\n
        assert_eq!(line_at(text, 4), 2); // \n of \r\n
        assert_eq!(line_at(text, 5), 3); // c
        assert_eq!(line_at(text, 7), 4); // d after CR-only
        assert_eq!(line_at(text, 8), 4); // end
        assert_eq!(line_at(text, 1000), 4); // past the end
        assert_eq!(line_at("", 0), 1);
        assert_eq!(line_at("\n\n", 2), 3);
        assert_eq!(line_at("é\né", 3), 2);
    }

    #[test]
    fn line_at_agrees_with_lines() {
        let text = "x\r\n\ry\n\r\nz\r\u{e9}";
        let mut count = 0;
        for (i, line) in lines(text).enumerate() {
            // Lines borrow from `text`, so their addresses give their offsets.
            let start = line.as_ptr() as usize - text.as_ptr() as usize;
            assert_eq!(line_at(text, start), i + 1, "line {line:?}");
            assert_eq!(
                line_at(text, start + line.len()),
                i + 1,
                "end of line {line:?}"
            );
            count += 1;
        }
        assert_eq!(count, 6);
    }

    #[test]
    fn encoding_names_and_aliases() {
        for (name, enc) in [
            ("UTF-8", Encoding::Utf8),
            ("utf8", Encoding::Utf8),
            ("UTF8", Encoding::Utf8),
            ("ISO-8859-1", Encoding::Latin1),
            ("iso8859_1", Encoding::Latin1),
            ("ISO_8859_1", Encoding::Latin1),
            ("ISO_8859-1", Encoding::Latin1),
            ("latin1", Encoding::Latin1),
            ("L1", Encoding::Latin1),
            ("UTF-16", Encoding::Utf16),
            ("utf16", Encoding::Utf16),
            ("UTF-16LE", Encoding::Utf16Le),
            ("utf-16le", Encoding::Utf16Le),
            ("UTF-16BE", Encoding::Utf16Be),
            ("US-ASCII", Encoding::UsAscii),
            ("ascii", Encoding::UsAscii),
            ("windows-1252", Encoding::Other(encoding_rs::WINDOWS_1252)),
            ("Cp1252", Encoding::Other(encoding_rs::WINDOWS_1252)),
            ("Shift_JIS", Encoding::Other(encoding_rs::SHIFT_JIS)),
        ] {
            assert_eq!(Encoding::from_name(name), Ok(enc), "{name}");
        }
        assert_eq!(Encoding::Utf8.name(), "UTF-8");
        assert_eq!(Encoding::Latin1.name(), "ISO-8859-1");
        assert_eq!(Encoding::Utf16.name(), "UTF-16");
        assert_eq!(Encoding::Utf16Le.name(), "UTF-16LE");
        assert_eq!(Encoding::Utf16Be.name(), "UTF-16BE");
        assert_eq!(Encoding::UsAscii.name(), "US-ASCII");
        assert_eq!(
            Encoding::from_name("cp1252").map(|e| e.name()),
            Ok("windows-1252")
        );
        for bad in ["", "nope", "UTF-9", "iso-2022-kr"] {
            assert_eq!(
                Encoding::from_name(bad),
                Err(TextError::UnknownEncoding(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn utf8_is_strict_and_keeps_the_bom() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa", Encoding::Utf8).unwrap(),
            "\u{feff}a"
        );
        assert_eq!(decode("café".as_bytes(), Encoding::Utf8).unwrap(), "café");
        assert_eq!(
            decode(b"caf\xE9\n", Encoding::Utf8),
            Err(TextError::Malformed {
                encoding: "UTF-8".into(),
                offset: 3
            })
        );
        // Encoded surrogate, overlong form, truncated sequence.
        for bad in [&b"\xED\xA0\x80"[..], b"\xC0\xAF", b"ab\xE2\x82"] {
            assert!(decode(bad, Encoding::Utf8).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn latin1_maps_every_byte() {
        let bytes: Vec<u8> = (0..=255).collect();
        let text = decode(&bytes, Encoding::Latin1).unwrap();
        assert_eq!(text.chars().count(), 256);
        assert!(text.chars().zip(0u32..).all(|(c, b)| c as u32 == b));
        assert_eq!(decode(b"caf\xE9", Encoding::Latin1).unwrap(), "café");
    }

    #[test]
    fn ascii_is_strict() {
        assert_eq!(decode(b"abc\n", Encoding::UsAscii).unwrap(), "abc\n");
        assert_eq!(
            decode(b"ab\x80", Encoding::UsAscii),
            Err(TextError::Malformed {
                encoding: "US-ASCII".into(),
                offset: 2
            })
        );
    }

    #[test]
    fn utf16_explicit_endian_keeps_the_bom() {
        assert_eq!(
            decode(b"\xFF\xFEa\x00", Encoding::Utf16Le).unwrap(),
            "\u{feff}a"
        );
        assert_eq!(
            decode(b"\xFE\xFF\x00a", Encoding::Utf16Be).unwrap(),
            "\u{feff}a"
        );
        assert_eq!(decode(b"a\x00\xE9\x00", Encoding::Utf16Le).unwrap(), "aé");
        // Surrogate pair.
        assert_eq!(
            decode(b"\x3D\xD8\x00\xDE", Encoding::Utf16Le).unwrap(),
            "😀"
        );
        assert_eq!(
            decode(b"\xD8\x3D\xDE\x00", Encoding::Utf16Be).unwrap(),
            "😀"
        );
        assert_eq!(decode(b"", Encoding::Utf16Le).unwrap(), "");
    }

    #[test]
    fn utf16_is_strict() {
        let err = |offset| {
            Err(TextError::Malformed {
                encoding: "UTF-16LE".into(),
                offset,
            })
        };
        // Odd byte count.
        assert_eq!(decode(b"a\x00b", Encoding::Utf16Le), err(2));
        // Lone high surrogate followed by a letter, lone low surrogate, high surrogate at the end.
        assert_eq!(decode(b"a\x00\x3D\xD8b\x00", Encoding::Utf16Le), err(2));
        assert_eq!(decode(b"\x00\xDE", Encoding::Utf16Le), err(0));
        assert_eq!(decode(b"a\x00\x3D\xD8", Encoding::Utf16Le), err(2));
        // A reversed BOM (U+FFFE) is malformed in Java's UTF-16 decoders.
        assert_eq!(decode(b"a\x00\xFE\xFF", Encoding::Utf16Le), err(2));
        assert!(decode(b"\xFF\xFE", Encoding::Utf16Be).is_err());
    }

    #[test]
    fn java_utf16_picks_the_order_from_the_bom_and_removes_it() {
        assert_eq!(decode(b"\xFF\xFEa\x00", Encoding::Utf16).unwrap(), "a");
        assert_eq!(decode(b"\xFE\xFF\x00a", Encoding::Utf16).unwrap(), "a");
        // Big endian without a BOM.
        assert_eq!(decode(b"\x00a\x00b", Encoding::Utf16).unwrap(), "ab");
        // Only the first BOM is consumed; a second one is text.
        assert_eq!(
            decode(b"\xFE\xFF\xFE\xFF\x00a", Encoding::Utf16).unwrap(),
            "\u{feff}a"
        );
        assert_eq!(decode(b"\xFE\xFF", Encoding::Utf16).unwrap(), "");
        assert_eq!(
            decode(b"\xFF\xFEa", Encoding::Utf16),
            Err(TextError::Malformed {
                encoding: "UTF-16".into(),
                offset: 2
            })
        );
    }

    #[test]
    fn other_encodings_are_strict() {
        let cp1252 = Encoding::from_name("windows-1252").unwrap();
        assert_eq!(decode(b"\x80 caf\xE9", cp1252).unwrap(), "€ café");
        assert_eq!(
            decode(b"ab\x81", cp1252),
            Err(TextError::Malformed {
                encoding: "windows-1252".into(),
                offset: 2
            })
        );
        let sjis = Encoding::from_name("Shift_JIS").unwrap();
        assert_eq!(decode(b"\x82\xA0", sjis).unwrap(), "あ");
        assert_eq!(
            decode(b"ab\x82", sjis),
            Err(TextError::Malformed {
                encoding: "Shift_JIS".into(),
                offset: 2
            })
        );
        // A UTF-8 BOM is not special outside UTF-8.
        let euc = Encoding::from_name("EUC-KR").unwrap();
        assert!(decode(b"ok", euc).is_ok());
    }

    #[test]
    fn strip_bom_removes_one() {
        assert_eq!(strip_bom("\u{feff}\u{feff}a"), "\u{feff}a");
        assert_eq!(strip_bom("a\u{feff}"), "a\u{feff}");
        assert_eq!(strip_bom(""), "");
    }
}
