//! The plan: resolved files x applied rows -> one entry per migration with its state.
//!
//! This is Flyway's `MigrationInfoService` (reference §4): `info` prints it, `validate` judges
//! it, `migrate` and dry-run take its pending entries. Because every command goes through
//! [`plan`], they cannot disagree about what is pending.
//!
//! Pairing: a versioned row meets the file with the same version *and type* (`SQL` with a `V`
//! file, `SQL_BASELINE` with a `B` file, `UNDO_SQL` with a `U` file); a repeatable row meets the
//! file with the same description. A `BASELINE` row pairs with nothing and makes files at or below
//! its version `Ignored (Baseline)` / `Below Baseline`.

use foldhash::{HashMap, HashMapExt};
use std::cmp::Ordering;

use crate::history::{AppliedMigration, MigrationType};
use crate::name::Kind;
use crate::script::ResolvedMigration;
use crate::source::utf16_cmp;
use crate::version::{Target, Version};

/// A migration's state, with Flyway's display names (reference §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not applied yet; will be applied by `migrate`.
    Pending,
    /// Not applied; above the target.
    AboveTarget,
    /// Not applied; below the baseline.
    BelowBaseline,
    /// Not applied; at the baseline version.
    BaselineIgnored,
    /// The baseline row.
    Baseline,
    /// Not applied; below the current version without `outOfOrder`.
    Ignored,
    /// Applied, successfully, but its file is gone.
    MissingSuccess,
    /// Applied, failed, and its file is gone.
    MissingFailed,
    /// Applied successfully.
    Success,
    /// Applied, then undone.
    Undone,
    /// An undo migration ready to run.
    Available,
    /// Applied and failed.
    Failed,
    /// Applied successfully, after a higher version.
    OutOfOrder,
    /// Applied successfully; newer than every file.
    FutureSuccess,
    /// Applied, failed; newer than every file.
    FutureFailed,
    /// A repeatable whose file changed since its latest run.
    Outdated,
    /// An earlier run of a repeatable.
    Superseded,
    /// Marked deleted by `repair`.
    Deleted,
}

impl State {
    /// Flyway's display name (`Pending`, `Failed (Missing)`, ...).
    pub fn display(self) -> &'static str {
        match self {
            State::Pending => "Pending",
            State::AboveTarget => "Above Target",
            State::BelowBaseline => "Below Baseline",
            State::BaselineIgnored => "Ignored (Baseline)",
            State::Baseline => "Baseline",
            State::Ignored => "Ignored",
            State::MissingSuccess => "Missing",
            State::MissingFailed => "Failed (Missing)",
            State::Success => "Success",
            State::Undone => "Undone",
            State::Available => "Available",
            State::Failed => "Failed",
            State::OutOfOrder => "Out of Order",
            State::FutureSuccess => "Future",
            State::FutureFailed => "Failed (Future)",
            State::Outdated => "Outdated",
            State::Superseded => "Superseded",
            State::Deleted => "Deleted",
        }
    }

    /// Whether a history row exists for it.
    pub fn is_applied(self) -> bool {
        matches!(
            self,
            State::Baseline
                | State::MissingSuccess
                | State::MissingFailed
                | State::Success
                | State::Undone
                | State::Failed
                | State::OutOfOrder
                | State::FutureSuccess
                | State::FutureFailed
                | State::Outdated
                | State::Superseded
                | State::Deleted
        )
    }

    /// Whether the row records a failure.
    pub fn is_failed(self) -> bool {
        matches!(
            self,
            State::MissingFailed | State::Failed | State::FutureFailed
        )
    }
}

/// How the plan is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanConfig {
    /// `target`.
    pub target: Target,
    /// `outOfOrder`.
    pub out_of_order: bool,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig {
            target: Target::Latest,
            out_of_order: false,
        }
    }
}

