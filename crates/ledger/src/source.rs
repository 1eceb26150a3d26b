//! Discovery: which files the configured locations hold, and what they resolve to.
//!
//! Listing files sits behind the small [`Source`] trait so tests can resolve from memory; the
//! real one reads the folders itself, and walks them with `walkdir` only to follow symbolic links
//! ([`FsSource`]). [`resolve`] turns the listing into
//! [`ResolvedMigration`]s and [`Callback`]s: names parsed, text decoded, checksums computed once,
//! `.sql.conf` files applied, duplicates refused with Flyway's messages. Every problem found is
//! collected, so one run reports all of them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::checksum;
use crate::history::MigrationType;
use crate::name::{self, Kind, NameError, NamingConfig};
use crate::placeholder::Placeholders;
use crate::script::{Callback, ResolvedMigration};
use crate::sqlconf::ScriptConfig;
use crate::text::{self, Encoding};

/// A file in a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Index of the location it was found in.
    pub location: usize,
    /// Path relative to the location, `/`-separated.
    pub relative: String,
    /// The path to show in messages (the location joined with `relative`).
    pub path: PathBuf,
}

impl SourceFile {
    /// The file's name: `relative` after its last `/`.
    pub fn file_name(&self) -> &str {
        match memchr::memrchr(b'/', self.relative.as_bytes()) {
            Some(slash) => &self.relative[slash + 1..],
            None => &self.relative,
        }
    }
}

/// Something that lists and reads migration files. `Sync`: files are read on several threads.
pub trait Source: Sync {
    /// Every file in every location (not only SQL files: `.conf` files are looked up here too),
    /// plus warnings such as a location that does not exist.
    fn list(&self) -> Result<Listing, SourceError>;
    /// The bytes of a listed file.
    fn read(&self, file: &SourceFile) -> Result<Vec<u8>, SourceError>;
}

/// The result of [`Source::list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Files, in a deterministic order.
    pub files: Vec<SourceFile>,
    /// Things worth telling the user (a missing location).
    pub warnings: Vec<String>,
}

/// A location could not be listed or a file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A configured location does not exist and `failOnMissingLocations` is set.
    #[error("Failed to find location: {0}")]
    MissingLocation(PathBuf),
    /// An I/O error while walking or reading.
    #[error("Unable to read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The filesystem: each location is a folder walked recursively (hidden folders skipped).
#[derive(Debug, Clone)]
pub struct FsSource {
    locations: Vec<PathBuf>,
    fail_on_missing: bool,
}

impl FsSource {
    /// Locations in priority order; `fail_on_missing` mirrors `failOnMissingLocations`.
    pub fn new(locations: Vec<PathBuf>, fail_on_missing: bool) -> Self {
        FsSource {
            locations,
            fail_on_missing,
        }
    }
}

impl FsSource {
    /// Walks every location. The first walk reads the folders directly (an entry's type comes
    /// with its name) and gives up at the first symbolic link (`None`); a walk that met one is
    /// done again with walkdir following links (it stats every entry and detects loops).
    fn walk(&self, follow_links: bool) -> Result<Option<Listing>, SourceError> {
        let mut listing = Listing::default();
        for (index, root) in self.locations.iter().enumerate() {
            if !root.is_dir() {
                if self.fail_on_missing {
                    return Err(SourceError::MissingLocation(root.clone()));
                }
                listing.warnings.push(format!(
                    "Skipping filesystem location: {} (not found).",
                    root.display()
                ));
                continue;
            }
            let first = listing.files.len();
            if follow_links {
                walk_following_links(root, index, &mut listing.files)?;
            } else {
                let mut relative = String::new();
                if !walk_folder(root, &mut relative, index, &mut listing.files)? {
                    return Ok(None);
                }
            }
            // The order of a walk that visits each folder's entries by name: name by name
            // along the path (so `a/x.sql` comes before `a.sql`, as the folder `a` does).
            listing.files[first..].sort_unstable_by(|a, b| path_order(&a.relative, &b.relative));
        }
        Ok(Some(listing))
    }
}

