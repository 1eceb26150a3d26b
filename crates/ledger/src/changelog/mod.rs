//! Liquibase changelogs (formatted SQL, and XML/YAML masters that include them).
//!
//! A team on Liquibase points tidemark at its changelog and its `DATABASECHANGELOG` table and
//! carries on. That only works if tidemark reads the changelog *exactly* as Liquibase 4.28 does:
//! the same changesets in the same order, the same ids, authors and FILENAME values (the row
//! identity), and the same `9:` checksums. Every quirk of Liquibase's line-regex parser that can
//! change one of those is therefore copied here on purpose, and each one is named in the module
//! that copies it. Nothing here touches a database: the engine gets plain data ([`ChangeSet`])
//! and pure verdicts ([`matches_stored`]).
//!
//! * [`formatted`] — the formatted-SQL parser (`--liquibase formatted sql`), and raw `.sql` files;
//! * [`master`] — XML and YAML changelogs: `include`, `includeAll`, `sql`, `sqlFile`, properties;
//! * [`checksum`] — `9:` and `8:` checksums and the verdict for a stored value;
//! * [`properties`] — `${name}` substitution with Liquibase's source precedence;
//! * [`expression`] — contexts, labels and `dbms` lists;
//! * [`filename`] — FILENAME as Liquibase records it, and the search path;
//! * [`split`] — splitting a change into statements and stripping comments for execution;
//! * [`defaults_file`] — `liquibase.properties` (real `java.util.Properties` syntax);
//! * [`history`] — a `DATABASECHANGELOG` row as a type; [`plan`] — changelog × rows → states,
//!   pending changesets and validation findings (what `status`, `validate` and `update` share);
//! * [`java`] — the Java string semantics all of the above depend on.
//!
//! Entry point: [`load`].

pub mod checksum;
pub mod defaults_file;
pub mod expression;
pub mod filename;
pub mod formatted;
pub mod history;
pub mod java;
pub mod master;
pub mod plan;
pub mod properties;
pub mod split;

use std::path::{Path, PathBuf};

pub use checksum::{ChecksumVerdict, checksum_v8, checksum_v9, matches_stored};
pub use expression::{ExpressionError, Filter};
pub use properties::{MissingPropertyMode, Properties};

use crate::phase::Phase;

/// A whole changelog: the master and everything it includes, flattened into run order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changelog {
    /// FILENAME of the master changelog (the `--changelog-file` value, normalised).
    pub root: String,
    /// Every changeset, in the order Liquibase runs them (ignored ones included: see
    /// [`ChangeSet::ignore`]).
    pub changesets: Vec<ChangeSet>,
    /// Every file that was read, in the order it was read (for "what changed" messages and
    /// watch lists).
    pub files: Vec<PathBuf>,
}

impl Changelog {
    /// The changesets that `validate` would report as duplicates (`1 changesets had duplicate
    /// identifiers`): the second and later occurrences of the same `path::id::author`.
    pub fn duplicates(&self) -> Vec<&ChangeSet> {
        let mut seen: Vec<String> = Vec::new();
        let mut dups = Vec::new();
        for cs in &self.changesets {
            let key = cs.identifier();
            if seen.contains(&key) {
                dups.push(cs);
            } else {
                seen.push(key);
            }
        }
        dups
    }

    /// The changeset a tracking-table row belongs to (id, author and FILENAME compared ignoring
    /// case, as Liquibase's `RanChangeSet.isSameAs` does).
    pub fn find(&self, id: &str, author: &str, filename: &str) -> Option<&ChangeSet> {
        self.changesets
            .iter()
            .find(|cs| cs.is_same_as(id, author, filename))
    }
}

/// Which syntax a changeset came from (it decides defaults and the `DESCRIPTION` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `--liquibase formatted sql`.
    FormattedSql,
    /// A `.sql` file without the header: one changeset `raw` by `includeAll`.
    RawSql,
    /// An XML changelog.
    Xml,
    /// A YAML changelog.
    Yaml,
}