/// The plan cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The target version matches no migration.
    #[error(
        "No migration with a target version {0} could be found. Ensure target is specified correctly and the migration exists."
    )]
    TargetNotFound(String),
    /// Two successful `DELETE` rows for one version.
    #[error("Corrupted schema history: multiple delete entries for version {0}")]
    MultipleDeletes(String),
}

/// One line of `info`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// The file, when there is one.
    pub resolved: Option<&'a ResolvedMigration>,
    /// The history row, when there is one.
    pub applied: Option<&'a AppliedMigration>,
    /// The state.
    pub state: State,
    /// `Yes`/`No`/`""` in the `Undoable` column.
    pub undoable: Undoable,
}

/// The `Undoable` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undoable {
    /// A `U` file of the same version exists and the migration did not fail.
    Yes,
    /// No `U` file (or failed).
    No,
    /// Not applicable (repeatables, undone, deleted, undo rows).
    NotApplicable,
}

impl Undoable {
    /// `Yes`, `No` or the empty string.
    pub fn display(self) -> &'static str {
        match self {
            Undoable::Yes => "Yes",
            Undoable::No => "No",
            Undoable::NotApplicable => "",
        }
    }
}

impl Entry<'_> {
    /// The version (row first, then file).
    pub fn version(&self) -> Option<&Version> {
        match self.applied {
            Some(a) => a.version.as_ref(),
            None => self.resolved.and_then(ResolvedMigration::version),
        }
    }

    /// The description (row first, then file).
    pub fn description(&self) -> &str {
        match (self.applied, self.resolved) {
            (Some(a), _) => &a.description,
            (None, Some(r)) => r.description(),
            (None, None) => "",
        }
    }

    /// The type (row first, then file).
    pub fn kind(&self) -> MigrationType {
        match (self.applied, self.resolved) {
            (Some(a), _) => a.kind,
            (None, Some(r)) => r.migration_type(),
            (None, None) => MigrationType::Sql,
        }
    }

    /// The script (row first, then file).
    pub fn script(&self) -> &str {
        match (self.applied, self.resolved) {
            (Some(a), _) => &a.script,
            (None, Some(r)) => &r.script,
            (None, None) => "",
        }
    }

    /// The checksum (row first, then file).
    pub fn checksum(&self) -> Option<i32> {
        match (self.applied, self.resolved) {
            (Some(a), _) => a.checksum,
            (None, Some(r)) => Some(r.checksum),
            (None, None) => None,
        }
    }

    /// Whether this is a versioned entry.
    pub fn is_versioned(&self) -> bool {
        self.version().is_some()
    }

    /// Flyway's category column: `''` for synthetic rows, `Repeatable`, `Undo`, `Baseline`,
    /// `Versioned`.
    pub fn category(&self) -> &'static str {
        let kind = self.kind();
        if kind.is_synthetic() {
            ""
        } else if kind.is_undo() {
            "Undo"
        } else if kind.is_baseline() {
            "Baseline"
        } else if self.version().is_none() {
            "Repeatable"
        } else {
            "Versioned"
        }
    }
}

/// Resolved x applied, with states.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// Entries in `info` order.
    pub entries: Vec<Entry<'a>>,
    /// The highest applied version that is neither deleted nor undone (Flyway's `lastApplied`).
    pub last_applied: Option<Version>,
    /// The highest applied baseline version.
    pub applied_baseline: Option<Version>,
    /// `U` files by version (undo files are not rows of `info`).
    pub undo_files: HashMap<Version, &'a ResolvedMigration>,
    /// The effective target: `current` resolved to `last_applied`, `next` to the first pending
    /// version (`None` means no limit).
    pub target: Option<Version>,
    /// Whether the configured target was `next` (migrate applies one migration).
    pub target_next: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Attributes {
    out_of_order: bool,
    deleted: bool,
    undone: bool,
}