/// Lists the files under `folder` (the location joined with `relative`), skipping hidden
/// folders. `Ok(false)`: a symbolic link was met (the caller walks again, following links).
///
/// Why not walkdir here: it joins a path and builds an entry for every name, which took most
/// of the listing's time (the listing is read before any file, so it is waited for); here each
/// file costs its two strings and nothing else.
fn walk_folder(
    folder: &Path,
    relative: &mut String,
    location: usize,
    files: &mut Vec<SourceFile>,
) -> Result<bool, SourceError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SourceError::Io { path, source }
    };
    for entry in std::fs::read_dir(folder).map_err(io(folder))? {
        let entry = entry.map_err(io(folder))?;
        let name = entry.file_name();
        // From the folder entry itself where the file system says (no `stat`).
        let file_type = entry
            .file_type()
            .map_err(|e| io(&join_name(folder, &name))(e))?;
        if file_type.is_symlink() {
            return Ok(false);
        }
        let prefix = relative.len();
        if !relative.is_empty() {
            relative.push('/');
        }
        match name.to_str() {
            Some(name) => relative.push_str(name),
            None => relative.push_str(&name.to_string_lossy()),
        }
        if file_type.is_dir() {
            let hidden = name.as_encoded_bytes().starts_with(b".");
            if !hidden && !walk_folder(&join_name(folder, &name), relative, location, files)? {
                return Ok(false);
            }
        } else if file_type.is_file() {
            files.push(SourceFile {
                location,
                relative: relative.clone(),
                path: join_name(folder, &name),
            });
        }
        relative.truncate(prefix);
    }
    Ok(true)
}

/// `folder` joined with an entry's `name`, as `Path::join` would, built in one allocation of
/// the right size (`join` grows its buffer, which cost more than the rest of the listing).
fn join_name(folder: &Path, name: &std::ffi::OsStr) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let folder = folder.as_os_str().as_bytes();
        let mut path = Vec::with_capacity(folder.len() + 1 + name.len());
        path.extend_from_slice(folder);
        if !path.is_empty() && !path.ends_with(b"/") {
            path.push(b'/');
        }
        path.extend_from_slice(name.as_bytes());
        PathBuf::from(std::ffi::OsString::from_vec(path))
    }
    #[cfg(not(unix))]
    {
        folder.join(name)
    }
}

/// The walk that follows symbolic links (walkdir: it stats every entry and detects loops).
fn walk_following_links(
    root: &Path,
    location: usize,
    files: &mut Vec<SourceFile>,
) -> Result<(), SourceError> {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('.'))
        });
    for entry in walker {
        let entry = entry.map_err(|e| SourceError::Io {
            path: e
                .path()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| root.to_path_buf()),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("walk failed")),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(relative) = relative_path(root, entry.path()) else {
            continue;
        };
        files.push(SourceFile {
            location,
            relative,
            path: entry.into_path(),
        });
    }
    Ok(())
}

/// The walked `path` relative to `root`, `/`-separated.
fn relative_path(root: &Path, path: &Path) -> Option<String> {
    // On Unix a walked path is `root` joined with names: its bytes start with the root's, and
    // the rest is already the `/`-separated form (taking it apart with `strip_prefix` costs
    // more than the rest of the walk).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (root, path) = (root.as_os_str().as_bytes(), path.as_os_str().as_bytes());
        if let Some(rest) = path.strip_prefix(root) {
            let rest = rest.strip_prefix(b"/").unwrap_or(rest);
            if let Ok(rest) = std::str::from_utf8(rest) {
                return Some(rest.to_string());
            }
        }
    }
    let rel = path.strip_prefix(root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Name by name along a `/`-separated path: the bytes compared with `/` below every other
/// byte, which orders as comparing the names one by one does (a name that is a prefix of
/// another comes first), without taking the paths apart.
fn path_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { c };
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match (a.get(same), b.get(same)) {
        (Some(&x), Some(&y)) => key(x).cmp(&key(y)),
        _ => a.len().cmp(&b.len()),
    }
}

thread_local! {
    /// The buffer [`FsSource::read`] reads through, one per thread (zeroed once, not per file).
    static CHUNK: std::cell::RefCell<Box<[u8]>> = std::cell::RefCell::new(vec![0; 8192].into());
}

impl Source for FsSource {
    fn list(&self) -> Result<Listing, SourceError> {
        match self.walk(false)? {
            Some(listing) => Ok(listing),
            // Following links, the walk never stops at one.
            None => Ok(self.walk(true)?.unwrap_or_default()),
        }
    }

    fn read(&self, file: &SourceFile) -> Result<Vec<u8>, SourceError> {
        use std::io::Read;
        // Not `fs::read`: its `statx` for the size is one system call of five per file. Read in
        // chunks through the stack instead, so a small file costs one allocation of its size.
        let io = |source| SourceError::Io {
            path: file.path.clone(),
            source,
        };
        let mut f = std::fs::File::open(&file.path).map_err(io)?;
        CHUNK.with_borrow_mut(|chunk| {
            let mut bytes = Vec::new();
            loop {
                match f.read(chunk) {
                    Ok(0) => return Ok(bytes),
                    Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(io(e)),
                }
            }
        })
    }
}

