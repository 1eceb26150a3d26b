//! The Flyway file-name grammar (reference §1.1-1.2): `V1_2__desc.sql`, `U1_2__desc.sql`,
//! `B3__desc.sql`, `R__desc.sql`, `beforeMigrate__desc.sql`.
//!
//! Prefix matching is case-sensitive and the longest known prefix wins; suffix matching is
//! case-insensitive; the description is the text after the first separator with every `_`
//! turned into a space. Names that end in a configured suffix but do not fit the grammar are
//! [`NameError`]s, which discovery skips (with a count) or refuses under `validateMigrationNaming`.

use crate::event::Event;
use crate::version::Version;

/// The naming settings (`sqlMigrationPrefix`, `undoSqlMigrationPrefix`,
/// `repeatableSqlMigrationPrefix`, `baselineMigrationPrefix`, `sqlMigrationSeparator`,
/// `sqlMigrationSuffixes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingConfig {
    /// Versioned prefix, default `V`.
    pub versioned_prefix: String,
    /// Undo prefix, default `U`.
    pub undo_prefix: String,
    /// Repeatable prefix, default `R`.
    pub repeatable_prefix: String,
    /// Baseline-migration prefix, default `B`.
    pub baseline_prefix: String,
    /// Separator between version and description, default `__`.
    pub separator: String,
    /// File suffixes, default `[".sql"]`; matched case-insensitively.
    pub suffixes: Vec<String>,
}

impl Default for NamingConfig {
    fn default() -> Self {
        NamingConfig {
            versioned_prefix: "V".into(),
            undo_prefix: "U".into(),
            repeatable_prefix: "R".into(),
            baseline_prefix: "B".into(),
            separator: "__".into(),
            suffixes: vec![".sql".into()],
        }
    }
}

/// What a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `V`: applied once, in version order.
    Versioned,
    /// `U`: reverts the versioned migration of the same version.
    Undo,
    /// `B`: a baseline migration, applied instead of everything up to its version on an empty history.
    Baseline,
    /// `R`: re-applied whenever its checksum changes.
    Repeatable,
    /// A SQL callback for an event.
    Callback(Event),
}

/// A parsed file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationName {
    /// What the file is.
    pub kind: Kind,
    /// The version (versioned, undo and baseline kinds only).
    pub version: Option<Version>,
    /// The description with `_` replaced by spaces (`add  two` for `V1__add__two.sql`).
    pub description: String,
    /// The file name the parts below are read from: one copy instead of one per part.
    file: Box<str>,
    /// Where the prefix ends in `file` (the version starts).
    prefix_end: usize,
    /// Where the version ends.
    version_end: usize,
    /// Where the description starts (after the separator, or at `version_end` with none).
    description_start: usize,
    /// Where the suffix starts.
    suffix_start: usize,
}

impl MigrationName {
    /// The prefix as matched (`V`, `R`, `beforeMigrate`, ...).
    pub fn prefix(&self) -> &str {
        self.file.get(..self.prefix_end).unwrap_or_default()
    }

    /// The version text exactly as in the file name (`1_1`), empty when there is none.
    pub fn raw_version(&self) -> &str {
        self.file
            .get(self.prefix_end..self.version_end)
            .unwrap_or_default()
    }

    /// The description exactly as in the file name (used for `${flyway:filename}`).
    pub fn raw_description(&self) -> &str {
        self.file
            .get(self.description_start..self.suffix_start)
            .unwrap_or_default()
    }

    /// The suffix as written in the file name (`.sql`, `.SQL`).
    pub fn suffix(&self) -> &str {
        self.file.get(self.suffix_start..).unwrap_or_default()
    }