/// Computes the plan. `applied` must be ordered by `installed_rank`.
pub fn plan<'a>(
    resolved: &'a [ResolvedMigration],
    applied: &'a [AppliedMigration],
    config: &PlanConfig,
) -> Result<Plan<'a>, PlanError> {
    let undo_files: HashMap<Version, &ResolvedMigration> = resolved
        .iter()
        .filter(|r| r.name.kind == Kind::Undo)
        .filter_map(|r| r.version().map(|v| (v.clone(), r)))
        .collect();
    let last_resolved = resolved.iter().filter_map(ResolvedMigration::version).max();

    // By version and type, to the index in `resolved` (sized once: a thousand files would
    // otherwise rehash it a dozen times).
    let mut resolved_versioned: HashMap<(&Version, MigrationType), usize> =
        HashMap::with_capacity(resolved.len());
    for (i, r) in resolved.iter().enumerate() {
        if let Some(v) = r.version() {
            resolved_versioned.insert((v, r.migration_type()), i);
        }
    }
    let resolved_repeatable: HashMap<&str, &ResolvedMigration> = resolved
        .iter()
        .filter(|r| r.is_repeatable())
        .map(|r| (r.description(), r))
        .collect();

    // Applied versioned rows with their attributes; DELETE rows mark their target deleted and
    // are not listed; UNDO rows mark the row they undid.
    let mut versioned: Vec<(&AppliedMigration, Attributes)> = Vec::with_capacity(applied.len());
    let mut applied_baseline: Option<Version> = None;
    for row in applied.iter() {
        let Some(version) = &row.version else {
            continue;
        };
        if row.kind.is_baseline() && applied_baseline.as_ref().is_none_or(|b| version > b) {
            applied_baseline = Some(version.clone());
        }
        if row.kind == MigrationType::Delete && row.success {
            let target = versioned
                .iter_mut()
                .rev()
                .find(|(a, _)| !a.kind.is_synthetic() && a.version.as_ref() == Some(version));
            if let Some((_, attrs)) = target {
                if attrs.deleted {
                    return Err(PlanError::MultipleDeletes(version.to_string()));
                }
                attrs.deleted = true;
            }
            continue;
        }
        if row.kind.is_undo() && row.success {
            let target = versioned.iter_mut().rev().find(|(a, attrs)| {
                !a.kind.is_synthetic()
                    && !a.kind.is_undo()
                    && !attrs.undone
                    && a.version.as_ref() == Some(version)
            });
            if let Some((_, attrs)) = target {
                attrs.undone = true;
            }
        }
        versioned.push((row, Attributes::default()));
    }

    // lastApplied and out-of-order flags, in rank order.
    let mut last_applied: Option<&Version> = None;
    for (row, attrs) in versioned.iter_mut() {
        let Some(version) = &row.version else {
            continue;
        };
        if last_applied.is_none_or(|last| version > last) {
            if !attrs.deleted && !attrs.undone && !row.kind.is_undo() {
                last_applied = Some(version);
            }
        } else {
            attrs.out_of_order = true;
        }
    }
    let last_applied: Option<Version> = last_applied.cloned();

    // Repeatable rows; a DELETE row marks the latest earlier run of its description.
    let mut repeatable: Vec<(&AppliedMigration, Attributes)> = Vec::new();
    for row in applied.iter().filter(|r| r.version.is_none()) {
        if row.kind == MigrationType::Delete && row.success {
            if let Some((_, attrs)) = repeatable
                .iter_mut()
                .rev()
                .find(|(a, _)| !a.kind.is_synthetic() && a.description == row.description)
            {
                attrs.deleted = true;
            }
            continue;
        }
        repeatable.push((row, Attributes::default()));
    }
    let mut latest_run: HashMap<&str, i32> = HashMap::new();
    for (row, _) in &repeatable {
        let rank = latest_run
            .entry(row.description.as_str())
            .or_insert(row.installed_rank);
        *rank = (*rank).max(row.installed_rank);
    }

    // Which resolved versioned migrations are pending, and the pending baseline.
    let mut done = vec![false; resolved.len()];
    for (row, attrs) in &versioned {
        if let Some(&i) = row
            .version
            .as_ref()
            .and_then(|v| resolved_versioned.get(&(v, row.kind)))
        {
            if !attrs.deleted && row.kind != MigrationType::Delete && !attrs.undone {
                done[i] = true;
            }
        }
    }
    let pending_versioned: Vec<&ResolvedMigration> = resolved
        .iter()
        .zip(&done)
        .filter(|(r, done)| !**done && r.version().is_some() && r.name.kind != Kind::Undo)
        .map(|(r, _)| r)
        .collect();
    let pending_baseline = pending_versioned
        .iter()
        .filter(|r| r.name.kind == Kind::Baseline)
        .filter_map(|r| r.version())
        .max()
        .cloned();

    let ctx = Context {
        last_resolved: last_resolved.cloned(),
        last_applied: last_applied.clone(),
        applied_baseline: applied_baseline.clone(),
        pending_baseline,
        out_of_order: config.out_of_order,
        latest_run,
    };

    let mut target = match &config.target {
        Target::Latest | Target::Next => None,
        Target::Current => Some(last_applied.clone()),
        Target::Version { version, .. } => Some(Some(version.clone())),
    };

    let build = |target: &Option<Option<Version>>| -> Vec<Entry<'a>> {
        let mut entries = Vec::new();
        for (row, attrs) in &versioned {
            let r = row
                .version
                .as_ref()
                .and_then(|v| resolved_versioned.get(&(v, row.kind)))
                .map(|&i| &resolved[i]);
            entries.push(ctx.applied_entry(r, row, *attrs, &undo_files));
        }
        for r in &pending_versioned {
            entries.push(ctx.pending_entry(r, target, &undo_files));
        }
        for (row, attrs) in &repeatable {
            let r = resolved_repeatable.get(row.description.as_str()).copied();
            entries.push(ctx.applied_entry(r, row, *attrs, &undo_files));
        }
        for r in resolved.iter().filter(|r| r.is_repeatable()) {
            let up_to_date = repeatable.iter().any(|(row, attrs)| {
                !attrs.deleted
                    && row.kind != MigrationType::Delete
                    && row.description == r.description()
                    && ctx.latest_run.get(row.description.as_str()) == Some(&row.installed_rank)
                    && r.checksum_matches(row.checksum)
            });
            if !up_to_date {
                entries.push(Entry {
                    resolved: Some(r),
                    applied: None,
                    state: State::Pending,
                    undoable: Undoable::NotApplicable,
                });
            }
        }
        sort_entries(&mut entries);
        entries
    };

    let mut entries = build(&target);

    if let Target::Version {
        version,
        fail_on_missing: true,
    } = &config.target
    {
        if !entries.iter().any(|e| e.version() == Some(version)) {
            return Err(PlanError::TargetNotFound(version.to_string()));
        }
    }
    if config.target == Target::Next {
        let first = entries
            .iter()
            .find(|e| e.state == State::Pending && e.applied.is_none())
            .and_then(|e| e.version().cloned());
        if let Some(first) = first {
            target = Some(Some(first));
            entries = build(&target);
        }
    }

    Ok(Plan {
        entries,
        last_applied,
        applied_baseline,
        undo_files,
        target: target.flatten(),
        target_next: config.target == Target::Next,
    })
}

