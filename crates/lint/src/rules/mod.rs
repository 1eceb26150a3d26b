//! The rule registry and what every rule gets to see.
//!
//! One file per rule: its [`RuleInfo`] (id, severity, lock, why it hurts and the safe
//! alternative, per dialect) and its check. A rule is either a statement rule, called once per
//! statement with the schema as it was just before that statement ([`Ctx`]), or a file rule,
//! called once per file with every statement's phase and facts ([`FileCheck`]). Rules report
//! *what* happened with a byte offset; the engine adds the lock and why, applies suppression and
//! configuration, and turns offsets into `line:column`.

use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use crate::lint::{Facts, FileCtx, Session, Stmt};
use crate::model::{Col, ConsKind, DropKind, Op, OpKind, Scope};
use crate::report::Severity;
use crate::schema::Schema;
use crate::types::{self, Ty};

/// What one rule means in one dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DialectRule {
    /// The dialect.
    pub dialect: Dialect,
    /// The default severity there.
    pub severity: Severity,
    /// The lock the statement takes there, if the rule is about a lock.
    pub lock: Option<&'static str>,
    /// Why it hurts there.
    pub why: &'static str,
    /// The safe alternative there.
    pub safe: &'static str,
}

/// A lint rule, for `--help`, the README table and the CLI's configuration checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// The id used in output, `allow=` directives and `[lint]` configuration.
    pub id: &'static str,
    /// What it catches, in a few words.
    pub summary: &'static str,
    /// The default severity (the most common one across its dialects).
    pub severity: Severity,
    /// The phase the statements it catches belong to, when there is one.
    pub phase: Option<Phase>,
    /// Whether it runs without being configured (opt-in rules run once a severity is set).
    pub default_enabled: bool,
    /// Whether its only harm is breaking the previous release's code: in a file declared
    /// `contract` (which runs once that code is gone) it reports as `info`.
    pub breaks_old_code: bool,
    /// The dialects it checks, with their semantics.
    pub dialects: &'static [DialectRule],
}

impl RuleInfo {
    /// This rule's meaning in `dialect`, if it checks that dialect.
    pub fn for_dialect(&self, dialect: Dialect) -> Option<&DialectRule> {
        self.dialects.iter().find(|d| d.dialect == dialect)
    }
}

/// A statement rule's or a file rule's entry point.
pub(crate) enum Hook {
    Statement(fn(&Ctx<'_>, &mut Sink)),
    File(fn(&FileCheck<'_>, &mut Sink)),
}

macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// Every rule's description, in registry order.
        pub(crate) static INFOS: &[RuleInfo] = &[$($module::INFO),*];
        /// Every rule's check, in the same order.
        pub(crate) static HOOKS: &[Hook] = &[$($module::HOOK),*];
    };
}

registry!(
    // Parsing and phases.
    unparsed_statement,
    invalid_directive,
    phase_mismatch,
    mixed_phase_migration,
    // Indexes.
    require_concurrent_index_creation,
    require_concurrent_index_deletion,
    ban_concurrent_index_creation_in_transaction,
    require_concurrent_reindex,
    require_concurrent_partition_detach,
    // Adding columns.
    add_column_volatile_default,
    add_column_stored_generated,
    add_column_auto_increment,
    adding_required_field,
    // Changing columns.
    adding_not_nullable_field,
    changing_column_type,
    ban_drop_not_null,
    drop_default_on_not_null,
    // Constraints.
    constraint_missing_not_valid,
    adding_foreign_key_constraint,
    validate_in_same_transaction,
    disallowed_unique_constraint,
    adding_primary_key_constraint,
    ban_exclusion_constraint,
    ban_create_domain_with_constraint,
    ban_alter_domain_with_add_constraint,
    // Table maintenance.
    prefer_repack,
    set_logged_unlogged,
    create_trigger_on_existing_table,
    refresh_matview_non_concurrent,
    // Renames and drops.
    renaming_column,
    renaming_table,
    ban_drop_column,
    ban_drop_table,
    ban_drop_database,
    ban_truncate_cascade,
    drop_view,
    // Enums.
    rename_enum_value,
    enum_value_used_in_same_transaction,
    require_enum_value_ordering,
    // Data and transactions.
    unbatched_backfill,
    backfill_in_ddl_transaction,
    multiple_tables_locked_in_one_transaction,
    require_lock_timeout,
    require_statement_timeout,
    prefer_robust_stmts,
    ban_uncommitted_transaction,
    transaction_nesting,
    // Style and hygiene.
    prefer_bigint_over_int,
    prefer_bigint_over_smallint,
    prefer_identity,
    prefer_text_field,
    prefer_timestamptz,
    ban_char_field,
    add_column_json,
    identifier_too_long,
    require_table_schema,
    ban_duplicate_column_assignments,
);

/// The rule with this id.
pub(crate) fn find(id: &str) -> Option<&'static RuleInfo> {
    INFOS.iter().find(|r| r.id == id)
}

/// The registry index of a rule id the engine itself reports.
pub(crate) fn index_of(id: &str) -> usize {
    INFOS.iter().position(|r| r.id == id).unwrap_or(0)
}

/// The known id closest to a misspelt one.
pub(crate) fn closest(id: &str) -> Option<&'static str> {
    INFOS
        .iter()
        .map(|r| (distance(id, r.id), r.id))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, id)| id)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A finding before suppression, configuration and positions.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub rule: usize,
    pub stmt: Option<usize>,
    pub at: usize,
    pub what: String,
    pub severity: Option<Severity>,
}