    /// The name Flyway rebuilds for `${flyway:filename}`: prefix + raw version + separator (when
    /// there is a description or the name had one) + raw description + suffix.
    ///
    /// Exactly as Flyway's `ResourceName.getFilename`, the separator is written only when the
    /// (replaced) description is non-empty, so `R__.sql` and `V1__.sql` rebuild as `R.sql` and
    /// `V1.sql`. This matters for repeatable checksums, which are taken after replacement.
    pub fn filename(&self, cfg: &NamingConfig) -> String {
        let mut out = String::with_capacity(
            self.prefix().len()
                + self.raw_version().len()
                + cfg.separator.len()
                + self.raw_description().len()
                + self.suffix().len(),
        );
        out.push_str(self.prefix());
        out.push_str(self.raw_version());
        if !self.description.is_empty() {
            out.push_str(&cfg.separator);
            out.push_str(self.raw_description());
        }
        out.push_str(self.suffix());
        out
    }
}

/// A file ends in a SQL suffix but its name is not a valid migration or callback name. The
/// `Display` texts are Flyway's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// No known prefix.
    #[error("Unrecognised migration name format: {file}")]
    Unrecognised {
        /// The file name.
        file: String,
    },
    /// A repeatable or callback name carries a version.
    #[error(
        "Invalid repeatable migration / callback name format: {file} (It cannot contain a version and should look like this: {repeatable_prefix}{separator}<desc>{suffix})"
    )]
    RepeatableWithVersion {
        /// The file name.
        file: String,
        /// Repeatable prefix in force.
        repeatable_prefix: String,
        /// Separator in force.
        separator: String,
        /// First suffix in force.
        suffix: String,
    },
    /// A versioned, undo or baseline name without a version.
    #[error(
        "Invalid versioned migration name format: {file} (It must contain a version and should look like this: {versioned_prefix}1.2{separator}<desc>{suffix})"
    )]
    MissingVersion {
        /// The file name.
        file: String,
        /// Versioned prefix in force.
        versioned_prefix: String,
        /// Separator in force.
        separator: String,
        /// First suffix in force.
        suffix: String,
    },
    /// The version text is not a version.
    #[error(
        "Invalid versioned migration name format: {file} (could not recognise version number {version})"
    )]
    BadVersion {
        /// The file name.
        file: String,
        /// The version text.
        version: String,
    },
}

/// Parses a file name (no directory part).
///
/// `Ok(None)`: the name does not end in a configured suffix, so it is not a SQL file at all
/// (`.conf`, `README.md`). `Err`: a SQL file whose name does not fit the grammar.
///
/// Following Flyway's `ResourceNameParser`: the first configured suffix that matches
/// case-insensitively is stripped; the prefixes (versioned, repeatable, every callback event id,
/// baseline, undo) are tried longest first, case-sensitively; the rest is split at the first
/// separator. Versioned, undo and baseline names need a valid version before it; repeatables and
/// callbacks must have nothing there.
pub fn parse(file_name: &str, cfg: &NamingConfig) -> Result<Option<MigrationName>, NameError> {
    let Some((stem, _suffix)) = strip_suffix(file_name, &cfg.suffixes) else {
        return Ok(None);
    };
    let first_suffix = || cfg.suffixes.first().cloned().unwrap_or_default();

    let Some((prefix, kind)) = longest_prefix(cfg, stem) else {
        return Err(NameError::Unrecognised {
            file: file_name.to_string(),
        });
    };
    let rest = stem.get(prefix.len()..).unwrap_or_default();
    // Offsets in the file name: the stem is its start, and `rest` follows the prefix.
    let (left, right, description_start) = match find(rest, &cfg.separator) {
        Some(at) => (
            rest.get(..at).unwrap_or_default(),
            rest.get(at + cfg.separator.len()..).unwrap_or_default(),
            prefix.len() + at + cfg.separator.len(),
        ),
        None => (rest, "", stem.len()),
    };

    let version = match kind {
        Kind::Versioned | Kind::Undo | Kind::Baseline => {
            if left.is_empty() {
                return Err(NameError::MissingVersion {
                    file: file_name.to_string(),
                    versioned_prefix: cfg.versioned_prefix.clone(),
                    separator: cfg.separator.clone(),
                    suffix: first_suffix(),
                });
            }
            match Version::parse(left) {
                Ok(v) => Some(v),
                Err(_) => {
                    return Err(NameError::BadVersion {
                        file: file_name.to_string(),
                        version: left.to_string(),
                    });
                }
            }
        }
        Kind::Repeatable | Kind::Callback(_) => {
            if !left.is_empty() {
                return Err(NameError::RepeatableWithVersion {
                    file: file_name.to_string(),
                    repeatable_prefix: cfg.repeatable_prefix.clone(),
                    separator: cfg.separator.clone(),
                    suffix: first_suffix(),
                });
            }
            None
        }
    };

    Ok(Some(MigrationName {
        kind,
        version,
        description: underscores_to_spaces(right),
        file: file_name.into(),
        prefix_end: prefix.len(),
        version_end: prefix.len() + left.len(),
        description_start,
        suffix_start: stem.len(),
    }))
}

