//! Taking over a database from another migration tool: refinery, sqlx or dbmate.
//!
//! Each of those tools keeps its own history table and its own file names, so a team that
//! switches cannot simply point tidemark at the database: every migration would run again. This
//! module is the pure half of `tidemark adopt`. Given the other tool's files (as bytes) and its
//! history rows (as read), it decides what each file becomes in Flyway's form, which of them were
//! applied and in which order, and what deserves a warning. The command does the I/O: it writes
//! the files of the plan, then records the applied ones through the engine, with the checksums of
//! the files as they are after the renaming, so `validate` is clean and `migrate` applies only
//! what the other tool had not.
//!
//! What each tool means by its names:
//! - refinery: `V<n>__<name>.sql` (kept as is) and `U<n>__<name>.sql`, where `U` means
//!   *unversioned* (may be applied out of order), not undo: those become `V` files, with a
//!   warning. Files in sub-folders count. `-- refinery:noTransaction` becomes a `.sql.conf`.
//! - sqlx: `<version>_<description>.sql`, or `.up.sql` and `.down.sql`; top-level files only.
//!   They become `V<version>__<description>.sql` and `U<version>__<description>.sql`. A file
//!   starting with `-- no-transaction` gets a `.sql.conf`. sqlx records a SHA-384 of each applied
//!   file, which is checked here: a changed file is refused.
//! - dbmate: `<version>_<description>.sql` (top-level) holding a `-- migrate:up` and a
//!   `-- migrate:down` block; each file is split into a `V` file (the up block) and a `U` file (the
//!   down block, when it holds any statement). `transaction:false` on a marker becomes a
//!   `.sql.conf`.

use std::collections::BTreeMap;
use std::fmt;

use crate::name::{self, Kind, NamingConfig};
use crate::version::Version;

/// The tools `adopt` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    /// refinery (Rust): `refinery_schema_history`.
    Refinery,
    /// sqlx (Rust): `_sqlx_migrations`.
    Sqlx,
    /// dbmate (Go): `schema_migrations`.
    Dbmate,
}

impl Tool {
    /// Every tool, in the order the help lists them.
    pub const ALL: [Tool; 3] = [Tool::Refinery, Tool::Sqlx, Tool::Dbmate];

    /// `refinery`, `sqlx` or `dbmate` (case-insensitive).
    pub fn parse(name: &str) -> Option<Tool> {
        Tool::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The tool's name as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Refinery => "refinery",
            Tool::Sqlx => "sqlx",
            Tool::Dbmate => "dbmate",
        }
    }

    /// The history table the tool creates by default.
    pub fn default_table(self) -> &'static str {
        match self {
            Tool::Refinery => "refinery_schema_history",
            Tool::Sqlx => "_sqlx_migrations",
            Tool::Dbmate => "schema_migrations",
        }
    }

    /// Whether the tool finds files in sub-folders of its migrations folder.
    pub fn walks_sub_folders(self) -> bool {
        self == Tool::Refinery
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file found in the migrations folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFile {
    /// Path relative to the folder, `/`-separated.
    pub relative: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// A row of the other tool's history table, as read (every tool has a version; the rest depends
/// on the tool).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolRow {
    /// The version as recorded (`3`, `20240105093000`).
    pub version: String,
    /// refinery's `name`, sqlx's `description`.
    pub name: Option<String>,
    /// When it was applied (refinery's `applied_on`, sqlx's `installed_on`), as text.
    pub applied_on: Option<String>,
    /// sqlx's `success`; `true` for the tools that record successes only.
    pub success: bool,
    /// sqlx's `checksum` (SHA-384) as hex.
    pub checksum: Option<String>,
}

/// One file of the result, in Flyway's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Path relative to the folder, `/`-separated (`V3__add_email.sql`).
    pub relative: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The other tool's file it comes from.
    pub source: String,
    /// Whether it is the source file unchanged (a rename), rather than a part of it (a split).
    pub whole: bool,
    /// The migration must run outside a transaction (a `.sql.conf` is written beside it).
    pub no_transaction: bool,
}