/// One changeset, as Liquibase would record and run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    /// ID (quotes stripped, `${}` expanded).
    pub id: String,
    /// AUTHOR (quotes stripped, `${}` expanded).
    pub author: String,
    /// FILENAME exactly as Liquibase records it: the `logicalFilePath` (changeset's, else the
    /// file's), else the path relative to the search-path root, normalised ([`filename`]).
    pub filename: String,
    /// The `logicalFilePath` that decided [`ChangeSet::filename`], if any.
    pub logical_file_path: Option<String>,
    /// The real file the changeset is in.
    pub path: PathBuf,
    /// 1-based line of the changeset header (`--changeset`, `<changeSet>`, `- changeSet:`) in
    /// its file.
    pub line: usize,
    /// The syntax it came from.
    pub format: Format,
    /// Its changes, in order. Formatted SQL always has exactly one ([`ChangeKind::Sql`]).
    pub changes: Vec<Change>,
    /// How to undo it.
    pub rollback: Rollback,
    /// `runOnChange`: a changed checksum re-runs it (EXECTYPE `RERAN`) instead of failing.
    pub run_on_change: bool,
    /// `runAlways`: runs on every update.
    pub run_always: bool,
    /// `failOnError` (default true): false means a failure is rolled back and not recorded.
    pub fail_on_error: bool,
    /// `runInTransaction` (default true).
    pub run_in_transaction: bool,
    /// `ignore:true`: never executed, never recorded, never validated against a row.
    pub ignore: bool,
    /// The context expression (`context:` / `contextFilter:`), as written after expansion;
    /// `None` when absent.
    pub context: Option<String>,
    /// The label list (`labels:`), as written after expansion.
    pub labels: Option<String>,
    /// Context expressions inherited from `include` / `includeAll` elements, outermost first.
    pub inherited_contexts: Vec<String>,
    /// Label lists inherited from `include` / `includeAll` elements, outermost first.
    pub inherited_labels: Vec<String>,
    /// `dbms:` list (`postgresql,sqlite`, `!h2`, `all`, `none`).
    pub dbms: Option<String>,
    /// `created` attribute (XML/YAML only; informational).
    pub created: Option<String>,
    /// `--comment` text (COMMENTS column; last one wins).
    pub comment: Option<String>,
    /// `--validCheckSum` values, as written (`ANY`, `9:...`, `8:...`).
    pub valid_checksums: Vec<String>,
    /// `--preconditions` / `--precondition-*`, if any.
    pub preconditions: Option<Preconditions>,
    /// `runWith:` (`jdbc`; `psql`/`sqlplus` are Liquibase Pro).
    pub run_with: Option<String>,
    /// `runWithSpoolFile:`.
    pub run_with_spool_file: Option<String>,
    /// The zero-downtime phase: the first of `expand`, `backfill`, `contract` (any case, an `@`
    /// prefix allowed) among the labels, own or inherited.
    pub phase: Option<Phase>,
    /// The database the changelog was loaded for ([`Filter::dbms`]); it decides which changes
    /// with their own `dbms` enter [`checksum_v9`].
    pub target_dbms: Option<String>,
}

impl ChangeSet {
    /// `path::id::author`, as Liquibase names a changeset in messages.
    pub fn identifier(&self) -> String {
        format!("{}::{}::{}", self.filename, self.id, self.author)
    }

    /// Whether a tracking-table row (ID, AUTHOR, FILENAME) is this changeset: all three equal
    /// ignoring case, FILENAME after `\` → `/` and dropping `classpath:`.
    pub fn is_same_as(&self, id: &str, author: &str, filename: &str) -> bool {
        let norm = |f: &str| {
            let f = f.replace('\\', "/");
            f.strip_prefix("classpath:")
                .map(str::to_string)
                .unwrap_or(f)
        };
        java::equals_ignore_case(&self.id, id)
            && java::equals_ignore_case(&self.author, author)
            && java::equals_ignore_case(&norm(&self.filename), &norm(filename))
    }

    /// The changes that apply to a database (a change with its own `dbms` may not).
    pub fn changes_for<'a>(&'a self, dbms: Option<&'a str>) -> impl Iterator<Item = &'a Change> {
        self.changes.iter().filter(move |c| {
            dbms.is_none_or(|db| expression::dbms_matches(c.dbms.as_deref(), db, true))
        })
    }

