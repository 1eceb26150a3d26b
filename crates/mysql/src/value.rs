//! Values in and out of the `mysql` crate.
//!
//! The engine sees four kinds of value (`Null`, `Int`, `Text`, `Bool`); MySQL has dozens of
//! column types and two wire encodings of them. The text protocol (statements without
//! parameters) sends every value as its text, the binary protocol (prepared statements) sends
//! typed values; either way a column reads the same here, so a query gives the same rows
//! whether or not it had parameters. Integer columns become `Int` (an unsigned value above
//! `i64::MAX` stays text), `DATETIME`/`TIMESTAMP` become `YYYY-MM-DD HH:MM:SS` text with
//! milliseconds when there is a fraction (the form the other drivers give the engine), and
//! everything else is text, decoded as UTF-8 with invalid bytes replaced.

use mysql::consts::ColumnType;
use mysql::{Column, Value as MyValue};
use tidemark_engine::driver::Value;

/// A parameter for the `mysql` crate: booleans are `TINYINT` 0/1, as `BOOL` columns are.
pub(crate) fn to_mysql(value: &Value) -> MyValue {
    match value {
        Value::Null => MyValue::NULL,
        Value::Int(i) => MyValue::Int(*i),
        Value::Text(s) => MyValue::Bytes(s.as_bytes().to_vec()),
        Value::Bool(b) => MyValue::Int(i64::from(*b)),
    }
}

/// A column value for the engine.
pub(crate) fn from_mysql(value: MyValue, column: Option<&Column>) -> Value {
    let kind = column.map(Column::column_type);
    match value {
        MyValue::NULL => Value::Null,
        MyValue::Int(i) => Value::Int(i),
        MyValue::UInt(u) => {
            i64::try_from(u).map_or_else(|_| Value::Text(u.to_string()), Value::Int)
        }
        MyValue::Float(f) => Value::Text(f.to_string()),
        MyValue::Double(f) => Value::Text(f.to_string()),
        MyValue::Date(y, mo, d, h, mi, s, us) => {
            if matches!(
                kind,
                Some(ColumnType::MYSQL_TYPE_DATE | ColumnType::MYSQL_TYPE_NEWDATE)
            ) {
                Value::Text(format!("{y:04}-{mo:02}-{d:02}"))
            } else {
                Value::Text(datetime(y, mo, d, h, mi, s, us))
            }
        }
        MyValue::Time(negative, days, h, mi, s, us) => {
            let hours = u64::from(days) * 24 + u64::from(h);
            let sign = if negative { "-" } else { "" };
            let fraction = if us == 0 {
                String::new()
            } else {
                format!(".{us:06}")
            };
            Value::Text(format!("{sign}{hours:02}:{mi:02}:{s:02}{fraction}"))
        }
        MyValue::Bytes(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            match kind {
                Some(k) if is_integer(k) => text
                    .trim()
                    .parse::<i64>()
                    .map_or_else(|_| Value::Text(text.into_owned()), Value::Int),
                Some(k) if is_datetime(k) => Value::Text(datetime_text(&text)),
                _ => Value::Text(text.into_owned()),
            }
        }
    }
}

fn is_integer(kind: ColumnType) -> bool {
    matches!(
        kind,
        ColumnType::MYSQL_TYPE_TINY
            | ColumnType::MYSQL_TYPE_SHORT
            | ColumnType::MYSQL_TYPE_INT24
            | ColumnType::MYSQL_TYPE_LONG
            | ColumnType::MYSQL_TYPE_LONGLONG
            | ColumnType::MYSQL_TYPE_YEAR
    )
}

fn is_datetime(kind: ColumnType) -> bool {
    matches!(
        kind,
        ColumnType::MYSQL_TYPE_DATETIME
            | ColumnType::MYSQL_TYPE_DATETIME2
            | ColumnType::MYSQL_TYPE_TIMESTAMP
            | ColumnType::MYSQL_TYPE_TIMESTAMP2
    )
}

/// `YYYY-MM-DD HH:MM:SS`, plus `.fff` when there is a fraction of a second.
fn datetime(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8, us: u32) -> String {
    let base = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
    if us == 0 {
        base
    } else {
        format!("{base}.{:03}", us / 1000)
    }
}

/// The text protocol's `2026-07-19 18:01:56.504000` in the form [`datetime`] gives.
fn datetime_text(text: &str) -> String {
    let text = text.trim();
    match text.split_once('.') {
        Some((base, fraction)) if fraction.bytes().all(|b| b.is_ascii_digit()) => {
            let digits: String = fraction.chars().chain("000000".chars()).take(6).collect();
            let micros: u32 = digits.parse().unwrap_or(0);
            if micros == 0 {
                base.to_string()
            } else {
                format!("{base}.{:03}", micros / 1000)
            }
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_keep_milliseconds_only_when_there_is_a_fraction() {
        assert_eq!(datetime(2026, 7, 19, 18, 1, 56, 0), "2026-07-19 18:01:56");
        assert_eq!(
            datetime(2026, 7, 19, 18, 1, 56, 504_321),
            "2026-07-19 18:01:56.504"
        );
        assert_eq!(
            datetime_text("2026-07-19 18:01:56.504321"),
            "2026-07-19 18:01:56.504"
        );
        assert_eq!(
            datetime_text("2026-07-19 18:01:56.5"),
            "2026-07-19 18:01:56.500"
        );
        assert_eq!(
            datetime_text("2026-07-19 18:01:56.000000"),
            "2026-07-19 18:01:56"
        );
        assert_eq!(datetime_text("2026-07-19 18:01:56"), "2026-07-19 18:01:56");
        assert_eq!(datetime_text("0000-00-00 00:00:00"), "0000-00-00 00:00:00");
    }

    #[test]
    fn values_without_column_information() {
        assert_eq!(from_mysql(MyValue::NULL, None), Value::Null);
        assert_eq!(from_mysql(MyValue::Int(-3), None), Value::Int(-3));
        assert_eq!(from_mysql(MyValue::UInt(7), None), Value::Int(7));
        assert_eq!(
            from_mysql(MyValue::UInt(u64::MAX), None),
            Value::Text(u64::MAX.to_string())
        );
        assert_eq!(
            from_mysql(MyValue::Bytes(vec![b'a', 0xff]), None),
            Value::Text("a\u{fffd}".into())
        );
        assert_eq!(
            from_mysql(MyValue::Time(true, 1, 2, 3, 4, 0), None),
            Value::Text("-26:03:04".into())
        );
    }

    #[test]
    fn parameters_map_booleans_to_tinyint() {
        assert_eq!(to_mysql(&Value::Bool(true)), MyValue::Int(1));
        assert_eq!(to_mysql(&Value::Bool(false)), MyValue::Int(0));
        assert_eq!(to_mysql(&Value::Null), MyValue::NULL);
        assert_eq!(to_mysql(&Value::Int(5)), MyValue::Int(5));
        assert_eq!(
            to_mysql(&Value::Text("x".into())),
            MyValue::Bytes(b"x".to_vec())
        );
    }
}
