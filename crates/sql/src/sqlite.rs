//! Statement splitting for SQLite.
//!
//! A `;` ends a statement unless it is inside a string (`'...'`, `''` escapes a quote), a quoted
//! identifier (`"..."`, `` `...` ``, `[...]`), a comment (`--` to the end of the line, `/* */`,
//! which do not nest), parentheses (as in Flyway's parser), or the body of
//! `CREATE [TEMP|TEMPORARY] TRIGGER ... BEGIN ... END`, whose statements end in `;` themselves.
//! Inside a trigger, `CASE ... END` nests, so the `END` of a `CASE` does not end the body.
//! Outside triggers `BEGIN` is a transaction statement (`BEGIN;`, `BEGIN IMMEDIATE;`) and
//! `END` is `COMMIT`, both ordinary statements. An unterminated `/*` is accepted, as SQLite does:
//! the comment simply runs to the end of the script.
//!
//! Non-transactional (reference §9): `PRAGMA foreign_keys`, with or without a value and with or
//! without a schema (`PRAGMA main.foreign_keys = ON`), because SQLite ignores it inside a
//! transaction.

use crate::scan::{Collector, Cursor, Head, Parens, is_word_byte};
use crate::{SplitError, Statement};

/// What is known about the statement being scanned.
#[derive(Default)]
struct Current {
    head: Head,
    parens: Parens,
    /// Open trigger `BEGIN` and `CASE` blocks (outside parentheses): what, and where.
    blocks: Vec<(&'static str, usize)>,
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
            // Unterminated is fine: SQLite ends the comment at the end of the input.
            c.block_comment(false);
            continue;
        }
        if b == b';' && cur.parens.depth() == 0 && cur.blocks.is_empty() {
            c.bump(1);
            let non_transactional = is_pragma_foreign_keys(&cur.head);
            out.end(pos, non_transactional);
            cur = Current::default();
            continue;
        }
        out.token(pos);
        match b {
            b'\'' => {
                if !c.quoted(b'\'', false) {
                    return Err(out.unclosed("string literal", pos));
                }
            }
            b'"' | b'`' => {
                if !c.quoted(b, false) {
                    return Err(out.unclosed("quoted identifier", pos));
                }
                let text = c.slice(pos + 1, c.pos() - 1);
                cur.head.push(text, true, cur.parens.depth());
            }
            b'[' => {
                c.bump(1);
                if !c.skip_past(b"]") {
                    return Err(out.unclosed("quoted identifier", pos));
                }
                let text = c.slice(pos + 1, c.pos() - 1);
                cur.head.push(text, true, cur.parens.depth());
            }
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
                word(&mut cur, w, pos);
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
    out.end(script.len(), is_pragma_foreign_keys(&cur.head));
    Ok(out.finish())
}

/// A word was consumed: the head, and trigger body blocks.
fn word(cur: &mut Current, w: &str, pos: usize) {
    let depth = cur.parens.depth();
    cur.head.push(w, false, depth);
    if depth > 0 {
        return;
    }
    let block = if w.eq_ignore_ascii_case("begin") {
        Some("trigger body BEGIN")
    } else if w.eq_ignore_ascii_case("case") {
        Some("CASE expression")
    } else {
        None
    };
    if let Some(what) = block {
        if is_create_trigger(&cur.head) {
            cur.blocks.push((what, pos));
        }
    } else if w.eq_ignore_ascii_case("end") {
        cur.blocks.pop();
    }
}

/// `CREATE [TEMP|TEMPORARY] TRIGGER`.
fn is_create_trigger(head: &Head) -> bool {
    matches!(
        head.keywords().as_slice(),
        ["CREATE", "TRIGGER", ..] | ["CREATE", "TEMP" | "TEMPORARY", "TRIGGER", ..]
    )
}

/// `PRAGMA [schema.]foreign_keys [= value | (value)]`; the names may be quoted.
fn is_pragma_foreign_keys(head: &Head) -> bool {
    let words: Vec<_> = head.words().iter().filter(|w| w.depth == 0).collect();
    let is_name = |i: usize| words.get(i).is_some_and(|w| w.text == "FOREIGN_KEYS");
    let pragma = words
        .first()
        .is_some_and(|w| !w.quoted && w.text == "PRAGMA");
    pragma && (is_name(1) || is_name(2))
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

    #[test]
    fn simple_statements_with_positions() {
        let script =
            "CREATE TABLE a (id INTEGER);\n\nINSERT INTO a VALUES (1);INSERT INTO a VALUES (2)\n";
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        let got: Vec<_> = statements
            .iter()
            .map(|s| (s.sql.as_str(), s.line, s.offset))
            .collect();
        assert_eq!(
            got,
            [
                ("CREATE TABLE a (id INTEGER)", 1, 0),
                ("INSERT INTO a VALUES (1)", 3, 30),
                ("INSERT INTO a VALUES (2)", 3, 55),
            ]
        );
    }

    #[test]
    fn empty_and_comment_only_scripts() {
        assert!(sqls("").is_empty());
        assert!(sqls("\r\n\r\n").is_empty());
        assert!(sqls("; ;\n-- nothing\n/* at all */;").is_empty());
    }

    #[test]
    fn line_numbers_with_lf_crlf_and_cr() {
        for nl in ["\n", "\r\n", "\r"] {
            let script = format!(
                "-- one{nl}-- two{nl}SELECT 1;{nl}{nl}SELECT{nl}2; SELECT 3;{nl}/* x */ SELECT 4"
            );
            let statements = split(&script).unwrap();
            check_invariants(&script, &statements);
            let lines: Vec<_> = statements.iter().map(|s| s.line).collect();
            assert_eq!(lines, [3, 5, 6, 7], "{nl:?}");
            assert_eq!(statements[3].sql, "SELECT 4");
        }
    }

    #[test]
    fn quotes_hide_semicolons() {
        assert_eq!(
            sqls("SELECT 'a;''b', \"c;\"\"d\", `e;f`, [g;h] FROM t; SELECT 2"),
            [
                "SELECT 'a;''b', \"c;\"\"d\", `e;f`, [g;h] FROM t",
                "SELECT 2"
            ]
        );
        // A backslash is not an escape in SQLite.
        assert_eq!(sqls(r"SELECT 'a\'; SELECT 2"), [r"SELECT 'a\'", "SELECT 2"]);
    }

    #[test]
    fn comments_do_not_nest() {
        assert_eq!(
            sqls("/* a /* b */ SELECT 1; SELECT 2 -- x; y\n; SELECT 3"),
            ["SELECT 1", "SELECT 2 -- x; y", "SELECT 3"]
        );
    }

    #[test]
    fn unterminated_block_comment_runs_to_the_end() {
        assert_eq!(sqls("SELECT 1; /* never closed; SELECT 2;"), ["SELECT 1"]);
        assert_eq!(sqls("SELECT 1 /* trailing"), ["SELECT 1 /* trailing"]);
    }

    #[test]
    fn trigger_bodies_with_case() {
        let script = "\
CREATE TABLE t (a, b);
CREATE TRIGGER trg AFTER INSERT ON t
WHEN CASE WHEN new.a > 0 THEN 1 ELSE 0 END
BEGIN
  UPDATE t SET b = CASE new.a WHEN 1 THEN 'one;' ELSE 'other' END WHERE rowid = new.rowid;
  INSERT INTO log VALUES (CASE WHEN new.b IS NULL THEN 'x' END);
  SELECT RAISE(IGNORE);
END;
CREATE TEMP TRIGGER trg2 BEFORE DELETE ON t BEGIN DELETE FROM log; END;
SELECT 1;";
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        let lines: Vec<_> = statements.iter().map(|s| s.line).collect();
        assert_eq!(lines, [1, 2, 9, 10], "{statements:#?}");
        assert!(statements[1].sql.starts_with("CREATE TRIGGER trg"));
        assert!(statements[1].sql.ends_with("SELECT RAISE(IGNORE);\nEND"));
        assert_eq!(
            statements[2].sql,
            "CREATE TEMP TRIGGER trg2 BEFORE DELETE ON t BEGIN DELETE FROM log; END"
        );
        assert_eq!(statements[3].sql, "SELECT 1");
    }

    #[test]
    fn trigger_keywords_in_any_case_and_quoted_names() {
        assert_eq!(
            sqls(
                "create temporary trigger if not exists \"begin\" after update on [end] begin select 1; end; select 2"
            ),
            [
                "create temporary trigger if not exists \"begin\" after update on [end] begin select 1; end",
                "select 2"
            ]
        );
    }

    #[test]
    fn transaction_statements_are_ordinary() {
        assert_eq!(
            sqls(
                "BEGIN; BEGIN TRANSACTION; BEGIN DEFERRED; BEGIN IMMEDIATE TRANSACTION; BEGIN EXCLUSIVE; END; COMMIT"
            ),
            [
                "BEGIN",
                "BEGIN TRANSACTION",
                "BEGIN DEFERRED",
                "BEGIN IMMEDIATE TRANSACTION",
                "BEGIN EXCLUSIVE",
                "END",
                "COMMIT"
            ]
        );
        // CASE outside a trigger is not a block either.
        assert_eq!(
            sqls("SELECT CASE WHEN 1 THEN 2 END; SELECT 3"),
            ["SELECT CASE WHEN 1 THEN 2 END", "SELECT 3"]
        );
    }

    #[test]
    fn keywords_are_whole_words() {
        assert_eq!(
            sqls(
                "CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE x SET begin_date = 1, end_at = 2, ended = 3; END; SELECT 1"
            ),
            [
                "CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE x SET begin_date = 1, end_at = 2, ended = 3; END",
                "SELECT 1"
            ]
        );
        assert_eq!(
            sqls("CREATE TABLE begin_end (begin_date, end_at); SELECT 1"),
            ["CREATE TABLE begin_end (begin_date, end_at)", "SELECT 1"]
        );
    }

    #[test]
    fn parameters_are_ordinary_characters() {
        assert_eq!(
            sqls("SELECT $a, :b, @c, ?1; SELECT 2"),
            ["SELECT $a, :b, @c, ?1", "SELECT 2"]
        );
    }

    #[test]
    fn unterminated_constructs_name_what_and_where() {
        let cases = [
            ("SELECT 1;\nSELECT 'abc;", "string literal", 2),
            ("SELECT \"abc;", "quoted identifier", 1),
            ("\nSELECT `abc;", "quoted identifier", 2),
            ("SELECT [abc;", "quoted identifier", 1),
            ("SELECT (1;\nSELECT 2;", "parenthesis", 1),
            (
                "CREATE TRIGGER t AFTER INSERT ON x\nBEGIN\nSELECT 1;",
                "trigger body BEGIN",
                2,
            ),
            (
                "CREATE TRIGGER t AFTER INSERT ON x BEGIN\nSELECT CASE WHEN 1 THEN 2;\nEND;",
                "trigger body BEGIN",
                1,
            ),
            (
                "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;\nCREATE TRIGGER u AFTER INSERT ON x BEGIN\nSELECT CASE",
                "CASE expression",
                3,
            ),
        ];
        for (script, what, line) in cases {
            let e = err(script);
            assert_eq!((e.what.as_str(), e.line), (what, line), "{script:?}");
        }
    }

    #[test]
    fn pragma_foreign_keys_is_non_transactional() {
        let yes = [
            "PRAGMA foreign_keys = OFF",
            "pragma FOREIGN_KEYS=on",
            "PRAGMA  foreign_keys",
            "PRAGMA foreign_keys(1)",
            "PRAGMA main.foreign_keys = ON",
            "PRAGMA \"main\".\"foreign_keys\" = 0",
            "-- c\nPRAGMA\n\tforeign_keys\n=\n1",
        ];
        for sql in yes {
            assert!(one(sql).non_transactional, "{sql}");
        }
        let no = [
            "PRAGMA foreign_key_check",
            "PRAGMA journal_mode = WAL",
            "SELECT 'PRAGMA foreign_keys'",
            "CREATE TABLE foreign_keys (a)",
            "PRAGMA table_info(foreign_keys)",
        ];
        for sql in no {
            assert!(!one(sql).non_transactional, "{sql}");
        }
        let flags: Vec<_> =
            split("PRAGMA foreign_keys=OFF;\nCREATE TABLE a (b);\nPRAGMA foreign_keys=ON")
                .unwrap()
                .iter()
                .map(|s| s.non_transactional)
                .collect();
        assert_eq!(flags, [true, false, true]);
    }

    #[test]
    fn unicode_text_survives() {
        assert_eq!(
            sqls("INSERT INTO t VALUES ('é;ü', \"naïve\", [日;本]); SELECT café"),
            [
                "INSERT INTO t VALUES ('é;ü', \"naïve\", [日;本])",
                "SELECT café"
            ]
        );
    }

    #[test]
    fn random_scripts_never_panic_and_lines_match_offsets() {
        let alphabet = [
            "'",
            "\"",
            "`",
            "[",
            "]",
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
            "é",
            "$",
            "(",
            ")",
            "CREATE TRIGGER t ",
            "BEGIN",
            " CASE ",
            "END",
            "PRAGMA foreign_keys",
        ];
        let ok = fuzz(split, 0x5eed_0002, &alphabet);
        assert!(ok > 500, "only {ok} of 3500 scripts split without error");
    }
}