struct Context<'a> {
    last_resolved: Option<Version>,
    last_applied: Option<Version>,
    applied_baseline: Option<Version>,
    pending_baseline: Option<Version>,
    out_of_order: bool,
    latest_run: HashMap<&'a str, i32>,
}

impl<'a> Context<'a> {
    fn applied_entry(
        &self,
        resolved: Option<&'a ResolvedMigration>,
        row: &'a AppliedMigration,
        attrs: Attributes,
        undo_files: &HashMap<Version, &'a ResolvedMigration>,
    ) -> Entry<'a> {
        let state = self.applied_state(resolved, row, attrs);
        let undoable = if row.version.is_none()
            || row.kind.is_synthetic()
            || row.kind.is_undo()
            || matches!(state, State::Undone | State::Deleted)
        {
            Undoable::NotApplicable
        } else if !state.is_failed()
            && row
                .version
                .as_ref()
                .is_some_and(|v| undo_files.contains_key(v))
        {
            Undoable::Yes
        } else {
            Undoable::No
        };
        Entry {
            resolved,
            applied: Some(row),
            state,
            undoable,
        }
    }

    fn applied_state(
        &self,
        resolved: Option<&ResolvedMigration>,
        row: &AppliedMigration,
        attrs: Attributes,
    ) -> State {
        if attrs.undone {
            return State::Undone;
        }
        if attrs.deleted {
            return State::Deleted;
        }
        if row.kind == MigrationType::Delete {
            return State::Success;
        }
        let is_latest_run = row.version.is_none()
            && self.latest_run.get(row.description.as_str()) == Some(&row.installed_rank);
        if row.kind.is_baseline() && (resolved.is_some() || row.kind == MigrationType::Baseline) {
            return if row.success {
                State::Baseline
            } else {
                State::Failed
            };
        }
        if resolved.is_none() && (row.version.is_some() || is_latest_run) {
            if row.kind == MigrationType::Schema {
                return State::Success;
            }
            let missing = match (&row.version, &self.last_resolved) {
                (None, _) => true,
                (Some(v), Some(last)) => v < last,
                (Some(_), None) => false,
            };
            return match (missing, row.success) {
                (true, true) => State::MissingSuccess,
                (true, false) => State::MissingFailed,
                (false, true) => State::FutureSuccess,
                (false, false) => State::FutureFailed,
            };
        }
        if !row.success {
            return State::Failed;
        }
        if row.kind == MigrationType::Schema {
            return State::Success;
        }
        if row.version.is_none() {
            if !is_latest_run {
                return State::Superseded;
            }
            return match resolved {
                Some(r) if r.checksum_matches(row.checksum) => State::Success,
                _ => State::Outdated,
            };
        }
        if attrs.out_of_order {
            return State::OutOfOrder;
        }
        State::Success
    }

    fn pending_entry(
        &self,
        r: &'a ResolvedMigration,
        target: &Option<Option<Version>>,
        undo_files: &HashMap<Version, &'a ResolvedMigration>,
    ) -> Entry<'a> {
        let version = r.version().cloned();
        let state = version
            .as_ref()
            .map_or(State::Pending, |v| self.pending_state(r, v, target));
        let undoable = match &version {
            None => Undoable::NotApplicable,
            Some(v) if undo_files.contains_key(v) => Undoable::Yes,
            Some(_) => Undoable::No,
        };
        Entry {
            resolved: Some(r),
            applied: None,
            state,
            undoable,
        }
    }

    fn pending_state(
        &self,
        r: &ResolvedMigration,
        version: &Version,
        target: &Option<Option<Version>>,
    ) -> State {
        let base = if self.last_applied.is_none() {
            self.pending_baseline.as_ref()
        } else {
            self.applied_baseline.as_ref()
        };
        if let Some(base) = base {
            match version.cmp(base) {
                Ordering::Less => return State::BelowBaseline,
                Ordering::Equal
                    if !(r.name.kind == Kind::Baseline && self.last_applied.is_none()) =>
                {
                    return State::BaselineIgnored;
                }
                _ => {}
            }
        }
        match target {
            Some(None) => return State::AboveTarget,
            Some(Some(t)) if version > t => return State::AboveTarget,
            _ => {}
        }
        if r.name.kind == Kind::Baseline
            && (self.last_applied.is_some() || self.applied_baseline.is_some())
        {
            return State::Ignored;
        }
        if let Some(last) = &self.last_applied {
            if version < last && !self.out_of_order {
                return State::Ignored;
            }
        }
        State::Pending
    }
}