impl NewFile {
    /// The `.sql.conf` file that carries `executeInTransaction=false`, when one is needed.
    pub fn conf(&self) -> Option<(String, Vec<u8>)> {
        self.no_transaction.then(|| {
            (
                format!("{}.conf", self.relative),
                CONF_NO_TRANSACTION.as_bytes().to_vec(),
            )
        })
    }
}

/// The text of a generated `.sql.conf`.
pub const CONF_NO_TRANSACTION: &str = "executeInTransaction=false\n";

/// One migration of the other tool, in Flyway's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// Its version.
    pub version: Version,
    /// The `V` file.
    pub versioned: NewFile,
    /// The `U` file, when the other tool had a down migration with statements.
    pub undo: Option<NewFile>,
    /// Whether the other tool applied it.
    pub applied: bool,
}

/// A change to the folder, in the order to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// Rename a file (its content is unchanged).
    Rename {
        /// The other tool's name.
        from: String,
        /// The Flyway name.
        to: String,
    },
    /// Create a file (a part of a split file, or a `.sql.conf`).
    Write {
        /// The new file.
        to: String,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// Remove a file that was split (after its parts were written).
    Remove {
        /// The other tool's file.
        from: String,
    },
}

/// What `adopt` will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptPlan {
    /// The tool adopted from.
    pub tool: Tool,
    /// Every migration found, by version.
    pub migrations: Vec<Converted>,
    /// Indexes into [`AdoptPlan::migrations`] of the applied ones, in the order the other tool
    /// applied them (the `installed_rank` order of the new history).
    pub applied: Vec<usize>,
    /// Things the user should know (a `U` file that became `V`, a name that differs from the
    /// recorded one, a pending migration below an applied one).
    pub warnings: Vec<String>,
}

impl AdoptPlan {
    /// The changes to the folder: renames and writes first, removals last, so that an
    /// interrupted run never loses a file.
    pub fn operations(&self) -> Vec<FileOp> {
        let mut ops = Vec::new();
        let mut removals: Vec<String> = Vec::new();
        for file in self
            .migrations
            .iter()
            .flat_map(|m| std::iter::once(&m.versioned).chain(m.undo.as_ref()))
        {
            if file.whole {
                if file.source != file.relative {
                    ops.push(FileOp::Rename {
                        from: file.source.clone(),
                        to: file.relative.clone(),
                    });
                }
            } else {
                ops.push(FileOp::Write {
                    to: file.relative.clone(),
                    bytes: file.bytes.clone(),
                });
                if !removals.contains(&file.source) {
                    removals.push(file.source.clone());
                }
            }
            if let Some((to, bytes)) = file.conf() {
                ops.push(FileOp::Write { to, bytes });
            }
        }
        ops.extend(removals.into_iter().map(|from| FileOp::Remove { from }));
        ops
    }

    /// Every file of the result (migrations and `.sql.conf` files) with its bytes, as the folder
    /// will hold them.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for file in self
            .migrations
            .iter()
            .flat_map(|m| std::iter::once(&m.versioned).chain(m.undo.as_ref()))
        {
            out.push((file.relative.clone(), file.bytes.clone()));
            out.extend(file.conf());
        }
        out
    }

    /// The applied migrations, in the other tool's order.
    pub fn applied_migrations(&self) -> impl Iterator<Item = &Converted> {
        self.applied.iter().filter_map(|&i| self.migrations.get(i))
    }
}

