//! Statements sqlparser does not parse (yet), recognised on its tokens.
//!
//! sqlparser 0.64 has no `REINDEX`, `CLUSTER`, `ALTER DOMAIN`, `DROP INDEX CONCURRENTLY`,
//! `PRAGMA x = ON`, `OPTIMIZE TABLE`, MariaDB's `ADD COLUMN IF NOT EXISTS`, or MySQL trigger and
//! routine bodies; several of those are exactly what the rules are about (`REINDEX` without
//! `CONCURRENTLY`), and the safe form of one (`DROP INDEX CONCURRENTLY IF EXISTS`) must not be
//! reported as unparsable. Each shape here is matched on sqlparser's own token stream, so
//! strings, comments and quoted names are already tokens: a `DROP` inside a string or a body is
//! never seen as a keyword. Anything not listed stays an `unparsed-statement`.

use sqlparser::ast::Statement;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};
use tidemark_sql::Dialect;

use crate::model::{Obj, OpKind};

/// How a statement sqlparser rejected was understood.
pub(crate) enum Recovery {
    /// Recognised from its tokens.
    Ops(Vec<OpKind>),
    /// Parsed after blanking an unsupported clause; `Fix` says which, so the flag can be put back.
    Reparsed(Vec<Statement>, Fix),
}

/// A clause blanked out before re-parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fix {
    /// `ADD COLUMN IF NOT EXISTS` (MariaDB).
    AddColumnIfNotExists,
}

struct Cursor {
    tokens: Vec<TokenWithSpan>,
    pos: usize,
}

