//! Statement splitting for PostgreSQL.
//!
//! A `;` ends a statement unless it is inside something PostgreSQL's own lexer would not split:
//! a string (`'...'` with `''`, `E'...'` with backslash escapes too, `U&'...'`, `B'...'`,
//! `X'...'`), a quoted identifier (`"..."`, `U&"..."`), a dollar quote (`$$...$$`,
//! `$tag$...$tag$`; `$1` is a parameter, not a quote), a comment (`--`, and `/* */`, which nest),
//! parentheses (`CREATE RULE ... DO (a; b)`, as psql and Flyway do), or a SQL-standard function
//! body `BEGIN ATOMIC ... END` (in which `CASE ... END` nests, as in Flyway's parser).
//!
//! `COPY ... FROM STDIN` is followed in the script by its data, which is not SQL: the rest of the
//! line after the `;` is skipped (as Flyway does), then every line up to one that is `\.`
//! (surrounding whitespace ignored, as Flyway's `trim()` does) is data. The data belongs to the
//! COPY statement: its `sql` is the command text, a NUL character, then the data verbatim with
//! each line's own terminator, without the `\.` line. An executor splits at the NUL
//! (`sql.split_once('\0')`) and sends the command with `copy_in` and the data as the COPY
//! stream. A NUL cannot be confused with anything else: PostgreSQL rejects it both in query text
//! and in text-format COPY data, so no statement that could ever run contains one. A script that
//! ends before the `\.` line is an error, like an unterminated string.
//!
//! Non-transactional statements (reference §9, matched on the keywords outside parentheses as
//! Flyway's simplified statement does): `CREATE|DROP DATABASE|TABLESPACE|SUBSCRIPTION`,
//! `ALTER SYSTEM`, `CREATE|DROP [UNIQUE] INDEX CONCURRENTLY`,
//! `REINDEX [(...)] [VERBOSE] SCHEMA|DATABASE|SYSTEM`, any `REINDEX` with `CONCURRENTLY` (also as
//! an option in parentheses, unless followed by `false`/`off`/`0`), `VACUUM`, `DISCARD ALL`, and
//! `ALTER TYPE ... ADD VALUE`. The last one is flagged whatever the server version: it only
//! cannot run in a transaction before PostgreSQL 12, which a splitter cannot know, so the caller
//! (which knows the server version) decides whether to honour the flag for it.

use crate::scan::{Collector, Cursor, Head, Parens, is_word_byte};
use crate::{SplitError, Statement};

/// What an unterminated COPY data block is called in errors.
const COPY_DATA: &str = "COPY FROM STDIN data (ended by a line `\\.`)";

/// Separates a COPY command from its data in [`Statement::sql`].
const COPY_DATA_SEPARATOR: char = '\0';