/// Why the database or the folder cannot be adopted as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdoptError {
    /// The other tool applied a migration whose file is not in the folder.
    #[error(
        "{tool} recorded version {version}{} as applied, but no migration file with that version is in {folder}. Restore the file (from version control) before adopting, so the history can record its checksum.",
        name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    )]
    MissingFile {
        /// The tool.
        tool: Tool,
        /// The recorded version.
        version: String,
        /// The recorded name, when the tool keeps one.
        name: Option<String>,
        /// The folder searched (for the message).
        folder: String,
    },
    /// The other tool recorded a failed migration.
    #[error(
        "{tool} recorded version {version} as failed (success = false): the database is in an unknown state. Fix the migration and finish it with {tool} (or by hand, then delete that row), then adopt."
    )]
    Failed {
        /// The tool.
        tool: Tool,
        /// The version.
        version: String,
    },
    /// A file changed since the other tool applied it.
    #[error(
        "{file} changed since {tool} applied it (its SHA-384 differs from the checksum {tool} recorded for version {version}). Restore the text that was applied before adopting, so the new history describes what really ran."
    )]
    Changed {
        /// The tool.
        tool: Tool,
        /// The file.
        file: String,
        /// The version.
        version: String,
    },
    /// Two files with one version.
    #[error("Found more than one {tool} migration with version {version}: {first} and {second}")]
    DuplicateVersion {
        /// The tool.
        tool: Tool,
        /// The version.
        version: String,
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
    /// A file cannot be converted.
    #[error("{file}: {message}")]
    BadFile {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A history row cannot be read.
    #[error("{tool} history row with version '{version}': {message}")]
    BadRow {
        /// The tool.
        tool: Tool,
        /// The recorded version text.
        version: String,
        /// What is wrong.
        message: String,
    },
    /// A Flyway name chosen for a file exists already (and is not that file).
    #[error(
        "{file} already exists, so {source_file} cannot become it. Move one of them out of the way first."
    )]
    TargetExists {
        /// The existing file.
        file: String,
        /// The other tool's file.
        source_file: String,
    },
}

/// The other tool's view of one file, before conversion.
struct Parsed {
    version: Version,
    version_text: String,
    /// The description part of the Flyway name (underscores kept).
    description: String,
    /// The name the tool records (refinery), to compare with the row.
    recorded_name: Option<String>,
    role: Role,
    file: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A whole migration (refinery, sqlx simple, dbmate's up and down in one file).
    Whole,
    /// sqlx `.up.sql`.
    Up,
    /// sqlx `.down.sql`.
    Down,
}

/// Plans the adoption: converts every file of `tool` in `files`, matches `rows` (the other
/// tool's history) to them and orders the applied ones as the tool applied them. `folder` only
/// names the folder in messages.
pub fn plan(
    tool: Tool,
    files: &[ToolFile],
    rows: &[ToolRow],
    naming: &NamingConfig,
    folder: &str,
) -> Result<AdoptPlan, AdoptError> {
    let mut warnings = Vec::new();
    let mut parsed: Vec<Parsed> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if !tool.walks_sub_folders() && file.relative.contains('/') {
            continue;
        }
        if let Some(p) = parse_name(tool, &file.relative, index, &mut warnings) {
            parsed.push(p);
        }
    }

    // Group by version: one migration each (sqlx's up and down files share a version).
    let mut groups: BTreeMap<Version, Vec<Parsed>> = BTreeMap::new();
    for p in parsed {
        let group = groups.entry(p.version.clone()).or_default();
        if let Some(clash) = group
            .iter()
            .find(|q| q.role == p.role || q.role == Role::Whole || p.role == Role::Whole)
        {
            return Err(AdoptError::DuplicateVersion {
                tool,
                version: p.version_text.clone(),
                first: files[clash.file].relative.clone(),
                second: files[p.file].relative.clone(),
            });
        }
        group.push(p);
    }