    /// The SQL Liquibase executes for this changeset on `dbms` (all applicable changes, in
    /// order, joined by a newline). For formatted SQL: the changeset body after `${}` expansion.
    pub fn sql(&self, dbms: Option<&str>) -> String {
        self.changes_for(dbms)
            .map(|c| c.sql.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The statements to execute on `dbms`, split per each change's `splitStatements`,
    /// `endDelimiter` and `stripComments`.
    pub fn statements(&self, dbms: Option<&str>) -> Vec<String> {
        self.changes_for(dbms)
            .flat_map(|c| c.statements().iter().cloned())
            .collect()
    }

    /// The DESCRIPTION column: change descriptions joined by `; `, at most 250 chars (`sql`,
    /// `sqlFile path=...`, `tagDatabase`, `empty`).
    pub fn description(&self) -> String {
        let parts: Vec<String> = self.changes.iter().map(Change::description).collect();
        let joined = if parts.is_empty() {
            "empty".to_string()
        } else {
            parts.join("; ")
        };
        limit(&joined, 250)
    }

    /// The COMMENTS column: the comment trimmed, at most 250 chars, `''` when absent.
    pub fn comments_column(&self) -> String {
        limit(java::trim(self.comment.as_deref().unwrap_or("")), 250)
    }

    /// The CONTEXTS column: the context expression (wrapped in parentheses when it contains a
    /// space or a comma), inherited ones joined with ` AND `; `None` (NULL) when there is none.
    pub fn contexts_column(&self) -> Option<String> {
        let wrap = |e: &str| {
            if e.contains(' ') || e.contains(',') {
                format!("({e})")
            } else {
                e.to_string()
            }
        };
        let mut parts: Vec<String> = self
            .inherited_contexts
            .iter()
            .filter_map(|c| java::trim_to_none(c))
            .map(wrap)
            .collect();
        if let Some(own) = self.context.as_deref().and_then(java::trim_to_none) {
            parts.push(wrap(own));
        }
        (!parts.is_empty()).then(|| limit(&parts.join(" AND "), 255))
    }

    /// The LABELS column: the label list as written, inherited ones joined by `,`; `None`
    /// (NULL) when there is none.
    pub fn labels_column(&self) -> Option<String> {
        let mut parts: Vec<&str> = self
            .inherited_labels
            .iter()
            .filter_map(|l| java::trim_to_none(l))
            .collect();
        if let Some(own) = self.labels.as_deref().and_then(java::trim_to_none) {
            parts.push(own);
        }
        (!parts.is_empty()).then(|| limit(&parts.join(","), 255))
    }

    /// Does the run's filter select this changeset (dbms, contexts, labels)? Ignored changesets
    /// are not special here; check [`ChangeSet::ignore`] separately.
    pub fn matches_filter(&self, filter: &Filter) -> Result<bool, ExpressionError> {
        matches_filter(self, filter)
    }
}

/// Whether a run's filter selects a changeset, with Liquibase's semantics: the `dbms` list must
/// accept the database (no list: any), the changeset's context expression must accept the
/// `--contexts` (no context on the changeset, or no `--contexts`: yes), and the `--labels`
/// expression must accept the changeset's labels (no labels on the changeset, or no `--labels`:
/// yes, unless a label is required with `@`). Inherited include contexts/labels must match too.
///
/// An expression Liquibase cannot evaluate (unbalanced parentheses) is an error, as it is for
/// Liquibase.
pub fn matches_filter(cs: &ChangeSet, filter: &Filter) -> Result<bool, ExpressionError> {
    if let Some(db) = &filter.dbms {
        if !expression::dbms_matches(cs.dbms.as_deref(), db, true) {
            return Ok(false);
        }
    }
    if !expression::contexts_match(
        cs.context.as_deref(),
        &cs.inherited_contexts,
        filter.contexts.as_deref(),
    )? {
        return Ok(false);
    }
    expression::labels_match(
        cs.labels.as_deref(),
        &cs.inherited_labels,
        filter.labels.as_deref(),
    )
}

/// `StringUtil.limitSize`: at most `max` chars.
fn limit(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// What a change is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// Inline SQL (formatted SQL body, raw SQL file, XML/YAML `sql`).
    Sql,
    /// `sqlFile`: SQL read from a file.
    SqlFile {
        /// The `path` attribute as written (for DESCRIPTION).
        path: String,
        /// The file that was read.
        file: PathBuf,
    },
    /// `tagDatabase`: tags the newest row; no SQL.
    TagDatabase {
        /// The tag.
        tag: String,
    },
}

/// One change of a changeset, with everything needed to execute and checksum it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The SQL as executed (after `${}` expansion); empty for `tagDatabase`.
    pub sql: String,
    /// The exact bytes both checksum versions hash: the expanded SQL's UTF-8 for inline SQL,
    /// the file's bytes without expansion for `sqlFile`.
    pub checksum_bytes: Vec<u8>,
    /// `splitStatements` (default true).
    pub split_statements: bool,
    /// `stripComments` (formatted SQL: true; XML/YAML `sql`/`sqlFile`: false; raw SQL: false).
    pub strip_comments: bool,
    /// `endDelimiter`, as written (a regular expression when longer than one char). The last
    /// formatted-SQL changeset whose SQL ends in a `/` line gets `\n/$`.
    pub end_delimiter: Option<String>,
    /// The change's own `dbms` (XML/YAML `<sql dbms=...>`).
    pub dbms: Option<String>,
    /// The statements to execute: split on first use ([`Change::statements`]), since `status`
    /// and `validate` only checksum.
    pub(crate) split: Split,
}

/// A change's statements, split on first use. They follow from the change's other fields, so
/// two changes are equal whether or not either has been split yet.
#[derive(Debug, Clone, Default)]
pub(crate) struct Split(std::sync::OnceLock<Vec<String>>);

impl Split {
    /// Statements known already (a change with nothing to split).
    pub(crate) fn known(statements: Vec<String>) -> Split {
        Split(std::sync::OnceLock::from(statements))
    }
}

impl PartialEq for Split {
    fn eq(&self, _: &Split) -> bool {
        true
    }
}

impl Eq for Split {}

impl Change {
    /// An inline SQL change (its statements are split when first asked for).
    pub fn sql(
        sql: String,
        split_statements: bool,
        strip_comments: bool,
        end_delimiter: Option<String>,
    ) -> Change {
        Change {
            kind: ChangeKind::Sql,
            checksum_bytes: sql.as_bytes().to_vec(),
            sql,
            split_statements,
            strip_comments,
            end_delimiter,
            dbms: None,
            split: Split::default(),
        }
    }

