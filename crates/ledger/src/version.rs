//! Flyway migration versions: `1`, `1.2`, `1_2`, `2024.01.05.1`.
//!
//! Versions compare numerically part by part (`1` = `1.0` = `01` = `1_0`), but the history table
//! stores the text as written with underscores turned into dots (leading zeros kept), so a
//! [`Version`] carries both: the normalised parts for ordering and the display text for storage.
//! (Flyway reference §1.3.)

use std::fmt;

/// A parsed migration version. Equality, ordering and hashing are numeric; [`Version::as_str`] is
/// the text Flyway stores in the `version` column.
#[derive(Debug, Clone)]
pub struct Version {
    /// The normalised parts joined by `.`: decimal digits without leading zeros (`"0"` for
    /// zero), trailing zero parts dropped but at least one part kept; `None` when that is
    /// `text` itself (`1`, `42`, `2.1`: most versions, so most cost one allocation). Two
    /// versions are equal exactly when their normal forms are.
    normal: Option<Box<str>>,
    /// `input.replace('_', '.')`.
    text: String,
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// Flyway's text: `Version may only contain 0..9 and . (dot). Invalid version: <normalized>`.
    #[error("Version may only contain 0..9 and . (dot). Invalid version: {0}")]
    Invalid(String),
}

impl Version {
    /// Parses a version as Flyway's `MigrationVersion.fromVersion` does for a migration file.
    ///
    /// `_` becomes `.`; the text is split at every dot followed by an ASCII digit, and each part
    /// must then be a non-empty run of ASCII digits of any length. So `1..2`, `1.`, `.1`, `1.a`
    /// and the empty string are refused, as Flyway refuses them.
    ///
    /// Deliberate differences from Java's `BigInteger` parsing (reference §1.3 leaves the choice
    /// open): a leading `+` or `-` sign (`V-1__x.sql`) and non-ASCII digits (`V١__x.sql`) are
    /// refused with [`VersionError::Invalid`]; Flyway accepts both. The target markers `latest`,
    /// `current` and `next` are not versions here; [`Target::parse`] handles them (and
    /// `9223372036854775807`, which is an ordinary, very large version for a file name here).
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        // One part of digits without a leading zero (`7`, `42`, `0`): most versions are, and
        // such a text is valid and its own normal form.
        let bytes = s.as_bytes();
        if !bytes.is_empty()
            && bytes.iter().all(u8::is_ascii_digit)
            && (bytes.len() == 1 || bytes[0] != b'0')
        {
            return Ok(Version {
                normal: None,
                text: s.to_string(),
            });
        }
        let text = s.replace('_', ".");
        // Splitting at the dots followed by a digit and requiring digits in every part is
        // splitting at every dot: a dot followed by anything else leaves a part that is not
        // all digits, and so does an empty part.
        let valid = text
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            return Err(VersionError::Invalid(text));
        }
        let parts = || text.split('.').map(normalise_part);
        let count = parts().count();
        let kept = (count - parts().rev().take_while(|p| *p == "0").count()).max(1);
        // No leading zeros and no trailing zero parts: the text is its own normal form.
        let normal_already =
            kept == count && parts().map(str::len).sum::<usize>() + count - 1 == text.len();
        let normal = (!normal_already).then(|| {
            let mut normal = String::with_capacity(text.len());
            for (i, part) in parts().take(kept).enumerate() {
                if i > 0 {
                    normal.push('.');
                }
                normal.push_str(part);
            }
            normal.into_boxed_str()
        });
        Ok(Version { normal, text })
    }

    /// The text stored in the history table (`1_1` -> `1.1`, `004.2023` kept as is).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The normal form: parts without leading zeros, trailing zero parts dropped.
    fn normal(&self) -> &str {
        self.normal.as_deref().unwrap_or(&self.text)
    }

    /// The version as a number, when it is one part that fits a `u64` (`42`, `20240101120000`;
    /// not `1.2`): two such versions compare as their numbers do.
    pub fn as_number(&self) -> Option<u64> {
        let form = self.normal();
        if form.contains('.') {
            return None;
        }
        form.parse().ok()
    }
}

/// The first part of a normal form and what follows its dot; a form used up reads as `0`.
fn first_part(form: &[u8]) -> (&[u8], &[u8]) {
    if form.is_empty() {
        return (b"0", form);
    }
    match form.iter().position(|&b| b == b'.') {
        Some(dot) => (&form[..dot], &form[dot + 1..]),
        None => (form, &[]),
    }
}

/// One part (ASCII digits) without leading zeros (`"0"` for zero).
fn normalise_part(part: &str) -> &str {
    match part.trim_start_matches('0') {
        "" => "0",
        stripped => stripped,
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.normal() == other.normal()
    }
}
impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        // Byte by byte (sorting a thousand migrations compares versions ten thousand times).
        let (mut a, mut b) = (self.normal().as_bytes(), other.normal().as_bytes());
        loop {
            if a.is_empty() && b.is_empty() {
                return Ordering::Equal;
            }
            let (x, rest_a) = first_part(a);
            let (y, rest_b) = first_part(b);
            // Parts carry no leading zeros, so the longer one is the larger number.
            let ord = x.len().cmp(&y.len()).then_with(|| x.cmp(y));
            if ord != Ordering::Equal {
                return ord;
            }
            (a, b) = (rest_a, rest_b);
        }
    }
}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.normal().hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `Long.MAX_VALUE`, which Flyway reads as the `latest` marker.
const LATEST_NUMBER: &str = "9223372036854775807";