    let mut migrations = Vec::new();
    let mut recorded_names = Vec::new();
    for (version, group) in groups {
        let Some(main) = group.iter().find(|p| p.role != Role::Down) else {
            let down = &files[group[0].file].relative;
            warnings.push(format!(
                "{down} is a down migration without its up migration: skipped"
            ));
            continue;
        };
        let file = &files[main.file];
        let folder_of = |relative: &str| {
            relative
                .rfind('/')
                .map_or(String::new(), |i| relative[..=i].to_string())
        };
        let dir = folder_of(&file.relative);
        let name_for = |prefix: &str| {
            format!(
                "{dir}{prefix}{}{}{}{}",
                main.version_text,
                naming.separator,
                main.description,
                naming.suffixes.first().map_or(".sql", String::as_str)
            )
        };
        let v_name = name_for(&naming.versioned_prefix);
        let u_name = name_for(&naming.undo_prefix);
        check_name(&v_name, Kind::Versioned, &version, naming, &file.relative)?;

        let (versioned, undo) = match tool {
            Tool::Refinery => {
                if file
                    .relative
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with('U'))
                {
                    warnings.push(format!(
                        "{} is an unversioned refinery migration (refinery's U prefix); it becomes the versioned migration {v_name} (in Flyway, U means undo). refinery may apply unversioned migrations out of order: set outOfOrder=true if a new one is added below the current version.",
                        file.relative
                    ));
                }
                let no_transaction = text_lossy(&file.bytes).split('\n').any(|line| {
                    let line = line.trim_end_matches('\r');
                    let rest = line.trim_start_matches('-');
                    line.len() - rest.len() >= 2
                        && rest.strip_prefix(' ').unwrap_or(rest) == "refinery:noTransaction"
                });
                (whole(file, &v_name, no_transaction), None)
            }
            Tool::Sqlx => {
                let up = whole(file, &v_name, sqlx_no_transaction(&file.bytes));
                let down = group.iter().find(|p| p.role == Role::Down).map(|d| {
                    let f = &files[d.file];
                    check_name(&u_name, Kind::Undo, &version, naming, &f.relative)
                        .map(|()| whole(f, &u_name, sqlx_no_transaction(&f.bytes)))
                });
                (up, down.transpose()?)
            }
            Tool::Dbmate => {
                let split = split_dbmate(&file.bytes).map_err(|message| AdoptError::BadFile {
                    file: file.relative.clone(),
                    message,
                })?;
                let up = NewFile {
                    relative: v_name.clone(),
                    bytes: split.up.into_bytes(),
                    source: file.relative.clone(),
                    whole: false,
                    no_transaction: split.up_no_transaction,
                };
                let down = match split.down {
                    Some(text) => {
                        check_name(&u_name, Kind::Undo, &version, naming, &file.relative)?;
                        Some(NewFile {
                            relative: u_name.clone(),
                            bytes: text.into_bytes(),
                            source: file.relative.clone(),
                            whole: false,
                            no_transaction: split.down_no_transaction,
                        })
                    }
                    None => None,
                };
                (up, down)
            }
        };
        recorded_names.push(main.recorded_name.clone());
        migrations.push(Converted {
            version,
            versioned,
            undo,
            applied: false,
        });
    }

    // Match the history to the files.
    let mut applied: Vec<(String, Version, usize)> = Vec::new();
    for row in rows {
        let version = Version::parse(row.version.trim()).map_err(|e| AdoptError::BadRow {
            tool,
            version: row.version.clone(),
            message: e.to_string(),
        })?;
        if !row.success {
            return Err(AdoptError::Failed {
                tool,
                version: row.version.clone(),
            });
        }
        let found = migrations.iter().position(|m| match tool {
            // dbmate compares version texts.
            Tool::Dbmate => m.version.as_str() == row.version.trim(),
            _ => m.version == version,
        });
        let Some(index) = found else {
            return Err(AdoptError::MissingFile {
                tool,
                version: row.version.clone(),
                name: row.name.clone(),
                folder: folder.to_string(),
            });
        };
        let m = &mut migrations[index];
        if m.applied {
            continue;
        }
        if let Some(recorded) = &row.checksum {
            let source = m.versioned.source.clone();
            let bytes = files
                .iter()
                .find(|f| f.relative == source)
                .map_or(&[][..], |f| &f.bytes[..]);
            if !sha384_hex(bytes).eq_ignore_ascii_case(recorded.trim()) {
                return Err(AdoptError::Changed {
                    tool,
                    file: source,
                    version: row.version.clone(),
                });
            }
        }
        if let (Some(recorded), Some(Some(name))) = (&row.name, recorded_names.get(index)) {
            if recorded != name {
                warnings.push(format!(
                    "{tool} recorded version {} as '{recorded}', but its file is now named '{name}' ({}); the new history uses the file's name",
                    row.version, m.versioned.source
                ));
            }
        }
        m.applied = true;
        applied.push((
            row.applied_on
                .as_deref()
                .map(sortable_time)
                .unwrap_or_default(),
            version,
            index,
        ));
    }
    applied.sort();
    let applied: Vec<usize> = applied.into_iter().map(|(_, _, i)| i).collect();

    if let Some(highest) = applied.iter().map(|&i| &migrations[i].version).max() {
        for m in migrations
            .iter()
            .filter(|m| !m.applied && &m.version < highest)
        {
            warnings.push(format!(
                "{} was not applied by {tool} but its version is below the highest applied one ({highest}): tidemark reports it as ignored until it is applied with outOfOrder=true",
                m.versioned.relative
            ));
        }
    }

    Ok(AdoptPlan {
        tool,
        migrations,
        applied,
        warnings,
    })
}