    /// The statements to execute, split per the attributes above ([`split::statements`]).
    pub fn statements(&self) -> &[String] {
        self.split.0.get_or_init(|| {
            split::statements(
                &self.sql,
                self.split_statements,
                self.strip_comments,
                self.end_delimiter.as_deref(),
            )
        })
    }

    /// This change's part of the DESCRIPTION column.
    pub fn description(&self) -> String {
        match &self.kind {
            ChangeKind::Sql => "sql".to_string(),
            ChangeKind::SqlFile { path, .. } => format!("sqlFile path={path}"),
            ChangeKind::TagDatabase { .. } => "tagDatabase".to_string(),
        }
    }
}

/// How a changeset is rolled back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollback {
    /// No rollback given: Liquibase refuses ("Liquibase does not support automatic rollback
    /// generation for raw sql changes (did you mean to specify keyword \"empty\" to ignore
    /// rolling back this change?)").
    None,
    /// `--rollback not required` / `--rollback empty`: nothing to do.
    Empty,
    /// Rollback SQL (`--rollback` lines, a `/* liquibase rollback */` block, XML `<rollback>`),
    /// split per `rollbackSplitStatements` / `rollbackEndDelimiter`.
    Sql(Change),
    /// Several rollback changes (XML/YAML `<rollback>` with more than one `sql`/`sqlFile`).
    Changes(Vec<Change>),
    /// `--rollback changesetId:x changesetAuthor:y [changesetPath:z]`: run another changeset's
    /// changes.
    ChangeSet {
        /// Referenced id.
        id: String,
        /// Referenced author.
        author: String,
        /// Referenced path (FILENAME).
        path: String,
        /// The referenced changeset's changes.
        changes: Vec<Change>,
    },
}

impl Rollback {
    /// The message Liquibase gives when asked to roll back a changeset without rollback.
    pub const UNSUPPORTED: &'static str = "Liquibase does not support automatic rollback generation for raw sql changes (did you mean to specify keyword \"empty\" to ignore rolling back this change?)";
}

/// What to do when a precondition fails (`onFail`) or errors (`onError`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PreconditionAction {
    /// Stop the update with an error (default).
    #[default]
    Halt,
    /// Skip the changeset; it is retried next time (nothing recorded).
    Continue,
    /// Record the changeset as run (EXECTYPE `MARK_RAN`) without running it.
    MarkRan,
    /// Print a warning and run the changeset anyway.
    Warn,
}

impl PreconditionAction {
    /// Parses `HALT`, `CONTINUE`, `MARK_RAN`, `WARN` ignoring case, as Liquibase does.
    pub fn parse(s: &str) -> Option<PreconditionAction> {
        match s.to_ascii_uppercase().as_str() {
            "HALT" => Some(PreconditionAction::Halt),
            "CONTINUE" => Some(PreconditionAction::Continue),
            "MARK_RAN" => Some(PreconditionAction::MarkRan),
            "WARN" => Some(PreconditionAction::Warn),
            _ => None,
        }
    }

    /// The Liquibase spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PreconditionAction::Halt => "HALT",
            PreconditionAction::Continue => "CONTINUE",
            PreconditionAction::MarkRan => "MARK_RAN",
            PreconditionAction::Warn => "WARN",
        }
    }
}

