//! Statement splitting for MySQL and MariaDB.
//!
//! Statements end at the current delimiter, `;` unless a `DELIMITER xx` command changed it.
//! Nothing inside a string (`'...'` and `"..."`, with both `\` and doubled-quote escapes), a
//! quoted identifier (`` `...` ``, doubled backtick) or a comment ends a statement. Comments are
//! `#` and `-- ` to the end of the line (`--` only when followed by whitespace, a control
//! character or the end: `1--x` is arithmetic), and `/* */`. Executable comments (`/*! ... */`,
//! MariaDB's `/*M! ... */`) are code that older servers skip: they are kept in the statement text
//! (and can be a statement on their own, as in mysqldump output), and anything inside them,
//! including a rare `;`, is left to the server.
//!
//! `DELIMITER xx` is a command of the mysql client, not SQL: it is recognised, case-insensitively,
//! where a statement would start (at the start of a line, or after the previous delimiter), the
//! first whitespace-separated word after it is the new delimiter, the rest of its line is
//! ignored, and the command itself is not a statement. Like the mysql client, a delimiter other
//! than `;` ends a statement wherever it appears outside strings and comments, even in the
//! middle of a word (`END$$`), whatever the statement contains.
//!
//! With the `;` delimiter, a `;` inside parentheses (as in Flyway's parser) or inside the
//! `BEGIN ... END` body of `CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT` (or MariaDB's anonymous
//! `BEGIN NOT ATOMIC ... END`) does not end the statement. Bodies nest `BEGIN ... END` and
//! `CASE ... END [CASE]`; `END IF`, `END LOOP`, `END WHILE`, `END REPEAT` and `END FOR` close
//! blocks that need no tracking, because they cannot contain an unbalanced `END`. A stored
//! program whose body is a bare `IF`, `LOOP`, ... with inner `;` (no `BEGIN`) needs a
//! `DELIMITER`, as it does in the mysql client. A top-level `BEGIN;` or `BEGIN WORK;` is a
//! transaction statement.
//!
//! No statement is non-transactional (reference §9): MySQL commits DDL implicitly anyway.

use crate::scan::{Collector, Cursor, Head, Parens, is_word_byte};
use crate::{SplitError, Statement};

/// What is known about the statement being scanned.
#[derive(Default)]
struct Current {
    head: Head,
    parens: Parens,
    /// Open `BEGIN` and `CASE` blocks of a stored program: what, and where.
    blocks: Vec<(&'static str, usize)>,
    /// The previous word was an `END` that closes a block unless the next word says otherwise.
    pending_end: bool,
    /// Where the statement's first word is, if it is `BEGIN` (MariaDB's `BEGIN NOT ATOMIC`).
    begin_at: Option<usize>,
}

impl Current {
    /// A token other than a word follows: a pending `END` closes its block.
    fn resolve_end(&mut self) {
        if std::mem::take(&mut self.pending_end) {
            self.blocks.pop();
        }
    }

