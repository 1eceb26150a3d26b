//! The lexing pieces the three dialects share: a byte cursor, a line index, the first words of a
//! statement, and the collector that turns "a statement starts here and ends there" into
//! [`Statement`]s.
//!
//! Why bytes and not chars: every character that steers splitting (quotes, `;`, `$`, `-`, `/`,
//! `*`, `#`, brackets, line terminators) is ASCII, and UTF-8 never uses an ASCII byte inside a
//! multi-byte character, so a byte scan cannot mistake part of `é` for a quote. The dialects only
//! ever stop at an ASCII byte, at the end, or at the start of a word, and every byte >= 0x80 is a
//! word byte, so a word never starts in the middle of a character: every position handed to
//! [`Cursor::slice`] is a char boundary.
//!
//! Why a line index instead of counting lines while scanning: lines are needed only for the few
//! positions that become a statement start or an error, and looking them up in one table of line
//! starts cannot drift when a dialect jumps over a dollar quote or a block of COPY data. The
//! terminators are the checksum's (`\n`, `\r`, `\r\n`, see `tidemark_ledger::text`), so a line
//! number here is the line number every other command reports.

use crate::{SplitError, Statement};

/// Line starts of a script, for turning byte offsets into 1-based line numbers.
pub(crate) struct Lines {
    /// Byte offset where each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes `src`: a line ends at `\n`, at `\r`, or at `\r\n` (one terminator).
    pub(crate) fn new(src: &str) -> Self {
        let bytes = src.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        Lines { starts }
    }

    /// The 1-based line holding byte `offset` (a terminator belongs to the line it ends).
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

/// Whether `b` can be part of an unquoted word (keyword, identifier, number). Bytes >= 0x80 are:
/// PostgreSQL, MySQL and SQLite all accept non-ASCII letters in identifiers, and treating every
/// such byte alike keeps multi-byte characters whole.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// A position in a script, moved forward by the dialects.
pub(crate) struct Cursor<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `src`.
    pub(crate) fn new(src: &'a str) -> Self {
        Cursor {
            src,
            bytes: src.as_bytes(),
            pos: 0,
        }
    }

    /// The current byte offset.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The byte at the cursor, `None` at the end.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The byte `n` bytes after the cursor.
    pub(crate) fn peek_at(&self, n: usize) -> Option<u8> {
        self.bytes.get(self.pos.saturating_add(n)).copied()
    }

