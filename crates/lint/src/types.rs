//! Column types and default expressions, judged the way the database judges them.
//!
//! Whether `ALTER COLUMN ... TYPE` rewrites a table depends on binary coercibility (varchar
//! widening does not, int to bigint does), and whether `ADD COLUMN ... DEFAULT` rewrites depends on
//! the volatility of the default (`now()` does not, `clock_timestamp()` does). Keyword checks get
//! both wrong (reference §7, fact 4), so this module normalises parsed types and expressions.

use sqlparser::ast::{DataType, Expr};

/// A column type, normalised across spellings (`int4`, `integer`, `INT(11)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    SmallInt,
    Int,
    BigInt,
    SmallSerial,
    Serial,
    BigSerial,
    Varchar(Option<u64>),
    Char(Option<u64>),
    Text,
    Numeric(Option<(u64, u64)>),
    Timestamp,
    TimestampTz,
    Json,
    Jsonb,
    Other(String),
}

pub(crate) fn ty(dt: &DataType) -> Ty {
    let text = dt.to_string().to_ascii_lowercase();
    let (base, params) = match text.find('(') {
        Some(open) => {
            let close = text[open..]
                .find(')')
                .map(|c| open + c)
                .unwrap_or(text.len());
            let params: Vec<u64> = text[open + 1..close]
                .split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect();
            let rest = format!("{} {}", &text[..open], text.get(close + 1..).unwrap_or(""));
            (rest, params)
        }
        None => (text.clone(), Vec::new()),
    };
    let base = base
        .split_whitespace()
        .filter(|w| !matches!(*w, "unsigned" | "signed" | "zerofill"))
        .collect::<Vec<_>>()
        .join(" ");
    let first = params.first().copied();
    match base.as_str() {
        "smallint" | "int2" | "tinyint" => Ty::SmallInt,
        "int" | "integer" | "int4" | "mediumint" => Ty::Int,
        "bigint" | "int8" => Ty::BigInt,
        "smallserial" | "serial2" => Ty::SmallSerial,
        "serial" | "serial4" => Ty::Serial,
        "bigserial" | "serial8" => Ty::BigSerial,
        "varchar" | "character varying" | "nvarchar" => Ty::Varchar(first),
        "char" | "character" | "bpchar" | "nchar" => Ty::Char(first.or(Some(1))),
        "text" => Ty::Text,
        "numeric" | "decimal" => Ty::Numeric(match params.as_slice() {
            [p] => Some((*p, 0)),
            [p, s, ..] => Some((*p, *s)),
            _ => None,
        }),
        "timestamp" | "timestamp without time zone" => Ty::Timestamp,
        "timestamptz" | "timestamp with time zone" => Ty::TimestampTz,
        "json" => Ty::Json,
        "jsonb" => Ty::Jsonb,
        _ => Ty::Other(text),
    }
}

/// PostgreSQL: whether changing `from` to `to` is binary-coercible (no rewrite, no scan).
/// `utc_session` says the session time zone is UTC (timestamp to timestamptz is then free).
pub(crate) fn pg_coercible(from: &Ty, to: &Ty, utc_session: bool) -> bool {
    use Ty::*;
    if from == to {
        return true;
    }
    match (from, to) {
        (Varchar(Some(n)), Varchar(Some(m))) => m >= n,
        (Varchar(_), Varchar(None) | Text) => true,
        (Text, Varchar(None)) => true,
        (Numeric(Some((p, s))), Numeric(Some((p2, s2)))) => p2 >= p && s2 == s,
        (Numeric(Some(_)), Numeric(None)) => true,
        (Timestamp, TimestampTz) => utc_session,
        _ => false,
    }
}

/// MySQL/InnoDB: whether the change is done in place without copying the table. Only VARCHAR
/// extension within the same length-byte class qualifies (assuming utf8mb4, four bytes a
/// character: up to 63 characters fit one length byte).
pub(crate) fn mysql_inplace(from: &Ty, to: &Ty) -> bool {
    if from == to {
        return true;
    }
    match (from, to) {
        (Ty::Varchar(Some(n)), Ty::Varchar(Some(m))) => m >= n && ((*n <= 63) == (*m <= 63)),
        _ => false,
    }
}

/// Whether a PostgreSQL default expression is volatile (forces a table rewrite on ADD COLUMN).
/// Unknown functions count as volatile, as PostgreSQL cannot tell either without the catalog.
pub(crate) fn pg_volatile(e: &Expr) -> Option<String> {
    volatile_at(e, 0)
}

