//! FILENAME as Liquibase records it, and finding files in the search path.
//!
//! FILENAME is a third of a tracking-table row's identity: if tidemark records `./db/cl.sql`
//! where Liquibase recorded `db/cl.sql`, every changeset runs again. Liquibase never records an
//! absolute or parent-relative path for a file found through the search path: the master is
//! recorded as given to `--changelog-file` and included files as their path from the search-path
//! root (whatever `relativeToChangelogFile` says), both normalised by [`normalize`]. A
//! `logicalFilePath` replaces all of that.

use std::path::{Component, Path, PathBuf};

/// Liquibase's path normalisation (`DatabaseChangeLog.normalizePath` plus the resource
/// accessor's clean-up): `classpath:` dropped, `\` → `/`, a drive letter dropped, one leading
/// `/` dropped, empty and `.` segments removed, `..` resolved against the segment before it.
///
/// `./dir/sub/cl.sql`, `dir/../dir/sub/cl.sql` and `dir\sub\cl.sql` all give `dir/sub/cl.sql`.
pub fn normalize(path: &str) -> String {
    let mut p = path
        .strip_prefix("classpath:")
        .unwrap_or(path)
        .replace('\\', "/");
    let bytes = p.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        p = p[2..].to_string();
    }
    let p = p.strip_prefix('/').unwrap_or(&p);
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// The directory part of a normalised path (`db/sql/a.sql` → `db/sql`, `a.sql` → ``).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The normalised path of `file` written relative to the file `relative_to` (both
/// search-path-relative), as `relativeToChangelogFile="true"` resolves it.
pub fn relative_to(relative_to: &str, file: &str) -> String {
    let dir = parent(relative_to);
    if dir.is_empty() {
        normalize(file)
    } else {
        normalize(&format!("{dir}/{file}"))
    }
}

/// Finds a search-path-relative (normalised) path on disk: the first search-path directory that
/// has it. An empty search path means the current directory.
pub fn find(logical: &str, search_path: &[PathBuf]) -> Option<PathBuf> {
    let rel = Path::new(logical);
    if search_path.is_empty() {
        return rel.exists().then(|| rel.to_path_buf());
    }
    search_path
        .iter()
        .map(|dir| dir.join(rel))
        .find(|p| p.exists())
}

/// The search-path-relative name of a real path found under one of the search-path
/// directories, if it is under one (used for `includeAll` results).
pub fn relative_in_search_path(real: &Path, search_path: &[PathBuf]) -> Option<String> {
    for dir in search_path {
        if let Ok(rest) = real.strip_prefix(dir) {
            let parts: Vec<String> = rest
                .components()
                .filter_map(|c| match c {
                    Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            return Some(parts.join("/"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_matches_the_reference() {
        for p in [
            "./dir/sub/cl.sql",
            "dir/../dir/sub/cl.sql",
            "dir\\sub\\cl.sql",
            "/dir/sub/cl.sql",
            "classpath:dir/sub/cl.sql",
            "classpath:/dir/sub/cl.sql",
            "C:\\dir\\sub\\cl.sql",
            "dir//sub/./cl.sql",
        ] {
            assert_eq!(normalize(p), "dir/sub/cl.sql", "{p}");
        }
        assert_eq!(normalize("changelog.sql"), "changelog.sql");
        assert_eq!(normalize("../x.sql"), "../x.sql");
        assert_eq!(normalize("a/../../x.sql"), "../x.sql");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn relative_resolution() {
        assert_eq!(relative_to("db/master.xml", "sql/a.sql"), "db/sql/a.sql");
        assert_eq!(relative_to("master.xml", "./sql/a.sql"), "sql/a.sql");
        assert_eq!(
            relative_to("db/x/master.xml", "../sql/a.sql"),
            "db/sql/a.sql"
        );
        assert_eq!(parent("a.sql"), "");
    }

    #[test]
    fn finds_in_the_first_search_path_dir_that_has_it() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(b.path().join("db")).unwrap();
        std::fs::write(b.path().join("db/x.sql"), "x").unwrap();
        let sp = vec![a.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(find("db/x.sql", &sp), Some(b.path().join("db/x.sql")));
        assert_eq!(find("db/y.sql", &sp), None);
        assert_eq!(
            relative_in_search_path(&b.path().join("db/x.sql"), &sp).as_deref(),
            Some("db/x.sql")
        );
    }
}