    /// Moves `n` bytes forward, stopping at the end.
    pub(crate) fn bump(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.bytes.len());
    }

    /// Whether the bytes at the cursor are `s`.
    pub(crate) fn starts_with(&self, s: &[u8]) -> bool {
        self.bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s))
    }

    /// Like [`Cursor::starts_with`], ignoring ASCII case.
    pub(crate) fn starts_with_ignore_case(&self, s: &[u8]) -> bool {
        self.bytes
            .get(self.pos..self.pos.saturating_add(s.len()))
            .is_some_and(|here| here.eq_ignore_ascii_case(s))
    }

    /// The text between two byte offsets. Callers only pass char boundaries (see the module
    /// docs); anything else yields `""` rather than a panic.
    pub(crate) fn slice(&self, from: usize, to: usize) -> &'a str {
        let text = self.src.get(from..to);
        debug_assert!(text.is_some(), "not a char boundary: {from}..{to}");
        text.unwrap_or_default()
    }

    /// Length of the whitespace at the cursor, 0 if none: ASCII whitespace (including vertical
    /// tab), and, as Flyway's parser does, a no-break space and a byte-order mark.
    pub(crate) fn space_len(&self) -> usize {
        match self.peek() {
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') => 1,
            Some(0xC2) if self.peek_at(1) == Some(0xA0) => 2,
            Some(0xEF) if self.starts_with(&[0xEF, 0xBB, 0xBF]) => 3,
            _ => 0,
        }
    }

    /// Skips whitespace; returns whether there was any.
    pub(crate) fn skip_space(&mut self) -> bool {
        let start = self.pos;
        loop {
            let n = self.space_len();
            if n == 0 {
                return self.pos > start;
            }
            self.bump(n);
        }
    }

    /// Skips to the next line terminator (not consuming it) or the end.
    pub(crate) fn skip_to_line_end(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'\n' || b == b'\r' {
                return;
            }
            self.bump(1);
        }
    }

    /// Consumes one line terminator (`\n`, `\r` or `\r\n`) if the cursor is at one.
    pub(crate) fn eat_line_terminator(&mut self) -> bool {
        match self.peek() {
            Some(b'\r') if self.peek_at(1) == Some(b'\n') => self.bump(2),
            Some(b'\r' | b'\n') => self.bump(1),
            _ => return false,
        }
        true
    }

    /// At `/*`: skips the comment, nested comments too if `nested`. Returns `false` (with the
    /// cursor at the end) if the script ends first.
    pub(crate) fn block_comment(&mut self, nested: bool) -> bool {
        self.bump(2);
        let mut depth = 1usize;
        while let Some(b) = self.peek() {
            if b == b'*' && self.peek_at(1) == Some(b'/') {
                self.bump(2);
                depth -= 1;
                if depth == 0 {
                    return true;
                }
            } else if nested && b == b'/' && self.peek_at(1) == Some(b'*') {
                self.bump(2);
                depth += 1;
            } else {
                self.bump(1);
            }
        }
        false
    }

    /// At an opening `quote`: skips the quoted text up to its closing `quote`. A doubled quote
    /// stands for itself; with `backslash`, a backslash escapes the byte after it. Returns `false`
    /// (with the cursor at the end) if the script ends first.
    pub(crate) fn quoted(&mut self, quote: u8, backslash: bool) -> bool {
        self.bump(1);
        while let Some(b) = self.peek() {
            if b == quote {
                if self.peek_at(1) == Some(quote) {
                    self.bump(2);
                } else {
                    self.bump(1);
                    return true;
                }
            } else if backslash && b == b'\\' {
                // The escaped byte may be the lead byte of a multi-byte character; its
                // continuation bytes are >= 0x80 and are then skipped one by one, harmlessly.
                self.bump(2);
            } else {
                self.bump(1);
            }
        }
        false
    }

    /// Skips past the next occurrence of `needle`. Returns `false` (with the cursor at the end)
    /// if there is none.
    pub(crate) fn skip_past(&mut self, needle: &[u8]) -> bool {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        match find(rest, needle) {
            Some(i) => {
                self.bump(i + needle.len());
                true
            }
            None => {
                self.pos = self.bytes.len();
                false
            }
        }
    }

    /// At a word byte: consumes the word and returns it. `dollar` admits `$` after the first byte
    /// (PostgreSQL and SQLite identifiers; MySQL handles `$` itself because of `DELIMITER $$`).
    /// A no-break space ends a word, as it separates tokens.
    pub(crate) fn word(&mut self, dollar: bool) -> &'a str {
        let start = self.pos;
        self.bump(1);
        while let Some(b) = self.peek() {
            let part = (is_word_byte(b) || (dollar && b == b'$')) && self.space_len() == 0;
            if !part {
                break;
            }
            self.bump(1);
        }
        self.slice(start, self.pos)
    }
}

/// The first occurrence of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// How many words outside parentheses [`Head`] keeps: enough for every classification rule (the
/// longest is `ALTER TYPE schema.name ADD VALUE`; Flyway looks at ten keywords).
const HEAD_LEN: usize = 16;

/// How many words inside parentheses [`Head`] keeps. Counted apart, so that a long column list
/// (`COPY t (a, b, ...) FROM STDIN`) cannot push the keywords after it out of the head.
const HEAD_NESTED_LEN: usize = 8;

/// One word of a statement's [`Head`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// The word, ASCII upper-cased; for a quoted identifier, its text between the quotes.
    pub(crate) text: String,
    /// Whether it was a quoted identifier (then it is never a keyword).
    pub(crate) quoted: bool,
    /// Parenthesis depth it appeared at.
    pub(crate) depth: usize,
}

/// The first words of a statement, for deciding what kind of statement it is (COPY, trigger,
/// stored program, non-transactional) without a parser.
#[derive(Debug, Default)]
pub(crate) struct Head {
    words: Vec<Word>,
    top: usize,
    nested: usize,
}

impl Head {
    /// Records a word (only the first [`HEAD_LEN`] outside parentheses and the first
    /// [`HEAD_NESTED_LEN`] inside are kept).
    pub(crate) fn push(&mut self, text: &str, quoted: bool, depth: usize) {
        let (limit, seen) = if depth == 0 {
            (HEAD_LEN, &mut self.top)
        } else {
            (HEAD_NESTED_LEN, &mut self.nested)
        };
        if *seen < limit {
            *seen += 1;
            self.words.push(Word {
                text: text.to_ascii_uppercase(),
                quoted,
                depth,
            });
        }
    }