/// What is known about the statement being scanned.
#[derive(Default)]
struct Current {
    head: Head,
    parens: Parens,
    /// Open `BEGIN ATOMIC` and `CASE` blocks (outside parentheses): what, and where.
    blocks: Vec<(&'static str, usize)>,
    /// Where the previous token was, if it was `BEGIN` outside parentheses.
    begin_at: Option<usize>,
}

pub(crate) fn split(script: &str) -> Result<Vec<Statement>, SplitError> {
    let mut c = Cursor::new(script);
    let mut out = Collector::new(script);
    let mut cur = Current::default();
    while let Some(b) = c.peek() {
        let pos = c.pos();
        if c.skip_space() {
            continue;
        }
        if b == b'-' && c.peek_at(1) == Some(b'-') {
            c.skip_to_line_end();
            continue;
        }
        if b == b'/' && c.peek_at(1) == Some(b'*') {
            if !c.block_comment(true) {
                return Err(out.unclosed("block comment", pos));
            }
            continue;
        }
        if b == b';' && cur.parens.depth() == 0 && cur.blocks.is_empty() {
            c.bump(1);
            end_statement(&mut c, &mut out, &mut cur, pos)?;
            continue;
        }
        out.token(pos);
        let after_begin = cur.begin_at.take();
        match b {
            b'\'' => string(&mut c, &out, pos, false)?,
            b'"' => quoted_identifier(&mut c, &out, &mut cur, pos)?,
            b'$' => dollar(&mut c, &out, pos)?,
            b'(' => {
                cur.parens.open(pos);
                c.bump(1);
            }
            b')' => {
                cur.parens.close();
                c.bump(1);
            }
            b if is_word_byte(b) => {
                let w = c.word(true);
                word(&mut c, &out, &mut cur, w, pos, after_begin)?;
            }
            _ => c.bump(1),
        }
    }
    if let Some(at) = cur.parens.open_at() {
        return Err(out.unclosed("parenthesis", at));
    }
    if let Some(&(what, at)) = cur.blocks.last() {
        return Err(out.unclosed(what, at));
    }
    end_statement(&mut c, &mut out, &mut cur, script.len())?;
    Ok(out.finish())
}

/// Ends the current statement at `end` (its `;`, already consumed, or the end of the script);
/// for `COPY ... FROM STDIN`, also consumes the data after it.
fn end_statement<'a>(
    c: &mut Cursor<'a>,
    out: &mut Collector<'_>,
    cur: &mut Current,
    end: usize,
) -> Result<(), SplitError> {
    let keywords = cur.head.keywords();
    let copy = is_copy_from_stdin(&keywords);
    let non_transactional = !copy && is_non_transactional(&keywords, &cur.head);
    *cur = Current::default();
    let data = if copy { Some(copy_data(c, out)?) } else { None };
    if let (Some(statement), Some(data)) = (out.end(end, non_transactional), data) {
        statement.sql.push(COPY_DATA_SEPARATOR);
        statement.sql.push_str(data);
    }
    Ok(())
}

/// After the `;` of a `COPY ... FROM STDIN`: skips the rest of that line, then returns the data
/// lines up to (excluding) the `\.` line, which is consumed too.
fn copy_data<'a>(c: &mut Cursor<'a>, out: &Collector<'_>) -> Result<&'a str, SplitError> {
    c.skip_to_line_end();
    if !c.eat_line_terminator() {
        return Err(out.unclosed(COPY_DATA, c.pos()));
    }
    let start = c.pos();
    loop {
        let line_start = c.pos();
        if c.peek().is_none() {
            return Err(out.unclosed(COPY_DATA, start));
        }
        c.skip_to_line_end();
        let line = c.slice(line_start, c.pos());
        c.eat_line_terminator();
        // Java's String.trim(): everything up to U+0020 is whitespace.
        if line.trim_matches(|ch: char| ch <= ' ') == "\\." {
            return Ok(c.slice(start, line_start));
        }
    }
}

/// At `'` (or after an `E` prefix, with `backslash`): skips a string literal.
fn string(
    c: &mut Cursor<'_>,
    out: &Collector<'_>,
    pos: usize,
    backslash: bool,
) -> Result<(), SplitError> {
    if c.quoted(b'\'', backslash) {
        Ok(())
    } else {
        Err(out.unclosed("string literal", pos))
    }
}

/// At `"`: skips a quoted identifier and records it in the head.
fn quoted_identifier(
    c: &mut Cursor<'_>,
    out: &Collector<'_>,
    cur: &mut Current,
    pos: usize,
) -> Result<(), SplitError> {
    let open = c.pos();
    if !c.quoted(b'"', false) {
        return Err(out.unclosed("quoted identifier", pos));
    }
    let text = c.slice(open + 1, c.pos() - 1);
    cur.head.push(text, true, cur.parens.depth());
    Ok(())
}