/// `text.replace('_', " ")`, one byte for another (both ASCII, so never inside a multi-byte
/// char), without `replace`'s char searcher: every migration's description goes through here.
fn underscores_to_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'_', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        out.push(' ');
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

/// The first occurrence of `needle` in `haystack` (`str::find` with a `&str` sets up a
/// searcher for long texts on every call; a file name is short and the separator two bytes).
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let Some(&first) = needle.as_bytes().first() else {
        return Some(0);
    };
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, bytes.get(from..)?) {
        let at = from + i;
        if bytes[at..].starts_with(needle.as_bytes()) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Splits off the first configured suffix the name ends with, compared case-insensitively (Java
/// upper-cases both sides). Returns the stem and the suffix as written in the file name.
///
/// The tail compared is as many chars as the suffix has, so no byte offset can fall inside a
/// char whatever the name contains.
fn strip_suffix<'a>(file_name: &'a str, suffixes: &[String]) -> Option<(&'a str, &'a str)> {
    suffixes.iter().find_map(|suffix| {
        // ASCII on both sides (nearly always): the tail is as many bytes as the suffix.
        if suffix.is_ascii() {
            let at = file_name.len().saturating_sub(suffix.len());
            if let Some(tail) = file_name
                .get(at..)
                .filter(|t| t.len() == suffix.len() && t.is_ascii())
            {
                return tail
                    .eq_ignore_ascii_case(suffix)
                    .then(|| (&file_name[..at], tail));
            }
        }
        let n = suffix.chars().count();
        let at = if n == 0 {
            file_name.len()
        } else {
            file_name.char_indices().rev().nth(n - 1)?.0
        };
        let tail = file_name.get(at..)?;
        let same = if tail.is_ascii() && suffix.is_ascii() {
            tail.eq_ignore_ascii_case(suffix)
        } else {
            tail.to_uppercase() == suffix.to_uppercase()
        };
        same.then(|| (file_name.get(..at).unwrap_or_default(), tail))
    })
}

/// The known prefix `stem` starts with, with its kind: the longest (length in UTF-16 units as
/// Java measures it), and on equal length the first in Flyway's registration order: versioned,
/// repeatable, callbacks in event order, baseline, undo. (Flyway sorts the prefixes longest
/// first, stably, and takes the first match; this finds the same one without sorting for every
/// file name.)
fn longest_prefix<'c>(cfg: &'c NamingConfig, stem: &str) -> Option<(&'c str, Kind)> {
    let first = stem.as_bytes().first().copied();
    let mut best: Option<(&str, Kind, usize)> = None;
    consider(
        &mut best,
        stem,
        first,
        &cfg.versioned_prefix,
        Kind::Versioned,
    );
    consider(
        &mut best,
        stem,
        first,
        &cfg.repeatable_prefix,
        Kind::Repeatable,
    );
    // The forty event ids only when one of them could match: most names start otherwise.
    if first.is_some_and(|b| EVENT_FIRST_BYTES[usize::from(b)]) {
        for event in Event::ALL {
            consider(&mut best, stem, first, event.id(), Kind::Callback(*event));
        }
    }
    consider(&mut best, stem, first, &cfg.baseline_prefix, Kind::Baseline);
    consider(&mut best, stem, first, &cfg.undo_prefix, Kind::Undo);
    best.map(|(prefix, kind, _)| (prefix, kind))
}