    /// All recorded words.
    pub(crate) fn words(&self) -> &[Word] {
        &self.words
    }

    /// The keywords outside parentheses in order, as Flyway's simplified statement has them; a
    /// quoted identifier appears as `""`, so it never matches a keyword.
    pub(crate) fn keywords(&self) -> Vec<&str> {
        self.words
            .iter()
            .filter(|w| w.depth == 0)
            .map(|w| if w.quoted { "" } else { w.text.as_str() })
            .collect()
    }
}

/// Parenthesis depth of the current statement. Like Flyway's parser, a `;` inside parentheses
/// does not end a statement (PostgreSQL `CREATE RULE ... DO (a; b)` needs this), and a script
/// that ends inside parentheses is an error.
#[derive(Debug, Default)]
pub(crate) struct Parens {
    depth: usize,
    /// Offset of the outermost open `(`.
    open_at: usize,
}

impl Parens {
    /// A `(` at `pos`.
    pub(crate) fn open(&mut self, pos: usize) {
        if self.depth == 0 {
            self.open_at = pos;
        }
        self.depth += 1;
    }

    /// A `)`. A stray one is ignored (the database will report it), so it cannot make every
    /// later `;` look nested.
    pub(crate) fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The current depth.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Where the outermost open `(` is, if one is open.
    pub(crate) fn open_at(&self) -> Option<usize> {
        (self.depth > 0).then_some(self.open_at)
    }
}

/// Collects statements: where the current one starts, and the finished ones.
pub(crate) struct Collector<'a> {
    src: &'a str,
    lines: Lines,
    start: Option<usize>,
    out: Vec<Statement>,
}

impl<'a> Collector<'a> {
    /// A collector for statements of `src`.
    pub(crate) fn new(src: &'a str) -> Self {
        Collector {
            src,
            lines: Lines::new(src),
            start: None,
            out: Vec::new(),
        }
    }

    /// A token starts at `pos`: the current statement starts there unless it already started.
    pub(crate) fn token(&mut self, pos: usize) {
        if self.start.is_none() {
            self.start = Some(pos);
        }
    }

    /// Whether a statement has started (a token was seen since the last delimiter).
    pub(crate) fn in_statement(&self) -> bool {
        self.start.is_some()
    }

    /// Ends the current statement just before `end` (its delimiter, or the end of the script).
    /// Returns the new statement, or `None` if no token was seen since the last one.
    pub(crate) fn end(&mut self, end: usize, non_transactional: bool) -> Option<&mut Statement> {
        let start = self.start.take()?;
        let sql = self.src.get(start..end).unwrap_or_default().trim_end();
        if sql.is_empty() {
            return None;
        }
        self.out.push(Statement {
            sql: sql.to_string(),
            line: self.lines.line(start),
            offset: start,
            non_transactional,
        });
        self.out.last_mut()
    }

    /// The error for `what` left open at `pos`.
    pub(crate) fn unclosed(&self, what: impl Into<String>, pos: usize) -> SplitError {
        SplitError {
            what: what.into(),
            line: self.lines.line(pos),
        }
    }

    /// The statements collected.
    pub(crate) fn finish(self) -> Vec<Statement> {
        self.out
    }
}