/// At `$`: a parameter (`$1`), a dollar quote (`$$`, `$tag$`), or just a `$`.
fn dollar(c: &mut Cursor<'_>, out: &Collector<'_>, pos: usize) -> Result<(), SplitError> {
    let is_tag_start = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80;
    let is_tag_byte = |b: u8| is_tag_start(b) || b.is_ascii_digit();
    let len = match c.peek_at(1) {
        Some(b'$') => 2,
        Some(b) if is_tag_start(b) => {
            let mut n = 2;
            while c.peek_at(n).is_some_and(is_tag_byte) {
                n += 1;
            }
            if c.peek_at(n) != Some(b'$') {
                c.bump(1);
                return Ok(());
            }
            n + 1
        }
        Some(b) if b.is_ascii_digit() => {
            c.bump(1);
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.bump(1);
            }
            return Ok(());
        }
        _ => {
            c.bump(1);
            return Ok(());
        }
    };
    let tag = c.slice(pos, pos + len);
    c.bump(len);
    if c.skip_past(tag.as_bytes()) {
        Ok(())
    } else {
        Err(out.unclosed(format!("dollar-quoted string {tag}"), pos))
    }
}

/// A word was consumed: string prefixes (`E'`, `U&'`, `U&"`), the head, and `BEGIN ATOMIC`
/// blocks.
fn word(
    c: &mut Cursor<'_>,
    out: &Collector<'_>,
    cur: &mut Current,
    w: &str,
    pos: usize,
    after_begin: Option<usize>,
) -> Result<(), SplitError> {
    if c.peek() == Some(b'\'') && w.eq_ignore_ascii_case("e") {
        return string(c, out, pos, true);
    }
    if c.peek() == Some(b'&') && w.eq_ignore_ascii_case("u") {
        match c.peek_at(1) {
            Some(b'\'') => {
                c.bump(1);
                return string(c, out, pos, false);
            }
            Some(b'"') => {
                c.bump(1);
                return quoted_identifier(c, out, cur, pos);
            }
            _ => {}
        }
    }
    let depth = cur.parens.depth();
    cur.head.push(w, false, depth);
    if depth > 0 {
        return Ok(());
    }
    if w.eq_ignore_ascii_case("begin") {
        cur.begin_at = Some(pos);
    } else if let (true, Some(begin)) = (w.eq_ignore_ascii_case("atomic"), after_begin) {
        cur.blocks.push(("BEGIN ATOMIC block", begin));
    } else if cur.blocks.is_empty() {
        // CASE and END only nest inside a BEGIN ATOMIC body.
    } else if w.eq_ignore_ascii_case("case") {
        cur.blocks.push(("CASE expression", pos));
    } else if w.eq_ignore_ascii_case("end") {
        cur.blocks.pop();
    }
    Ok(())
}

/// `COPY ... FROM STDIN` (never `COPY (query) TO ...`, whose words are in parentheses).
fn is_copy_from_stdin(keywords: &[&str]) -> bool {
    keywords.first() == Some(&"COPY") && keywords.windows(2).any(|w| w == ["FROM", "STDIN"])
}

/// Reference §9 for PostgreSQL; see the module docs.
fn is_non_transactional(keywords: &[&str], head: &Head) -> bool {
    let at = |i: usize| keywords.get(i).copied().unwrap_or_default();
    match at(0) {
        "CREATE" | "DROP" => {
            matches!(at(1), "DATABASE" | "TABLESPACE" | "SUBSCRIPTION")
                || (at(1) == "INDEX" && at(2) == "CONCURRENTLY")
                || (at(1) == "UNIQUE" && at(2) == "INDEX" && at(3) == "CONCURRENTLY")
        }
        "ALTER" => {
            at(1) == "SYSTEM"
                || (at(1) == "TYPE" && keywords.windows(2).any(|w| w == ["ADD", "VALUE"]))
        }
        "REINDEX" => {
            let kind = if at(1) == "VERBOSE" { at(2) } else { at(1) };
            matches!(kind, "SCHEMA" | "DATABASE" | "SYSTEM") || reindex_concurrently(head)
        }
        "VACUUM" => true,
        "DISCARD" => at(1) == "ALL",
        _ => false,
    }
}

/// `REINDEX ... CONCURRENTLY ...` or `REINDEX (CONCURRENTLY [true]) ...`.
fn reindex_concurrently(head: &Head) -> bool {
    let words = head.words();
    words.iter().enumerate().any(|(i, w)| {
        if w.quoted || w.text != "CONCURRENTLY" {
            return false;
        }
        let switched_off = words.get(i + 1).is_some_and(|next| {
            w.depth > 0
                && next.depth == w.depth
                && matches!(next.text.as_str(), "FALSE" | "OFF" | "0")
        });
        !switched_off
    })
}