/// Where rules report to.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub raw: Vec<Raw>,
    rule: usize,
    stmt: Option<usize>,
}

impl Sink {
    pub(crate) fn start(&mut self, rule: usize, stmt: Option<usize>) {
        self.rule = rule;
        self.stmt = stmt;
    }

    /// Reports `what` (the statement and object, e.g. `DROP COLUMN "email" of "users"`) at a
    /// byte offset; the engine appends the lock and why it hurts.
    pub fn report(&mut self, at: usize, what: impl Into<String>) {
        self.raw.push(Raw {
            rule: self.rule,
            stmt: self.stmt,
            at,
            what: what.into(),
            severity: None,
        });
    }

    /// Like [`Sink::report`] with a severity other than the rule's default for the dialect.
    pub fn report_as(&mut self, at: usize, what: impl Into<String>, severity: Severity) {
        self.raw.push(Raw {
            rule: self.rule,
            stmt: self.stmt,
            at,
            what: what.into(),
            severity: Some(severity),
        });
    }

    /// For file rules: reports against statement `stmt` (its `allow` directives apply).
    pub fn report_stmt(&mut self, stmt: usize, at: usize, what: impl Into<String>) {
        self.raw.push(Raw {
            rule: self.rule,
            stmt: Some(stmt),
            at,
            what: what.into(),
            severity: None,
        });
    }

    pub(crate) fn push_raw(
        &mut self,
        rule: usize,
        stmt: Option<usize>,
        at: usize,
        what: String,
        severity: Option<Severity>,
    ) {
        self.raw.push(Raw {
            rule,
            stmt,
            at,
            what,
            severity,
        });
    }
}

/// What a statement rule sees.
pub(crate) struct Ctx<'a> {
    pub dialect: Dialect,
    pub file: &'a FileCtx,
    /// The statement being checked.
    pub i: usize,
    /// The schema just before the statement.
    pub schema: &'a Schema,
    /// Session settings set earlier in the file.
    pub session: &'a Session,
}

