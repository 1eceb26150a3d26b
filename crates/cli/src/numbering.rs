//! Versions and file names for new migrations: what `new` and `plan` write.
//!
//! Both commands must number files the same way, or a plan written after `new` (or the other
//! way round) would collide or leave a gap; so the rule lives here once. The next version is the
//! highest first version part + 1 (`V7__x` -> `V8`), or a UTC timestamp (`V20261128093000`) when
//! the existing files use timestamps, so teams keep whichever scheme they have. No database is
//! needed.

use std::path::{Path, PathBuf};

use tidemark_ledger::name::{self, Kind, NamingConfig};

/// A first version part this long is a timestamp (`yyyyMMddHHmm` and longer).
const TIMESTAMP_DIGITS: usize = 12;

/// The next `count` versions for files in `locations`, in order.
pub fn next_versions(
    locations: &[PathBuf],
    naming: &NamingConfig,
    count: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    let mut highest = highest_first_part(locations, naming);
    let mut versions = Vec::with_capacity(count);
    for _ in 0..count {
        let next = next_version(highest.as_deref(), now);
        highest = Some(next.clone());
        versions.push(next);
    }
    versions
}

/// The versioned (`V...`) and undo (`U...`) file names for `version` and `description`.
pub fn file_names(naming: &NamingConfig, version: &str, description: &str) -> (String, String) {
    let suffix = naming
        .suffixes
        .first()
        .cloned()
        .unwrap_or_else(|| ".sql".into());
    let sep = &naming.separator;
    (
        format!(
            "{}{version}{sep}{description}{suffix}",
            naming.versioned_prefix
        ),
        format!("{}{version}{sep}{description}{suffix}", naming.undo_prefix),
    )
}

/// The highest first version part (digits without leading zeros) of the versioned, undo and
/// baseline files in `locations`.
fn highest_first_part(locations: &[PathBuf], naming: &NamingConfig) -> Option<String> {
    let mut highest: Option<String> = None;
    for location in locations {
        for entry in walkdir(location) {
            let file_name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Ok(Some(parsed)) = name::parse(&file_name, naming) else {
                continue;
            };
            if !matches!(parsed.kind, Kind::Versioned | Kind::Undo | Kind::Baseline) {
                continue;
            }
            let Some(version) = parsed.version.as_ref() else {
                continue;
            };
            let part = version
                .as_str()
                .split('.')
                .next()
                .unwrap_or("0")
                .trim_start_matches('0')
                .to_string();
            let bigger = match &highest {
                None => true,
                Some(h) => (part.len(), &part) > (h.len(), h),
            };
            if bigger {
                highest = Some(part);
            }
        }
    }
    highest
}

/// Every file under `root`, hidden folders skipped.
fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let hidden = path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if !hidden {
                    stack.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The next first version part after `highest` (digits without leading zeros).
fn next_version(highest: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> String {
    let timestamp = now.format("%Y%m%d%H%M%S").to_string();
    match highest {
        None | Some("") => "1".to_string(),
        Some(h) if h.len() >= TIMESTAMP_DIGITS => {
            // Timestamps: now, or one past the highest if the clock is behind it.
            let past = increment(h);
            if (timestamp.len(), &timestamp) > (past.len(), &past) {
                timestamp
            } else {
                past
            }
        }
        Some(h) => increment(h),
    }
}

/// Decimal string + 1, any length.
fn increment(digits: &str) -> String {
    let mut bytes: Vec<u8> = digits.bytes().collect();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    format!("1{}", String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn next_versions_by_scheme() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 28, 9, 30, 0)
            .unwrap();
        assert_eq!(next_version(None, now), "1");
        assert_eq!(next_version(Some("7"), now), "8");
        assert_eq!(next_version(Some("99"), now), "100");
        assert_eq!(next_version(Some("20240105123000"), now), "20261128093000");
        assert_eq!(next_version(Some("20991231000000"), now), "20991231000001");
        assert_eq!(
            increment("999999999999999999999999"),
            "1000000000000000000000000"
        );
    }

    #[test]
    fn several_versions_in_a_row() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("V7__x.sql"), "").unwrap();
        std::fs::write(dir.path().join("U9__y.sql"), "").unwrap();
        let naming = NamingConfig::default();
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 28, 9, 30, 0)
            .unwrap();
        let locations = vec![dir.path().to_path_buf()];
        assert_eq!(
            next_versions(&locations, &naming, 3, now),
            ["10", "11", "12"]
        );
        std::fs::write(dir.path().join("V20240105123000__t.sql"), "").unwrap();
        assert_eq!(
            next_versions(&locations, &naming, 2, now),
            ["20261128093000", "20261128093001"]
        );
    }
}