/// For [`longest_prefix`]: takes `prefix` when `stem` starts with it and it is longer than the
/// best so far (so on equal length the earlier candidate stays).
fn consider<'c>(
    best: &mut Option<(&'c str, Kind, usize)>,
    stem: &str,
    first: Option<u8>,
    prefix: &'c str,
    kind: Kind,
) {
    // The first byte first: most candidates differ there.
    if prefix.as_bytes().first().is_some_and(|&b| Some(b) != first) || !stem.starts_with(prefix) {
        return;
    }
    let len = prefix.encode_utf16().count();
    if best.is_none_or(|(_, _, longest)| len > longest) {
        *best = Some((prefix, kind, len));
    }
}

/// Whether some event id starts with the byte.
const EVENT_FIRST_BYTES: [bool; 256] = {
    let mut bytes = [false; 256];
    let mut i = 0;
    while i < Event::ALL.len() {
        let id = Event::ALL[i].id().as_bytes();
        if !id.is_empty() {
            bytes[id[0] as usize] = true;
        }
        i += 1;
    }
    bytes
};

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> NamingConfig {
        NamingConfig::default()
    }

    fn ok(file: &str) -> MigrationName {
        match parse(file, &cfg()) {
            Ok(Some(name)) => name,
            other => panic!("{file}: {other:?}"),
        }
    }

    fn err(file: &str) -> NameError {
        match parse(file, &cfg()) {
            Err(e) => e,
            other => panic!("{file}: expected an error, got {other:?}"),
        }
    }

    #[test]
    fn versioned() {
        let n = ok("V1_1__My_desc.sql");
        assert_eq!(n.kind, Kind::Versioned);
        assert_eq!(n.version.as_ref().map(Version::as_str), Some("1.1"));
        assert_eq!(n.raw_version(), "1_1");
        assert_eq!(n.description, "My desc");
        assert_eq!(n.raw_description(), "My_desc");
        assert_eq!(n.prefix(), "V");
        assert_eq!(n.suffix(), ".sql");

        let n = ok("V004_20230112155656__grant.sql");
        assert_eq!(
            n.version.as_ref().map(Version::as_str),
            Some("004.20230112155656")
        );
        let n = ok("V2024_01_01_1__x.sql");
        assert_eq!(
            n.version.as_ref().map(Version::as_str),
            Some("2024.01.01.1")
        );
    }

    #[test]
    fn version_without_description() {
        let n = ok("V1.sql");
        assert_eq!(n.kind, Kind::Versioned);
        assert_eq!(n.version, Version::parse("1").ok());
        assert_eq!(n.description, "");
        assert_eq!(n.raw_description(), "");
    }

    #[test]
    fn description_rules() {
        assert_eq!(ok("V1__add__two.sql").description, "add  two");
        assert_eq!(ok("V1__add__two.sql").raw_description(), "add__two");
        let n = ok("V1___x.sql");
        assert_eq!(n.raw_version(), "1");
        assert_eq!(n.description, " x");
        assert_eq!(ok("V1__a b.sql").description, "a b");
        assert_eq!(ok("V1__a-b.c.sql").description, "a-b.c");
        assert_eq!(ok("V1__.sql").description, "");
        assert_eq!(ok("V1__日本語_テスト.sql").description, "日本語 テスト");
    }

    #[test]
    fn other_kinds() {
        let n = ok("U1_2__undo_it.sql");
        assert_eq!(
            (n.kind, n.raw_version(), n.description.as_str()),
            (Kind::Undo, "1_2", "undo it")
        );
        let n = ok("B3__base.sql");
        assert_eq!(n.kind, Kind::Baseline);
        assert_eq!(n.version, Version::parse("3").ok());

        let n = ok("R__views.sql");
        assert_eq!(n.kind, Kind::Repeatable);
        assert_eq!(n.version, None);
        assert_eq!(n.raw_version(), "");
        assert_eq!(n.description, "views");
        let n = ok("R__.sql");
        assert_eq!((n.kind, n.description.as_str()), (Kind::Repeatable, ""));
        assert_eq!(ok("R__a_b.sql").description, ok("R__a b.sql").description);
    }

    #[test]
    fn callbacks() {
        let n = ok("beforeMigrate.sql");
        assert_eq!(n.kind, Kind::Callback(Event::BeforeMigrate));
        assert_eq!(n.description, "");
        assert_eq!(n.version, None);
        let n = ok("beforeMigrate__seed_data.sql");
        assert_eq!(n.kind, Kind::Callback(Event::BeforeMigrate));
        assert_eq!(n.description, "seed data");
        // Longest prefix wins.
        assert_eq!(
            ok("afterMigrateApplied.sql").kind,
            Kind::Callback(Event::AfterMigrateApplied)
        );
        assert_eq!(
            ok("afterMigrateError__x.sql").kind,
            Kind::Callback(Event::AfterMigrateError)
        );
        assert_eq!(
            ok("afterMigrate.sql").kind,
            Kind::Callback(Event::AfterMigrate)
        );
        assert_eq!(
            ok("beforeEachMigrateStatement.sql").kind,
            Kind::Callback(Event::BeforeEachMigrateStatement)
        );
        assert_eq!(
            ok("createSchema.sql").kind,
            Kind::Callback(Event::CreateSchema)
        );
        assert_eq!(
            ok("beforeCreateSchema.sql").kind,
            Kind::Callback(Event::BeforeCreateSchema)
        );
        for e in Event::ALL {
            assert_eq!(ok(&format!("{}.sql", e.id())).kind, Kind::Callback(*e));
            assert_eq!(ok(&format!("{}__d.sql", e.id())).kind, Kind::Callback(*e));
        }
        // Event ids are matched case-sensitively.
        assert!(matches!(
            err("BeforeMigrate.sql"),
            NameError::BadVersion { .. }
        ));
        assert!(matches!(
            err("beforemigrate.sql"),
            NameError::Unrecognised { .. }
        ));
    }

    #[test]
    fn suffix_is_case_insensitive_and_kept_as_written() {
        let n = ok("V1__x.SQL");
        assert_eq!(n.suffix(), ".SQL");
        assert_eq!(n.description, "x");
        assert_eq!(ok("V1__x.Sql").suffix(), ".Sql");
    }

    #[test]
    fn non_sql_files_are_not_candidates() {
        for file in [
            "README.md",
            "V1__x.sql.conf",
            "V1__x.conf",
            "V1__x",
            "V",
            "",
            "sql",
            "V1__x.sq",
            "日本",
        ] {
            assert_eq!(parse(file, &cfg()), Ok(None), "{file:?}");
        }
    }

    #[test]
    fn prefix_is_case_sensitive() {
        assert_eq!(
            err("v1__x.sql"),
            NameError::Unrecognised {
                file: "v1__x.sql".into()
            }
        );
        assert_eq!(
            err("v1__x.sql").to_string(),
            "Unrecognised migration name format: v1__x.sql"
        );
        assert!(matches!(err("r__x.sql"), NameError::Unrecognised { .. }));
        assert!(matches!(err("schema.sql"), NameError::Unrecognised { .. }));
        assert!(matches!(err(".sql"), NameError::Unrecognised { .. }));
        assert!(matches!(err(".SQL"), NameError::Unrecognised { .. }));
    }

    #[test]
    fn missing_version() {
        for file in ["V__x.sql", "V.sql", "U__x.sql", "B__x.sql", "V____.sql"] {
            assert!(
                matches!(err(file), NameError::MissingVersion { .. }),
                "{file}"
            );
        }
        assert_eq!(
            err("V__x.sql").to_string(),
            "Invalid versioned migration name format: V__x.sql (It must contain a version and should look like this: V1.2__<desc>.sql)"
        );
    }

    #[test]
    fn bad_version() {
        for (file, version) in [
            ("V1..2__x.sql", "1..2"),
            ("V1.__x.sql", "1."),
            ("V1.a__x.sql", "1.a"),
            ("Vx.sql", "x"),
            ("V-1__x.sql", "-1"),
            ("V+1__x.sql", "+1"),
            ("V1 2__x.sql", "1 2"),
            ("Vé__x.sql", "é"),
            ("V1_x.sql", "1_x"),
            ("Vlatest__x.sql", "latest"),
        ] {
            assert_eq!(
                err(file),
                NameError::BadVersion {
                    file: file.into(),
                    version: version.into()
                },
                "{file}"
            );
        }
        assert_eq!(
            err("V1.a__x.sql").to_string(),
            "Invalid versioned migration name format: V1.a__x.sql (could not recognise version number 1.a)"
        );
    }

    #[test]
    fn repeatable_or_callback_with_version() {
        for file in [
            "R1__x.sql",
            "Rx.sql",
            "README.sql",
            "beforeMigrate1__x.sql",
            "beforeMigrateX.sql",
        ] {
            assert!(
                matches!(err(file), NameError::RepeatableWithVersion { .. }),
                "{file}"
            );
        }
        assert_eq!(
            err("R1__x.sql").to_string(),
            "Invalid repeatable migration / callback name format: R1__x.sql (It cannot contain a version and should look like this: R__<desc>.sql)"
        );
    }

    #[test]
    fn custom_settings() {
        let cfg = NamingConfig {
            versioned_prefix: "M".into(),
            undo_prefix: "UNDO".into(),
            repeatable_prefix: "REP".into(),
            baseline_prefix: "BASE".into(),
            separator: "-".into(),
            suffixes: vec![".pgsql".into(), ".sql".into()],
        };
        let n = parse("M1_2-add_col.PGSQL", &cfg).unwrap().unwrap();
        assert_eq!(
            (n.kind, n.raw_version(), n.description.as_str()),
            (Kind::Versioned, "1_2", "add col")
        );
        assert_eq!(n.suffix(), ".PGSQL");
        assert_eq!(
            parse("REP-views.sql", &cfg).unwrap().unwrap().kind,
            Kind::Repeatable
        );
        assert_eq!(
            parse("UNDO1-x.sql", &cfg).unwrap().unwrap().kind,
            Kind::Undo
        );
        assert_eq!(
            parse("BASE1-x.sql", &cfg).unwrap().unwrap().kind,
            Kind::Baseline
        );
        assert_eq!(
            parse("V1__x.sql", &cfg),
            Err(NameError::Unrecognised {
                file: "V1__x.sql".into()
            })
        );
        assert_eq!(parse("M1-x.txt", &cfg), Ok(None));
        // The message uses the configured prefix, separator and FIRST suffix.
        assert_eq!(
            parse("M-x.sql", &cfg).unwrap_err().to_string(),
            "Invalid versioned migration name format: M-x.sql (It must contain a version and should look like this: M1.2-<desc>.pgsql)"
        );
        assert_eq!(
            parse("REP1-x.sql", &cfg).unwrap_err().to_string(),
            "Invalid repeatable migration / callback name format: REP1-x.sql (It cannot contain a version and should look like this: REP-<desc>.pgsql)"
        );
    }

    #[test]
    fn first_matching_suffix_wins() {
        let cfg = NamingConfig {
            suffixes: vec![".sql".into(), ".pg.sql".into()],
            ..NamingConfig::default()
        };
        let n = parse("V1__x.pg.sql", &cfg).unwrap().unwrap();
        assert_eq!((n.description.as_str(), n.suffix()), ("x.pg", ".sql"));
        let cfg = NamingConfig {
            suffixes: vec![".pg.sql".into(), ".sql".into()],
            ..NamingConfig::default()
        };
        let n = parse("V1__x.pg.sql", &cfg).unwrap().unwrap();
        assert_eq!((n.description.as_str(), n.suffix()), ("x", ".pg.sql"));
    }

    #[test]
    fn filename_is_rebuilt_like_flyway() {
        let c = cfg();
        for (file, rebuilt) in [
            ("R__placeholders.sql", "R__placeholders.sql"),
            ("V1_1__My_desc.sql", "V1_1__My_desc.sql"),
            ("V1__add__two.sql", "V1__add__two.sql"),
            ("V1.sql", "V1.sql"),
            ("V1__x.SQL", "V1__x.SQL"),
            ("beforeMigrate.sql", "beforeMigrate.sql"),
            ("beforeMigrate__a_b.sql", "beforeMigrate__a_b.sql"),
            // Flyway drops the separator when the description is empty.
            ("R__.sql", "R.sql"),
            ("V1__.sql", "V1.sql"),
        ] {
            assert_eq!(ok(file).filename(&c), rebuilt, "{file}");
        }
    }

    #[test]
    fn never_panics_on_odd_names() {
        let odd = [
            "V",
            "V.",
            "V.s",
            "Vsql",
            ".sql",
            "..sql",
            "V.sql",
            "R.sql",
            "__.sql",
            "V__.sql",
            "é.sql",
            "Vé.sql",
            "V1__é.sql",
            "😀.sql",
            "V😀__x.sql",
            "V1__x.ſql",
            "x.ſql",
            "ß.SQL",
            "\u{0}.sql",
            "V\u{301}.sql",
        ];
        let configs = [
            cfg(),
            NamingConfig {
                suffixes: vec![],
                ..cfg()
            },
            NamingConfig {
                suffixes: vec![String::new()],
                ..cfg()
            },
            NamingConfig {
                separator: String::new(),
                ..cfg()
            },
            NamingConfig {
                versioned_prefix: String::new(),
                suffixes: vec!["é".into(), "😀".into()],
                ..cfg()
            },
            NamingConfig {
                repeatable_prefix: "é".into(),
                separator: "ß".into(),
                ..cfg()
            },
        ];
        for c in &configs {
            for file in odd {
                let _ = parse(file, c);
                if let Ok(Some(n)) = parse(file, c) {
                    let _ = n.filename(c);
                }
            }
        }
        // Without suffixes nothing is a candidate.
        assert_eq!(parse("V1__x.sql", &configs[1]), Ok(None));
        // An empty separator splits at the very start: a version can never be given.
        assert!(matches!(
            parse("V1.sql", &configs[3]),
            Err(NameError::MissingVersion { .. })
        ));
    }
    #[test]
    fn random_names_never_panic_and_round_trip() {
        let alphabet = [
            "V",
            "R",
            "U",
            "B",
            "_",
            "__",
            ".",
            "1",
            "0",
            ".sql",
            ".SQL",
            "ſ",
            "é",
            "😀",
            "beforeMigrate",
            "x",
            "-",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut random = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let c = cfg();
        for _ in 0..20_000 {
            let len = random(7);
            let file: String = (0..len).map(|_| alphabet[random(alphabet.len())]).collect();
            if let Ok(Some(n)) = parse(&file, &c) {
                // A parsed name rebuilds to itself whenever it has a description.
                if !n.description.is_empty() {
                    assert_eq!(n.filename(&c), file);
                }
                assert_eq!(n.version.is_some(), !n.raw_version().is_empty(), "{file}");
            }
        }
    }
}