impl<'a> Ctx<'a> {
    pub fn stmt(&self) -> &'a Stmt {
        &self.file.stmts[self.i]
    }

    pub fn ops(&self) -> &'a [Op] {
        &self.stmt().ops
    }

    pub fn pg(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    pub fn mysql(&self) -> bool {
        self.dialect == Dialect::Mysql
    }

    pub fn sqlite(&self) -> bool {
        self.dialect == Dialect::Sqlite
    }

    /// Whether a table (not created by the pending set) has traffic.
    pub fn busy(&self, table: &str) -> bool {
        !self.schema.is_new(table)
    }

    /// Whether a view has readers.
    pub fn busy_view(&self, view: &str) -> bool {
        self.schema.views.get(view).is_none_or(|v| !v.new)
    }

    /// The table an index belongs to, if known.
    pub fn index_table(&self, index: &str) -> Option<&'a str> {
        self.schema.indexes.get(index).map(|i| i.table.as_str())
    }

    /// Whether dropping `index` locks a table with traffic.
    pub fn index_busy(&self, index: &str) -> bool {
        match self.index_table(index) {
            Some(t) => self.busy(t),
            None => true,
        }
    }

    /// Actions after op `k` of this statement: the rest of it, then the rest of the file.
    pub fn ops_after(&self, k: usize) -> impl Iterator<Item = &'a OpKind> + 'a {
        let stmts = &self.file.stmts;
        let i = self.i;
        stmts[i]
            .ops
            .iter()
            .skip(k + 1)
            .chain(stmts[i + 1..].iter().flat_map(|s| s.ops.iter()))
            .map(|o| &o.kind)
    }

    /// Actions before op `k` of this statement in the same statement.
    pub fn ops_before_in_stmt(&self, k: usize) -> impl Iterator<Item = &'a OpKind> + 'a {
        self.stmt().ops.iter().take(k).map(|o| &o.kind)
    }

    /// Earlier statements of the file in the same transaction as this one.
    pub fn same_tx_before(&self) -> impl Iterator<Item = &'a Stmt> + 'a {
        let tx = self.stmt().tx;
        self.file.stmts[..self.i]
            .iter()
            .filter(move |s| tx.is_some() && s.tx == tx)
    }

    /// Whether the name was vacated (an existing table dropped or renamed away) earlier in the
    /// file, including by earlier actions of this statement: a rename into it is a table swap.
    pub fn vacated_before(&self, k: usize, key: &str) -> bool {
        self.schema.vacated.contains(key)
            || self.ops_before_in_stmt(k).any(|o| match o {
                OpKind::Drop {
                    kind: DropKind::Table,
                    objects,
                    ..
                } => objects.iter().any(|t| t.key == key),
                OpKind::RenameTable { from, .. } => from.key == key,
                _ => false,
            })
    }
}

/// What a file rule sees.
pub(crate) struct FileCheck<'a> {
    pub dialect: Dialect,
    pub file: &'a FileCtx,
    pub op_phases: &'a [Vec<Option<Phase>>],
    pub facts: &'a [Facts],
    pub sessions: &'a [Session],
    pub timeouts_managed: bool,
}

/// Compatibility objects later in the file that keep old code working after a rename.
pub(crate) mod compat {
    use super::*;

    /// A later `CREATE VIEW old_name` (a compatibility view for a renamed table). SQLite views
    /// are read-only, so there it also needs an `INSTEAD OF` trigger on the view.
    pub fn view_for_table(ctx: &Ctx<'_>, k: usize, old: &str) -> Option<bool> {
        let mut view = false;
        let mut trigger = false;
        for op in ctx.ops_after(k) {
            match op {
                OpKind::CreateView { view: v, .. } if v.key == old => view = true,
                OpKind::CreateTrigger {
                    table,
                    instead_of: true,
                } if table.key == old => trigger = true,
                _ => {}
            }
        }
        if !view {
            return None;
        }
        Some(ctx.dialect != Dialect::Sqlite || trigger)
    }

    /// A later view that reads `table` (under any name it gets in this file) and exposes the
    /// column's old name.
    pub fn view_for_column(ctx: &Ctx<'_>, k: usize, table: &str, old_col: &str) -> bool {
        let mut names = vec![table.to_string()];
        for op in ctx.ops_after(k) {
            match op {
                OpKind::RenameTable { from, to } if names.contains(&from.key) => {
                    names.push(to.key.clone())
                }
                OpKind::CreateView {
                    tables, outputs, ..
                } if outputs.iter().any(|o| o == old_col)
                    && tables.iter().any(|t| names.contains(t)) =>
                {
                    return true;
                }
                _ => {}
            }
        }
        false
    }