#[cfg(test)]
mod tests {
    use super::split;
    use crate::scan::testing::{check_invariants, fuzz};
    use crate::{SplitError, Statement};

    fn sqls(script: &str) -> Vec<String> {
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        statements.into_iter().map(|s| s.sql).collect()
    }

    fn one(script: &str) -> Statement {
        let mut statements = split(script).unwrap();
        check_invariants(script, &statements);
        assert_eq!(statements.len(), 1, "{statements:#?}");
        statements.remove(0)
    }

    fn err(script: &str) -> SplitError {
        split(script).unwrap_err()
    }

    fn non_transactional(script: &str) -> bool {
        one(script).non_transactional
    }

    #[test]
    fn simple_statements_with_positions() {
        let script = "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n\nSELECT 1";
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        let got: Vec<_> = statements
            .iter()
            .map(|s| (s.sql.as_str(), s.line, s.offset))
            .collect();
        assert_eq!(
            got,
            [
                ("CREATE TABLE a (id int)", 1, 0),
                ("INSERT INTO a VALUES (1)", 2, 25),
                ("SELECT 1", 4, 52),
            ]
        );
    }

    #[test]
    fn empty_and_comment_only_scripts() {
        assert!(sqls("").is_empty());
        assert!(sqls("  \n\t").is_empty());
        assert!(sqls(";;;").is_empty());
        assert!(sqls("-- only a comment\n/* and /* nested */ another */\n;").is_empty());
    }

    #[test]
    fn line_numbers_with_lf_crlf_and_cr() {
        for nl in ["\n", "\r\n", "\r"] {
            let script =
                format!("-- header{nl}{nl}SELECT 1;{nl}/* c{nl}*/ SELECT{nl}2;{nl}{nl}SELECT 3");
            let statements = split(&script).unwrap();
            check_invariants(&script, &statements);
            let lines: Vec<_> = statements.iter().map(|s| s.line).collect();
            assert_eq!(lines, [3, 5, 8], "{nl:?}");
            assert_eq!(statements[1].sql, format!("SELECT{nl}2"));
        }
    }

    #[test]
    fn comments_before_are_dropped_comments_inside_are_kept() {
        let script = "-- why\n/* what */ SELECT 1 -- one\n, 2 /* two */;\nSELECT 3 -- trailing";
        assert_eq!(
            sqls(script),
            ["SELECT 1 -- one\n, 2 /* two */", "SELECT 3 -- trailing"]
        );
    }

    #[test]
    fn strings_and_identifiers_hide_semicolons() {
        assert_eq!(
            sqls("SELECT 'a;b', 'it''s;', \"we;ird\"\"q\" FROM t; SELECT 2"),
            ["SELECT 'a;b', 'it''s;', \"we;ird\"\"q\" FROM t", "SELECT 2"]
        );
        // Standard strings: a backslash is an ordinary character.
        assert_eq!(
            sqls(r"SELECT 'C:\'; SELECT 2"),
            [r"SELECT 'C:\'", "SELECT 2"]
        );
    }

    #[test]
    fn escape_strings_use_backslashes() {
        assert_eq!(
            sqls(r"SELECT E'it\'s;'; SELECT 2"),
            [r"SELECT E'it\'s;'", "SELECT 2"]
        );
        assert_eq!(
            sqls(r"SELECT e'\\'; SELECT 2"),
            [r"SELECT e'\\'", "SELECT 2"]
        );
        // Not an E prefix: a word ending in e.
        assert_eq!(
            sqls(r"SELECT some'\'; SELECT 2"),
            [r"SELECT some'\'", "SELECT 2"]
        );
    }

