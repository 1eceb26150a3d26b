//! Names as users type them on the command line, rendered safely per dialect.
//!
//! A plan writes names into three places: SQL text (where a reserved word or an odd character
//! needs quoting), string literals for catalog lookups (where PostgreSQL's case folding of
//! unquoted names matters), and the names tidemark derives itself (triggers, functions,
//! constraints), which must stay within PostgreSQL's 63-byte limit without silently colliding.
//! Getting any of these wrong produces a migration that fails at deploy time, so they live here
//! once.

use tidemark_sql::Dialect;

use crate::GenerateError;

/// PostgreSQL truncates longer identifiers silently; MySQL refuses names over 64 characters.
const MAX_IDENT: usize = 63;

/// Words that cannot be bare identifiers in at least one dialect (PostgreSQL's reserved
/// key words plus MySQL's common ones). Quoting one of them is always harmless.
const RESERVED: &[&str] = &[
    "add",
    "all",
    "alter",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "between",
    "both",
    "by",
    "case",
    "cast",
    "change",
    "check",
    "collate",
    "column",
    "condition",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "default",
    "deferrable",
    "delete",
    "desc",
    "describe",
    "distinct",
    "div",
    "do",
    "drop",
    "else",
    "elseif",
    "end",
    "except",
    "exists",
    "explain",
    "false",
    "fetch",
    "for",
    "force",
    "foreign",
    "from",
    "fulltext",
    "grant",
    "group",
    "having",
    "if",
    "ignore",
    "in",
    "index",
    "initially",
    "inner",
    "insert",
    "intersect",
    "interval",
    "into",
    "is",
    "join",
    "key",
    "keys",
    "kill",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "lines",
    "load",
    "localtime",
    "localtimestamp",
    "lock",
    "match",
    "mod",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "option",
    "or",
    "order",
    "outer",
    "placing",
    "primary",
    "range",
    "rank",
    "read",
    "references",
    "regexp",
    "rename",
    "repeat",
    "replace",
    "returning",
    "right",
    "rlike",
    "row",
    "rows",
    "schema",
    "select",
    "session_user",
    "set",
    "show",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "trigger",
    "true",
    "union",
    "unique",
    "unsigned",
    "update",
    "usage",
    "use",
    "user",
    "using",
    "values",
    "variadic",
    "when",
    "where",
    "while",
    "window",
    "with",
    "write",
];

/// One identifier as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ident {
    /// The name without quotes (doubled quotes undone).
    value: String,
    /// Whether it was quoted (then its case and characters are exact).
    quoted: bool,
}

impl Ident {
    /// A name tidemark made up itself: lower case, `[a-z0-9_]` only.
    pub(crate) fn derived(parts: &[&str]) -> Ident {
        Ident {
            value: derived_name(parts),
            quoted: false,
        }
    }

    /// Parses one identifier (a column name), quoted or bare.
    pub(crate) fn parse(what: &'static str, text: &str) -> Result<Ident, GenerateError> {
        let name = Name::parse(what, text)?;
        match <[Ident; 1]>::try_from(name.parts) {
            Ok([ident]) => Ok(ident),
            Err(_) => Err(GenerateError::InvalidName {
                what,
                value: text.to_string(),
                reason: "expected a single name, without a table or schema in front".into(),
            }),
        }
    }

    /// The identifier as SQL: bare when that is safe, quoted otherwise.
    pub(crate) fn sql(&self, dialect: Dialect) -> String {
        let value = self.catalog(dialect);
        if !self.quoted && is_plain(&value) && !is_reserved(&value) {
            return value;
        }
        let q = match dialect {
            Dialect::Mysql => '`',
            Dialect::Postgres | Dialect::Sqlite => '"',
        };
        let escaped = value.replace(q, &format!("{q}{q}"));
        format!("{q}{escaped}{q}")
    }

    /// The name as the catalog stores it: PostgreSQL folds unquoted names to lower case.
    pub(crate) fn catalog(&self, dialect: Dialect) -> String {
        if !self.quoted && dialect == Dialect::Postgres {
            self.value.to_ascii_lowercase()
        } else {
            self.value.clone()
        }
    }

    /// The name as written, for descriptions and derived names.
    pub(crate) fn raw(&self) -> &str {
        &self.value
    }
}

/// A possibly qualified name: `table`, `schema.table`, `"My Schema"."Table"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    parts: Vec<Ident>,
}

impl Name {
    /// Parses `a`, `a.b` or `a.b.c`; each part bare or quoted with `"..."`, `` `...` `` or
    /// `[...]`.
    pub(crate) fn parse(what: &'static str, text: &str) -> Result<Name, GenerateError> {
        let bad = |reason: &str| GenerateError::InvalidName {
            what,
            value: text.to_string(),
            reason: reason.to_string(),
        };
        let mut parts = Vec::new();
        let chars: Vec<char> = text.trim().chars().collect();
        if chars.is_empty() {
            return Err(bad("it is empty"));
        }
        let mut i = 0;
        loop {
            let close = match chars.get(i) {
                Some('"') => Some('"'),
                Some('`') => Some('`'),
                Some('[') => Some(']'),
                _ => None,
            };
            if let Some(close) = close {
                let mut value = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(bad("a quoted name is not closed")),
                        Some(&c) if c == close => {
                            if close != ']' && chars.get(i + 1) == Some(&close) {
                                value.push(c);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(&c) => {
                            value.push(c);
                            i += 1;
                        }
                    }
                }
                if value.is_empty() {
                    return Err(bad("a quoted name is empty"));
                }
                if value.chars().any(char::is_control) {
                    return Err(bad("it contains a control character"));
                }
                parts.push(Ident {
                    value,
                    quoted: true,
                });
            } else {
                let start = i;
                while let Some(&c) = chars.get(i) {
                    if c == '.' {
                        break;
                    }
                    if !(c.is_alphanumeric() || c == '_' || c == '$') {
                        return Err(bad(&format!(
                            "'{c}' cannot appear in a bare name: quote the name (\"...\")"
                        )));
                    }
                    i += 1;
                }
                if i == start {
                    return Err(bad("a part of the name is empty"));
                }
                let value: String = chars[start..i].iter().collect();
                if value.starts_with(|c: char| c.is_ascii_digit() || c == '$') {
                    return Err(bad("a bare name cannot start with a digit or '$'"));
                }
                parts.push(Ident {
                    value,
                    quoted: false,
                });
            }
            match chars.get(i) {
                None => break,
                Some('.') => i += 1,
                Some(_) => return Err(bad("expected '.' between the parts of the name")),
            }
        }
        if parts.len() > 3 {
            return Err(bad("too many parts (at most database.schema.name)"));
        }
        Ok(Name { parts })
    }