    /// A word (at `pos`) was consumed: the head, and stored-program blocks.
    fn word(&mut self, w: &str, pos: usize) {
        let depth = self.parens.depth();
        self.head.push(w, false, depth);
        if depth > 0 {
            return;
        }
        let is = |keyword: &str| w.eq_ignore_ascii_case(keyword);
        if std::mem::take(&mut self.pending_end) {
            if ["IF", "LOOP", "WHILE", "REPEAT", "FOR"]
                .iter()
                .any(|k| is(k))
            {
                return;
            }
            self.blocks.pop();
            if is("CASE") {
                return;
            }
        }
        if is("END") {
            self.pending_end = !self.blocks.is_empty();
            return;
        }
        if !(is("BEGIN") || is("CASE") || is("ATOMIC")) {
            return;
        }
        let keywords = self.head.keywords();
        let in_program = !self.blocks.is_empty() || is_stored_program(&keywords);
        if is("BEGIN") {
            if keywords.len() == 1 {
                self.begin_at = Some(pos);
            }
            if in_program {
                self.blocks.push(("BEGIN ... END block", pos));
            }
        } else if is("CASE") {
            if in_program {
                self.blocks.push(("CASE", pos));
            }
        } else if keywords == ["BEGIN", "NOT", "ATOMIC"] {
            if let Some(begin) = self.begin_at {
                self.blocks.push(("BEGIN NOT ATOMIC ... END block", begin));
            }
        }
    }
}

pub(crate) fn split(script: &str) -> Result<Vec<Statement>, SplitError> {
    let mut c = Cursor::new(script);
    let mut out = Collector::new(script);
    let mut cur = Current::default();
    let mut delimiter = ";";
    while let Some(b) = c.peek() {
        let pos = c.pos();
        if c.skip_space() {
            continue;
        }
        if !out.in_statement() {
            if let Some(new) = delimiter_command(&mut c) {
                delimiter = new;
                continue;
            }
        }
        if c.starts_with(delimiter.as_bytes()) {
            cur.resolve_end();
            let nested = cur.parens.depth() > 0 || !cur.blocks.is_empty();
            if delimiter != ";" || !nested {
                c.bump(delimiter.len());
                out.end(pos, false);
                cur = Current::default();
                continue;
            }
        }
        let dash_comment =
            b == b'-' && c.peek_at(1) == Some(b'-') && c.peek_at(2).is_none_or(|b| b <= b' ');
        if b == b'#' || dash_comment {
            c.skip_to_line_end();
            continue;
        }
        if b == b'/' && c.peek_at(1) == Some(b'*') {
            let executable = c.peek_at(2) == Some(b'!')
                || (c.peek_at(2) == Some(b'M') && c.peek_at(3) == Some(b'!'));
            if executable {
                out.token(pos);
            }
            if !c.block_comment(false) {
                let what = if executable {
                    "executable comment"
                } else {
                    "block comment"
                };
                return Err(out.unclosed(what, pos));
            }
            continue;
        }
        out.token(pos);
        match b {
            b'\'' | b'"' => {
                cur.resolve_end();
                if !c.quoted(b, true) {
                    return Err(out.unclosed("string literal", pos));
                }
            }
            b'`' => {
                cur.resolve_end();
                if !c.quoted(b'`', false) {
                    return Err(out.unclosed("quoted identifier", pos));
                }
                let text = c.slice(pos + 1, c.pos() - 1);
                cur.head.push(text, true, cur.parens.depth());
            }
            b'(' => {
                cur.resolve_end();
                cur.parens.open(pos);
                c.bump(1);
            }
            b')' => {
                cur.parens.close();
                c.bump(1);
            }
            b if is_word_byte(b) || b == b'$' => {
                let w = word(&mut c, delimiter);
                cur.word(w, pos);
            }
            _ => {
                cur.resolve_end();
                c.bump(1);
            }
        }
    }
    cur.resolve_end();
    if let Some(at) = cur.parens.open_at() {
        return Err(out.unclosed("parenthesis", at));
    }
    if let Some(&(what, at)) = cur.blocks.last() {
        return Err(out.unclosed(what, at));
    }
    out.end(script.len(), false);
    Ok(out.finish())
}

/// At a word byte or `$`: consumes a word, stopping where the delimiter starts (`END$$`).
fn word<'a>(c: &mut Cursor<'a>, delimiter: &str) -> &'a str {
    let start = c.pos();
    c.bump(1);
    while let Some(b) = c.peek() {
        let part = (is_word_byte(b) || b == b'$') && c.space_len() == 0;
        if !part || c.starts_with(delimiter.as_bytes()) {
            break;
        }
        c.bump(1);
    }
    c.slice(start, c.pos())
}

/// At the start of a would-be statement: a `DELIMITER xx` command consumes its line and returns
/// the new delimiter. `DELIMITER` without an argument is left alone (the server will reject it).
fn delimiter_command<'a>(c: &mut Cursor<'a>) -> Option<&'a str> {
    const COMMAND: &[u8] = b"delimiter";
    if !c.starts_with_ignore_case(COMMAND)
        || !matches!(c.peek_at(COMMAND.len()), Some(b' ' | b'\t'))
    {
        return None;
    }
    let mut n = COMMAND.len();
    while matches!(c.peek_at(n), Some(b' ' | b'\t')) {
        n += 1;
    }
    let from = n;
    while c.peek_at(n).is_some_and(|b| !b.is_ascii_whitespace()) {
        n += 1;
    }
    if n == from {
        return None;
    }
    let pos = c.pos();
    let delimiter = c.slice(pos + from, pos + n);
    c.bump(n);
    c.skip_to_line_end();
    Some(delimiter)
}