/// A source whose listing and files were read ahead (on another thread, while the database
/// connects). The listing and each prefetched file are handed over once, so nothing is copied;
/// anything asked for again, or not prefetched, comes from the inner source (which also
/// reports a listing that failed).
pub struct Prefetched<'a> {
    inner: &'a dyn Source,
    listing: std::sync::Mutex<Option<Listing>>,
    /// By path, as bytes (hashing a `Path` takes it apart into components).
    files: std::sync::Mutex<HashMap<std::ffi::OsString, Vec<u8>>>,
    /// Whether [`Prefetched::read_files`] read anything: if not, a read goes straight to the
    /// source, without taking the lock (two threads reading a thousand files would contend).
    any_read: bool,
}

impl<'a> Prefetched<'a> {
    /// Lists `inner` and reads the files `wanted` accepts (by file name).
    pub fn load(inner: &'a dyn Source, wanted: impl Fn(&str) -> bool) -> Prefetched<'a> {
        let mut prefetched = Prefetched::listed(inner);
        prefetched.read_files(wanted);
        prefetched
    }

    /// Lists `inner`; files are read from it when asked for (see [`Prefetched::read_files`]).
    pub fn listed(inner: &'a dyn Source) -> Prefetched<'a> {
        let listing = inner.list().ok();
        Prefetched {
            inner,
            listing: std::sync::Mutex::new(listing),
            files: std::sync::Mutex::new(HashMap::new()),
            any_read: false,
        }
    }

    /// Reads the files of the listing (not yet handed over) that `wanted` accepts (by file
    /// name), to hand them over later.
    pub fn read_files(&mut self, wanted: impl Fn(&str) -> bool) {
        let inner = self.inner;
        let listing = self.listing.get_mut().ok().and_then(|l| l.as_ref());
        let files = match self.files.get_mut() {
            Ok(files) => files,
            Err(poisoned) => poisoned.into_inner(),
        };
        let Some(listing) = listing else {
            return;
        };
        let wanted: Vec<&SourceFile> = listing
            .files
            .iter()
            .filter(|f| wanted(f.file_name()))
            .collect();
        files.reserve(wanted.len());
        // Many files: on every core (a database that connects at once leaves nothing to
        // overlap with, and one reader would then take twice as long).
        let read = in_parallel(wanted, |file| (file, inner.read(file).ok()));
        for (file, bytes) in read {
            if let Some(bytes) = bytes {
                files.insert(file.path.as_os_str().to_owned(), bytes);
            }
        }
        self.any_read = !files.is_empty();
    }
}

impl Prefetched<'_> {
    /// Whether a file of the listing (not yet handed over) satisfies `test`.
    pub fn any_listed(&self, test: impl Fn(&SourceFile) -> bool) -> bool {
        self.listing
            .lock()
            .ok()
            .is_some_and(|l| l.as_ref().is_some_and(|l| l.files.iter().any(test)))
    }
}

impl Source for Prefetched<'_> {
    fn list(&self) -> Result<Listing, SourceError> {
        let taken = self.listing.lock().ok().and_then(|mut l| l.take());
        match taken {
            Some(listing) => Ok(listing),
            None => self.inner.list(),
        }
    }

    fn read(&self, file: &SourceFile) -> Result<Vec<u8>, SourceError> {
        // Nothing read ahead (the files are being resolved as they are read): no lock, no
        // hashing.
        if !self.any_read {
            return self.inner.read(file);
        }
        let taken = self
            .files
            .lock()
            .ok()
            .and_then(|mut files| files.remove(file.path.as_os_str()));
        match taken {
            Some(bytes) => Ok(bytes),
            None => self.inner.read(file),
        }
    }
}

/// Files held in memory, for tests and for tools that generate migrations.
#[derive(Debug, Clone, Default)]
pub struct MemSource {
    files: Vec<(SourceFile, Vec<u8>)>,
}

impl MemSource {
    /// An empty source.
    pub fn new() -> Self {
        MemSource::default()
    }

    /// Adds a file at `relative` in location 0 (shown as `mem/<relative>`).
    pub fn with(mut self, relative: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.add(0, relative, bytes);
        self
    }

    /// Adds a file to a given location.
    pub fn add(&mut self, location: usize, relative: &str, bytes: impl Into<Vec<u8>>) {
        let file = SourceFile {
            location,
            relative: relative.to_string(),
            path: PathBuf::from(format!("mem{location}")).join(relative),
        };
        self.files.push((file, bytes.into()));
    }
}

impl Source for MemSource {
    fn list(&self) -> Result<Listing, SourceError> {
        Ok(Listing {
            files: self.files.iter().map(|(f, _)| f.clone()).collect(),
            warnings: vec![],
        })
    }