    /// The name as SQL.
    pub(crate) fn sql(&self, dialect: Dialect) -> String {
        self.parts
            .iter()
            .map(|p| p.sql(dialect))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The last part (the table itself).
    pub(crate) fn last(&self) -> &Ident {
        // `parse` never returns an empty name.
        &self.parts[self.parts.len() - 1]
    }

    /// The qualifier (schema), if any, as catalog text.
    pub(crate) fn schema_catalog(&self, dialect: Dialect) -> Option<String> {
        let n = self.parts.len();
        (n >= 2).then(|| self.parts[n - 2].catalog(dialect))
    }

    /// `ident` in the same schema as this name, as SQL (`app.users` + `f` -> `app.f`).
    pub(crate) fn sibling(&self, dialect: Dialect, ident: &Ident) -> String {
        let n = self.parts.len();
        let mut parts: Vec<String> = self.parts[..n - 1].iter().map(|p| p.sql(dialect)).collect();
        parts.push(ident.sql(dialect));
        parts.join(".")
    }

    /// The name as written, dots included, for descriptions (`app.users`).
    pub(crate) fn raw(&self) -> String {
        self.parts
            .iter()
            .map(Ident::raw)
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// A bare identifier every dialect accepts as is (lower case for PostgreSQL's sake).
fn is_plain(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_reserved(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    RESERVED.binary_search(&lower.as_str()).is_ok()
}

/// A name made of `parts`: lower case, `[a-z0-9_]`, single underscores; when longer than
/// PostgreSQL's limit, cut and suffixed with a hash of the whole, so two long names that share
/// a prefix still differ.
pub(crate) fn derived_name(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        for c in part.chars() {
            let c = c.to_ascii_lowercase();
            let keep = if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            };
            if !(keep == '_' && (out.is_empty() || out.ends_with('_'))) {
                out.push(keep);
            }
        }
        if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "t_");
    }
    if out.len() <= MAX_IDENT {
        return out;
    }
    let hash = fnv1a(parts.join("\u{1}").as_bytes());
    let keep = MAX_IDENT - 9;
    format!("{}_{:08x}", out[..keep].trim_end_matches('_'), hash as u32)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A string literal: `'it''s'` (MySQL also doubles backslashes, which it treats as escapes).
pub(crate) fn literal(dialect: Dialect, text: &str) -> String {
    let mut escaped = text.replace('\'', "''");
    if dialect == Dialect::Mysql {
        escaped = escaped.replace('\\', "\\\\");
    }
    format!("'{escaped}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG: Dialect = Dialect::Postgres;
    const MY: Dialect = Dialect::Mysql;

    #[test]
    fn reserved_is_sorted() {
        let mut sorted = RESERVED.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, RESERVED);
    }

    #[test]
    fn names_render_per_dialect() {
        let n = Name::parse("table", "app.users").unwrap();
        assert_eq!(n.sql(PG), "app.users");
        assert_eq!(n.schema_catalog(PG).as_deref(), Some("app"));
        let n = Name::parse("table", "\"My Table\"").unwrap();
        assert_eq!(n.sql(PG), "\"My Table\"");
        assert_eq!(n.sql(MY), "`My Table`");
        let n = Name::parse("table", "Users").unwrap();
        assert_eq!(n.sql(PG), "users");
        assert_eq!(n.sql(MY), "`Users`");
        assert_eq!(
            Ident::parse("column", "order").unwrap().sql(PG),
            "\"order\""
        );
        assert_eq!(Ident::parse("column", "`a``b`").unwrap().sql(MY), "`a``b`");
        assert_eq!(
            Ident::parse("column", "\"a\"\"b\"").unwrap().sql(PG),
            "\"a\"\"b\""
        );
        for bad in [
            "", "a..b", "a b", "\"open", "a.b.c.d", "1a", "a;drop", "\"\"", "a.", "x\"y",
        ] {
            assert!(Name::parse("table", bad).is_err(), "{bad}");
        }
        assert!(Ident::parse("column", "a.b").is_err());
    }

    #[test]
    fn derived_names_fit() {
        assert_eq!(
            derived_name(&["users", "Email Address", "sync"]),
            "users_email_address_sync"
        );
        let long = "x".repeat(80);
        let a = derived_name(&[&long, "a"]);
        let b = derived_name(&[&long, "b"]);
        assert!(a.len() <= MAX_IDENT && b.len() <= MAX_IDENT, "{a}");
        assert_ne!(a, b);
        assert_eq!(derived_name(&["1st"]), "t_1st");
        assert_eq!(derived_name(&["__"]), "t_");
    }

    #[test]
    fn literals() {
        assert_eq!(literal(PG, "it's"), "'it''s'");
        assert_eq!(literal(MY, "a\\b'"), "'a\\\\b'''");
    }
}
