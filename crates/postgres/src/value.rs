//! Between the engine's four [`Value`]s and PostgreSQL's typed wire format.
//!
//! The engine knows only NULL, integers, text and booleans, while PostgreSQL checks every
//! parameter against the type it inferred (`"installed_rank" > $1` wants an `int4`, and an
//! `int8` is refused). So a parameter is encoded for the type the server asked for: the integer
//! and boolean types in binary, after a range check, everything else in text format, parsed by
//! the server as it would parse a literal (which is how a timestamp, numeric or uuid parameter
//! works from a text value).
//!
//! Results come back in binary. The types the engine reads (integers, booleans, text, the
//! history table's `TIMESTAMP`) and a few common others are decoded here; timestamps become text
//! `YYYY-MM-DD HH:MM:SS.fff` (UTC for `timestamptz`), as the SQLite history table stores them.
//! Columns of any other type are not decoded at all: the caller casts them to text in SQL
//! (see [`readable`]).

use std::error::Error;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};
use tidemark_engine::driver::Value;

type BoxError = Box<dyn Error + Sync + Send>;

/// A parameter, encoded for whatever type the server inferred for it.
#[derive(Debug)]
pub(crate) struct Param<'a>(pub(crate) &'a Value);

impl Param<'_> {
    fn integer(&self, ty: &Type) -> Result<i64, BoxError> {
        self.0.as_i64().ok_or_else(|| {
            format!("cannot use {} as a value of type {ty}", describe(self.0)).into()
        })
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "NULL".to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Text(s) => format!("'{s}'"),
    }
}

/// Whether parameters of this type are sent in binary (the rest go as text).
fn binary_param(ty: &Type) -> bool {
    matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8 | Type::BOOL)
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        if let Value::Null = self.0 {
            return Ok(IsNull::Yes);
        }
        let out_of_range = || format!("{} is out of range for type {ty}", describe(self.0));
        match *ty {
            Type::INT2 => i16::try_from(self.integer(ty)?)
                .map_err(|_| out_of_range())?
                .to_sql(ty, out),
            Type::INT4 => i32::try_from(self.integer(ty)?)
                .map_err(|_| out_of_range())?
                .to_sql(ty, out),
            Type::INT8 => self.integer(ty)?.to_sql(ty, out),
            Type::BOOL => self
                .0
                .as_bool()
                .ok_or_else(|| format!("cannot use {} as a value of type {ty}", describe(self.0)))?
                .to_sql(ty, out),
            _ => {
                // Text format: the server parses it as the input of the parameter's type.
                out.extend_from_slice(self.0.as_text().unwrap_or_default().as_bytes());
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, ty: &Type) -> postgres::types::Format {
        if binary_param(ty) {
            postgres::types::Format::Binary
        } else {
            postgres::types::Format::Text
        }
    }

    to_sql_checked!();
}

/// A column value as the server sent it (binary format), whatever its type.
pub(crate) struct Raw<'a>(pub(crate) Option<&'a [u8]>);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Raw(Some(raw)))
    }

    fn from_sql_null(_ty: &Type) -> Result<Self, BoxError> {
        Ok(Raw(None))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

/// How the values of one column are read, picked once per result from the column's type
/// (a thousand history rows are ten thousand values: the type is not looked at again for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoder {
    /// Types whose binary form is their text, UTF-8.
    Text,
    Int2,
    Int4,
    Int8,
    Oid,
    Bool,
    Jsonb,
    Timestamp,
    Date,
    Numeric,
    Uuid,
}

impl Decoder {
    /// The decoder for a column of this type; `None` for a type not read here (the caller
    /// casts it to text in SQL first).
    pub(crate) fn for_type(ty: &Type) -> Option<Decoder> {
        Some(match *ty {
            Type::INT2 => Decoder::Int2,
            Type::INT4 => Decoder::Int4,
            Type::INT8 => Decoder::Int8,
            Type::OID => Decoder::Oid,
            Type::BOOL => Decoder::Bool,
            Type::JSONB => Decoder::Jsonb,
            Type::TIMESTAMP | Type::TIMESTAMPTZ => Decoder::Timestamp,
            Type::DATE => Decoder::Date,
            Type::NUMERIC => Decoder::Numeric,
            Type::UUID => Decoder::Uuid,
            _ if textual(ty) => Decoder::Text,
            _ => return None,
        })
    }

