//! Liquibase checksums: `9:` (what 4.28 writes) and `8:` (what 3.5 … 4.21 wrote), and the
//! verdict Liquibase 4.28 gives for a stored value (reference §B2).
//!
//! ```text
//! change_v9(c)     = "9:" + md5hex(bytes(c) with every 0x20 0x09 0x0A 0x0D deleted)
//! change_v8(c)     = "8:" + md5hex(header(c) + v8norm(bytes(c)))
//! header(c)        = "{endDelimiter or null}:{splitStatements}:{stripComments}:"
//! changeset_vN(cs) = "N:" + md5hex(concat(change_vN(c) + ":"))
//! ```
//!
//! `v8norm` is Liquibase's `NormalizingStreamV8`, copied down to its bug: it looks ahead through
//! a whitespace run with a 2048-byte push-back buffer, and a run that overflows it makes the
//! stream throw; `InputStream.read(byte[])` swallows the exception, so the run and the byte after
//! it vanish from the hashed text. [`V8Stream`] simulates the stream byte for byte (including
//! the 20480-byte reads of `MD5Util`) rather than approximating it, because a stored `8:` value
//! written by an old Liquibase must be recognised bit-exactly.
//!
//! The hashed bytes are the change's [`Change::checksum_bytes`](super::Change::checksum_bytes):
//! the expanded SQL for inline SQL, the raw file for `sqlFile`.

use md5::{Digest, Md5};

use super::{ChangeKind, ChangeSet, expression, java};

/// Lower-case hex MD5.
pub fn md5_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Md5::digest(bytes);
    let mut out = String::with_capacity(32);
    for byte in digest.iter() {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// The v9 checksum of one change's bytes: `9:` + md5 of the bytes without space, tab, LF, CR.
pub fn change_v9(bytes: &[u8]) -> String {
    let kept: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .collect();
    format!("9:{}", md5_hex(&kept))
}

/// The v8 header of a change: `endDelimiter:splitStatements:stripComments:`.
pub fn v8_header(
    end_delimiter: Option<&str>,
    split_statements: bool,
    strip_comments: bool,
) -> String {
    format!(
        "{}:{}:{}:",
        end_delimiter.unwrap_or("null"),
        split_statements,
        strip_comments
    )
}

/// The version-`version` checksum of one change's bytes with the v8 algorithm (`8:` for
/// `version` 8).
pub fn change_v8(header: &str, bytes: &[u8], version: u8) -> String {
    let stream_bytes = V8Stream::new(header.as_bytes(), bytes).digest_input();
    format!("{version}:{}", md5_hex(&stream_bytes))
}

/// `CheckSum.compute(String)` over the per-change values: `N:` + md5(concat(value + ":")).
fn combine(version: u8, parts: &[String]) -> String {
    let mut text = String::new();
    for p in parts {
        text.push_str(p);
        text.push(':');
    }
    format!("{version}:{}", md5_hex(text.as_bytes()))
}

/// The `9:` checksum Liquibase 4.28 stores for a changeset. Changes whose own `dbms` does not
/// accept [`ChangeSet::target_dbms`] are left out (v9 only); the changeset's `dbms` attribute
/// does not enter it. A changeset without changes hashes the empty string.
pub fn checksum_v9(cs: &ChangeSet) -> String {
    let parts: Vec<String> = cs
        .changes
        .iter()
        .filter(|c| {
            cs.target_dbms
                .as_deref()
                .is_none_or(|db| expression::dbms_matches(c.dbms.as_deref(), db, true))
        })
        .filter_map(|c| change_checksum(c, 9))
        .collect();
    // No (applicable) changes: the empty string, which `combine` gives too.
    combine(9, &parts)
}

/// The `8:` checksum Liquibase 3.5 … 4.21 stored for a changeset (all changes, no dbms filter),
/// as Liquibase 4.28 recomputes it to check a stored `8:` value.
pub fn checksum_v8(cs: &ChangeSet) -> String {
    checksum_old(cs, 8)
}

/// The v8 algorithm labelled with an older version digit (Liquibase 4.28 recomputes versions
/// 1–7 with it too).
fn checksum_old(cs: &ChangeSet, version: u8) -> String {
    let parts: Vec<String> = cs
        .changes
        .iter()
        .filter_map(|c| change_checksum(c, version))
        .collect();
    combine(version, &parts)
}

fn change_checksum(c: &super::Change, version: u8) -> Option<String> {
    match &c.kind {
        ChangeKind::Sql | ChangeKind::SqlFile { .. } => Some(if version == 9 {
            change_v9(&c.checksum_bytes)
        } else {
            let header = v8_header(
                c.end_delimiter.as_deref(),
                c.split_statements,
                c.strip_comments,
            );
            change_v8(&header, &c.checksum_bytes, version)
        }),
        ChangeKind::TagDatabase { tag } => {
            // `StringChangeLogSerializer` output of the change, hashed as a string.
            let text = format!("tagDatabase:[\n    tag=\"{tag}\"\n]");
            Some(format!("{version}:{}", md5_hex(text.as_bytes())))
        }
    }
}

/// Liquibase 4.28's verdict on a stored MD5SUM for a changeset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChecksumVerdict {
    /// A valid `9:` (equal, or accepted by a `validCheckSum`). Nothing to write: Liquibase does
    /// not rewrite MD5SUM when a `validCheckSum` accepts a changed changeset.
    Match,
    /// A valid older-version value (`8:` equal to what 4.28 recomputes with that version's
    /// algorithm, or accepted by a `validCheckSum`): `update` rewrites it to `now` ("Upgrading checksum for Changeset
    /// <path>::<id>::<author> from 8:... to 9:...").
    MatchUpgrade {
        /// The `9:` value to store.
        now: String,
    },
    /// Changed. For a `runOnChange`/`runAlways` changeset this means "run again"; otherwise it
    /// is the validation failure `<path>::<id>::<author> was: <was> but is now: <now>`.
    Mismatch {
        /// The stored value.
        was: String,
        /// What 4.28 computes for comparison: the `9:` value for a stored `9:`, the value
        /// recomputed with the stored version's algorithm otherwise (so `8:...` for `8:`).
        now: String,
    },
}