    fn read(&self, file: &SourceFile) -> Result<Vec<u8>, SourceError> {
        self.files
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| SourceError::Io {
                path: file.path.clone(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            })
    }
}

/// How files are resolved.
#[derive(Debug, Clone)]
pub struct ResolveConfig {
    /// The naming grammar.
    pub naming: NamingConfig,
    /// The default encoding (`encoding`).
    pub encoding: Encoding,
    /// `detectEncoding`.
    pub detect_encoding: bool,
    /// `placeholderReplacement` (global).
    pub placeholder_replacement: bool,
    /// Placeholder values, including built-ins known before resolution.
    pub placeholders: Placeholders,
    /// `validateMigrationNaming`.
    pub validate_naming: bool,
    /// Indexes of locations that only hold callbacks (`callbackLocations`): migrations found
    /// there are ignored.
    pub callback_only_locations: Vec<usize>,
}

impl Default for ResolveConfig {
    fn default() -> Self {
        ResolveConfig {
            naming: NamingConfig::default(),
            encoding: Encoding::Utf8,
            detect_encoding: false,
            placeholder_replacement: true,
            placeholders: Placeholders::default(),
            validate_naming: false,
            callback_only_locations: Vec::new(),
        }
    }
}

/// What the locations hold.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Migrations in Flyway's resolved order: versioned by version (undo and baseline after the
    /// regular migration of equal version), then repeatables by description.
    pub migrations: Vec<ResolvedMigration>,
    /// Callbacks sorted by event, then description.
    pub callbacks: Vec<Callback>,
    /// SQL files skipped because their names do not fit the grammar.
    pub skipped: Vec<(PathBuf, NameError)>,
    /// Warnings from listing.
    pub warnings: Vec<String>,
}

/// One problem found while resolving. `Display` texts follow Flyway's where it has one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// Listing or reading failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A file cannot be decoded with its encoding.
    #[error(
        "Unable to calculate checksum of {path}: {source} (line {line})\nPlease ensure you have configured the correct file encoding with 'encoding' (or a '{file_name}.conf' with 'encoding=...'), or enable 'detectEncoding'"
    )]
    Decode {
        /// The file.
        path: PathBuf,
        /// Its file name, for the hint.
        file_name: String,
        /// 1-based line of the first bad byte.
        line: usize,
        /// The decoding error.
        source: text::TextError,
    },
    /// A `.conf` names an unknown encoding.
    #[error("{path}: {source}")]
    Encoding {
        /// The `.conf` file or the migration.
        path: PathBuf,
        /// The error.
        source: text::TextError,
    },
    /// A placeholder in a repeatable migration has no value.
    #[error("{path}:{line}: {message}")]
    Placeholder {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Flyway's message.
        message: String,
    },
    /// A `-- tidemark:` directive is malformed.
    #[error("{path}:{line}: {message}")]
    Directive {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A `.sql.conf` file is wrong.
    #[error("{path}:{line}: {message}")]
    ScriptConfig {
        /// The `.conf` file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `validateMigrationNaming` is on and names are invalid.
    #[error("Invalid SQL filenames found:\r\n{}", .0.iter().map(|(p, e)| format!("{} ({})", e, p.display())).collect::<Vec<_>>().join("\r\n"))]
    InvalidNames(Vec<(PathBuf, NameError)>),
    /// Two versioned migrations share a version.
    #[error("Found more than one migration with version {version}\nOffenders:\n-> {} ({})\n-> {} ({})", .first.0.display(), .first.1, .second.0.display(), .second.1)]
    DuplicateVersion {
        /// The version.
        version: String,
        /// First file and its type.
        first: (PathBuf, MigrationType),
        /// Second file and its type.
        second: (PathBuf, MigrationType),
    },
    /// Two repeatable migrations share a description.
    #[error("Found more than one repeatable migration with description {description}\nOffenders:\n-> {} ({})\n-> {} ({})", .first.0.display(), .first.1, .second.0.display(), .second.1)]
    DuplicateRepeatable {
        /// The description.
        description: String,
        /// First file and its type.
        first: (PathBuf, MigrationType),
        /// Second file and its type.
        second: (PathBuf, MigrationType),
    },
    /// Two callbacks share a name.
    #[error("Found more than 1 SQL callback script called {name}!\nOffenders:\n-> {}\n-> {}", .first.display(), .second.display())]
    DuplicateCallback {
        /// The name without suffix.
        name: String,
        /// First file.
        first: PathBuf,
        /// Second file.
        second: PathBuf,
    },
}

impl ResolveError {
    /// The 1-based line the problem is on, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ResolveError::Decode { line, .. }
            | ResolveError::Placeholder { line, .. }
            | ResolveError::Directive { line, .. }
            | ResolveError::ScriptConfig { line, .. } => Some(*line).filter(|l| *l > 0),
            _ => None,
        }
    }

    /// A stable code for reports (`DUPLICATE_VERSIONED_MIGRATION`, `INVALID_NAME`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            ResolveError::Source(_) => "LOCATION",
            ResolveError::Decode { .. } | ResolveError::Encoding { .. } => {
                "UNABLE_TO_CALCULATE_CHECKSUM"
            }
            ResolveError::Placeholder { .. } => "PLACEHOLDER",
            ResolveError::Directive { .. } => "INVALID_DIRECTIVE",
            ResolveError::ScriptConfig { .. } => "SCRIPT_CONFIG",
            ResolveError::InvalidNames(_) => "INVALID_MIGRATION_NAME",
            ResolveError::DuplicateVersion { .. } => "DUPLICATE_VERSIONED_MIGRATION",
            ResolveError::DuplicateRepeatable { .. } => "DUPLICATE_REPEATABLE_MIGRATION",
            ResolveError::DuplicateCallback { .. } => "DUPLICATE_CALLBACK",
        }
    }

    /// The file the problem is in, when there is one (for file:line rendering).
    pub fn path(&self) -> Option<&Path> {
        match self {
            ResolveError::Decode { path, .. }
            | ResolveError::Encoding { path, .. }
            | ResolveError::Placeholder { path, .. }
            | ResolveError::Directive { path, .. }
            | ResolveError::ScriptConfig { path, .. } => Some(path),
            ResolveError::DuplicateVersion { second, .. }
            | ResolveError::DuplicateRepeatable { second, .. } => Some(&second.0),
            ResolveError::DuplicateCallback { second, .. } => Some(second),
            _ => None,
        }
    }
}