/// Test helpers shared by the dialects' tests.
#[cfg(test)]
pub(crate) mod testing {
    /// The 1-based line of `offset`, counted the slow, obvious way.
    pub(crate) fn naive_line(src: &str, offset: usize) -> usize {
        let bytes = &src.as_bytes()[..offset];
        let mut line = 1;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\n' || (bytes[i] == b'\r' && src.as_bytes().get(i + 1) != Some(&b'\n'))
            {
                line += 1;
            }
            i += 1;
        }
        line
    }

    /// A tiny deterministic PRNG (xorshift64*), so the property tests need no dependency.
    pub(crate) struct Rng(u64);

    impl Rng {
        /// A generator from a non-zero seed.
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed.max(1))
        }

        /// The next number below `n` (`n > 0`).
        pub(crate) fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
            (x >> 33) as usize % n
        }
    }

    /// Pieces every dialect's random scripts are also made of: multi-byte characters (two, three
    /// and four bytes, a no-break space, a byte-order mark) and a NUL.
    const SHARED_PIECES: &[&str] = &["é", "日", "😀", "\u{a0}", "\u{feff}", "\0", "x", " ", "\n"];

    /// Splits a few thousand pseudo-random scripts made of `alphabet` pieces (plus some shared
    /// multi-byte ones): 3000 short ones and 500 long ones. Asserts that nothing panics, that
    /// every result satisfies [`check_invariants`], and that every error names a line of the
    /// script. Returns how many scripts split without error, so a test can check the alphabet
    /// is not hopelessly unbalanced.
    pub(crate) fn fuzz(
        split: fn(&str) -> Result<Vec<crate::Statement>, crate::SplitError>,
        seed: u64,
        alphabet: &[&str],
    ) -> usize {
        let pieces: Vec<&str> = alphabet.iter().chain(SHARED_PIECES).copied().collect();
        let mut rng = Rng::new(seed);
        let mut ok = 0;
        for round in 0..3500 {
            let max_len = if round < 3000 { 40 } else { 300 };
            let len = rng.below(max_len + 1);
            let script: String = (0..len).map(|_| pieces[rng.below(pieces.len())]).collect();
            match split(&script) {
                Ok(statements) => {
                    check_invariants(&script, &statements);
                    ok += 1;
                }
                Err(e) => {
                    let last_line = naive_line(&script, script.len());
                    assert!(e.line >= 1 && e.line <= last_line, "{e:?} in {script:?}");
                    assert!(!e.what.is_empty());
                }
            }
        }
        ok
    }

    /// The invariants every split result must satisfy, whatever the dialect: line numbers agree
    /// with offsets, statements are non-empty, start at a token, appear in order without
    /// overlapping, and (except PostgreSQL COPY data, after a NUL) are verbatim slices.
    pub(crate) fn check_invariants(src: &str, statements: &[crate::Statement]) {
        let mut previous_end = 0;
        for s in statements {
            assert!(!s.sql.is_empty(), "empty statement in {src:?}");
            assert_eq!(
                s.line,
                naive_line(src, s.offset),
                "line of {s:?} in {src:?}"
            );
            assert!(s.offset >= previous_end, "overlap at {s:?} in {src:?}");
            let verbatim = s.sql.split('\0').next().unwrap_or_default();
            assert!(
                src[s.offset..].starts_with(verbatim),
                "{s:?} is not a slice of {src:?}"
            );
            assert!(!s.sql.starts_with(char::is_whitespace), "{s:?}");
            previous_end = s.offset + verbatim.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{Rng, naive_line};
    use super::*;

    #[test]
    fn lines_lf_crlf_cr() {
        let src = "a\nb\r\nc\rd\n\ne";
        let lines = Lines::new(src);
        for offset in 0..=src.len() {
            assert_eq!(
                lines.line(offset),
                naive_line(src, offset),
                "offset {offset}"
            );
        }
        assert_eq!(lines.line(0), 1);
        assert_eq!(lines.line(2), 2); // b
        assert_eq!(lines.line(4), 2); // the \n of \r\n
        assert_eq!(lines.line(5), 3); // c
        assert_eq!(lines.line(7), 4); // d
        assert_eq!(lines.line(10), 6); // e
    }

    #[test]
    fn lines_empty_and_trailing() {
        assert_eq!(Lines::new("").line(0), 1);
        assert_eq!(Lines::new("\r").line(1), 2);
        assert_eq!(Lines::new("\r\n").line(2), 2);
        assert_eq!(Lines::new("\n\r").line(2), 3);
    }

    #[test]
    fn lines_agree_with_naive_on_random_text() {
        let mut rng = Rng::new(7);
        let pieces = ["\n", "\r", "\r\n", "a", "é", " "];
        for _ in 0..500 {
            let src: String = (0..rng.below(30))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            let lines = Lines::new(&src);
            for offset in 0..=src.len() {
                assert_eq!(
                    lines.line(offset),
                    naive_line(&src, offset),
                    "{src:?} @ {offset}"
                );
            }
        }
    }

    #[test]
    fn quoted_with_doubling_and_backslash() {
        let mut c = Cursor::new("'it''s' x");
        assert!(c.quoted(b'\'', false));
        assert_eq!(c.pos(), 7);

        let mut c = Cursor::new(r"'it\'s' x");
        assert!(c.quoted(b'\'', true));
        assert_eq!(c.pos(), 7);

        // Without backslash escapes, `\'` ends the string.
        let mut c = Cursor::new(r"'it\'s");
        assert!(c.quoted(b'\'', false));
        assert_eq!(c.pos(), 5);

        let mut c = Cursor::new("'open");
        assert!(!c.quoted(b'\'', false));
        assert_eq!(c.pos(), 5);

        // A backslash as the very last byte must not run past the end.
        let mut c = Cursor::new("'\\");
        assert!(!c.quoted(b'\'', true));
        assert_eq!(c.pos(), 2);
    }

    #[test]
    fn block_comments_nested_or_not() {
        let mut c = Cursor::new("/* a /* b */ c */ d");
        assert!(c.block_comment(true));
        assert_eq!(c.slice(c.pos(), 19), " d");

        let mut c = Cursor::new("/* a /* b */ c */ d");
        assert!(c.block_comment(false));
        assert_eq!(c.slice(c.pos(), 19), " c */ d");

        let mut c = Cursor::new("/* a /* b */");
        assert!(!c.block_comment(true));
        let mut c = Cursor::new("/*/");
        assert!(!c.block_comment(false));
    }

    #[test]
    fn words_keep_multibyte_characters_whole() {
        let mut c = Cursor::new("café$1 x");
        assert_eq!(c.word(true), "café$1");
        let mut c = Cursor::new("café$1 x");
        assert_eq!(c.word(false), "café");
        let mut c = Cursor::new("a\u{a0}b");
        assert_eq!(c.word(true), "a");
        assert_eq!(c.space_len(), 2);
    }

    #[test]
    fn space_includes_bom_and_nbsp() {
        let mut c = Cursor::new("\u{feff} \u{a0}\tx");
        assert!(c.skip_space());
        assert_eq!(c.peek(), Some(b'x'));
    }

    #[test]
    fn skip_past_and_line_terminators() {
        let mut c = Cursor::new("abc$q$def$q$ rest");
        assert!(c.skip_past(b"$q$"));
        assert_eq!(c.pos(), 6);
        assert!(c.skip_past(b"$q$"));
        assert_eq!(c.pos(), 12);
        assert!(!c.skip_past(b"$q$"));
        assert_eq!(c.pos(), 17);

        let mut c = Cursor::new("x\r\ny\rz\n");
        c.skip_to_line_end();
        assert!(c.eat_line_terminator());
        assert_eq!(c.peek(), Some(b'y'));
        c.bump(1);
        assert!(c.eat_line_terminator());
        c.bump(1);
        assert!(c.eat_line_terminator());
        assert!(!c.eat_line_terminator());
    }

    #[test]
    fn head_keywords_skip_parenthesised_and_blank_quoted() {
        let mut head = Head::default();
        head.push("reindex", false, 0);
        head.push("verbose", false, 1);
        head.push("Schema", false, 0);
        head.push("x", true, 0);
        assert_eq!(head.keywords(), ["REINDEX", "SCHEMA", ""]);
        assert_eq!(head.words().len(), 4);
        for i in 0..40 {
            head.push(&i.to_string(), false, 1);
        }
        head.push("from", false, 0);
        assert_eq!(
            head.keywords()[3],
            "FROM",
            "nested words do not crowd out keywords"
        );
        for i in 0..40 {
            head.push(&i.to_string(), false, 0);
        }
        assert_eq!(head.words().len(), HEAD_LEN + HEAD_NESTED_LEN);
    }

    #[test]
    fn parens_ignore_stray_close() {
        let mut p = Parens::default();
        p.close();
        assert_eq!(p.depth(), 0);
        p.open(3);
        p.open(5);
        assert_eq!(p.open_at(), Some(3));
        p.close();
        p.close();
        assert_eq!(p.open_at(), None);
    }

    #[test]
    fn collector_trims_and_drops_empty() {
        let src = "  select 1 \n ; \u{a0} ;";
        let mut out = Collector::new(src);
        assert!(out.end(0, false).is_none());
        out.token(2);
        assert!(out.in_statement());
        out.end(13, true);
        out.token(15);
        assert!(
            out.end(18, false).is_none(),
            "a lone no-break space is no statement"
        );
        let statements = out.finish();
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].sql, "select 1");
        assert_eq!(statements[0].line, 1);
        assert!(statements[0].non_transactional);
    }
}