/// Liquibase's `CheckSum.parse`: `^\d:[a-zA-Z0-9]+` gives (version, value) — anything after
/// the alphanumeric run is ignored — otherwise version 1 with the whole text.
pub fn parse_checksum(text: &str) -> (u8, String) {
    let bytes = text.as_bytes();
    if bytes.len() >= 3 && bytes[0].is_ascii_digit() && bytes[1] == b':' {
        let value: String = text[2..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !value.is_empty() {
            return (bytes[0] - b'0', value);
        }
    }
    (1, text.to_string())
}

fn checksum_string((version, value): &(u8, String)) -> String {
    format!("{version}:{value}")
}

/// The verdict Liquibase 4.28 reaches for a changeset whose row holds `stored` (a NULL MD5SUM,
/// as after `clear-checksums`, is always valid and simply refilled: do not call this for it).
///
/// Copies `ChangeSet.isCheckSumValid`: a `validCheckSum` of `ANY`, `ALL` or `*` accepts
/// anything; otherwise the checksum is recomputed with the stored value's version (`9:` with
/// v9, `8:` and older with the v8 algorithm) and compared; a listed `validCheckSum` equal to the
/// recomputed or the stored value also accepts it (which is why a `9:` validCheckSum does not
/// help while the table still holds `8:`, Liquibase issue #4513).
pub fn matches_stored(cs: &ChangeSet, stored: &str) -> ChecksumVerdict {
    let parsed = parse_checksum(stored);
    let stored_text = checksum_string(&parsed);
    // A valid value of an older version is rewritten to `9:` by `update`; a valid `9:` stays.
    let valid_verdict = || {
        if parsed.0 == 9 {
            ChecksumVerdict::Match
        } else {
            ChecksumVerdict::MatchUpgrade {
                now: checksum_v9(cs),
            }
        }
    };
    let valid: Vec<(u8, String)> = cs
        .valid_checksums
        .iter()
        .map(|v| parse_checksum(v))
        .collect();
    if valid.iter().any(|v| {
        let s = checksum_string(v);
        ["1:any", "1:all", "1:*"]
            .iter()
            .any(|w| java::equals_ignore_case(&s, w))
    }) {
        return valid_verdict();
    }
    let current = match parsed.0 {
        9 => checksum_v9(cs),
        v @ 1..=8 => checksum_old(cs, v),
        // Version 0: Liquibase throws UnsupportedChecksumVersionException; nothing matches.
        _ => checksum_v9(cs),
    };
    if current == stored_text {
        return valid_verdict();
    }
    if valid
        .iter()
        .map(checksum_string)
        .any(|v| v == current || v == stored_text)
    {
        return valid_verdict();
    }
    ChecksumVerdict::Mismatch {
        was: stored.to_string(),
        now: current,
    }
}

/// Size of Java's `PushbackInputStream` buffer in `NormalizingStreamV8`.
const PUSHBACK: usize = 2048;
/// Size of `MD5Util.computeMD5`'s read buffer.
const READ_BUFFER: usize = 20480;
/// `NormalizingStreamV8`'s first look-ahead buffer.
const QUICK: usize = 100;

/// A byte-exact simulation of `NormalizingStreamV8` over a `PushbackInputStream(2048)`, read
/// the way `MD5Util.computeMD5` reads it (`DigestInputStream.read(byte[20480])`, which goes
/// through `InputStream.read(byte[], int, int)` and its exception-swallowing loop).
pub struct V8Stream<'a> {
    header: &'a [u8],
    header_pos: usize,
    data: &'a [u8],
    data_pos: usize,
    pushback: [u8; PUSHBACK],
    pb_pos: usize,
    last: i32,
    seen_non_space: bool,
}