impl Cursor {
    fn new(dialect: &dyn sqlparser::dialect::Dialect, sql: &str) -> Option<Cursor> {
        let tokens = Tokenizer::new(dialect, sql)
            .tokenize_with_location()
            .ok()?
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .filter(|t| !matches!(t.token, Token::SemiColon | Token::EOF))
            .collect();
        Some(Cursor { tokens, pos: 0 })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.token)
    }

    fn is_kw(t: Option<&Token>, kw: &str) -> bool {
        matches!(t, Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    }

    fn kw(&mut self, kw: &str) -> bool {
        if Cursor::is_kw(self.peek(), kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn kws(&mut self, kws: &[&str]) -> bool {
        let save = self.pos;
        for k in kws {
            if !self.kw(k) {
                self.pos = save;
                return false;
            }
        }
        true
    }

    fn any_kw(&mut self, kws: &[&'static str]) -> Option<&'static str> {
        let found = kws.iter().find(|k| Cursor::is_kw(self.peek(), k)).copied();
        if found.is_some() {
            self.pos += 1;
        }
        found
    }

    /// A possibly dotted name.
    fn name(&mut self) -> Option<Obj> {
        let mut parts: Vec<(String, String)> = Vec::new();
        while let Some(Token::Word(w)) = self.peek() {
            let display = match w.quote_style {
                Some(q) => format!("{q}{}{}", w.value, closing(q)),
                None => w.value.clone(),
            };
            parts.push((w.value.to_lowercase(), display));
            self.pos += 1;
            if matches!(self.peek(), Some(Token::Period)) {
                self.pos += 1;
            } else {
                break;
            }
        }
        let (key, _) = parts.last()?.clone();
        Some(Obj {
            key,
            display: parts
                .iter()
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
                .join("."),
            qualified: parts.len() > 1,
        })
    }

    /// Skips a parenthesised group if one starts here; returns the words inside (upper case).
    fn parens(&mut self) -> Option<Vec<String>> {
        if !matches!(self.peek(), Some(Token::LParen)) {
            return None;
        }
        let mut depth = 0usize;
        let mut words = Vec::new();
        while let Some(t) = self.peek().cloned() {
            self.pos += 1;
            match t {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                Token::Word(w) => words.push(w.value.to_ascii_uppercase()),
                _ => {}
            }
        }
        Some(words)
    }

    fn rest_has_kw(&self, kw: &str) -> bool {
        self.tokens[self.pos.min(self.tokens.len())..]
            .iter()
            .any(|t| Cursor::is_kw(Some(&t.token), kw))
    }

    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }
}

fn closing(q: char) -> char {
    match q {
        '[' => ']',
        other => other,
    }
}

/// Statements handled on tokens even though sqlparser accepts them, because it accepts them
/// wrongly: PostgreSQL `DROP INDEX CONCURRENTLY i` parses as an index named `CONCURRENTLY`.
pub(crate) fn preempt(
    dialect: Dialect,
    sp: &dyn sqlparser::dialect::Dialect,
    sql: &str,
) -> Option<Vec<OpKind>> {
    if dialect != Dialect::Postgres {
        return None;
    }
    let mut c = Cursor::new(sp, sql)?;
    if !c.kws(&["DROP", "INDEX"]) {
        return None;
    }
    let concurrently = c.kw("CONCURRENTLY");
    let if_exists = c.kws(&["IF", "EXISTS"]);
    let mut indexes = Vec::new();
    loop {
        indexes.push(c.name()?);
        if matches!(c.peek(), Some(Token::Comma)) {
            c.pos += 1;
        } else {
            break;
        }
    }
    c.any_kw(&["CASCADE", "RESTRICT"]);
    if !c.at_end() {
        return None;
    }
    Some(vec![OpKind::DropIndex {
        indexes,
        concurrently,
        if_exists,
    }])
}

/// Tries to understand a statement sqlparser rejected.
pub(crate) fn recover(
    dialect: Dialect,
    sp: &dyn sqlparser::dialect::Dialect,
    sql: &str,
) -> Option<Recovery> {
    let mut c = Cursor::new(sp, sql)?;
    if c.tokens.is_empty() {
        return None;
    }
    let ops = |v: Vec<OpKind>| Some(Recovery::Ops(v));
    // REINDEX (PostgreSQL, SQLite).
    if dialect != Dialect::Mysql && c.kw("REINDEX") {
        let options = c.parens().unwrap_or_default();
        c.kw("VERBOSE");
        let kind = c.any_kw(&["INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"]);
        let concurrently = c.kw("CONCURRENTLY")
            || options
                .iter()
                .position(|w| w == "CONCURRENTLY")
                .is_some_and(|i| {
                    !matches!(
                        options.get(i + 1).map(String::as_str),
                        Some("FALSE" | "OFF")
                    )
                });
        let name = c.name();
        let target = match (kind, name) {
            (Some(k), Some(n)) => format!("{k} {}", n.display),
            (Some(k), None) => k.to_string(),
            (None, Some(n)) => n.display,
            (None, None) => "DATABASE".into(),
        };
        return ops(vec![OpKind::Reindex {
            target,
            concurrently,
        }]);
    }
    if dialect == Dialect::Postgres {
        if c.kw("CLUSTER") {
            c.kw("VERBOSE");
            let _ = c.parens();
            let table = c.name();
            return ops(vec![OpKind::Cluster { table }]);
        }
        if c.kws(&["ALTER", "DOMAIN"]) {
            let domain = c.name()?.display;
            if c.kw("ADD") {
                if c.kw("CONSTRAINT") {
                    c.name();
                }
                if c.kw("CHECK") || c.kws(&["NOT", "NULL"]) {
                    let _ = c.parens();
                    let not_valid = c.kws(&["NOT", "VALID"]);
                    return ops(vec![OpKind::AlterDomainAddConstraint { domain, not_valid }]);
                }
                return None;
            }
            return ops(vec![OpKind::Other("ALTER DOMAIN".into())]);
        }
        if c.kws(&["ALTER", "SEQUENCE"]) {
            return ops(vec![OpKind::Other("ALTER SEQUENCE".into())]);
        }
        c.pos = 0;
        if c.kws(&["ALTER", "TABLE"]) {
            c.kws(&["IF", "EXISTS"]);
            c.kw("ONLY");
            let table = c.name()?;
            if c.kw("ALTER") {
                c.kw("COLUMN");
                c.name()?;
                if c.kws(&["SET", "STATISTICS"])
                    || c.kws(&["SET", "STORAGE"])
                    || c.kws(&["SET", "COMPRESSION"])
                {
                    return ops(vec![OpKind::AlterTableOther {
                        table,
                        what: "ALTER COLUMN SET".into(),
                    }]);
                }
            }
            return None;
        }
    }
    if dialect == Dialect::Sqlite && c.kw("PRAGMA") {
        let name = c.name()?.key;
        let value = if matches!(c.peek(), Some(Token::Eq)) {
            c.pos += 1;
            c.peek()
                .map(|t| t.to_string().trim_matches('\'').to_ascii_lowercase())
        } else {
            c.parens().map(|w| w.join(",").to_ascii_lowercase())
        };
        return ops(vec![OpKind::Set {
            name,
            value: value.unwrap_or_default(),
        }]);
    }
    if dialect == Dialect::Mysql {
        c.pos = 0;
        if c.kw("OPTIMIZE") {
            c.any_kw(&["NO_WRITE_TO_BINLOG", "LOCAL"]);
            c.any_kw(&["TABLE", "TABLES"]);
            return ops(vec![OpKind::Rebuild { table: c.name() }]);
        }
        if c.kws(&["ALTER", "TABLE"]) {
            let table = c.name()?;
            if c.kw("FORCE") || c.kw("ENGINE") {
                return ops(vec![OpKind::Rebuild { table: Some(table) }]);
            }
            return reparse_without_if_not_exists(sp, sql, &c);
        }
        c.pos = 0;
        if c.kw("CREATE") {
            c.kw("UNIQUE");
            if let Some(special) = c.any_kw(&["FULLTEXT", "SPATIAL"]) {
                if c.kw("INDEX") {
                    let index = c.name();
                    if c.kw("ON") {
                        let table = c.name()?;
                        return ops(vec![OpKind::CreateIndex {
                            index,
                            table,
                            unique: false,
                            concurrently: false,
                            if_not_exists: false,
                            special: Some(special),
                            algorithm: None,
                            lock: None,
                        }]);
                    }
                }
                return None;
            }
        }
    }
    // CREATE [OR REPLACE] [DEFINER = x] [TEMP] TRIGGER ... ON table / FUNCTION / PROCEDURE:
    // bodies are not checked, the head says what is created.
    c.pos = 0;
    if c.kw("CREATE") {
        let or_replace = c.kws(&["OR", "REPLACE"]);
        if c.kw("DEFINER") {
            if matches!(c.peek(), Some(Token::Eq)) {
                c.pos += 1;
            }
            // user@host, CURRENT_USER[()]
            while !c.at_end()
                && !Cursor::is_kw(c.peek(), "TRIGGER")
                && !Cursor::is_kw(c.peek(), "FUNCTION")
                && !Cursor::is_kw(c.peek(), "PROCEDURE")
            {
                c.pos += 1;
            }
        }
        c.any_kw(&["TEMP", "TEMPORARY", "CONSTRAINT"]);
        if c.kw("TRIGGER") {
            c.kws(&["IF", "NOT", "EXISTS"]);
            c.name()?;
            let instead_of = c.rest_has_kw("INSTEAD");
            while !c.at_end() && !c.kw("ON") {
                c.pos += 1;
            }
            let table = c.name()?;
            return ops(vec![OpKind::CreateTrigger { table, instead_of }]);
        }
        if let Some(what) = c.any_kw(&["FUNCTION", "PROCEDURE"]) {
            return ops(vec![OpKind::Create {
                what,
                if_not_exists: or_replace,
            }]);
        }
    }
    None
}

/// MariaDB's `ADD [COLUMN] IF NOT EXISTS`: blank the three words (same length, so positions do
/// not move) and parse again.
fn reparse_without_if_not_exists(
    sp: &dyn sqlparser::dialect::Dialect,
    sql: &str,
    c: &Cursor,
) -> Option<Recovery> {
    let toks = &c.tokens;
    let mut blank: Vec<(usize, usize)> = Vec::new();
    for i in 0..toks.len() {
        let is = |j: usize, kw: &str| Cursor::is_kw(toks.get(j).map(|t| &t.token), kw);
        if is(i, "ADD") {
            let j = if is(i + 1, "COLUMN") { i + 2 } else { i + 1 };
            if is(j, "IF") && is(j + 1, "NOT") && is(j + 2, "EXISTS") {
                let start = offset(sql, toks[j].span.start)?;
                let end = offset(sql, toks[j + 2].span.end)?;
                blank.push((start, end));
            }
        }
    }
    if blank.is_empty() {
        return None;
    }
    let mut bytes = sql.as_bytes().to_vec();
    for (s, e) in blank {
        for b in bytes.get_mut(s..e)? {
            *b = b' ';
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    let parsed = Parser::parse_sql(sp, &text).ok()?;
    Some(Recovery::Reparsed(parsed, Fix::AddColumnIfNotExists))
}

/// Byte offset of a tokenizer location (1-based line and column, lines split at `\n`).
fn offset(sql: &str, loc: sqlparser::tokenizer::Location) -> Option<usize> {
    let (mut line, mut col) = (1u64, 1u64);
    for (i, ch) in sql.char_indices() {
        if line == loc.line && col == loc.column {
            return Some(i);
        }
        if ch == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line == loc.line && col == loc.column).then_some(sql.len())
}

/// Whether the statement is an anonymous code block (`DO $$ ... $$`), which no linter can see
/// into.
pub(crate) fn is_do_block(sp: &dyn sqlparser::dialect::Dialect, sql: &str) -> bool {
    Cursor::new(sp, sql).is_some_and(|mut c| c.kw("DO"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};

    fn pg(sql: &str) -> Option<Vec<OpKind>> {
        match recover(Dialect::Postgres, &PostgreSqlDialect {}, sql) {
            Some(Recovery::Ops(o)) => Some(o),
            _ => None,
        }
    }

    #[test]
    fn drop_index_forms() {
        let d = PostgreSqlDialect {};
        let ops = preempt(
            Dialect::Postgres,
            &d,
            "DROP INDEX CONCURRENTLY IF EXISTS a.i, j CASCADE",
        )
        .unwrap();
        match &ops[0] {
            OpKind::DropIndex {
                indexes,
                concurrently,
                if_exists,
            } => {
                assert!(concurrently & if_exists);
                assert_eq!(indexes.len(), 2);
                assert_eq!(indexes[0].display, "a.i");
            }
            other => panic!("{other:?}"),
        }
        assert!(preempt(Dialect::Postgres, &d, "DROP TABLE t").is_none());
    }

    #[test]
    fn reindex_cluster_domain() {
        assert!(matches!(
            pg("REINDEX (VERBOSE, CONCURRENTLY) TABLE t").unwrap()[0],
            OpKind::Reindex {
                concurrently: true,
                ..
            }
        ));
        assert!(matches!(
            pg("REINDEX INDEX CONCURRENTLY i").unwrap()[0],
            OpKind::Reindex {
                concurrently: true,
                ..
            }
        ));
        assert!(matches!(
            pg("REINDEX TABLE t").unwrap()[0],
            OpKind::Reindex {
                concurrently: false,
                ..
            }
        ));
        assert!(matches!(
            pg("CLUSTER t USING i").unwrap()[0],
            OpKind::Cluster { .. }
        ));
        assert!(matches!(
            pg("ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID").unwrap()[0],
            OpKind::AlterDomainAddConstraint {
                not_valid: true,
                ..
            }
        ));
        // A comment or a string saying REINDEX is not a REINDEX.
        assert!(pg("SELECT 'REINDEX TABLE t' FROM").is_none());
    }

    #[test]
    fn sqlite_pragma_and_mysql_shapes() {
        match recover(
            Dialect::Sqlite,
            &SQLiteDialect {},
            "PRAGMA foreign_keys = ON",
        ) {
            Some(Recovery::Ops(o)) => assert!(
                matches!(&o[0], OpKind::Set { name, value } if name == "foreign_keys" && value == "on")
            ),
            _ => panic!("pragma"),
        }
        let my = MySqlDialect {};
        assert!(matches!(
            recover(
                Dialect::Mysql,
                &my,
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT"
            ),
            Some(Recovery::Reparsed(_, Fix::AddColumnIfNotExists))
        ));
        assert!(matches!(
            recover(Dialect::Mysql, &my, "CREATE FULLTEXT INDEX f ON t (body)"),
            Some(Recovery::Ops(_))
        ));
        assert!(matches!(
            recover(Dialect::Mysql, &my, "CREATE DEFINER=`root`@`%` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1"),
            Some(Recovery::Ops(o)) if matches!(&o[0], OpKind::CreateTrigger { table, .. } if table.key == "t")
        ));
    }
}