    /// Decodes one binary value of a column of type `ty` (named in the error).
    pub(crate) fn decode(self, ty: &Type, raw: Option<&[u8]>) -> Result<Value, String> {
        let Some(raw) = raw else {
            return Ok(Value::Null);
        };
        let bad = || format!("malformed {ty} value from the server");
        Ok(match self {
            Decoder::Text => return text(raw),
            Decoder::Int2 => Value::Int(i64::from(i16::from_be_bytes(fixed(raw).ok_or_else(bad)?))),
            Decoder::Int4 => Value::Int(i64::from(i32::from_be_bytes(fixed(raw).ok_or_else(bad)?))),
            Decoder::Int8 => Value::Int(i64::from_be_bytes(fixed(raw).ok_or_else(bad)?)),
            Decoder::Oid => Value::Int(i64::from(u32::from_be_bytes(fixed(raw).ok_or_else(bad)?))),
            Decoder::Bool => Value::Bool(*raw.first().ok_or_else(bad)? != 0),
            Decoder::Jsonb => match raw.split_first() {
                Some((1, json)) => text(json)?,
                _ => return Err(bad()),
            },
            Decoder::Timestamp => {
                Value::Text(timestamp(i64::from_be_bytes(fixed(raw).ok_or_else(bad)?)))
            }
            Decoder::Date => Value::Text(date(i32::from_be_bytes(fixed(raw).ok_or_else(bad)?))),
            Decoder::Numeric => Value::Text(numeric(raw).ok_or_else(bad)?),
            Decoder::Uuid => Value::Text(uuid(&fixed::<16>(raw).ok_or_else(bad)?)),
        })
    }
}

/// Whether [`Decoder`] reads columns of this type (others are cast to text in SQL first).
pub(crate) fn readable(ty: &Type) -> bool {
    Decoder::for_type(ty).is_some()
}

/// Types whose binary form is their text, UTF-8.
fn textual(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT
            | Type::VARCHAR
            | Type::BPCHAR
            | Type::NAME
            | Type::UNKNOWN
            | Type::JSON
            | Type::XML
    ) || matches!(ty.kind(), Kind::Enum(_))
        || ty.name() == "citext"
}

fn fixed<const N: usize>(raw: &[u8]) -> Option<[u8; N]> {
    raw.try_into().ok()
}

fn text(raw: &[u8]) -> Result<Value, String> {
    String::from_utf8(raw.to_vec())
        .map(Value::Text)
        .map_err(|_| "the server sent text that is not UTF-8".to_string())
}

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Microseconds since 2000-01-01 00:00 as `YYYY-MM-DD HH:MM:SS.fff` (milliseconds truncated).
fn timestamp(micros: i64) -> String {
    match micros {
        i64::MAX => return "infinity".to_string(),
        i64::MIN => return "-infinity".to_string(),
        _ => {}
    }
    let days = micros.div_euclid(MICROS_PER_DAY);
    let of_day = micros.rem_euclid(MICROS_PER_DAY);
    let millis = of_day / 1000;
    let (year, month, day) = civil_parts(days + PG_EPOCH_DAYS);
    // Not through `format!`: a history of a thousand rows has a thousand of these, read on
    // every command. The usual years have every digit at a fixed place.
    if (1..=9999).contains(&year) {
        let mut b = *b"0000-00-00 00:00:00.000";
        put_digits(&mut b[0..4], year);
        put_digits(&mut b[5..7], month);
        put_digits(&mut b[8..10], day);
        put_digits(&mut b[11..13], millis / 3_600_000);
        put_digits(&mut b[14..16], millis / 60_000 % 60);
        put_digits(&mut b[17..19], millis / 1000 % 60);
        put_digits(&mut b[20..23], millis % 1000);
        return std::str::from_utf8(&b).unwrap_or_default().to_owned();
    }
    // Other years have more digits, or are BC, which PostgreSQL writes after the time.
    let bc = year <= 0;
    let mut out = String::with_capacity(32);
    push_digits(&mut out, if bc { 1 - year } else { year }, 4);
    out.push('-');
    push_digits(&mut out, month, 2);
    out.push('-');
    push_digits(&mut out, day, 2);
    out.push(' ');
    push_digits(&mut out, millis / 3_600_000, 2);
    out.push(':');
    push_digits(&mut out, millis / 60_000 % 60, 2);
    out.push(':');
    push_digits(&mut out, millis / 1000 % 60, 2);
    out.push('.');
    push_digits(&mut out, millis % 1000, 3);
    if bc {
        out.push_str(" BC");
    }
    out
}