/// The `target` setting (reference §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Everything (the default; also `9223372036854775807`).
    Latest,
    /// No new versioned migrations; resolved to the current version.
    Current,
    /// Only the first pending migration.
    Next,
    /// Up to and including this version.
    Version {
        /// The target version.
        version: Version,
        /// `false` when written with a trailing `?`: no error if no migration has exactly this version.
        fail_on_missing: bool,
    },
}

impl Target {
    /// Parses `latest`, `current`, `next` (any case), `9223372036854775807`, or a version with an
    /// optional trailing `?`.
    ///
    /// As in Flyway's configuration, one trailing `?` is removed first (it only matters for a
    /// version: `latest?` is just `latest`), then the markers are recognised, then the rest is a
    /// [`Version`].
    pub fn parse(s: &str) -> Result<Target, VersionError> {
        let (body, fail_on_missing) = match s.strip_suffix('?') {
            Some(body) => (body, false),
            None => (s, true),
        };
        if body.eq_ignore_ascii_case("latest") || body == LATEST_NUMBER {
            Ok(Target::Latest)
        } else if body.eq_ignore_ascii_case("current") {
            Ok(Target::Current)
        } else if body.eq_ignore_ascii_case("next") {
            Ok(Target::Next)
        } else {
            Ok(Target::Version {
                version: Version::parse(body)?,
                fail_on_missing,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;
    use std::collections::HashSet;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn invalid(s: &str) -> VersionError {
        Version::parse(s).unwrap_err()
    }

    #[test]
    fn numerically_equal_versions() {
        let same = ["1", "1.0", "1.0.0", "1_0", "01", "001.000", "1_0.0"];
        for a in same {
            for b in same {
                assert_eq!(v(a), v(b), "{a} vs {b}");
            }
        }
        let set: HashSet<Version> = same.iter().map(|s| v(s)).collect();
        assert_eq!(set.len(), 1, "hash agrees with equality");
        assert_eq!(v("1.01"), v("1.1"));
        assert_eq!(v("0"), v("0.0"));
        assert_eq!(v("0"), v("00"));
        assert_eq!(v("1.0.1"), v("01.00.01"));
    }

    #[test]
    fn stored_text_keeps_zeros_and_uses_dots() {
        assert_eq!(v("004_20230112155656").as_str(), "004.20230112155656");
        assert_eq!(v("1_1").as_str(), "1.1");
        assert_eq!(v("2024_01_01_1").as_str(), "2024.01.01.1");
        assert_eq!(v("1.0").to_string(), "1.0");
        assert_eq!(v("01").as_str(), "01");
    }

    #[test]
    fn ordering_is_numeric_part_by_part() {
        let ordered = [
            "0", "0.1", "1", "1.0.1", "1.1", "1.2", "1.10", "2", "10", "10.0.0.1", "100",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(v(pair[1]) > v(pair[0]));
        }
        assert_eq!(v("1.10").cmp(&v("1.9")), Ordering::Greater);
        assert_eq!(v("1.1").cmp(&v("1.01.0")), Ordering::Equal);
        assert!(v("09") < v("10"));
        assert!(v("009") < v("10"));
        assert!(v("2") > v("1.999"));
    }

    #[test]
    fn parts_may_be_larger_than_any_integer_type() {
        let huge = "123456789012345678901234567890123456789";
        assert_eq!(v(huge).as_str(), huge);
        assert!(v(huge) > v("99999999999999999999999999999999999999"));
        assert!(v(&format!("1.{huge}")) < v(&format!("1.{huge}1")));
        assert_eq!(v(&format!("0000{huge}")), v(huge));
        assert!(v("9223372036854775808") > v("9223372036854775807"));
    }

    #[test]
    fn malformed_versions_are_refused_with_flyways_text() {
        for bad in [
            "", "1..2", "1.", ".1", "1.a", "a", "1.2a", "1 2", "v1", "1,2", "1._2", "latest",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        // The message shows the normalised text.
        assert_eq!(
            invalid("1_a").to_string(),
            "Version may only contain 0..9 and . (dot). Invalid version: 1.a"
        );
        assert_eq!(invalid("1__2"), VersionError::Invalid("1..2".into()));
    }

    #[test]
    fn signs_and_non_ascii_digits_are_refused_deliberately() {
        // Java's BigInteger would accept these; tidemark does not.
        for bad in ["+1", "-1", "1.-2", "1.+2", "\u{0661}", "1.\u{0662}", "１"] {
            assert_eq!(
                invalid(bad),
                VersionError::Invalid(bad.replace('_', ".")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn targets() {
        for s in [
            "latest",
            "LATEST",
            "Latest",
            "9223372036854775807",
            "latest?",
        ] {
            assert_eq!(Target::parse(s), Ok(Target::Latest), "{s}");
        }
        for s in ["current", "CURRENT", "Current"] {
            assert_eq!(Target::parse(s), Ok(Target::Current), "{s}");
        }
        for s in ["next", "NEXT", "nExT"] {
            assert_eq!(Target::parse(s), Ok(Target::Next), "{s}");
        }
        assert_eq!(
            Target::parse("1.1"),
            Ok(Target::Version {
                version: v("1.1"),
                fail_on_missing: true
            })
        );
        match Target::parse("2_0?") {
            Ok(Target::Version {
                version,
                fail_on_missing: false,
            }) => {
                assert_eq!(version.as_str(), "2.0");
                assert_eq!(version, v("2"));
            }
            other => panic!("unexpected {other:?}"),
        }
        for bad in ["", "?", "1??", "abc", "-1", "1.x?"] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
    }
}