fn volatile_at(e: &Expr, depth: usize) -> Option<String> {
    if depth > crate::model::MAX_DEPTH {
        return Some("a deeply nested expression".into());
    }
    let pg_volatile = |e: &Expr| volatile_at(e, depth + 1);
    match e {
        Expr::Value(_) | Expr::TypedString(_) | Expr::Interval(_) => None,
        Expr::Identifier(i) => {
            let name = i.value.to_ascii_lowercase();
            if STABLE_KEYWORDS.contains(&name.as_str()) {
                None
            } else {
                Some(i.value.clone())
            }
        }
        Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } => pg_volatile(inner),
        Expr::Cast { expr, .. } => pg_volatile(expr),
        Expr::BinaryOp { left, right, .. } => pg_volatile(left).or_else(|| pg_volatile(right)),
        Expr::Array(a) => a.elem.iter().find_map(pg_volatile),
        Expr::Function(f) => {
            let name = f
                .name
                .0
                .last()
                .map(|p| p.to_string().to_ascii_lowercase())
                .unwrap_or_default();
            let name = name.trim_matches('"').to_string();
            if !NON_VOLATILE_FUNCTIONS.contains(&name.as_str()) {
                return Some(format!("{}()", f.name));
            }
            let mut found = None;
            let _ = sqlparser::ast::visit_expressions(&f.args, |arg: &Expr| {
                if !matches!(arg, Expr::Function(_)) {
                    return std::ops::ControlFlow::Continue(());
                }
                match pg_volatile(arg) {
                    Some(v) => {
                        found = Some(v);
                        std::ops::ControlFlow::Break(())
                    }
                    None => std::ops::ControlFlow::Continue(()),
                }
            });
            found
        }
        other => Some(other.to_string()),
    }
}

/// SQLite refuses `ADD COLUMN` with these defaults on a table that has rows.
pub(crate) fn sqlite_non_constant(e: &Expr) -> bool {
    match e {
        Expr::Value(_) => false,
        Expr::UnaryOp { expr, .. } => sqlite_non_constant(expr),
        Expr::Nested(inner) => !matches!(inner.as_ref(), Expr::Value(_)),
        Expr::Identifier(i) => {
            let v = i.value.to_ascii_lowercase();
            matches!(
                v.as_str(),
                "current_time" | "current_date" | "current_timestamp"
            )
        }
        _ => true,
    }
}

/// MySQL: an expression default (`DEFAULT (UUID())`) rather than a literal.
pub(crate) fn mysql_expression_default(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => !matches!(inner.as_ref(), Expr::Value(_)),
        _ => false,
    }
}

const STABLE_KEYWORDS: &[&str] = &[
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "current_user",
    "session_user",
    "current_role",
    "current_catalog",
    "current_schema",
    "user",
    "true",
    "false",
    "null",
];

/// Immutable or stable PostgreSQL functions commonly used as defaults: they are evaluated once
/// for ADD COLUMN, so no rewrite happens.
const NON_VOLATILE_FUNCTIONS: &[&str] = &[
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "transaction_timestamp",
    "statement_timestamp",
    "current_user",
    "current_setting",
    "current_schema",
    "lower",
    "upper",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "abs",
    "round",
    "trunc",
    "floor",
    "ceil",
    "length",
    "concat",
    "concat_ws",
    "md5",
    "to_char",
    "to_date",
    "to_timestamp",
    "to_number",
    "make_date",
    "make_interval",
    "date_trunc",
    "jsonb_build_object",
    "jsonb_build_array",
    "json_build_object",
    "json_build_array",
    "to_jsonb",
    "to_json",
    "array_fill",
    "int4range",
    "int8range",
    "tstzrange",
    "daterange",
    "point",
    "inet",
];

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ty::SmallInt => f.write_str("smallint"),
            Ty::Int => f.write_str("integer"),
            Ty::BigInt => f.write_str("bigint"),
            Ty::SmallSerial => f.write_str("smallserial"),
            Ty::Serial => f.write_str("serial"),
            Ty::BigSerial => f.write_str("bigserial"),
            Ty::Varchar(Some(n)) => write!(f, "varchar({n})"),
            Ty::Varchar(None) => f.write_str("varchar"),
            Ty::Char(Some(n)) => write!(f, "char({n})"),
            Ty::Char(None) => f.write_str("char"),
            Ty::Text => f.write_str("text"),
            Ty::Numeric(Some((p, s))) => write!(f, "numeric({p},{s})"),
            Ty::Numeric(None) => f.write_str("numeric"),
            Ty::Timestamp => f.write_str("timestamp"),
            Ty::TimestampTz => f.write_str("timestamptz"),
            Ty::Json => f.write_str("json"),
            Ty::Jsonb => f.write_str("jsonb"),
            Ty::Other(t) => f.write_str(t),
        }
    }
}