/// The new name must parse back as the intended kind and version.
fn check_name(
    new_name: &str,
    kind: Kind,
    version: &Version,
    naming: &NamingConfig,
    source: &str,
) -> Result<(), AdoptError> {
    let file_name = new_name.rsplit('/').next().unwrap_or(new_name);
    match name::parse(file_name, naming) {
        Ok(Some(n)) if n.kind == kind && n.version.as_ref() == Some(version) => Ok(()),
        Ok(_) => Err(AdoptError::BadFile {
            file: source.to_string(),
            message: format!(
                "its Flyway name {file_name} would not be read as intended; rename the file first"
            ),
        }),
        Err(e) => Err(AdoptError::BadFile {
            file: source.to_string(),
            message: format!("its Flyway name would be invalid: {e}"),
        }),
    }
}

fn whole(file: &ToolFile, relative: &str, no_transaction: bool) -> NewFile {
    NewFile {
        relative: relative.to_string(),
        bytes: file.bytes.clone(),
        source: file.relative.clone(),
        whole: true,
        no_transaction,
    }
}

fn text_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// sqlx runs a file outside a transaction when it starts with `-- no-transaction`.
fn sqlx_no_transaction(bytes: &[u8]) -> bool {
    bytes.starts_with(b"-- no-transaction")
}

/// Reads the tool's file-name convention; `None` (with a warning where useful) when the file is
/// not one of the tool's migrations.
fn parse_name(
    tool: Tool,
    relative: &str,
    file: usize,
    warnings: &mut Vec<String>,
) -> Option<Parsed> {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let stem = name.strip_suffix(".sql")?;
    match tool {
        Tool::Refinery => {
            // [UV]<digits>[.<digits>]__<word characters>
            let (prefix, rest) = (stem.get(..1)?, stem.get(1..)?);
            if prefix != "U" && prefix != "V" {
                return None;
            }
            let (version_text, description) = rest.split_once("__")?;
            let version_ok = {
                let (a, b) = version_text.split_once('.').unwrap_or((version_text, "1"));
                !a.is_empty()
                    && !b.is_empty()
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && b.bytes().all(|c| c.is_ascii_digit())
            };
            let word = !description.is_empty()
                && description.chars().all(|c| c.is_alphanumeric() || c == '_');
            if !version_ok || !word {
                warnings.push(format!(
                    "{relative} does not follow refinery's naming ([U|V]<version>__<name>.sql): skipped"
                ));
                return None;
            }
            Some(Parsed {
                version: Version::parse(version_text).ok()?,
                version_text: version_text.to_string(),
                description: description.to_string(),
                recorded_name: Some(description.to_string()),
                role: Role::Whole,
                file,
            })
        }
        Tool::Sqlx => {
            let (version_text, rest) = name.split_once('_')?;
            if version_text.is_empty() || !version_text.bytes().all(|c| c.is_ascii_digit()) {
                warnings.push(format!(
                    "{relative} does not follow sqlx's naming (<version>_<description>.sql): skipped"
                ));
                return None;
            }
            let (description, role) = if let Some(d) = rest.strip_suffix(".up.sql") {
                (d, Role::Up)
            } else if let Some(d) = rest.strip_suffix(".down.sql") {
                (d, Role::Down)
            } else {
                (rest.strip_suffix(".sql")?, Role::Whole)
            };
            Some(Parsed {
                version: Version::parse(version_text).ok()?,
                version_text: version_text.to_string(),
                description: description.to_string(),
                recorded_name: None,
                role,
                file,
            })
        }
        Tool::Dbmate => {
            let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let (version_text, rest) = stem.split_at(digits);
            let description = rest.strip_prefix('_').unwrap_or(rest);
            Some(Parsed {
                version: Version::parse(version_text).ok()?,
                version_text: version_text.to_string(),
                description: description.to_string(),
                recorded_name: None,
                role: Role::Whole,
                file,
            })
        }
    }
}