    /// A later action moves another table into `name` (the second half of a swap).
    pub fn renamed_into(ctx: &Ctx<'_>, k: usize, name: &str) -> bool {
        ctx.ops_after(k)
            .any(|o| matches!(o, OpKind::RenameTable { to, .. } if to.key == name))
    }

    /// A later `CREATE VIEW` with the same name (a replacement, not a removal).
    pub fn view_recreated(ctx: &Ctx<'_>, k: usize, name: &str) -> bool {
        ctx.ops_after(k)
            .any(|o| matches!(o, OpKind::CreateView { view, .. } if view.key == name))
    }
}

/// Why PostgreSQL rewrites the table for this new column, if it does.
pub(crate) fn pg_add_column_rewrite(col: &Col) -> Option<String> {
    if col.generated_stored == Some(true) {
        return Some("a STORED generated column".into());
    }
    if col.identity {
        return Some("an identity column".into());
    }
    if matches!(
        types::ty(&col.ty),
        Ty::Serial | Ty::BigSerial | Ty::SmallSerial
    ) {
        return Some(format!("a {} column", col.ty.to_string().to_lowercase()));
    }
    let v = types::pg_volatile(col.default.as_ref()?)?;
    Some(format!("the volatile default {v}"))
}

/// Whether a type change of `table.col` to `to` is free (binary-coercible or in place).
pub(crate) fn type_change_is_free(ctx: &Ctx<'_>, table: &str, col: &str, to: &Ty) -> Option<bool> {
    let from = &ctx.schema.column(table, col)?.ty;
    Some(match ctx.dialect {
        Dialect::Postgres => types::pg_coercible(from, to, ctx.session.utc),
        Dialect::Mysql => types::mysql_inplace(from, to),
        Dialect::Sqlite => from == to,
    })
}