/// `info` order: below-baseline first; applied rows by rank with ignored files slotted in by
/// version; then pending versioned by version; then repeatables by description.
fn sort_entries(entries: &mut Vec<Entry<'_>>) {
    let mut below: Vec<Entry<'_>> = Vec::new();
    let mut applied: Vec<Entry<'_>> = Vec::new();
    let mut ignored: Vec<Entry<'_>> = Vec::new();
    let mut rest: Vec<Entry<'_>> = Vec::new();
    for e in entries.drain(..) {
        if e.applied.is_some() {
            applied.push(e);
        } else if matches!(e.state, State::BelowBaseline | State::BaselineIgnored) {
            below.push(e);
        } else if e.state == State::Ignored && e.is_versioned() {
            ignored.push(e);
        } else {
            rest.push(e);
        }
    }
    let by_version = |a: &Entry<'_>, b: &Entry<'_>| match (a.version(), b.version()) {
        (Some(va), Some(vb)) => va
            .cmp(vb)
            .then(kind_rank(a.kind()).cmp(&kind_rank(b.kind()))),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => utf16_cmp(a.description(), b.description()),
    };
    below.sort_by(by_version);
    applied.sort_by_key(|e| e.applied.map(|a| a.installed_rank));
    ignored.sort_by(by_version);
    rest.sort_by(by_version);

    entries.extend(below);
    let mut ignored = ignored.into_iter().peekable();
    for e in applied {
        while let Some(i) = ignored.peek() {
            match (i.version(), e.version()) {
                (Some(iv), Some(ev)) if iv < ev => entries.extend(ignored.next()),
                _ => break,
            }
        }
        entries.push(e);
    }
    entries.extend(ignored);
    entries.extend(rest);
}