/// The stream threw (push-back buffer full).
struct Overflow;

impl<'a> V8Stream<'a> {
    /// A stream over `header` then `data`.
    pub fn new(header: &'a [u8], data: &'a [u8]) -> Self {
        V8Stream {
            header,
            header_pos: 0,
            data,
            data_pos: 0,
            pushback: [0; PUSHBACK],
            pb_pos: PUSHBACK,
            last: i32::from(b'X'),
            seen_non_space: false,
        }
    }

    fn raw_read(&mut self) -> i32 {
        if self.pb_pos < PUSHBACK {
            let b = self.pushback[self.pb_pos];
            self.pb_pos += 1;
            return i32::from(b);
        }
        match self.data.get(self.data_pos) {
            Some(&b) => {
                self.data_pos += 1;
                i32::from(b)
            }
            None => -1,
        }
    }

    fn unread(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        if bytes.len() > self.pb_pos {
            return Err(Overflow);
        }
        self.pb_pos -= bytes.len();
        self.pushback[self.pb_pos..self.pb_pos + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    fn is_ws(b: i32) -> bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    fn read(&mut self) -> Result<i32, Overflow> {
        if let Some(&b) = self.header.get(self.header_pos) {
            self.header_pos += 1;
            return Ok(i32::from(b));
        }
        let space = i32::from(b' ');
        let mut c = self.raw_read();
        if Self::is_ws(c) {
            c = space;
        }
        while c == space && (!self.seen_non_space || self.last == space) {
            c = self.raw_read();
            if Self::is_ws(c) {
                c = space;
            }
        }
        self.seen_non_space = true;
        self.last = c;
        if c == space && self.only_whitespace_remaining()? {
            return Ok(-1);
        }
        Ok(c)
    }

    fn only_whitespace_remaining(&mut self) -> Result<bool, Overflow> {
        let mut quick: Vec<u8> = Vec::with_capacity(QUICK);
        let mut resizing: Vec<u8> = Vec::new();
        loop {
            // `(byte) stream.read()`: end of stream and a 0xFF byte both become -1.
            let read = self.raw_read();
            let byte = read as u8;
            if quick.len() >= QUICK {
                resizing.push(byte);
            } else {
                quick.push(byte);
            }
            if read == -1 || byte == 0xFF {
                return Ok(true);
            }
            if !Self::is_ws(i32::from(byte)) {
                if !resizing.is_empty() {
                    self.unread(&resizing)?;
                }
                self.unread(&quick)?;
                return Ok(false);
            }
        }
    }

    /// The bytes `MD5Util` feeds to the digest. If the stream throws on the first byte of a
    /// buffer read, Liquibase's checksum computation fails altogether; the bytes read so far are
    /// returned (no stored value can match such a changeset anyway).
    pub fn digest_input(mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let first = match self.read() {
                Ok(-1) | Err(Overflow) => return out,
                Ok(c) => c,
            };
            out.push(first as u8);
            let mut n = 1;
            while n < READ_BUFFER {
                match self.read() {
                    Ok(-1) | Err(Overflow) => break,
                    Ok(c) => {
                        out.push(c as u8);
                        n += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Change, Format, Rollback};
    use super::*;
    use std::path::PathBuf;

    fn cs(sql: &str) -> ChangeSet {
        ChangeSet {
            id: "1".into(),
            author: "a".into(),
            filename: "changelog.sql".into(),
            logical_file_path: None,
            path: PathBuf::from("changelog.sql"),
            line: 1,
            format: Format::FormattedSql,
            changes: vec![Change::sql(sql.into(), true, true, None)],
            rollback: Rollback::None,
            run_on_change: false,
            run_always: false,
            fail_on_error: true,
            run_in_transaction: true,
            ignore: false,
            context: None,
            labels: None,
            inherited_contexts: vec![],
            inherited_labels: vec![],
            dbms: None,
            created: None,
            comment: None,
            valid_checksums: vec![],
            preconditions: None,
            run_with: None,
            run_with_spool_file: None,
            phase: None,
            target_dbms: None,
        }
    }

    fn v8norm(s: &str) -> String {
        String::from_utf8(V8Stream::new(b"", s.as_bytes()).digest_input()).unwrap()
    }

    #[test]
    fn reference_values() {
        // Vector 01, changeset 2 (also quoted in reference §B2).
        let c = cs("INSERT INTO person VALUES (1, 'a');");
        assert_eq!(checksum_v9(&c), "9:2605e9bdeb786726a614ddaf450c2b46");
        assert_eq!(checksum_v8(&c), "8:ab1bb5946115086307979c4f0d35dee0");
        // No changes: md5 of the empty string.
        let mut empty = cs("");
        empty.changes.clear();
        assert_eq!(checksum_v9(&empty), "9:d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn v9_ignores_only_four_whitespace_bytes() {
        let a = checksum_v9(&cs("CREATE TABLE t (id INT);"));
        assert_eq!(a, checksum_v9(&cs("CREATETABLEt(idINT);")));
        assert_eq!(a, checksum_v9(&cs(" CREATE\tTABLE\r\nt (id INT);\n")));
        assert_ne!(a, checksum_v9(&cs("CREATE\u{c}TABLE t (id INT);")));
        assert_ne!(a, checksum_v9(&cs("CREATE\u{a0}TABLE t (id INT);")));
    }

    #[test]
    fn v8_normalisation_collapses_runs() {
        assert_eq!(v8norm("  a \t\r\n b  "), "a b");
        assert_eq!(v8norm("a"), "a");
        assert_eq!(v8norm(""), "");
        assert_eq!(v8norm("   "), "");
        assert_eq!(v8norm("a\n\nb\n"), "a b");
        // Runs that fit the push-back buffer survive.
        let ok = format!("SELECT 1{};", " ".repeat(2000));
        assert_eq!(v8norm(&ok), "SELECT 1 ;");
    }

    #[test]
    fn v8_long_whitespace_run_swallows_the_next_byte() {
        // Vector 28: `SELECT 1<3000 spaces>;` hashes as `SELECT 1`.
        let long = format!("SELECT 1{};", " ".repeat(3000));
        assert_eq!(v8norm(&long), "SELECT 1");
        // The stream still remembers a space was last: the next run is dropped entirely.
        let more = format!("SELECT 1{};\nSELECT 2;", " ".repeat(3000));
        assert_eq!(v8norm(&more), "SELECT 1SELECT 2;");
        // Trailing whitespace of any length is simply dropped.
        assert_eq!(v8norm(&format!("x{}", " ".repeat(5000))), "x");
    }

    #[test]
    fn verdicts() {
        let c = cs("INSERT INTO person VALUES (1, 'a');");
        assert_eq!(
            matches_stored(&c, "9:2605e9bdeb786726a614ddaf450c2b46"),
            ChecksumVerdict::Match
        );
        assert_eq!(
            matches_stored(&c, "8:ab1bb5946115086307979c4f0d35dee0"),
            ChecksumVerdict::MatchUpgrade {
                now: "9:2605e9bdeb786726a614ddaf450c2b46".into()
            }
        );
        assert_eq!(
            matches_stored(&c, "8:00000000000000000000000000000000"),
            ChecksumVerdict::Mismatch {
                was: "8:00000000000000000000000000000000".into(),
                now: "8:ab1bb5946115086307979c4f0d35dee0".into()
            }
        );
        assert_eq!(
            matches_stored(&c, "9:58034cfb80d4d18d6d3c68ac05503938"),
            ChecksumVerdict::Mismatch {
                was: "9:58034cfb80d4d18d6d3c68ac05503938".into(),
                now: "9:2605e9bdeb786726a614ddaf450c2b46".into()
            }
        );
        let mut any = c.clone();
        any.valid_checksums = vec!["ANY".into()];
        assert_eq!(matches_stored(&any, "9:ffff"), ChecksumVerdict::Match);
        assert_eq!(
            matches_stored(&any, "8:ffff"),
            ChecksumVerdict::MatchUpgrade {
                now: "9:2605e9bdeb786726a614ddaf450c2b46".into()
            }
        );
        for w in ["all", "*"] {
            any.valid_checksums = vec![w.into()];
            assert_eq!(
                matches_stored(&any, "9:ffff"),
                ChecksumVerdict::Match,
                "{w}"
            );
        }
        let mut listed = c.clone();
        listed.valid_checksums = vec!["9:ffff".into()];
        assert_eq!(matches_stored(&listed, "9:ffff"), ChecksumVerdict::Match);
        // A 9: validCheckSum does not rescue a changed changeset whose row still holds 8:.
        listed.valid_checksums = vec!["9:2605e9bdeb786726a614ddaf450c2b46".into()];
        assert!(matches!(
            matches_stored(&listed, "8:1234"),
            ChecksumVerdict::Mismatch { .. }
        ));
    }

    #[test]
    fn checksum_parsing_is_liquibases() {
        assert_eq!(parse_checksum("9:abc"), (9, "abc".into()));
        assert_eq!(parse_checksum("9:abc def"), (9, "abc".into()));
        assert_eq!(parse_checksum("ANY"), (1, "ANY".into()));
        assert_eq!(parse_checksum("10:abc"), (1, "10:abc".into()));
        assert_eq!(parse_checksum("9:"), (1, "9:".into()));
    }
}