/// Every problem found by [`resolve`].
#[derive(Debug)]
pub struct ResolveErrors(pub Vec<ResolveError>);

impl fmt::Display for ResolveErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ResolveErrors {}

/// Resolves every migration and callback the source holds.
pub fn resolve(source: &dyn Source, config: &ResolveConfig) -> Result<Resolved, ResolveErrors> {
    let (resolved, errors) = resolve_all(source, config);
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(ResolveErrors(errors))
    }
}

/// Like [`resolve`], but returns what did resolve together with every problem, so a checker
/// (`tidemark check`) can report all of them and still lint the files that are fine.
pub fn resolve_all(source: &dyn Source, config: &ResolveConfig) -> (Resolved, Vec<ResolveError>) {
    let listing = match source.list() {
        Ok(listing) => listing,
        Err(e) => return (Resolved::default(), vec![e.into()]),
    };
    let Listing { files, warnings } = listing;
    // Only `.conf` files are looked up by path; they are few, so copied, and every listed file
    // moves into the work below (its paths become the migration's: no copy per file).
    let by_path: HashMap<(usize, String), SourceFile> = files
        .iter()
        .filter(|f| f.relative.ends_with(".conf"))
        .map(|f| ((f.location, f.relative.clone()), f.clone()))
        .collect();

    let mut errors = Vec::new();
    let mut resolved = Resolved {
        warnings,
        ..Resolved::default()
    };

    // Each file's name is parsed and, for a migration or callback, the file loaded (read,
    // decoded, parsed and checksummed), on several threads when there are many; the results
    // come back in the listing's order.
    let loaded = in_parallel(files, |file| {
        let parsed = match name::parse(file.file_name(), &config.naming) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => return Ok(Loaded::Nothing),
            Err(e) => return Ok(Loaded::BadName(file.path, e)),
        };
        let callback_only = config.callback_only_locations.contains(&file.location);
        if callback_only && !matches!(parsed.kind, Kind::Callback(_)) {
            return Ok(Loaded::Nothing);
        }
        load(source, file, &by_path, config, parsed)
    });
    // Collected in place: the migrations take over the results' allocation (a thousand of
    // them fill a third of a megabyte, which a second vector would have to touch afresh).
    let (mut callbacks, mut skipped) = (Vec::new(), Vec::new());
    resolved.migrations = loaded
        .into_iter()
        .filter_map(|result| match result {
            Ok(Loaded::Migration(m)) => Some(m),
            Ok(Loaded::Callback(c)) => {
                callbacks.push(c);
                None
            }
            Ok(Loaded::BadName(path, e)) => {
                skipped.push((path, e));
                None
            }
            Ok(Loaded::Nothing) => None,
            Err(e) => {
                errors.push(e);
                None
            }
        })
        .collect();
    resolved.callbacks = callbacks;
    resolved.skipped = skipped;

    if config.validate_naming && !resolved.skipped.is_empty() {
        errors.push(ResolveError::InvalidNames(resolved.skipped.clone()));
    }

    sort_migrations(&mut resolved.migrations);
    // The very same migration found twice (overlapping locations) collapses.
    resolved.migrations.dedup_by(|b, a| {
        a.name.kind == b.name.kind
            && a.name.version == b.name.version
            && a.name.description == b.name.description
            && a.script == b.script
            && a.checksum == b.checksum
    });
    errors.extend(duplicates(&resolved.migrations));

    resolved.callbacks.sort_by(|a, b| {
        (a.event, &a.description, &a.path).cmp(&(b.event, &b.description, &b.path))
    });
    let mut seen: BTreeMap<&str, &Callback> = BTreeMap::new();
    for c in &resolved.callbacks {
        if let Some(first) = seen.insert(&c.stem, c) {
            if first.path != c.path {
                errors.push(ResolveError::DuplicateCallback {
                    name: c.stem.clone(),
                    first: first.path.clone(),
                    second: c.path.clone(),
                });
            }
        }
    }
    resolved.callbacks.dedup_by(|b, a| a.stem == b.stem);
    (resolved, errors)
}