    #[test]
    fn unicode_bit_and_hex_strings() {
        assert_eq!(
            sqls(r#"SELECT U&'d\0061t;', U&"d;t", B'10;', X'1F;'; SELECT 2"#),
            [
                r#"SELECT U&'d\0061t;', U&"d;t", B'10;', X'1F;'"#,
                "SELECT 2"
            ]
        );
    }

    #[test]
    fn nested_block_comments() {
        assert_eq!(
            sqls("/* outer /* inner; */ still; */ SELECT 1; SELECT /* a /* b */ ; */ 2"),
            ["SELECT 1", "SELECT /* a /* b */ ; */ 2"]
        );
    }

    #[test]
    fn dollar_quotes_with_and_without_tags() {
        assert_eq!(
            sqls("SELECT $$a;b$$; SELECT $x$ $$; $x$; SELECT $é$;$é$"),
            ["SELECT $$a;b$$", "SELECT $x$ $$; $x$", "SELECT $é$;$é$"]
        );
        // A tag is case-sensitive; $X$ does not close $x$.
        assert_eq!(sqls("SELECT $x$ ;$X$; $x$;"), ["SELECT $x$ ;$X$; $x$"]);
    }

    #[test]
    fn positional_parameters_are_not_dollar_quotes() {
        assert_eq!(
            sqls("PREPARE p AS SELECT $1, $2 + 1; EXECUTE p(1, 2)"),
            ["PREPARE p AS SELECT $1, $2 + 1", "EXECUTE p(1, 2)"]
        );
        // `$` inside an identifier is part of it.
        assert_eq!(
            sqls("SELECT a$b$c FROM t; SELECT 2"),
            ["SELECT a$b$c FROM t", "SELECT 2"]
        );
        // A lone `$` or `$tag` without a closing `$`.
        assert_eq!(
            sqls("SELECT $ ; SELECT $abc ;"),
            ["SELECT $", "SELECT $abc"]
        );
    }

    #[test]
    fn plpgsql_function() {
        let script = r#"
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $body$
DECLARE
  n int := 0; -- a comment with a ' quote
BEGIN
  IF NEW.x IS NULL THEN
    RAISE EXCEPTION 'x; is $$ null';
  END IF;
  NEW.updated = now();
  RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION touch();
DO $$ BEGIN PERFORM 1; END $$;
"#;
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        assert_eq!(statements.len(), 3);
        assert!(statements[0].sql.starts_with("CREATE OR REPLACE FUNCTION"));
        assert!(statements[0].sql.ends_with("$body$ LANGUAGE plpgsql"));
        assert_eq!(statements[0].line, 2);
        assert_eq!(statements[1].line, 14);
        assert_eq!(statements[2].sql, "DO $$ BEGIN PERFORM 1; END $$");
        assert!(statements.iter().all(|s| !s.non_transactional));
    }

    #[test]
    fn begin_atomic_bodies() {
        let script = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  \
                      SELECT CASE WHEN a > 0 THEN 1 ELSE CASE WHEN a < 0 THEN -1 END END;\n  \
                      SELECT (CASE a WHEN 0 THEN 0 END);\nEND;\nSELECT 2;";
        let statements = sqls(script);
        assert_eq!(statements.len(), 2, "{statements:#?}");
        assert!(statements[0].ends_with("END"));
        assert_eq!(statements[1], "SELECT 2");

        assert_eq!(
            sqls(
                "CREATE PROCEDURE p() begin  atomic insert into t values (1); insert into t values (2); end; call p()"
            ),
            [
                "CREATE PROCEDURE p() begin  atomic insert into t values (1); insert into t values (2); end",
                "call p()"
            ]
        );
    }

    #[test]
    fn transaction_begin_is_an_ordinary_statement() {
        assert_eq!(
            sqls("BEGIN; SELECT 1; END; BEGIN TRANSACTION; COMMIT"),
            ["BEGIN", "SELECT 1", "END", "BEGIN TRANSACTION", "COMMIT"]
        );
        // Words that merely start with a keyword.
        assert_eq!(
            sqls("SELECT begin_date, end_at, atomic FROM t; SELECT 2"),
            ["SELECT begin_date, end_at, atomic FROM t", "SELECT 2"]
        );
    }

    #[test]
    fn semicolons_inside_parentheses_do_not_split() {
        assert_eq!(
            sqls(
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1"
            ),
            [
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))",
                "SELECT 1"
            ]
        );
        // A stray `)` does not swallow the rest of the script.
        assert_eq!(sqls("SELECT 1); SELECT 2"), ["SELECT 1)", "SELECT 2"]);
    }

    #[test]
    fn copy_from_stdin_carries_its_data() {
        let script = "INSERT INTO t VALUES (0);\nCOPY t (a, b) FROM stdin;\n1\tx;y\n2\t'it''s\n\\.\nSELECT 3;";
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        assert_eq!(statements.len(), 3, "{statements:#?}");
        assert_eq!(
            statements[1].sql,
            "COPY t (a, b) FROM stdin\u{0}1\tx;y\n2\t'it''s\n"
        );
        assert_eq!(statements[1].line, 2);
        assert!(!statements[1].non_transactional);
        let (command, data) = statements[1].sql.split_once('\0').unwrap();
        assert_eq!(command, "COPY t (a, b) FROM stdin");
        assert_eq!(data, "1\tx;y\n2\t'it''s\n");
        assert_eq!(statements[2].sql, "SELECT 3");
        assert_eq!(statements[2].line, 6);
    }

    #[test]
    fn copy_data_with_crlf_trailing_comment_and_options() {
        let script = "COPY \"T\" FROM STDIN WITH (FORMAT csv, DELIMITER ';'); -- data follows\r\na;\"b\"\r\n \\. \r\nSELECT 1";
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        assert_eq!(statements.len(), 2);
        assert_eq!(
            statements[0].sql,
            "COPY \"T\" FROM STDIN WITH (FORMAT csv, DELIMITER ';')\u{0}a;\"b\"\r\n"
        );
        assert_eq!(
            (statements[1].sql.as_str(), statements[1].line),
            ("SELECT 1", 4)
        );
    }

    #[test]
    fn copy_with_empty_data_and_terminator_at_end_of_script() {
        assert_eq!(sqls("COPY t FROM STDIN;\n\\."), ["COPY t FROM STDIN\u{0}"]);
        // Many columns do not hide FROM STDIN from the classification.
        let columns: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
        let script = format!("COPY t ({}) FROM STDIN;\n1\n\\.\n", columns.join(", "));
        assert!(sqls(&script)[0].ends_with("FROM STDIN\u{0}1\n"));
    }

    #[test]
    fn copy_to_stdout_and_from_file_are_ordinary() {
        assert_eq!(
            sqls("COPY t TO STDOUT; COPY (SELECT 'FROM STDIN') TO STDOUT; COPY t FROM '/tmp/x';"),
            [
                "COPY t TO STDOUT",
                "COPY (SELECT 'FROM STDIN') TO STDOUT",
                "COPY t FROM '/tmp/x'"
            ]
        );
    }

    #[test]
    fn copy_without_end_of_data_is_an_error() {
        let e = err("SELECT 1;\nCOPY t FROM STDIN;\n1\n2\n");
        assert_eq!(e.line, 3);
        assert!(e.what.starts_with("COPY FROM STDIN data"), "{e}");
        assert_eq!(err("COPY t FROM STDIN;").line, 1);
        assert_eq!(err("COPY t FROM STDIN").line, 1);
    }

    #[test]
    fn unterminated_constructs_name_what_and_where() {
        let cases = [
            ("SELECT 1;\nSELECT 'abc", "string literal", 2),
            ("SELECT E'abc\\';", "string literal", 1),
            ("\n\nSELECT \"abc", "quoted identifier", 3),
            ("SELECT 1;\n/* a /* b */\n", "block comment", 2),
            ("SELECT $$abc;", "dollar-quoted string $$", 1),
            (
                "SELECT 1;\nCREATE FUNCTION f() AS $fn$ BEGIN $$ END; $$",
                "dollar-quoted string $fn$",
                2,
            ),
            ("SELECT (1,\n(2);", "parenthesis", 1),
            (
                "CREATE FUNCTION f() RETURNS int\nBEGIN ATOMIC SELECT 1;",
                "BEGIN ATOMIC block",
                2,
            ),
            (
                "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1;\nSELECT CASE WHEN true THEN 1;",
                "CASE expression",
                2,
            ),
        ];
        for (script, what, line) in cases {
            let e = err(script);
            assert_eq!((e.what.as_str(), e.line), (what, line), "{script:?}");
        }
        assert_eq!(
            err("SELECT 'x").to_string(),
            "string literal starting at line 1 is never closed"
        );
    }

    #[test]
    fn non_transactional_statements() {
        let yes = [
            "CREATE DATABASE x",
            "create database x",
            "DROP DATABASE IF EXISTS x",
            "CREATE TABLESPACE ts LOCATION '/x'",
            "DROP TABLESPACE ts",
            "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
            "DROP SUBSCRIPTION s",
            "ALTER SYSTEM SET work_mem = '1MB'",
            "CREATE INDEX CONCURRENTLY i ON t (a)",
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)",
            "create  unique\n index   concurrently i on t(a)",
            "DROP INDEX CONCURRENTLY i",
            "REINDEX SCHEMA s",
            "REINDEX VERBOSE DATABASE d",
            "REINDEX (VERBOSE) SYSTEM d",
            "REINDEX INDEX CONCURRENTLY i",
            "REINDEX (CONCURRENTLY) TABLE t",
            "REINDEX (VERBOSE, CONCURRENTLY true) TABLE t",
            "VACUUM",
            "VACUUM (ANALYZE) t",
            "vacuum full t",
            "DISCARD ALL",
            "ALTER TYPE mood ADD VALUE 'meh'",
            "ALTER TYPE s.\"Mood\" ADD VALUE IF NOT EXISTS 'meh' BEFORE 'sad'",
            "/* leading comment */ VACUUM",
        ];
        for sql in yes {
            assert!(non_transactional(sql), "{sql}");
        }
        let no = [
            "CREATE TABLE database (id int)",
            "CREATE INDEX i ON t (a)",
            "CREATE INDEX i ON t (concurrently)",
            "CREATE INDEX \"concurrently\" ON t (a)",
            "REINDEX TABLE t",
            "REINDEX (CONCURRENTLY false) TABLE t",
            "REINDEX (CONCURRENTLY off, VERBOSE) INDEX i",
            "DISCARD PLANS",
            "ALTER TYPE mood RENAME VALUE 'a' TO 'b'",
            "ALTER TYPE t ADD ATTRIBUTE value int",
            "ALTER TABLE t ADD VALUE int",
            "SELECT 'VACUUM'",
            "vacuumdb",
            "ALTER SYSTEMS",
            "COPY t FROM STDIN;\n\\.",
        ];
        for sql in no {
            assert!(!non_transactional(sql), "{sql}");
        }
    }

    #[test]
    fn flags_are_per_statement() {
        let statements =
            split("CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);\nSELECT 1")
                .unwrap();
        let flags: Vec<_> = statements.iter().map(|s| s.non_transactional).collect();
        assert_eq!(flags, [false, true, false]);
    }

    #[test]
    fn unicode_text_survives() {
        assert_eq!(
            sqls("\u{feff}SELECT 'é;ü' AS \"naïve\", café FROM t; SELECT '日本'"),
            ["SELECT 'é;ü' AS \"naïve\", café FROM t", "SELECT '日本'"]
        );
    }

    #[test]
    fn random_scripts_never_panic_and_lines_match_offsets() {
        let alphabet = [
            "'",
            "\"",
            "$",
            "$$",
            "$a$",
            "$1",
            ";",
            "-",
            "--",
            "/",
            "*",
            "/*",
            "*/",
            "\n",
            "\r",
            "\r\n",
            " ",
            "a",
            "E",
            "U&",
            "é",
            "\\",
            "(",
            ")",
            "BEGIN",
            " ATOMIC ",
            "CASE",
            "END",
            "COPY t FROM STDIN",
            "\\.",
            "VACUUM",
        ];
        let ok = fuzz(split, 0x5eed_0001, &alphabet);
        assert!(ok > 500, "only {ok} of 3500 scripts split without error");
    }
}