fn kind_rank(kind: MigrationType) -> u8 {
    if kind.is_undo() {
        2
    } else if kind.is_baseline() {
        1
    } else {
        0
    }
}

impl<'a> Plan<'a> {
    /// Migrations `migrate` would apply, in order (versioned by version, then repeatables by
    /// description). With target `next`, only the first.
    pub fn pending(&self) -> Vec<&'a ResolvedMigration> {
        let all = self
            .entries
            .iter()
            .filter(|e| e.state == State::Pending && e.applied.is_none())
            .filter_map(|e| e.resolved);
        if self.target_next {
            all.take(1).collect()
        } else {
            all.collect()
        }
    }

    /// The entry of the current schema version: the highest applied versioned migration that is
    /// not deleted or undone; else the latest applied repeatable.
    pub fn current(&self) -> Option<&Entry<'a>> {
        let usable = |e: &&Entry<'a>| {
            e.state.is_applied()
                && !matches!(e.state, State::Deleted | State::Undone)
                && e.kind() != MigrationType::Delete
                && !e.kind().is_undo()
        };
        self.entries
            .iter()
            .filter(usable)
            .filter(|e| e.version().is_some())
            .max_by(|a, b| a.version().cmp(&b.version()))
            .or_else(|| {
                self.entries
                    .iter()
                    .rev()
                    .filter(usable)
                    .find(|e| e.version().is_none())
            })
    }

    /// `Schema version:` text: the current version, or `<< Empty Schema >>`.
    pub fn schema_version(&self) -> String {
        match self.current().and_then(Entry::version) {
            Some(v) => v.to_string(),
            None => "<< Empty Schema >>".to_string(),
        }
    }

    /// Entries whose row records a failure.
    pub fn failed(&self) -> Vec<&Entry<'a>> {
        self.entries
            .iter()
            .filter(|e| e.state.is_failed())
            .collect()
    }

    /// Entries in a future state.
    pub fn future(&self) -> Vec<&Entry<'a>> {
        self.entries
            .iter()
            .filter(|e| matches!(e.state, State::FutureSuccess | State::FutureFailed))
            .collect()
    }
}