/// Below this many items one thread does the work: starting threads costs more than it saves.
const PARALLEL_FROM: usize = 128;

/// `work` applied to every item, on up to `available_parallelism` threads (contiguous chunks),
/// results in the items' order.
pub(crate) fn in_parallel<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    in_parallel_from(PARALLEL_FROM, items, work)
}

/// The cores this process may use (at most 8), read once: `available_parallelism` reads the
/// cgroup's CPU quota from four files at every call.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(8)
    })
}

/// Like [`in_parallel`], on one thread below `from` items (pick it by what an item costs:
/// starting a thread costs about as much as reading a few dozen small files).
pub fn in_parallel_from<T: Send, R: Send>(
    from: usize,
    items: Vec<T>,
    work: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    // Few items never wait for the core count (reading it opens cgroup files).
    if items.len() < from.max(2) {
        return items.into_iter().map(work).collect();
    }
    let threads = cores();
    if threads < 2 {
        return items.into_iter().map(work).collect();
    }
    let total = items.len();
    let chunk = total.div_ceil(threads);
    // The first chunk stays where it is; the others are split off its end, last first.
    let mut first = items;
    let mut rest: Vec<Vec<T>> = Vec::with_capacity(threads);
    while first.len() > chunk {
        let at = (first.len() - 1) / chunk * chunk;
        rest.push(first.split_off(at));
    }
    rest.reverse();
    let work = &work;
    std::thread::scope(|s| {
        // The first chunk runs here, the others on their own threads.
        let handles: Vec<_> = rest
            .into_iter()
            .map(|c| s.spawn(move || c.into_iter().map(work).collect::<Vec<R>>()))
            .collect();
        // Room for all the results at once: they are often large, and growing would copy them.
        let mut out: Vec<R> = Vec::with_capacity(total);
        out.extend(first.into_iter().map(work));
        for handle in handles {
            match handle.join() {
                Ok(results) => out.extend(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

enum Loaded {
    Migration(ResolvedMigration),
    Callback(Callback),
    /// A name that looks like a migration's but is not a valid one.
    BadName(PathBuf, NameError),
    /// Not a migration (or not one this location takes).
    Nothing,
}

fn load(
    source: &dyn Source,
    file: SourceFile,
    by_path: &HashMap<(usize, String), SourceFile>,
    config: &ResolveConfig,
    parsed: name::MigrationName,
) -> Result<Loaded, ResolveError> {
    let file_name = file.file_name();
    // Per-script configuration.
    let conf_rel = (!by_path.is_empty()).then(|| format!("{}.conf", file.relative));
    let conf_file = conf_rel.and_then(|rel| by_path.get(&(file.location, rel)));
    let script_config = match conf_file {
        Some(conf_file) => {
            let bytes = source.read(conf_file)?;
            let conf_text = String::from_utf8_lossy(&bytes);
            let placeholders = config
                .placeholder_replacement
                .then_some(&config.placeholders);
            ScriptConfig::parse(&conf_text, placeholders).map_err(|e| {
                ResolveError::ScriptConfig {
                    path: conf_file.path.clone(),
                    line: e.line,
                    message: e.message,
                }
            })?
        }
        None => ScriptConfig::default(),
    };

    let bytes = source.read(&file)?;
    let (text, raw) = decode(bytes, &file, file_name, &script_config, config)?;

    if let Kind::Callback(event) = parsed.kind {
        let stem = file_name[..file_name.len() - parsed.suffix().len()].to_string();
        return Ok(Loaded::Callback(Callback {
            event,
            description: parsed.description.clone(),
            stem,
            script: file.relative,
            path: file.path,
            text,
            config: script_config,
        }));
    }

    let directives = crate::directive::parse(&text).map_err(|e| ResolveError::Directive {
        path: file.path.clone(),
        line: e.line,
        message: e.message,
    })?;
    // The header's end matters only to a file with directives (most have none).
    let declared_phase = if directives.is_empty() {
        None
    } else {
        let header_end = header_end_line(&text);
        directives
            .iter()
            .filter(|d| d.line < header_end)
            .rev()
            .find_map(|d| match d.directive {
                crate::directive::Directive::Phase(p) => Some(p),
                _ => None,
            })
    };

    let raw_checksum = checksum::flyway(&text);
    let replace = script_config
        .placeholder_replacement
        .unwrap_or(config.placeholder_replacement);
    let checksum = if parsed.kind == Kind::Repeatable && replace {
        let mut placeholders = config.placeholders.clone();
        placeholders.set("flyway:filename", parsed.filename(&config.naming));
        let replaced = placeholders
            .replace(&text)
            .map_err(|e| placeholder_error(&file, &e))?;
        checksum::flyway(&replaced)
    } else {
        raw_checksum
    };

    Ok(Loaded::Migration(ResolvedMigration {
        name: parsed,
        script: file.relative,
        path: file.path,
        raw,
        text,
        checksum,
        raw_checksum,
        config: script_config,
        directives,
        declared_phase,
    }))
}

/// The first line that holds something other than blank space or `--` comments: where the file
/// header (and its file-level directives) ends.
pub fn header_end_line(text: &str) -> usize {
    let mut in_block = false;
    for (i, line) in text::lines(text).enumerate() {
        let t = line.trim().trim_start_matches('\u{feff}');
        if in_block {
            if t.contains("*/") {
                in_block = false;
            }
            continue;
        }
        if t.is_empty() || t.starts_with("--") {
            continue;
        }
        if t.starts_with("/*") && !t.contains("*/") {
            in_block = true;
            continue;
        }
        if t.starts_with("/*") && t.ends_with("*/") {
            continue;
        }
        return i + 1;
    }
    usize::MAX
}

/// Turns a placeholder error into a resolve error naming the file and line.
pub fn placeholder_error(
    file: &SourceFile,
    e: &crate::placeholder::PlaceholderError,
) -> ResolveError {
    use crate::placeholder::PlaceholderError as P;
    let line = match e {
        P::Missing { line, .. } | P::UnknownBuiltIn { line, .. } | P::Unterminated { line, .. } => {
            *line
        }
    };
    ResolveError::Placeholder {
        path: file.path.clone(),
        line,
        message: e.to_string(),
    }
}

///
/// Returns the text, and the bytes too when they differ from it. UTF-8 (the usual case) takes
/// the bytes over without copying them.
fn decode(
    bytes: Vec<u8>,
    file: &SourceFile,
    file_name: &str,
    script_config: &ScriptConfig,
    config: &ResolveConfig,
) -> Result<(String, Option<Vec<u8>>), ResolveError> {
    let encoding = match &script_config.encoding {
        Some(name) => Encoding::from_name(name).map_err(|source| ResolveError::Encoding {
            path: file.path.clone(),
            source,
        })?,
        None if config.detect_encoding => detect_encoding(&bytes),
        None => config.encoding,
    };
    let bytes = match (encoding, String::from_utf8(bytes)) {
        (Encoding::Utf8, Ok(text)) => return Ok((text, None)),
        (_, Ok(text)) => text.into_bytes(),
        (_, Err(e)) => e.into_bytes(),
    };
    match text::decode(&bytes, encoding) {
        Ok(text) => {
            let raw = (text.as_bytes() != bytes.as_slice()).then_some(bytes);
            Ok((text, raw))
        }
        Err(source) => {
            let offset = match &source {
                text::TextError::Malformed { offset, .. } => *offset,
                _ => 0,
            };
            let line = 1 + bytes[..offset.min(bytes.len())]
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
                .count();
            Err(ResolveError::Decode {
                path: file.path.clone(),
                file_name: file_name.to_string(),
                line,
                source,
            })
        }
    }
}

/// `detectEncoding`: a UTF-16 BOM, then strict UTF-8, then ISO-8859-1 (which always decodes).
fn detect_encoding(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        Encoding::Utf16
    } else if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Latin1
    }
}

/// Flyway's resolved order.
pub fn sort_migrations(migrations: &mut [ResolvedMigration]) {
    fn rank(kind: Kind) -> u8 {
        match kind {
            Kind::Versioned => 0,
            Kind::Baseline => 1,
            Kind::Undo => 2,
            _ => 3,
        }
    }
    let order = |a: &ResolvedMigration, b: &ResolvedMigration| match (a.version(), b.version()) {
        (Some(va), Some(vb)) => va
            .cmp(vb)
            .then(rank(a.name.kind).cmp(&rank(b.name.kind)))
            .then(a.script.cmp(&b.script)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => utf16_cmp(a.description(), b.description()).then(a.script.cmp(&b.script)),
    };
    // Sorted by position, then moved once: a migration is a few hundred bytes, and a sort that
    // moves the elements themselves spends most of its time copying them. Each position goes
    // with a key that orders as `order` does as far as it goes: versioned before the rest, then
    // the version when it is one number (most are), then the kind. Equal keys (repeatables, a
    // duplicate; all of them when a version has several parts) are compared in full; the rest
    // never touch the migrations, which a thousand comparisons of their versions took most of
    // a millisecond to do.
    let key = |m: &ResolvedMigration| match m.version() {
        Some(v) => Some((0u8, v.as_number()?, rank(m.name.kind))),
        None => Some((1, 0, 0)),
    };
    let keys: Vec<(u8, u64, u8)> = migrations
        .iter()
        .map(key)
        .collect::<Option<_>>()
        .unwrap_or_else(|| vec![(0, 0, 0); migrations.len()]);
    let mut positions: Vec<usize> = (0..migrations.len()).collect();
    positions.sort_by(|&a, &b| {
        keys[a]
            .cmp(&keys[b])
            .then_with(|| order(&migrations[a], &migrations[b]))
    });
    permute(migrations, &mut positions);
}

/// Puts `items[positions[i]]` at `i`, in place: each cycle of the permutation is walked once,
/// swapping, so no second vector of the (large) items is needed. `positions` is consumed (each
/// entry ends up as its own index).
fn permute<T>(items: &mut [T], positions: &mut [usize]) {
    for start in 0..positions.len() {
        let mut at = start;
        while positions[at] != start {
            let from = positions[at];
            items.swap(at, from);
            positions[at] = at;
            at = from;
        }
        positions[at] = at;
    }
}

/// Java `String.compareTo`: UTF-16 code unit order.
pub fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn duplicates(migrations: &[ResolvedMigration]) -> Vec<ResolveError> {
    let mut errors = Vec::new();
    for pair in migrations.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        match (a.version(), b.version()) {
            (Some(va), Some(vb)) if va == vb && a.name.kind == b.name.kind => {
                errors.push(ResolveError::DuplicateVersion {
                    version: va.to_string(),
                    first: (a.path.clone(), a.migration_type()),
                    second: (b.path.clone(), b.migration_type()),
                });
            }
            (None, None) if a.description() == b.description() => {
                errors.push(ResolveError::DuplicateRepeatable {
                    description: b.description().to_string(),
                    first: (a.path.clone(), a.migration_type()),
                    second: (b.path.clone(), b.migration_type()),
                });
            }
            _ => {}
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_puts_each_item_where_the_positions_say() {
        // Every permutation of five items, against a copy built the plain way.
        fn all(prefix: Vec<usize>, n: usize, out: &mut Vec<Vec<usize>>) {
            if prefix.len() == n {
                out.push(prefix);
                return;
            }
            for i in (0..n).filter(|i| !prefix.contains(i)) {
                let mut next = prefix.clone();
                next.push(i);
                all(next, n, out);
            }
        }
        let n = 5;
        let mut perms = Vec::new();
        all(Vec::new(), n, &mut perms);
        assert_eq!(perms.len(), 120);
        for positions in perms {
            let items: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
            let expected: Vec<String> = positions.iter().map(|&i| items[i].clone()).collect();
            let mut permuted = items.clone();
            let mut scratch = positions.clone();
            permute(&mut permuted, &mut scratch);
            assert_eq!(permuted, expected, "positions {positions:?}");
        }
    }

    #[test]
    fn in_parallel_keeps_the_order_of_the_items() {
        for total in [0, 1, 2, 3, 7, 100, 1001] {
            let items: Vec<usize> = (0..total).collect();
            let out = in_parallel_from(2, items, |i| i * 10);
            assert_eq!(out, (0..total).map(|i| i * 10).collect::<Vec<_>>());
        }
    }
}