/// `CREATE [OR REPLACE] [DEFINER = ...] [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT`: the first
/// object-kind keyword after `CREATE` decides.
fn is_stored_program(keywords: &[&str]) -> bool {
    let Some((&"CREATE", rest)) = keywords.split_first() else {
        return false;
    };
    for &w in rest {
        match w {
            "PROCEDURE" | "FUNCTION" | "TRIGGER" | "EVENT" => return true,
            "TABLE" | "VIEW" | "INDEX" | "DATABASE" | "SCHEMA" | "USER" | "ROLE" | "SERVER"
            | "TABLESPACE" | "SEQUENCE" | "LOGFILE" | "RESOURCE" | "SPATIAL" | "FULLTEXT"
            | "UNIQUE" | "TEMPORARY" => return false,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::split;
    use crate::SplitError;
    use crate::scan::testing::{check_invariants, fuzz};

    fn sqls(script: &str) -> Vec<String> {
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        statements.into_iter().map(|s| s.sql).collect()
    }

    fn lines(script: &str) -> Vec<usize> {
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        statements.iter().map(|s| s.line).collect()
    }

    fn err(script: &str) -> SplitError {
        split(script).unwrap_err()
    }

    #[test]
    fn simple_statements_with_positions() {
        let script =
            "CREATE TABLE a (id INT);\n# note\nINSERT INTO a VALUES (1); INSERT INTO a VALUES (2)";
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        let got: Vec<_> = statements
            .iter()
            .map(|s| (s.sql.as_str(), s.line, s.offset))
            .collect();
        assert_eq!(
            got,
            [
                ("CREATE TABLE a (id INT)", 1, 0),
                ("INSERT INTO a VALUES (1)", 3, 32),
                ("INSERT INTO a VALUES (2)", 3, 58),
            ]
        );
        assert!(statements.iter().all(|s| !s.non_transactional));
    }

    #[test]
    fn empty_and_comment_only_scripts() {
        assert!(sqls("").is_empty());
        assert!(sqls(" ;\n;").is_empty());
        assert!(sqls("# a\n-- b\n/* c */;\n--").is_empty());
    }

    #[test]
    fn line_numbers_with_lf_crlf_and_cr() {
        for nl in ["\n", "\r\n", "\r"] {
            let script = format!(
                "# one{nl}-- two{nl}SELECT 1;{nl}{nl}DELIMITER //{nl}SELECT{nl}2//SELECT 3//{nl}DELIMITER ;{nl}/* x */ SELECT 4"
            );
            assert_eq!(lines(&script), [3, 6, 7, 9], "{nl:?}");
        }
    }

    #[test]
    fn double_dash_needs_whitespace() {
        assert_eq!(sqls("SELECT 1--1; SELECT 2"), ["SELECT 1--1", "SELECT 2"]);
        assert_eq!(
            sqls("SELECT 1 -- x; y\n; SELECT 2"),
            ["SELECT 1 -- x; y", "SELECT 2"]
        );
        assert_eq!(
            sqls("SELECT 1 --\t;\n; SELECT 2 --"),
            ["SELECT 1 --\t;", "SELECT 2 --"]
        );
        assert_eq!(
            sqls("SELECT 1 # x; y\r; SELECT 2"),
            ["SELECT 1 # x; y", "SELECT 2"]
        );
    }

    #[test]
    fn strings_with_backslash_and_doubled_quotes() {
        assert_eq!(
            sqls(r#"SELECT 'it\'s;', 'a''b;', "say \"hi\";", "x""y;", `a;b`, `c``d;`; SELECT 2"#),
            [
                r#"SELECT 'it\'s;', 'a''b;', "say \"hi\";", "x""y;", `a;b`, `c``d;`"#,
                "SELECT 2"
            ]
        );
        assert_eq!(sqls(r"SELECT '\\'; SELECT 2"), [r"SELECT '\\'", "SELECT 2"]);
    }

    #[test]
    fn executable_comments_are_statement_text() {
        assert_eq!(
            sqls(
                "/*!40101 SET @OLD_CHARSET=@@CHARACTER_SET_CLIENT */;\n/* plain */ SELECT /*! STRAIGHT_JOIN */ 1;\n/*M!100100 SET x=1; */;"
            ),
            [
                "/*!40101 SET @OLD_CHARSET=@@CHARACTER_SET_CLIENT */",
                "SELECT /*! STRAIGHT_JOIN */ 1",
                "/*M!100100 SET x=1; */"
            ]
        );
        assert_eq!(lines("-- c\n/*!40101 SET x */;"), [2]);
    }

    #[test]
    fn delimiter_blocks() {
        let script = "\
DELIMITER //
CREATE PROCEDURE p(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0; -- it's a comment
  IF n > 0 THEN SELECT 'a;b'; END IF;
END //
DELIMITER ;
CALL p(1);
";
        let statements = split(script).unwrap();
        check_invariants(script, &statements);
        assert_eq!(statements.len(), 2, "{statements:#?}");
        assert!(
            statements[0]
                .sql
                .starts_with("CREATE PROCEDURE p(IN n INT)\nBEGIN")
        );
        assert!(statements[0].sql.ends_with("END IF;\nEND"));
        assert_eq!((statements[0].line, statements[1].line), (2, 8));
        assert_eq!(statements[1].sql, "CALL p(1)");
    }

    #[test]
    fn dollar_delimiter_ends_words() {
        let script = "delimiter $$\nCREATE FUNCTION f() RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN 1;\nEND$$\nSELECT f()$$\nDelimiter ;\nSELECT $x;";
        assert_eq!(
            sqls(script),
            [
                "CREATE FUNCTION f() RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN 1;\nEND",
                "SELECT f()",
                "SELECT $x"
            ]
        );
    }

    #[test]
    fn mysqldump_style_trigger() {
        let script = "\
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN
  SET NEW.a = 1;
END */;;
DELIMITER ;
SELECT 1;";
        let statements = sqls(script);
        assert_eq!(statements.len(), 2, "{statements:#?}");
        assert!(statements[0].starts_with("/*!50003 CREATE*/"));
        assert!(statements[0].ends_with("END */"));
        assert_eq!(statements[1], "SELECT 1");
    }

    #[test]
    fn delimiter_is_only_a_command_at_statement_start() {
        assert_eq!(
            sqls("SELECT a,\ndelimiter FROM t; SELECT 2"),
            ["SELECT a,\ndelimiter FROM t", "SELECT 2"]
        );
        assert_eq!(
            sqls("SELECT 1; DELIMITER //\nSELECT 2//"),
            ["SELECT 1", "SELECT 2"]
        );
        assert_eq!(
            sqls("  DELIMITER // trailing words\nSELECT 2//"),
            ["SELECT 2"]
        );
        // Without an argument it is not a command.
        assert_eq!(sqls("DELIMITER\nSELECT 1;"), ["DELIMITER\nSELECT 1"]);
        assert_eq!(sqls("DELIMITERS x;"), ["DELIMITERS x"]);
    }

    #[test]
    fn custom_delimiter_ends_statements_even_if_unbalanced() {
        assert_eq!(
            sqls("DELIMITER //\nSELECT (1//SELECT 2//"),
            ["SELECT (1", "SELECT 2"]
        );
        assert_eq!(
            sqls("DELIMITER GO\nSELECT 1 GO\nSELECT 'GO' GO"),
            ["SELECT 1", "SELECT 'GO'"]
        );
    }

    #[test]
    fn stored_programs_without_delimiter() {
        let script = "\
CREATE DEFINER=`admin`@`%` PROCEDURE p()
BEGIN
  DECLARE done INT DEFAULT 0;
  outer_loop: LOOP
    IF done THEN LEAVE outer_loop; END IF;
    WHILE done < 3 DO SET done = done + 1; END WHILE;
    REPEAT SET done = done - 1; UNTIL done = 0 END REPEAT;
    CASE done WHEN 0 THEN SELECT 0; ELSE BEGIN SELECT 1; END; END CASE;
    SET done = CASE WHEN done THEN 1 ELSE 0 END;
    SET done = IF(done, 1, 0);
  END LOOP outer_loop;
  lbl: BEGIN SELECT 2; END lbl;
END;
CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN CASE WHEN x > 0 THEN 1 END;
CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END;
CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM log; DELETE FROM tmp; END;
SELECT 1;";
        assert_eq!(lines(script), [1, 14, 15, 16, 17]);
    }

    #[test]
    fn mariadb_anonymous_block_and_transactions() {
        assert_eq!(
            sqls(
                "BEGIN NOT ATOMIC DECLARE x INT; BEGIN SELECT 1; END; SET x = 1; END; BEGIN; BEGIN WORK; COMMIT"
            ),
            [
                "BEGIN NOT ATOMIC DECLARE x INT; BEGIN SELECT 1; END; SET x = 1; END",
                "BEGIN",
                "BEGIN WORK",
                "COMMIT"
            ]
        );
    }

    #[test]
    fn keywords_are_whole_words_and_only_in_programs() {
        assert_eq!(
            sqls(
                "SELECT begin, `end`, begin_date, end_at FROM t; CREATE TABLE begin (a INT); SELECT CASE WHEN 1 THEN 2 END; SELECT 3"
            ),
            [
                "SELECT begin, `end`, begin_date, end_at FROM t",
                "CREATE TABLE begin (a INT)",
                "SELECT CASE WHEN 1 THEN 2 END",
                "SELECT 3"
            ]
        );
    }

    #[test]
    fn semicolons_inside_parentheses_do_not_split() {
        assert_eq!(
            sqls("SELECT (1; 2); SELECT 3"),
            ["SELECT (1; 2)", "SELECT 3"]
        );
    }

    #[test]
    fn unterminated_constructs_name_what_and_where() {
        let cases = [
            ("SELECT 1;\nSELECT 'it\\';", "string literal", 2),
            ("SELECT \"abc", "string literal", 1),
            ("SELECT `abc;", "quoted identifier", 1),
            ("SELECT 1; /* abc;", "block comment", 1),
            ("\n/*!40101 SET x;", "executable comment", 2),
            ("SELECT (\n1;", "parenthesis", 1),
            (
                "CREATE PROCEDURE p()\nBEGIN\nSELECT 1;\nEND IF;",
                "BEGIN ... END block",
                2,
            ),
            (
                "CREATE PROCEDURE p() BEGIN\nCASE x WHEN 1 THEN SELECT 1; END;",
                "BEGIN ... END block",
                1,
            ),
            (
                "CREATE PROCEDURE p() BEGIN\nCASE x WHEN 1 THEN SELECT 1;",
                "CASE",
                2,
            ),
            (
                "BEGIN NOT ATOMIC\nSELECT 1;",
                "BEGIN NOT ATOMIC ... END block",
                1,
            ),
            (
                "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1;",
                "BEGIN ... END block",
                2,
            ),
        ];
        for (script, what, line) in cases {
            let e = err(script);
            assert_eq!((e.what.as_str(), e.line), (what, line), "{script:?}");
        }
    }

    #[test]
    fn nothing_is_non_transactional() {
        let statements =
            split("CREATE DATABASE x; DROP DATABASE x; PRAGMA foreign_keys = 1; VACUUM").unwrap();
        assert_eq!(statements.len(), 4);
        assert!(statements.iter().all(|s| !s.non_transactional));
    }

    #[test]
    fn unicode_text_survives() {
        assert_eq!(
            sqls("DELIMITER é\nSELECT 'é;', `naïve`, caféé SELECT 2é"),
            ["SELECT 'é;', `naïve`, caf", "SELECT 2"]
        );
    }

    #[test]
    fn random_scripts_never_panic_and_lines_match_offsets() {
        let alphabet = [
            "'",
            "\"",
            "`",
            ";",
            "-",
            "-- ",
            "#",
            "/",
            "*",
            "/*",
            "*/",
            "/*!",
            "\\",
            "\n",
            "\r",
            "\r\n",
            " ",
            "a",
            "é",
            "$",
            "$$",
            "(",
            ")",
            "DELIMITER ",
            "DELIMITER $$\n",
            "DELIMITER ;\n",
            "BEGIN",
            " END ",
            " IF ",
            "CREATE PROCEDURE p() ",
            " CASE ",
        ];
        let ok = fuzz(split, 0x5eed_0003, &alphabet);
        assert!(ok > 500, "only {ok} of 3500 scripts split without error");
    }
}