/// A changeset's preconditions: all checks must pass (Liquibase's `and`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preconditions {
    /// `onFail` (default HALT).
    pub on_fail: PreconditionAction,
    /// `onError` (default HALT).
    pub on_error: PreconditionAction,
    /// `onUpdateSQL` / `onSqlOutput` (`TEST`, `FAIL`, `IGNORE`), as written.
    pub on_sql_output: Option<String>,
    /// The checks, in order.
    pub checks: Vec<Precondition>,
}

/// One precondition check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `sql-check`: the query's single value, as text, must equal `expected_result`.
    SqlCheck {
        /// Expected value (`0`, `'x'` without quotes, ...).
        expected_result: String,
        /// The query.
        sql: String,
    },
    /// `table-exists`.
    TableExists {
        /// Table name.
        table: String,
        /// Schema, if given.
        schema: Option<String>,
    },
    /// `view-exists`.
    ViewExists {
        /// View name.
        view: String,
        /// Schema, if given.
        schema: Option<String>,
    },
}

/// A changelog could not be read or parsed. `message` is Liquibase's text where Liquibase has
/// one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct ChangelogError {
    /// The file at fault (as found on disk, or as named when it was not found).
    pub path: PathBuf,
    /// 1-based line, when the error is at a line.
    pub line: Option<usize>,
    /// What went wrong.
    pub kind: ErrorKind,
    /// The message (Liquibase's wording where it has one).
    pub message: String,
}

/// The class of a [`ChangelogError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file (master, include, sqlFile) does not exist in the search path.
    NotFound,
    /// A file could not be read or decoded.
    Io,
    /// A syntax error (Liquibase's `ChangeLogParseException`).
    Parse,
    /// `${}` could not be expanded (`missingPropertyMode=error`, recursion).
    Property,
}

impl ChangelogError {
    pub(crate) fn parse(path: &Path, line: usize, message: impl Into<String>) -> Self {
        ChangelogError {
            path: path.to_path_buf(),
            line: Some(line),
            kind: ErrorKind::Parse,
            message: message.into(),
        }
    }

    pub(crate) fn at(
        path: &Path,
        line: Option<usize>,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        ChangelogError {
            path: path.to_path_buf(),
            line,
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn expand(
        path: &Path,
        line: usize,
        physical: &str,
        e: properties::ExpandError,
    ) -> Self {
        let message = match &e {
            properties::ExpandError::Missing { expression } => {
                format!("Could not resolve expression `${{{expression}}}` in file {physical}")
            }
            other => other.to_string(),
        };
        ChangelogError::at(path, Some(line), ErrorKind::Property, message)
    }
}

/// The phase named by a label list, if any.
pub(crate) fn phase_of(labels: &[&str]) -> Option<Phase> {
    labels
        .iter()
        .flat_map(|l| expression::split_list(Some(l)))
        .find_map(|l| l.trim_start_matches('@').parse::<Phase>().ok())
}

/// Reads a whole changelog: the master at `root` (an XML, YAML or `.sql` file, relative to the
/// search path as given to `--changelog-file`, or absolute) and everything it includes, in run
/// order, with `${}` expanded from `properties`.
///
/// `search_path` are the directories of `--search-path` (Liquibase's default is the current
/// directory; pass it explicitly). Relative include paths are looked up in each directory in
/// turn; FILENAME is always the path relative to the search-path root ([`filename`]).
///
/// Errors carry the file and line and Liquibase's message (`Unexpected formatting in formatted
/// changelog 'x.sql' at line 3. ...`, `No SQL for changeset ...`).
pub fn load(
    root: &Path,
    search_path: &[PathBuf],
    properties: &Properties,
) -> Result<Changelog, ChangelogError> {
    master::load(root, search_path, properties)
}

/// Parses one formatted-SQL (or raw SQL) changelog from text, as if it were the file `filename`
/// at the search-path root: a convenience for tests and `calculate-checksum` of a single file.
pub fn parse_sql(
    text: &str,
    filename: &str,
    properties: &Properties,
) -> Result<Vec<ChangeSet>, ChangelogError> {
    let mut params = properties::Parameters::new(properties);
    let ctx = formatted::FileCtx {
        physical: filename::normalize(filename),
        path: PathBuf::from(filename),
        inherited_contexts: Vec::new(),
        inherited_labels: Vec::new(),
    };
    formatted::parse(text, &ctx, &mut params, &[])
}