/// Locks, duration and DML of a statement, for the file rules about timeouts and transactions.
pub(crate) fn facts(ctx: &Ctx<'_>) -> Facts {
    let mut f = Facts::default();
    let mut strong = |key: &str, display: &str, lock: &'static str| {
        if !f.strong.iter().any(|(k, _, _)| k == key) {
            f.strong.push((key.to_string(), display.to_string(), lock));
        }
    };
    let mut long = false;
    let mut dml: Option<Scope> = None;
    let mut writes = false;
    const AE: &str = "ACCESS EXCLUSIVE";
    for op in ctx.ops() {
        if !matches!(
            op.kind,
            OpKind::Set { .. }
                | OpKind::Begin
                | OpKind::Commit
                | OpKind::Rollback
                | OpKind::Neutral
                | OpKind::Analyze
        ) {
            writes = true;
        }
        let mysql_ddl = |table: &crate::model::Obj,
                         strong: &mut dyn FnMut(&str, &str, &'static str)| {
            if ctx.busy(&table.key) {
                strong(&table.key, &table.display, "an exclusive metadata lock");
            }
        };
        match &op.kind {
            OpKind::CreateIndex {
                table,
                concurrently,
                special,
                ..
            } if ctx.busy(&table.key) => {
                long = true;
                match ctx.dialect {
                    Dialect::Postgres if !concurrently => {
                        strong(&table.key, &table.display, "SHARE")
                    }
                    Dialect::Mysql if special.is_some() => {
                        strong(&table.key, &table.display, "a shared lock")
                    }
                    _ => {}
                }
            }
            OpKind::DropIndex {
                indexes,
                concurrently,
                ..
            } if !concurrently => {
                for i in indexes {
                    if ctx.index_busy(&i.key) {
                        let t = ctx.index_table(&i.key).unwrap_or(&i.key).to_string();
                        strong(&t, &t, AE);
                    }
                }
            }
            OpKind::Drop { kind, objects, .. } => {
                for o in objects {
                    let busy = match kind {
                        DropKind::Table => ctx.busy(&o.key),
                        DropKind::View | DropKind::MaterializedView => ctx.busy_view(&o.key),
                        _ => false,
                    };
                    if busy {
                        strong(&o.key, &o.display, AE);
                    }
                }
            }
            OpKind::Truncate { tables, .. } | OpKind::LockTable { tables } => {
                for t in tables {
                    if ctx.busy(&t.key) {
                        strong(&t.key, &t.display, AE);
                    }
                }
            }
            OpKind::RenameTable { from, .. } if ctx.busy(&from.key) => {
                if ctx.mysql() {
                    mysql_ddl(from, &mut strong)
                } else {
                    strong(&from.key, &from.display, AE)
                }
            }
            OpKind::AddColumn { table, col, .. } if ctx.busy(&table.key) => {
                if ctx.mysql() {
                    mysql_ddl(table, &mut strong);
                    long |= col.auto_increment || col.generated_stored == Some(true);
                } else {
                    strong(&table.key, &table.display, AE);
                    long |= pg_add_column_rewrite(col).is_some()
                        || !col.checks.is_empty()
                        || col.unique
                        || col.primary_key;
                }
            }
            OpKind::ChangeType { table, col, ty } if ctx.busy(&table.key) => {
                strong(&table.key, &table.display, AE);
                long |=
                    type_change_is_free(ctx, &table.key, &col.key, &types::ty(ty)) != Some(true);
            }
            OpKind::ModifyColumn { table, col } if ctx.busy(&table.key) => {
                mysql_ddl(table, &mut strong);
                long |= type_change_is_free(ctx, &table.key, &col.name.key, &types::ty(&col.ty))
                    != Some(true);
            }
            OpKind::SetNotNull { table, col } if ctx.busy(&table.key) => {
                strong(&table.key, &table.display, AE);
                long |= !ctx.schema.validated_not_null_check(&table.key, &col.key);
            }
            OpKind::DropColumn { table, .. }
            | OpKind::RenameColumn { table, .. }
            | OpKind::DropNotNull { table, .. }
            | OpKind::SetDefault { table, .. }
            | OpKind::DropDefault { table, .. }
            | OpKind::DropConstraint { table, .. }
            | OpKind::AlterTableOther { table, .. }
                if ctx.busy(&table.key) =>
            {
                if ctx.mysql() {
                    mysql_ddl(table, &mut strong)
                } else {
                    strong(&table.key, &table.display, AE)
                }
            }
            OpKind::SetLogged { table, .. } if ctx.busy(&table.key) => {
                strong(&table.key, &table.display, AE);
                long = true;
            }
            OpKind::AddConstraint {
                table,
                cons,
                not_valid,
            } if ctx.busy(&table.key) => {
                if ctx.mysql() {
                    mysql_ddl(table, &mut strong);
                    long = true;
                    continue;
                }
                match &cons.kind {
                    ConsKind::ForeignKey { to, .. } => {
                        strong(&table.key, &table.display, "SHARE ROW EXCLUSIVE");
                        if ctx.busy(&to.key) {
                            strong(&to.key, &to.display, "SHARE ROW EXCLUSIVE");
                        }
                        long |= !not_valid;
                    }
                    ConsKind::Check { .. } => {
                        strong(&table.key, &table.display, AE);
                        long |= !not_valid;
                    }
                    ConsKind::Unique { using_index } | ConsKind::PrimaryKey { using_index } => {
                        strong(&table.key, &table.display, AE);
                        long |= !using_index;
                    }
                    ConsKind::Exclude | ConsKind::Index { .. } => {
                        strong(&table.key, &table.display, AE);
                        long = true;
                    }
                }
            }
            OpKind::ValidateConstraint { table, .. } if ctx.busy(&table.key) => long = true,
            OpKind::DetachPartition {
                table,
                concurrently: false,
            } if ctx.busy(&table.key) => strong(&table.key, &table.display, AE),
            OpKind::CreateTrigger { table, .. } if ctx.busy(&table.key) => {
                if ctx.mysql() {
                    mysql_ddl(table, &mut strong)
                } else {
                    strong(&table.key, &table.display, "SHARE ROW EXCLUSIVE")
                }
            }
            OpKind::RefreshMatView { view, concurrently } if ctx.busy_view(&view.key) => {
                long = true;
                if !concurrently {
                    strong(&view.key, &view.display, AE);
                }
            }
            OpKind::Reindex {
                target,
                concurrently,
            } => {
                long = true;
                if !concurrently {
                    strong(&target.to_lowercase(), target, "SHARE");
                }
            }
            OpKind::Cluster { table } => {
                long = true;
                let t = table
                    .as_ref()
                    .map(|t| t.display.clone())
                    .unwrap_or_else(|| "every clustered table".into());
                strong(&t.to_lowercase(), &t, AE);
            }
            OpKind::Vacuum { full, table } => {
                long = true;
                if *full {
                    let t = table
                        .as_ref()
                        .map(|t| t.display.clone())
                        .unwrap_or_else(|| "every table".into());
                    strong(&t.to_lowercase(), &t, AE);
                }
            }
            OpKind::Rebuild { .. } => long = true,
            OpKind::Dml {
                table, scope, kind, ..
            } if ctx.busy(&table.key) && *kind != DmlKind::Copy => {
                dml = Some(match (dml, *scope) {
                    (Some(Scope::Whole), _) | (_, Scope::Whole) => Scope::Whole,
                    (Some(Scope::Batched), _) | (_, Scope::Batched) => Scope::Batched,
                    _ => Scope::Targeted,
                });
                long |= *scope != Scope::Targeted;
            }
            _ => {}
        }
    }
    f.long = long;
    f.dml = dml;
    f.writes = writes;
    f
}