/// Writes `n` (not negative, below 10^len) into `slot` as zero-padded decimal digits.
fn put_digits(slot: &mut [u8], mut n: i64) {
    for b in slot.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// `n` (not negative) in decimal, zero-padded to at least `width` digits.
fn push_digits(out: &mut String, n: i64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut at = buf.len();
    let mut n = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = at.min(buf.len() - width.min(buf.len()));
    out.extend(buf[start..].iter().map(|&b| char::from(b)));
}

/// Days since 2000-01-01 as `YYYY-MM-DD`.
fn date(days: i32) -> String {
    match days {
        i32::MAX => "infinity".to_string(),
        i32::MIN => "-infinity".to_string(),
        _ => civil(i64::from(days) + PG_EPOCH_DAYS),
    }
}

/// Days since 1970-01-01 as a proleptic Gregorian `YYYY-MM-DD` (H. Hinnant's algorithm).
fn civil(days: i64) -> String {
    let mut out = String::with_capacity(13);
    push_civil(&mut out, days);
    out
}

/// [`civil`], appended to `out`.
fn push_civil(out: &mut String, days: i64) {
    let (year, month, day) = civil_parts(days);
    // PostgreSQL has no year 0: 0 is 1 BC.
    let bc = year <= 0;
    push_digits(out, if bc { 1 - year } else { year }, 4);
    out.push('-');
    push_digits(out, month, 2);
    out.push('-');
    push_digits(out, day, 2);
    if bc {
        out.push_str(" BC");
    }
}

/// Days since 1970-01-01 as a proleptic Gregorian (year, month, day), year 0 being 1 BC
/// (H. Hinnant's algorithm).
fn civil_parts(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// NUMERIC's binary form (base-10000 digits) as PostgreSQL prints it.
fn numeric(raw: &[u8]) -> Option<String> {
    let word = |i: usize| -> Option<i16> {
        Some(i16::from_be_bytes(
            raw.get(i * 2..i * 2 + 2)?.try_into().ok()?,
        ))
    };
    let ndigits = usize::try_from(word(0)?).ok()?;
    let weight = i64::from(word(1)?);
    let sign = u16::from_be_bytes(raw.get(4..6)?.try_into().ok()?);
    let dscale = usize::try_from(word(3)?).ok()?;
    match sign {
        0xC000 => return Some("NaN".to_string()),
        0xD000 => return Some("Infinity".to_string()),
        0xF000 => return Some("-Infinity".to_string()),
        0x0000 | 0x4000 => {}
        _ => return None,
    }
    let mut digits = Vec::with_capacity(ndigits);
    for i in 0..ndigits {
        let d = word(4 + i)?;
        if !(0..10_000).contains(&d) {
            return None;
        }
        digits.push(d);
    }
    let group = |i: i64| -> i16 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        out.push_str(&group(0).to_string());
        for i in 1..=weight {
            out.push_str(&format!("{:04}", group(i)));
        }
    }
    if dscale > 0 {
        let mut fraction = String::new();
        let mut i = weight + 1;
        while fraction.len() < dscale {
            fraction.push_str(&format!("{:04}", group(i)));
            i += 1;
        }
        fraction.truncate(dscale);
        out.push('.');
        out.push_str(&fraction);
    }
    Some(out)
}

fn uuid(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_truncate_to_milliseconds() {
        assert_eq!(timestamp(0), "2000-01-01 00:00:00.000");
        assert_eq!(timestamp(1_999), "2000-01-01 00:00:00.001");
        assert_eq!(timestamp(-1), "1999-12-31 23:59:59.999");
        // 2026-07-19 18:01:56.504123
        let days = 9_696; // 2000-01-01 .. 2026-07-19
        let micros = days * MICROS_PER_DAY + ((18 * 60 + 1) * 60 + 56) * 1_000_000 + 504_123;
        assert_eq!(timestamp(micros), "2026-07-19 18:01:56.504");
        assert_eq!(timestamp(i64::MAX), "infinity");
        // Outside the years 1..=9999 (written digit by digit rather than at fixed places).
        let day_10000 = (2_932_896 - 10_957 + 1) * MICROS_PER_DAY;
        assert_eq!(timestamp(day_10000 + 1_000), "10000-01-01 00:00:00.001");
        assert_eq!(
            timestamp((-719_528 - 10_957) * MICROS_PER_DAY),
            "0001-01-01 00:00:00.000 BC"
        );
        assert_eq!(date(-1), "1999-12-31");
        assert_eq!(date(60), "2000-03-01");
        assert_eq!(civil(-719_528), "0001-01-01 BC"); // day before 0001-01-01 is 1 BC
        // Five-digit years and years before 1000 (zero-padded to four digits).
        assert_eq!(date(2_932_896 - 10_957), "9999-12-31");
        assert_eq!(date(2_932_896 - 10_957 + 1), "10000-01-01");
        assert_eq!(civil(-719_162), "0001-01-01");
        assert_eq!(civil(-354_286), "0999-12-31");
    }

    #[test]
    fn decoders_are_picked_per_type_and_read_binary_values() {
        assert_eq!(Decoder::for_type(&Type::VARCHAR), Some(Decoder::Text));
        assert_eq!(Decoder::for_type(&Type::INT4), Some(Decoder::Int4));
        assert_eq!(
            Decoder::for_type(&Type::TIMESTAMPTZ),
            Some(Decoder::Timestamp)
        );
        assert_eq!(Decoder::for_type(&Type::INTERVAL), None);
        assert!(!readable(&Type::BYTEA));
        let ty = Type::INT4;
        assert_eq!(
            Decoder::Int4.decode(&ty, Some(&(-7i32).to_be_bytes())),
            Ok(Value::Int(-7))
        );
        assert_eq!(Decoder::Int4.decode(&ty, None), Ok(Value::Null));
        let short = Decoder::Int4.decode(&ty, Some(&[0, 1])).unwrap_err();
        assert_eq!(short, "malformed int4 value from the server");
        assert_eq!(
            Decoder::Text.decode(&Type::TEXT, Some(b"V1__init.sql")),
            Ok(Value::Text("V1__init.sql".into()))
        );
        assert!(Decoder::Text.decode(&Type::TEXT, Some(&[0xff])).is_err());
        assert_eq!(
            Decoder::Bool.decode(&Type::BOOL, Some(&[1])),
            Ok(Value::Bool(true))
        );
        let micros: i64 = 1_999;
        assert_eq!(
            Decoder::Timestamp.decode(&Type::TIMESTAMP, Some(&micros.to_be_bytes())),
            Ok(Value::Text("2000-01-01 00:00:00.001".into()))
        );
    }

    #[test]
    fn numerics_print_like_postgres() {
        let enc = |ndigits: i16, weight: i16, sign: u16, dscale: i16, digits: &[i16]| {
            let mut v = Vec::new();
            v.extend(ndigits.to_be_bytes());
            v.extend(weight.to_be_bytes());
            v.extend(sign.to_be_bytes());
            v.extend(dscale.to_be_bytes());
            for d in digits {
                v.extend(d.to_be_bytes());
            }
            numeric(&v).unwrap()
        };
        assert_eq!(enc(0, 0, 0, 0, &[]), "0");
        assert_eq!(enc(0, 0, 0, 2, &[]), "0.00");
        assert_eq!(enc(2, 0, 0, 3, &[123, 4500]), "123.450");
        assert_eq!(enc(1, -1, 0x4000, 3, &[10]), "-0.001");
        assert_eq!(enc(1, 5, 0, 0, &[1]), "100000000000000000000");
        assert_eq!(enc(0, 0, 0xC000, 0, &[]), "NaN");
    }

    #[test]
    fn params_refuse_out_of_range_integers() {
        let mut out = BytesMut::new();
        let big = Value::Int(i64::from(i32::MAX) + 1);
        let e = Param(&big).to_sql(&Type::INT4, &mut out).err().unwrap();
        assert!(e.to_string().contains("out of range for type int4"), "{e}");
        let text = Value::Text("x".into());
        assert!(Param(&text).to_sql(&Type::INT8, &mut out).is_err());
    }
}