/// A dbmate file cut at its markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbmateSplit {
    /// The up block (with any comment lines that came before `-- migrate:up`).
    pub up: String,
    /// `-- migrate:up transaction:false`.
    pub up_no_transaction: bool,
    /// The down block, `None` when it holds no statement.
    pub down: Option<String>,
    /// `-- migrate:down transaction:false`.
    pub down_no_transaction: bool,
}

/// Cuts a dbmate migration at its `-- migrate:up` and `-- migrate:down` lines, as dbmate does:
/// the up marker is required and must come first, only comments and blank lines may precede it.
/// The marker lines themselves are dropped; each part keeps the file's line terminators and ends
/// with one.
pub fn split_dbmate(bytes: &[u8]) -> Result<DbmateSplit, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 ({e}); convert it to UTF-8 first"))?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let marker = |line: &str, which: &str| -> Option<bool> {
        let body = line.trim_end_matches(['\n', '\r']);
        let rest = body.strip_prefix("--")?.trim_start();
        let rest = rest.strip_prefix("migrate:")?.strip_prefix(which)?;
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            return None;
        }
        Some(
            rest.split_whitespace()
                .any(|option| option.eq_ignore_ascii_case("transaction:false")),
        )
    };
    let up_at = lines
        .iter()
        .position(|l| marker(l, "up").is_some())
        .ok_or("dbmate requires an up block ('-- migrate:up'); this file has none")?;
    let down_at = lines.iter().position(|l| marker(l, "down").is_some());
    if down_at.is_some_and(|d| d < up_at) {
        return Err("'-- migrate:down' comes before '-- migrate:up'".into());
    }
    let preamble = &lines[..up_at];
    if preamble.iter().any(|l| !is_blank_or_comment(l)) {
        return Err("statements before '-- migrate:up' (dbmate refuses them too)".into());
    }
    let up_end = down_at.unwrap_or(lines.len());
    let mut up: Vec<&str> = preamble
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    up.extend_from_slice(&lines[up_at + 1..up_end]);
    let down: &[&str] = match down_at {
        Some(d) => &lines[d + 1..],
        None => &[],
    };
    let has_statement = down.iter().any(|l| !is_blank_or_comment(l));
    let terminator = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Ok(DbmateSplit {
        up: join_trimmed(&up, terminator),
        up_no_transaction: marker(lines[up_at], "up").unwrap_or(false),
        down: has_statement.then(|| join_trimmed(down, terminator)),
        down_no_transaction: down_at
            .and_then(|d| marker(lines[d], "down"))
            .unwrap_or(false),
    })
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with("--")
}

/// The lines without leading and trailing blank ones, ending with one terminator.
fn join_trimmed(lines: &[&str], terminator: &str) -> String {
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |i| i + 1);
    let mut out: String = lines[start..end.max(start)].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(terminator);
    }
    out
}