use crate::model::DmlKind;

#[cfg(test)]
pub(crate) mod testing;

/// A PostgreSQL entry of a rule.
pub(crate) const fn pg(
    severity: Severity,
    lock: Option<&'static str>,
    why: &'static str,
    safe: &'static str,
) -> DialectRule {
    DialectRule {
        dialect: Dialect::Postgres,
        severity,
        lock,
        why,
        safe,
    }
}

/// A MySQL/MariaDB entry of a rule.
pub(crate) const fn my(
    severity: Severity,
    lock: Option<&'static str>,
    why: &'static str,
    safe: &'static str,
) -> DialectRule {
    DialectRule {
        dialect: Dialect::Mysql,
        severity,
        lock,
        why,
        safe,
    }
}

/// A SQLite entry of a rule.
pub(crate) const fn lite(
    severity: Severity,
    lock: Option<&'static str>,
    why: &'static str,
    safe: &'static str,
) -> DialectRule {
    DialectRule {
        dialect: Dialect::Sqlite,
        severity,
        lock,
        why,
        safe,
    }
}

/// The same meaning in all three dialects.
pub(crate) const fn all(
    severity: Severity,
    lock: Option<&'static str>,
    why: &'static str,
    safe: &'static str,
) -> [DialectRule; 3] {
    [
        pg(severity, lock, why, safe),
        my(severity, lock, why, safe),
        lite(severity, lock, why, safe),
    ]
}

/// Column types a statement declares: `(offset, "table.column", type)`.
pub(crate) fn declared_types<'a>(
    ctx: &Ctx<'a>,
) -> Vec<(usize, String, &'a sqlparser::ast::DataType)> {
    let mut out = Vec::new();
    for op in ctx.ops() {
        match &op.kind {
            OpKind::CreateTable { table, columns, .. } => {
                for c in columns {
                    out.push((c.at, format!("{}.{}", table.display, c.name.display), &c.ty));
                }
            }
            OpKind::AddColumn { table, col, .. } | OpKind::ModifyColumn { table, col } => {
                out.push((
                    col.at,
                    format!("{}.{}", table.display, col.name.display),
                    &col.ty,
                ));
            }
            OpKind::ChangeType { table, col, ty } => {
                out.push((op.at, format!("{}.{}", table.display, col.display), ty));
            }
            _ => {}
        }
    }
    out
}

/// A style rule: every declared column whose normalised type matches.
pub(crate) fn style(ctx: &Ctx<'_>, out: &mut Sink, matches: fn(&Ty) -> bool) {
    for (at, column, dt) in declared_types(ctx) {
        if matches(&types::ty(dt)) {
            out.report(
                at,
                format!("column {column} is {}", dt.to_string().to_lowercase()),
            );
        }
    }
}