/// Lower-case hex SHA-384 of the bytes (what sqlx records as a migration's checksum).
pub fn sha384_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha384::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A key that sorts timestamps written as text by time: the first 14 digits (date and time),
/// then the fraction padded to nanoseconds. The offset is ignored (the tools write UTC).
fn sortable_time(text: &str) -> String {
    let mut digits = String::new();
    let mut fraction = String::new();
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if digits.len() < 14 {
            if c.is_ascii_digit() {
                digits.push(c);
            }
        } else if c == '.' {
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                fraction.push(d);
                chars.next();
            }
            break;
        } else {
            break;
        }
    }
    format!("{digits:0<14}{fraction:0<9}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(relative: &str, text: &str) -> ToolFile {
        ToolFile {
            relative: relative.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn row(version: &str) -> ToolRow {
        ToolRow {
            version: version.into(),
            success: true,
            ..ToolRow::default()
        }
    }

    fn names(plan: &AdoptPlan) -> Vec<String> {
        plan.files().into_iter().map(|(n, _)| n).collect()
    }

    fn naming() -> NamingConfig {
        NamingConfig::default()
    }

    #[test]
    fn refinery_v_files_stay_and_u_files_become_versioned() {
        let files = [
            file("V1__initial.sql", "CREATE TABLE a (id INT);\n"),
            file(
                "sub/U2__merge.sql",
                "-- refinery:noTransaction\nSELECT 1;\n",
            ),
            file("V3__later.sql", "SELECT 3;\n"),
            file("README.md", "x"),
        ];
        let mut r1 = row("1");
        r1.name = Some("initial".into());
        r1.applied_on = Some("2024-01-01T10:00:00.5Z".into());
        let mut r2 = row("2");
        r2.name = Some("old_name".into());
        r2.applied_on = Some("2024-01-01T10:00:00Z".into());
        let plan = plan(Tool::Refinery, &files, &[r1, r2], &naming(), "migrations").unwrap();
        assert_eq!(
            names(&plan),
            [
                "V1__initial.sql",
                "sub/V2__merge.sql",
                "sub/V2__merge.sql.conf",
                "V3__later.sql"
            ]
        );
        // Applied order is by time: version 2 went in first.
        let order: Vec<&str> = plan
            .applied_migrations()
            .map(|m| m.version.as_str())
            .collect();
        assert_eq!(order, ["2", "1"]);
        assert_eq!(
            plan.operations(),
            [
                FileOp::Rename {
                    from: "sub/U2__merge.sql".into(),
                    to: "sub/V2__merge.sql".into()
                },
                FileOp::Write {
                    to: "sub/V2__merge.sql.conf".into(),
                    bytes: CONF_NO_TRANSACTION.into()
                },
            ]
        );
        assert!(plan.warnings[0].contains("unversioned refinery migration"));
        assert!(plan.warnings[1].contains("recorded version 2 as 'old_name'"));
        assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
    }

    #[test]
    fn sqlx_files_are_renamed_and_checksums_checked() {
        let files = [
            file(
                "20240101000000_create_users.up.sql",
                "CREATE TABLE u (id INT);\n",
            ),
            file("20240101000000_create_users.down.sql", "DROP TABLE u;\n"),
            file(
                "20240102000000_add_index.sql",
                "-- no-transaction\nCREATE INDEX i ON u (id);\n",
            ),
            file("20240103000000_pending.sql", "SELECT 1;\n"),
            file("nested/1_ignored.sql", "SELECT 1;\n"),
        ];
        let mut r1 = row("20240101000000");
        r1.checksum = Some(sha384_hex(b"CREATE TABLE u (id INT);\n").to_uppercase());
        let r2 = row("20240102000000");
        let plan = plan(
            Tool::Sqlx,
            &files,
            &[r1.clone(), r2],
            &naming(),
            "migrations",
        )
        .unwrap();
        assert_eq!(
            names(&plan),
            [
                "V20240101000000__create_users.sql",
                "U20240101000000__create_users.sql",
                "V20240102000000__add_index.sql",
                "V20240102000000__add_index.sql.conf",
                "V20240103000000__pending.sql",
            ]
        );
        assert_eq!(plan.applied.len(), 2);
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);

        let mut changed = r1.clone();
        changed.checksum = Some(sha384_hex(b"something else"));
        let err = super::plan(Tool::Sqlx, &files, &[changed], &naming(), "migrations").unwrap_err();
        assert!(matches!(err, AdoptError::Changed { .. }), "{err}");

        let mut failed = r1;
        failed.success = false;
        let err = super::plan(Tool::Sqlx, &files, &[failed], &naming(), "migrations").unwrap_err();
        assert!(matches!(err, AdoptError::Failed { .. }), "{err}");
    }

    #[test]
    fn missing_files_and_duplicates_are_refused() {
        let files = [
            file("1_a.sql", "SELECT 1;\n"),
            file("2_b.sql", "SELECT 2;\n"),
        ];
        let err = plan(Tool::Sqlx, &files, &[row("3")], &naming(), "migrations").unwrap_err();
        assert_eq!(
            err.to_string(),
            "sqlx recorded version 3 as applied, but no migration file with that version is in migrations. Restore the file (from version control) before adopting, so the history can record its checksum."
        );
        let files = [file("1_a.sql", "x"), file("01_b.sql", "y")];
        let err = plan(Tool::Sqlx, &files, &[], &naming(), "m").unwrap_err();
        assert!(matches!(err, AdoptError::DuplicateVersion { .. }), "{err}");
    }

    #[test]
    fn dbmate_files_are_split_at_their_markers() {
        let files = [
            file(
                "20240101000000_create_users.sql",
                "-- the users\n\n-- migrate:up\ncreate table users (id int);\n\n-- migrate:down\ndrop table users;\n\n",
            ),
            file(
                "20240102000000_index.sql",
                "-- migrate:up transaction:false\ncreate index concurrently i on users (id);\n-- migrate:down\n\n",
            ),
            file(
                "20240103000000_next.sql",
                "-- migrate:up\nselect 1;\n-- migrate:down\nselect 2;\n",
            ),
        ];
        let plan = plan(
            Tool::Dbmate,
            &files,
            &[row("20240101000000"), row("20240102000000")],
            &naming(),
            "db/migrations",
        )
        .unwrap();
        let files_out = plan.files();
        let text = |name: &str| {
            String::from_utf8(
                files_out
                    .iter()
                    .find(|(n, _)| n == name)
                    .unwrap_or_else(|| panic!("{name} in {files_out:?}"))
                    .1
                    .clone(),
            )
            .unwrap()
        };
        assert_eq!(
            text("V20240101000000__create_users.sql"),
            "-- the users\ncreate table users (id int);\n"
        );
        assert_eq!(
            text("U20240101000000__create_users.sql"),
            "drop table users;\n"
        );
        assert_eq!(
            text("V20240102000000__index.sql"),
            "create index concurrently i on users (id);\n"
        );
        assert_eq!(text("V20240102000000__index.sql.conf"), CONF_NO_TRANSACTION);
        // An empty down block gives no undo file.
        assert!(!names(&plan).contains(&"U20240102000000__index.sql".to_string()));
        let removals: Vec<_> = plan
            .operations()
            .into_iter()
            .filter(|op| matches!(op, FileOp::Remove { .. }))
            .collect();
        assert_eq!(removals.len(), 3);
        assert!(matches!(
            plan.operations().last(),
            Some(FileOp::Remove { .. })
        ));
    }

    #[test]
    fn dbmate_refuses_what_dbmate_refuses() {
        assert!(split_dbmate(b"select 1;\n").is_err());
        assert!(split_dbmate(b"select 0;\n-- migrate:up\nselect 1;\n").is_err());
        assert!(split_dbmate(b"-- migrate:down\nx;\n-- migrate:up\ny;\n").is_err());
        let crlf =
            split_dbmate(b"-- migrate:up\r\nselect 1;\r\n-- migrate:down\r\nselect 2;").unwrap();
        assert_eq!(crlf.up, "select 1;\r\n");
        assert_eq!(crlf.down.as_deref(), Some("select 2;\r\n"));
        // `-- migrate:upgrade` is not a marker.
        assert!(split_dbmate(b"-- migrate:upgrade\nselect 1;\n").is_err());
    }

    #[test]
    fn pending_below_applied_is_warned_about() {
        let files = [
            file("1_a.sql", "a"),
            file("2_b.sql", "b"),
            file("3_c.sql", "c"),
        ];
        let plan = plan(Tool::Sqlx, &files, &[row("1"), row("3")], &naming(), "m").unwrap();
        assert_eq!(plan.warnings.len(), 1);
        assert!(plan.warnings[0].starts_with("V2__b.sql was not applied by sqlx"));
    }

    #[test]
    fn timestamps_sort_by_time() {
        assert!(sortable_time("2024-01-01T10:00:00Z") < sortable_time("2024-01-01T10:00:00.1Z"));
        assert!(sortable_time("2024-01-01 10:00:00.5") > sortable_time("2024-01-01 10:00:00.45"));
        assert_eq!(
            sortable_time("2024-01-01 10:00:00"),
            sortable_time("2024-01-01T10:00:00.000Z")
        );
    }

    #[test]
    fn tools_by_name() {
        assert_eq!(Tool::parse("SQLx"), Some(Tool::Sqlx));
        assert_eq!(Tool::parse("flyway"), None);
        assert_eq!(Tool::Dbmate.default_table(), "schema_migrations");
    }
}
