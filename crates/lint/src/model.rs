//! What a statement does, in a form the rules can share across dialects.
//!
//! sqlparser's AST is faithful to syntax: MySQL's `MODIFY`, PostgreSQL's `ALTER COLUMN ... TYPE`
//! and SQLite's `ADD COLUMN` are different shapes, and one `ALTER TABLE` can carry ten operations.
//! Rules care about *actions* (add a column, change a type, build an index) on *objects* (a
//! table, by name), so each statement is lowered once into a list of [`Op`]s, each with the byte
//! offset it starts at. Lowering is context-free; what the set already knows about a table
//! (new? which columns?) is [`crate::schema`]'s business.

use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, DataType, Expr,
    GeneratedExpressionMode, Ident, ObjectName, ObjectType, SelectItem, SetExpr, Spanned,
    Statement, TableConstraint, TableFactor,
};
use sqlparser::tokenizer::Span;

/// A named object, keyed case-insensitively by its last name part (schemas are not tracked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Obj {
    /// Lower-case last part, the key in the schema state.
    pub key: String,
    /// As written, for messages.
    pub display: String,
    /// Whether a schema was given.
    pub qualified: bool,
}

impl Obj {
    pub fn from_name(name: &ObjectName) -> Obj {
        let key = name
            .0
            .last()
            .map(|p| match p.as_ident() {
                Some(i) => i.value.to_lowercase(),
                None => p.to_string().to_lowercase(),
            })
            .unwrap_or_default();
        Obj {
            key,
            display: name.to_string(),
            qualified: name.0.len() > 1,
        }
    }

    pub fn from_ident(ident: &Ident) -> Obj {
        Obj {
            key: ident.value.to_lowercase(),
            display: ident.to_string(),
            qualified: false,
        }
    }
}

/// A column as declared in `CREATE TABLE`, `ADD COLUMN` or MySQL's `MODIFY`/`CHANGE`.
#[derive(Debug, Clone)]
pub(crate) struct Col {
    pub name: Obj,
    pub ty: DataType,
    pub not_null: bool,
    pub default: Option<Expr>,
    /// `Some(true)` for a STORED generated column, `Some(false)` for VIRTUAL.
    pub generated_stored: Option<bool>,
    /// `GENERATED ... AS IDENTITY`.
    pub identity: bool,
    /// MySQL `AUTO_INCREMENT`, SQLite `AUTOINCREMENT`.
    pub auto_increment: bool,
    pub primary_key: bool,
    pub unique: bool,
    pub checks: Vec<Expr>,
    pub references: Option<Obj>,
    pub at: usize,
}

/// A table constraint being added.
#[derive(Debug, Clone)]
pub(crate) enum ConsKind {
    /// `CHECK (expr)`; `not_null_of` is the column of a `CHECK (col IS NOT NULL)`.
    Check {
        not_null_of: Option<String>,
    },
    ForeignKey {
        to: Obj,
    },
    Unique {
        using_index: bool,
    },
    PrimaryKey {
        using_index: bool,
    },
    Exclude,
    /// MySQL `ADD INDEX` / `ADD FULLTEXT INDEX` inside `ALTER TABLE`.
    Index {
        special: Option<&'static str>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Cons {
    pub name: Option<String>,
    pub kind: ConsKind,
}

/// What kind of object a `DROP` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DropKind {
    Table,
    View,
    MaterializedView,
    Database,
    Schema,
    Type,
    Other,
}

/// How much of a table a DML statement touches, judged from its `WHERE` and `LIMIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Single rows: `= literal`, `IN (list)`, `VALUES`.
    Targeted,
    /// A key range or a `LIMIT`: one batch of a batched backfill.
    Batched,
    /// Potentially every row.
    Whole,
}

/// The DML statement kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DmlKind {
    Update,
    Delete,
    InsertValues,
    InsertSelect,
    Merge,
    Copy,
}

/// One action of a statement.
#[derive(Debug, Clone)]
pub(crate) enum OpKind {
    CreateTable {
        table: Obj,
        columns: Vec<Col>,
        constraints: Vec<Cons>,
        if_not_exists: bool,
    },
    CreateView {
        view: Obj,
        materialized: bool,
        or_replace: bool,
        if_not_exists: bool,
        /// `(table, column)` pairs read by the query.
        uses: Vec<(String, String)>,
        /// Tables read with `*`.
        star: Vec<String>,
        /// Output column names (lower case) when they can be told.
        outputs: Vec<String>,
        /// Tables read.
        tables: Vec<String>,
    },
    CreateIndex {
        index: Option<Obj>,
        table: Obj,
        unique: bool,
        concurrently: bool,
        if_not_exists: bool,
        /// `FULLTEXT` or `SPATIAL` (MySQL).
        special: Option<&'static str>,
        /// MySQL `ALGORITHM=` and `LOCK=` values, upper case.
        algorithm: Option<String>,
        lock: Option<String>,
    },
    DropIndex {
        indexes: Vec<Obj>,
        concurrently: bool,
        if_exists: bool,
    },
    Drop {
        kind: DropKind,
        objects: Vec<Obj>,
        if_exists: bool,
        cascade: bool,
    },
    Truncate {
        tables: Vec<Obj>,
        cascade: bool,
    },
    RenameTable {
        from: Obj,
        to: Obj,
    },
    AddColumn {
        table: Obj,
        col: Box<Col>,
        if_not_exists: bool,
    },
    DropColumn {
        table: Obj,
        col: Obj,
        if_exists: bool,
    },
    RenameColumn {
        table: Obj,
        from: Obj,
        to: Obj,
    },
    /// PostgreSQL `ALTER COLUMN ... TYPE`.
    ChangeType {
        table: Obj,
        col: Obj,
        ty: DataType,
    },
    /// MySQL `MODIFY` / `CHANGE`: the whole column definition restated.
    ModifyColumn {
        table: Obj,
        col: Box<Col>,
    },
    SetNotNull {
        table: Obj,
        col: Obj,
    },
    DropNotNull {
        table: Obj,
        col: Obj,
    },
    SetDefault {
        table: Obj,
        col: Obj,
    },
    DropDefault {
        table: Obj,
        col: Obj,
    },
    AddConstraint {
        table: Obj,
        cons: Cons,
        not_valid: bool,
    },
    ValidateConstraint {
        table: Obj,
        name: String,
    },
    DropConstraint {
        table: Obj,
        name: String,
    },
    DetachPartition {
        table: Obj,
        concurrently: bool,
    },
    SetLogged {
        table: Obj,
        logged: bool,
    },
    /// Any other `ALTER TABLE` action (owner, options, RLS, replica identity, ...): catalog
    /// only, still a strong lock.
    AlterTableOther {
        table: Obj,
        what: String,
    },
    CreateTrigger {
        table: Obj,
        instead_of: bool,
    },
    CreateDomain {
        has_check: bool,
    },
    AlterDomainAddConstraint {
        domain: String,
        not_valid: bool,
    },
    CreateEnum {
        name: Obj,
    },
    AddEnumValue {
        ty: Obj,
        value: String,
        positioned: bool,
    },
    RenameEnumValue {
        ty: Obj,
        from: String,
        to: String,
    },
    RefreshMatView {
        view: Obj,
        concurrently: bool,
    },
    Reindex {
        target: String,
        concurrently: bool,
    },
    Cluster {
        table: Option<Obj>,
    },
    Vacuum {
        full: bool,
        table: Option<Obj>,
    },
    /// MySQL `OPTIMIZE TABLE` / `ALTER TABLE ... FORCE`: online rebuilds.
    Rebuild {
        table: Option<Obj>,
    },
    Dml {
        kind: DmlKind,
        table: Obj,
        scope: Scope,
        /// Assigned (UPDATE) or listed (INSERT) columns, for duplicate detection.
        columns: Vec<Obj>,
    },
    /// A session setting: `SET x = y`, `PRAGMA x = y`.
    Set {
        name: String,
        value: String,
    },
    Begin,
    Commit,
    Rollback,
    LockTable {
        tables: Vec<Obj>,
    },
    /// Other creations: functions, sequences, schemas, extensions, types.
    Create {
        what: &'static str,
        if_not_exists: bool,
    },
    Analyze,
    /// Statements with no schema effect: SELECT, COMMENT, GRANT, ...
    Neutral,
    /// Recognised but not modelled; keeps its SQL keyword for messages.
    Other(String),
}

/// An action and where it starts in the file.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub at: usize,
    pub kind: OpKind,
}

/// Maps sqlparser spans (1-based line/column within the statement, `\n` only) to byte offsets
/// in the file.
pub(crate) struct Locator<'a> {
    sql: &'a str,
    base: usize,
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub fn new(sql: &'a str, base: usize) -> Locator<'a> {
        let mut line_starts = vec![0];
        for (i, b) in sql.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        Locator {
            sql,
            base,
            line_starts,
        }
    }

    /// The file offset of a span's start, or of the statement when the span is empty.
    pub fn at(&self, span: Span) -> usize {
        let (line, column) = (span.start.line as usize, span.start.column as usize);
        if line == 0 || column == 0 {
            return self.base;
        }
        let Some(&start) = self.line_starts.get(line - 1) else {
            return self.base;
        };
        let rest = self.sql.get(start..).unwrap_or("");
        let within = rest
            .char_indices()
            .nth(column - 1)
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        self.base + start + within
    }

    pub fn start(&self) -> usize {
        self.base
    }
}

/// Lowers one parsed statement.
pub(crate) fn lower(stmt: &Statement, loc: &Locator<'_>) -> Vec<Op> {
    let here = loc.start();
    let one = |kind| vec![Op { at: here, kind }];
    match stmt {
        Statement::CreateTable(ct) => {
            let table = Obj::from_name(&ct.name);
            let columns = ct.columns.iter().map(|c| column(c, loc)).collect();
            let constraints = ct.constraints.iter().filter_map(constraint).collect();
            one(OpKind::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists: ct.if_not_exists,
            })
        }
        Statement::CreateView(cv) => one(view(cv)),
        Statement::CreateIndex(ci) => {
            let mut algorithm = None;
            let mut lock = None;
            for op in &ci.alter_options {
                match op {
                    AlterTableOperation::Algorithm { algorithm: a, .. } => {
                        algorithm = Some(a.to_string().to_uppercase())
                    }
                    AlterTableOperation::Lock { lock: l, .. } => {
                        lock = Some(l.to_string().to_uppercase())
                    }
                    _ => {}
                }
            }
            one(OpKind::CreateIndex {
                index: ci.name.as_ref().map(Obj::from_name),
                table: Obj::from_name(&ci.table_name),
                unique: ci.unique,
                concurrently: ci.concurrently,
                if_not_exists: ci.if_not_exists,
                special: None,
                algorithm,
                lock,
            })
        }
        Statement::AlterTable(at) => alter_table(at, loc),
        Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            ..
        } => {
            let objects: Vec<Obj> = names.iter().map(Obj::from_name).collect();
            let kind = match object_type {
                ObjectType::Table => DropKind::Table,
                ObjectType::View => DropKind::View,
                ObjectType::MaterializedView => DropKind::MaterializedView,
                ObjectType::Index => {
                    return one(OpKind::DropIndex {
                        indexes: objects,
                        concurrently: false,
                        if_exists: *if_exists,
                    });
                }
                ObjectType::Database => DropKind::Database,
                ObjectType::Schema => DropKind::Schema,
                ObjectType::Type => DropKind::Type,
                _ => DropKind::Other,
            };
            one(OpKind::Drop {
                kind,
                objects,
                if_exists: *if_exists,
                cascade: *cascade,
            })
        }
        Statement::DropFunction(_)
        | Statement::DropTrigger(_)
        | Statement::DropDomain(_)
        | Statement::DropProcedure { .. }
        | Statement::DropPolicy(_)
        | Statement::DropExtension(_) => one(OpKind::Drop {
            kind: DropKind::Other,
            objects: Vec::new(),
            if_exists: true,
            cascade: false,
        }),
        Statement::Truncate(t) => one(OpKind::Truncate {
            tables: t
                .table_names
                .iter()
                .map(|n| Obj::from_name(&n.name))
                .collect(),
            cascade: matches!(t.cascade, Some(ast::CascadeOption::Cascade)),
        }),
        Statement::RenameTable(renames) => renames
            .iter()
            .map(|r| Op {
                at: loc.at(r.old_name.span()),
                kind: OpKind::RenameTable {
                    from: Obj::from_name(&r.old_name),
                    to: Obj::from_name(&r.new_name),
                },
            })
            .collect(),
        Statement::CreateTrigger(t) => one(OpKind::CreateTrigger {
            table: Obj::from_name(&t.table_name),
            instead_of: matches!(t.period, Some(ast::TriggerPeriod::InsteadOf)),
        }),
        Statement::CreateDomain(d) => one(OpKind::CreateDomain {
            has_check: d
                .constraints
                .iter()
                .any(|c| matches!(c, TableConstraint::Check(_))),
        }),
        Statement::CreateType {
            name,
            representation,
        } => match representation {
            Some(ast::UserDefinedTypeRepresentation::Enum { .. }) => one(OpKind::CreateEnum {
                name: Obj::from_name(name),
            }),
            _ => one(OpKind::Create {
                what: "TYPE",
                if_not_exists: false,
            }),
        },
        Statement::AlterType(at) => {
            let ty = Obj::from_name(&at.name);
            match &at.operation {
                ast::AlterTypeOperation::AddValue(v) => one(OpKind::AddEnumValue {
                    ty,
                    value: v.value.value.clone(),
                    positioned: v.position.is_some(),
                }),
                ast::AlterTypeOperation::RenameValue(v) => one(OpKind::RenameEnumValue {
                    ty,
                    from: v.from.value.clone(),
                    to: v.to.value.clone(),
                }),
                ast::AlterTypeOperation::Rename(_) => {
                    one(OpKind::Other("ALTER TYPE RENAME".into()))
                }
            }
        }
        Statement::RefreshMaterializedView(r) => one(OpKind::RefreshMatView {
            view: Obj::from_name(&r.name),
            concurrently: r.concurrently,
        }),
        Statement::Vacuum(v) => one(OpKind::Vacuum {
            full: v.full,
            table: v.table_name.as_ref().map(Obj::from_name),
        }),
        Statement::Update(u) => {
            let Some(table) = table_factor_name(&u.table.relation) else {
                return one(OpKind::Other("UPDATE".into()));
            };
            let scope = scope_of(u.selection.as_ref(), u.limit.is_some());
            let columns = u
                .assignments
                .iter()
                .filter_map(|a| match &a.target {
                    ast::AssignmentTarget::ColumnName(n) => Some(Obj::from_name(n)),
                    ast::AssignmentTarget::Tuple(_) => None,
                })
                .collect();
            one(OpKind::Dml {
                kind: DmlKind::Update,
                table,
                scope,
                columns,
            })
        }
        Statement::Delete(d) => {
            let from = match &d.from {
                ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
            };
            let table = d
                .tables
                .first()
                .map(Obj::from_name)
                .or_else(|| from.first().and_then(|t| table_factor_name(&t.relation)));
            let Some(table) = table else {
                return one(OpKind::Other("DELETE".into()));
            };
            one(OpKind::Dml {
                kind: DmlKind::Delete,
                table,
                scope: scope_of(d.selection.as_ref(), d.limit.is_some()),
                columns: Vec::new(),
            })
        }
        Statement::Insert(i) => {
            let table = match &i.table {
                ast::TableObject::TableName(n) => Obj::from_name(n),
                _ => return one(OpKind::Other("INSERT".into())),
            };
            let columns = i.columns.iter().map(Obj::from_name).collect();
            let (kind, scope) = match &i.source {
                Some(q) => match q.body.as_ref() {
                    SetExpr::Values(_) => (DmlKind::InsertValues, Scope::Targeted),
                    _ => (DmlKind::InsertSelect, query_scope(q)),
                },
                None => (DmlKind::InsertValues, Scope::Targeted),
            };
            one(OpKind::Dml {
                kind,
                table,
                scope,
                columns,
            })
        }
        Statement::Merge(m) => match table_factor_name(&m.table) {
            Some(table) => one(OpKind::Dml {
                kind: DmlKind::Merge,
                table,
                scope: Scope::Whole,
                columns: Vec::new(),
            }),
            None => one(OpKind::Other("MERGE".into())),
        },
        Statement::Copy { to, source, .. } => match source {
            ast::CopySource::Table { table_name, .. } if !*to => one(OpKind::Dml {
                kind: DmlKind::Copy,
                table: Obj::from_name(table_name),
                scope: Scope::Targeted,
                columns: Vec::new(),
            }),
            _ => one(OpKind::Neutral),
        },
        Statement::Set(set) => set_ops(set, here),
        Statement::Pragma { name, value, .. } => one(OpKind::Set {
            name: Obj::from_name(name).key,
            value: value
                .as_ref()
                .map(|v| unquote(&v.to_string()))
                .unwrap_or_default(),
        }),
        Statement::StartTransaction { .. } => one(OpKind::Begin),
        Statement::Commit { .. } => one(OpKind::Commit),
        Statement::Rollback { savepoint, .. } => {
            if savepoint.is_some() {
                one(OpKind::Neutral)
            } else {
                one(OpKind::Rollback)
            }
        }
        Statement::Lock(l) => one(OpKind::LockTable {
            tables: l.tables.iter().map(|t| Obj::from_name(&t.name)).collect(),
        }),
        Statement::LockTables { .. } => one(OpKind::LockTable { tables: Vec::new() }),
        Statement::CreateFunction(f) => one(OpKind::Create {
            what: "FUNCTION",
            if_not_exists: f.or_replace || f.if_not_exists,
        }),
        Statement::CreateProcedure { or_alter, .. } => one(OpKind::Create {
            what: "PROCEDURE",
            if_not_exists: *or_alter,
        }),
        Statement::CreateSequence { if_not_exists, .. } => one(OpKind::Create {
            what: "SEQUENCE",
            if_not_exists: *if_not_exists,
        }),
        Statement::CreateSchema { if_not_exists, .. } => one(OpKind::Create {
            what: "SCHEMA",
            if_not_exists: *if_not_exists,
        }),
        Statement::CreateDatabase { if_not_exists, .. } => one(OpKind::Create {
            what: "DATABASE",
            if_not_exists: *if_not_exists,
        }),
        Statement::CreateExtension(e) => one(OpKind::Create {
            what: "EXTENSION",
            if_not_exists: e.if_not_exists,
        }),
        Statement::CreateRole(_) | Statement::CreateUser(_) => one(OpKind::Create {
            what: "ROLE",
            if_not_exists: false,
        }),
        Statement::CreatePolicy(_) => one(OpKind::Create {
            what: "POLICY",
            if_not_exists: false,
        }),
        Statement::CreateVirtualTable { name, .. } => one(OpKind::CreateTable {
            table: Obj::from_name(name),
            columns: Vec::new(),
            constraints: Vec::new(),
            if_not_exists: true,
        }),
        Statement::Analyze(_) => one(OpKind::Analyze),
        Statement::Query(_)
        | Statement::Comment { .. }
        | Statement::Grant(_)
        | Statement::Revoke(_)
        | Statement::Explain { .. }
        | Statement::ExplainTable { .. }
        | Statement::Call(_)
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. }
        | Statement::ShowVariable { .. }
        | Statement::Use(_)
        | Statement::Discard { .. }
        | Statement::Reset(_)
        | Statement::AlterRole { .. }
        | Statement::AlterUser(_)
        | Statement::AlterDefaultPrivileges(_)
        | Statement::AlterFunction(_)
        | Statement::AlterPolicy(_)
        | Statement::LISTEN { .. }
        | Statement::NOTIFY { .. } => one(OpKind::Neutral),
        Statement::AlterIndex { .. } | Statement::AlterSchema(_) => {
            one(OpKind::Other("ALTER".into()))
        }
        Statement::AlterView(av) => {
            // ALTER VIEW ... RENAME TO is a rename that breaks readers of the old name.
            one(OpKind::Other(format!(
                "ALTER VIEW {}",
                Obj::from_name(&av.name).display
            )))
        }
        other => {
            let text = other.to_string();
            let head: String = text
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            one(OpKind::Other(head))
        }
    }
}

fn unquote(s: &str) -> String {
    s.trim()
        .trim_matches(|c| c == '\'' || c == '"')
        .to_ascii_lowercase()
}

fn set_ops(set: &ast::Set, at: usize) -> Vec<Op> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let join = |values: &[Expr]| {
        values
            .iter()
            .map(|v| unquote(&v.to_string()))
            .collect::<Vec<_>>()
            .join(",")
    };
    match set {
        ast::Set::SingleAssignment {
            variable, values, ..
        } => pairs.push((Obj::from_name(variable).key, join(values))),
        ast::Set::MultipleAssignments { assignments } => {
            for a in assignments {
                pairs.push((
                    Obj::from_name(&a.name).key,
                    join(std::slice::from_ref(&a.value)),
                ));
            }
        }
        ast::Set::ParenthesizedAssignments { variables, values } => {
            for (v, e) in variables.iter().zip(values) {
                pairs.push((Obj::from_name(v).key, join(std::slice::from_ref(e))));
            }
        }
        ast::Set::SetTimeZone { value, .. } => {
            pairs.push(("timezone".into(), join(std::slice::from_ref(value))))
        }
        _ => {}
    }
    if pairs.is_empty() {
        return vec![Op {
            at,
            kind: OpKind::Neutral,
        }];
    }
    pairs
        .into_iter()
        .map(|(name, value)| Op {
            at,
            kind: OpKind::Set { name, value },
        })
        .collect()
}

fn table_factor_name(t: &TableFactor) -> Option<Obj> {
    match t {
        TableFactor::Table { name, .. } => Some(Obj::from_name(name)),
        _ => None,
    }
}

/// Lowers one column definition.
pub(crate) fn column(c: &ColumnDef, loc: &Locator<'_>) -> Col {
    let mut col = Col {
        name: Obj::from_ident(&c.name),
        ty: c.data_type.clone(),
        not_null: false,
        default: None,
        generated_stored: None,
        identity: false,
        auto_increment: false,
        primary_key: false,
        unique: false,
        checks: Vec::new(),
        references: None,
        at: loc.at(c.name.span),
    };
    column_options(&mut col, c.options.iter().map(|o| &o.option));
    col
}

fn column_options<'o>(col: &mut Col, options: impl Iterator<Item = &'o ColumnOption>) {
    for option in options {
        match option {
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Null => col.not_null = false,
            ColumnOption::Default(e) => col.default = Some(e.clone()),
            ColumnOption::PrimaryKey(_) => {
                col.primary_key = true;
                col.not_null = true;
            }
            ColumnOption::Unique(_) => col.unique = true,
            ColumnOption::ForeignKey(fk) => {
                col.references = Some(Obj::from_name(&fk.foreign_table))
            }
            ColumnOption::Check(c) => col.checks.push((*c.expr).clone()),
            ColumnOption::DialectSpecific(tokens)
                if tokens.iter().any(|t| {
                    let s = t.to_string().to_ascii_uppercase();
                    s == "AUTO_INCREMENT" || s == "AUTOINCREMENT"
                }) =>
            {
                col.auto_increment = true;
            }
            ColumnOption::Generated {
                generation_expr,
                generation_expr_mode,
                ..
            } => {
                if generation_expr.is_some() {
                    col.generated_stored = Some(matches!(
                        generation_expr_mode,
                        Some(GeneratedExpressionMode::Stored)
                    ));
                } else {
                    col.identity = true;
                }
            }
            ColumnOption::Identity(_) => col.identity = true,
            _ => {}
        }
    }
}

fn constraint(c: &TableConstraint) -> Option<Cons> {
    let name = |n: &Option<Ident>| n.as_ref().map(|i| i.value.to_lowercase());
    Some(match c {
        TableConstraint::Check(ch) => Cons {
            name: name(&ch.name),
            kind: ConsKind::Check {
                not_null_of: not_null_check(&ch.expr),
            },
        },
        TableConstraint::ForeignKey(fk) => Cons {
            name: name(&fk.name),
            kind: ConsKind::ForeignKey {
                to: Obj::from_name(&fk.foreign_table),
            },
        },
        TableConstraint::Unique(u) => Cons {
            name: name(&u.name),
            kind: ConsKind::Unique { using_index: false },
        },
        TableConstraint::PrimaryKey(p) => Cons {
            name: name(&p.name),
            kind: ConsKind::PrimaryKey { using_index: false },
        },
        TableConstraint::UniqueUsingIndex(u) => Cons {
            name: name(&u.name),
            kind: ConsKind::Unique { using_index: true },
        },
        TableConstraint::PrimaryKeyUsingIndex(u) => Cons {
            name: name(&u.name),
            kind: ConsKind::PrimaryKey { using_index: true },
        },
        TableConstraint::Exclude(e) => Cons {
            name: name(&e.name),
            kind: ConsKind::Exclude,
        },
        TableConstraint::Index(i) => Cons {
            name: i.name.as_ref().map(|n| n.value.to_lowercase()),
            kind: ConsKind::Index { special: None },
        },
        TableConstraint::FulltextOrSpatial(f) => Cons {
            name: f.opt_index_name.as_ref().map(|n| n.value.to_lowercase()),
            kind: ConsKind::Index {
                special: Some(if f.fulltext { "FULLTEXT" } else { "SPATIAL" }),
            },
        },
    })
}

/// `col IS NOT NULL` (possibly parenthesised) names `col`.
fn not_null_check(e: &Expr) -> Option<String> {
    match e {
        Expr::Nested(inner) => not_null_check(inner),
        Expr::IsNotNull(inner) => match inner.as_ref() {
            Expr::Identifier(i) => Some(i.value.to_lowercase()),
            Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.to_lowercase()),
            _ => None,
        },
        _ => None,
    }
}

fn alter_table(at: &ast::AlterTable, loc: &Locator<'_>) -> Vec<Op> {
    let table = Obj::from_name(&at.name);
    let mut ops = Vec::new();
    let mut algorithm = None;
    let mut lock = None;
    for op in &at.operations {
        match op {
            AlterTableOperation::Algorithm { algorithm: a, .. } => {
                algorithm = Some(a.to_string().to_uppercase())
            }
            AlterTableOperation::Lock { lock: l, .. } => lock = Some(l.to_string().to_uppercase()),
            _ => {}
        }
    }
    for op in &at.operations {
        let at_op = op_at(op, loc);
        let t = || table.clone();
        let kind = match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => OpKind::AddColumn {
                table: t(),
                col: Box::new(column(column_def, loc)),
                if_not_exists: *if_not_exists,
            },
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                for c in column_names {
                    ops.push(Op {
                        at: loc.at(c.span),
                        kind: OpKind::DropColumn {
                            table: t(),
                            col: Obj::from_ident(c),
                            if_exists: *if_exists,
                        },
                    });
                }
                continue;
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => OpKind::RenameColumn {
                table: t(),
                from: Obj::from_ident(old_column_name),
                to: Obj::from_ident(new_column_name),
            },
            AlterTableOperation::RenameTable { table_name } => {
                let to = match table_name {
                    ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
                };
                OpKind::RenameTable {
                    from: t(),
                    to: Obj::from_name(to),
                }
            }
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                ..
            } => {
                let mut col = Col {
                    name: Obj::from_ident(old_name),
                    ty: data_type.clone(),
                    not_null: false,
                    default: None,
                    generated_stored: None,
                    identity: false,
                    auto_increment: false,
                    primary_key: false,
                    unique: false,
                    checks: Vec::new(),
                    references: None,
                    at: at_op,
                };
                column_options(&mut col, options.iter());
                ops.push(Op {
                    at: at_op,
                    kind: OpKind::ModifyColumn {
                        table: t(),
                        col: Box::new(col),
                    },
                });
                if !old_name.value.eq_ignore_ascii_case(&new_name.value) {
                    ops.push(Op {
                        at: at_op,
                        kind: OpKind::RenameColumn {
                            table: t(),
                            from: Obj::from_ident(old_name),
                            to: Obj::from_ident(new_name),
                        },
                    });
                }
                continue;
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => {
                let mut col = Col {
                    name: Obj::from_ident(col_name),
                    ty: data_type.clone(),
                    not_null: false,
                    default: None,
                    generated_stored: None,
                    identity: false,
                    auto_increment: false,
                    primary_key: false,
                    unique: false,
                    checks: Vec::new(),
                    references: None,
                    at: at_op,
                };
                column_options(&mut col, options.iter());
                OpKind::ModifyColumn {
                    table: t(),
                    col: Box::new(col),
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let col = Obj::from_ident(column_name);
                match op {
                    AlterColumnOperation::SetNotNull => OpKind::SetNotNull { table: t(), col },
                    AlterColumnOperation::DropNotNull => OpKind::DropNotNull { table: t(), col },
                    AlterColumnOperation::SetDefault { .. } => {
                        OpKind::SetDefault { table: t(), col }
                    }
                    AlterColumnOperation::DropDefault => OpKind::DropDefault { table: t(), col },
                    AlterColumnOperation::SetDataType { data_type, .. } => OpKind::ChangeType {
                        table: t(),
                        col,
                        ty: data_type.clone(),
                    },
                    AlterColumnOperation::AddGenerated { .. } => OpKind::AlterTableOther {
                        table: t(),
                        what: "ADD GENERATED AS IDENTITY".into(),
                    },
                    AlterColumnOperation::GenericOptions { .. } => OpKind::AlterTableOther {
                        table: t(),
                        what: "ALTER COLUMN OPTIONS".into(),
                    },
                }
            }
            AlterTableOperation::AddConstraint {
                constraint: c,
                not_valid,
            } => match constraint(c) {
                Some(Cons {
                    kind: ConsKind::Index { special },
                    name,
                }) => OpKind::CreateIndex {
                    index: name.map(|n| Obj {
                        key: n.clone(),
                        display: n,
                        qualified: false,
                    }),
                    table: t(),
                    unique: false,
                    concurrently: false,
                    if_not_exists: false,
                    special,
                    algorithm: algorithm.clone(),
                    lock: lock.clone(),
                },
                Some(cons) => OpKind::AddConstraint {
                    table: t(),
                    cons,
                    not_valid: *not_valid,
                },
                None => continue,
            },
            AlterTableOperation::ValidateConstraint { name } => OpKind::ValidateConstraint {
                table: t(),
                name: name.value.to_lowercase(),
            },
            AlterTableOperation::DropConstraint { name, .. }
            | AlterTableOperation::DropForeignKey { name, .. } => OpKind::DropConstraint {
                table: t(),
                name: name.value.to_lowercase(),
            },
            AlterTableOperation::DropPrimaryKey { .. } => OpKind::DropConstraint {
                table: t(),
                name: "primary".into(),
            },
            AlterTableOperation::DropIndex { name } => OpKind::DropIndex {
                indexes: vec![Obj::from_ident(name)],
                concurrently: false,
                if_exists: false,
            },
            AlterTableOperation::DetachPartitionOf { mode, .. } => OpKind::DetachPartition {
                table: t(),
                concurrently: matches!(mode, Some(ast::DetachPartitionMode::Concurrently)),
            },
            AlterTableOperation::SetLogged => OpKind::SetLogged {
                table: t(),
                logged: true,
            },
            AlterTableOperation::SetUnlogged => OpKind::SetLogged {
                table: t(),
                logged: false,
            },
            AlterTableOperation::Algorithm { .. } | AlterTableOperation::Lock { .. } => continue,
            other => {
                let text = other.to_string();
                let what: String = text
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ");
                OpKind::AlterTableOther { table: t(), what }
            }
        };
        ops.push(Op { at: at_op, kind });
    }
    if ops.is_empty() {
        ops.push(Op {
            at: loc.start(),
            kind: OpKind::AlterTableOther {
                table,
                what: "ALTER TABLE".into(),
            },
        });
    }
    ops
}

/// Where an ALTER TABLE action starts, from the identifiers it names. sqlparser's
/// `Spanned::span` would walk whole default and check expressions recursively, which a
/// pathological expression turns into a stack overflow, so only identifier spans are used.
fn op_at(op: &AlterTableOperation, loc: &Locator<'_>) -> usize {
    let ident = |i: &Ident| loc.at(i.span);
    match op {
        AlterTableOperation::AddColumn { column_def, .. } => ident(&column_def.name),
        AlterTableOperation::DropColumn { column_names, .. } => {
            column_names.first().map(ident).unwrap_or(loc.start())
        }
        AlterTableOperation::RenameColumn {
            old_column_name, ..
        } => ident(old_column_name),
        AlterTableOperation::ChangeColumn { old_name, .. } => ident(old_name),
        AlterTableOperation::ModifyColumn { col_name, .. } => ident(col_name),
        AlterTableOperation::AlterColumn { column_name, .. } => ident(column_name),
        AlterTableOperation::ValidateConstraint { name }
        | AlterTableOperation::DropConstraint { name, .. }
        | AlterTableOperation::DropForeignKey { name, .. }
        | AlterTableOperation::DropIndex { name } => ident(name),
        AlterTableOperation::RenameTable {
            table_name: ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n),
        } => {
            n.0.first()
                .and_then(|p| p.as_ident())
                .map(ident)
                .unwrap_or(loc.start())
        }
        AlterTableOperation::DetachPartitionOf { partition, .. } => partition
            .0
            .first()
            .and_then(|p| p.as_ident())
            .map(ident)
            .unwrap_or(loc.start()),
        AlterTableOperation::AddConstraint { constraint, .. } => {
            let name = match constraint {
                TableConstraint::Check(c) => c.name.as_ref(),
                TableConstraint::ForeignKey(c) => c.name.as_ref().or(c.columns.first()),
                TableConstraint::Unique(c) => c.name.as_ref().or(first_ident(&c.columns)),
                TableConstraint::PrimaryKey(c) => c.name.as_ref().or(first_ident(&c.columns)),
                TableConstraint::UniqueUsingIndex(c) | TableConstraint::PrimaryKeyUsingIndex(c) => {
                    c.name.as_ref().or(Some(&c.index_name))
                }
                TableConstraint::Exclude(c) => c.name.as_ref(),
                TableConstraint::Index(c) => c.name.as_ref(),
                TableConstraint::FulltextOrSpatial(c) => c.opt_index_name.as_ref(),
            };
            name.map(ident).unwrap_or(loc.start())
        }
        _ => loc.start(),
    }
}

fn first_ident(columns: &[ast::IndexColumn]) -> Option<&Ident> {
    match &columns.first()?.column.expr {
        Expr::Identifier(i) => Some(i),
        _ => None,
    }
}

fn view(cv: &ast::CreateView) -> OpKind {
    let mut tables: Vec<(String, Option<String>)> = Vec::new(); // (table, alias)
    collect_tables(&cv.query, &mut tables);
    let mut uses = Vec::new();
    let mut star = Vec::new();
    let resolve = |qualifier: &str| -> Option<String> {
        let q = qualifier.to_lowercase();
        tables
            .iter()
            .find(|(t, a)| a.as_deref() == Some(q.as_str()) || (a.is_none() && *t == q))
            .or_else(|| tables.iter().find(|(t, _)| *t == q))
            .map(|(t, _)| t.clone())
    };
    let _ = ast::visit_expressions(&cv.query, |e: &Expr| {
        match e {
            Expr::Identifier(i) => {
                for (t, _) in &tables {
                    uses.push((t.clone(), i.value.to_lowercase()));
                }
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let q = &parts[parts.len() - 2].value;
                let c = parts[parts.len() - 1].value.to_lowercase();
                if let Some(t) = resolve(q) {
                    uses.push((t, c));
                }
            }
            _ => {}
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    let mut outputs = Vec::new();
    if !cv.columns.is_empty() {
        outputs = cv
            .columns
            .iter()
            .map(|c| c.name.value.to_lowercase())
            .collect();
    }
    if let SetExpr::Select(select) = cv.query.body.as_ref() {
        for item in &select.projection {
            match item {
                SelectItem::Wildcard(_) => star.extend(tables.iter().map(|(t, _)| t.clone())),
                SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    if let Some(t) = resolve(&Obj::from_name(n).key) {
                        star.push(t);
                    }
                }
                SelectItem::UnnamedExpr(e) if cv.columns.is_empty() => match e {
                    Expr::Identifier(i) => outputs.push(i.value.to_lowercase()),
                    Expr::CompoundIdentifier(p) => {
                        if let Some(last) = p.last() {
                            outputs.push(last.value.to_lowercase())
                        }
                    }
                    _ => {}
                },
                SelectItem::ExprWithAlias { alias, .. } if cv.columns.is_empty() => {
                    outputs.push(alias.value.to_lowercase())
                }
                _ => {}
            }
        }
    }
    uses.sort();
    uses.dedup();
    star.sort();
    star.dedup();
    OpKind::CreateView {
        view: Obj::from_name(&cv.name),
        materialized: cv.materialized,
        or_replace: cv.or_replace,
        if_not_exists: cv.if_not_exists,
        uses,
        star,
        outputs,
        tables: tables.into_iter().map(|(t, _)| t).collect(),
    }
}

fn collect_tables(q: &ast::Query, out: &mut Vec<(String, Option<String>)>) {
    let _ = ast::visit_relations(q, |name: &ObjectName| {
        let key = Obj::from_name(name).key;
        if !out.iter().any(|(t, _)| *t == key) {
            out.push((key, None));
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    // Aliases: walk the FROM clauses of every SELECT.
    fn walk(set: &SetExpr, out: &mut Vec<(String, Option<String>)>) {
        match set {
            SetExpr::Select(s) => {
                for twj in &s.from {
                    alias(&twj.relation, out);
                    for j in &twj.joins {
                        alias(&j.relation, out);
                    }
                }
            }
            SetExpr::SetOperation { left, right, .. } => {
                walk(left, out);
                walk(right, out);
            }
            SetExpr::Query(q) => walk(&q.body, out),
            _ => {}
        }
    }
    fn alias(t: &TableFactor, out: &mut Vec<(String, Option<String>)>) {
        if let TableFactor::Table {
            name,
            alias: Some(a),
            ..
        } = t
        {
            out.push((Obj::from_name(name).key, Some(a.name.value.to_lowercase())));
        }
    }
    walk(&q.body, out);
}

/// How many rows a `WHERE` (plus an optional `LIMIT`) can touch.
pub(crate) fn scope_of(selection: Option<&Expr>, limit: bool) -> Scope {
    if limit {
        return Scope::Batched;
    }
    match selection {
        None => Scope::Whole,
        Some(e) => expr_scope(e, 0),
    }
}

fn query_scope(q: &ast::Query) -> Scope {
    if q.limit_clause.is_some() || q.fetch.is_some() {
        return Scope::Batched;
    }
    match q.body.as_ref() {
        SetExpr::Select(s) => {
            if s.from.is_empty() {
                return Scope::Targeted;
            }
            scope_of(s.selection.as_ref(), false)
        }
        SetExpr::Values(_) => Scope::Targeted,
        SetExpr::Query(inner) => query_scope(inner),
        _ => Scope::Whole,
    }
}

/// Deepest expression nesting the helpers below walk; beyond it they give the conservative
/// answer instead of recursing (left-deep `a AND b AND ...` chains can be thousands deep).
pub(crate) const MAX_DEPTH: usize = 64;

fn is_constant(e: &Expr) -> bool {
    constant_at(e, 0)
}

fn constant_at(e: &Expr, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match e {
        Expr::Value(_) | Expr::TypedString(_) => true,
        Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } => constant_at(inner, depth + 1),
        Expr::Cast { expr, .. } => constant_at(expr, depth + 1),
        Expr::BinaryOp { left, right, .. } => {
            constant_at(left, depth + 1) && constant_at(right, depth + 1)
        }
        Expr::Function(_) => true,
        _ => false,
    }
}

fn column_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.to_lowercase()),
        Expr::CompoundIdentifier(p) => p.last().map(|i| i.value.to_lowercase()),
        Expr::Nested(inner) => column_of(inner),
        _ => None,
    }
}

fn expr_scope(e: &Expr, depth: usize) -> Scope {
    if depth > MAX_DEPTH {
        return Scope::Whole;
    }
    let mut conjuncts = Vec::new();
    flatten_and(e, &mut conjuncts);
    let mut lower: Vec<String> = Vec::new();
    let mut upper: Vec<String> = Vec::new();
    let mut best = Scope::Whole;
    for c in conjuncts {
        use ast::BinaryOperator as B;
        match c {
            Expr::BinaryOp { left, op, right } => {
                let (col, lit, op) = match (column_of(left), column_of(right)) {
                    (Some(col), None) if is_constant(right) => (col, true, op.clone()),
                    (None, Some(col)) if is_constant(left) => (
                        col,
                        true,
                        match op {
                            B::Lt => B::Gt,
                            B::LtEq => B::GtEq,
                            B::Gt => B::Lt,
                            B::GtEq => B::LtEq,
                            other => other.clone(),
                        },
                    ),
                    _ => {
                        if matches!(op, B::Or) {
                            let (l, r) =
                                (expr_scope(left, depth + 1), expr_scope(right, depth + 1));
                            let worst = if l == Scope::Whole || r == Scope::Whole {
                                Scope::Whole
                            } else if l == Scope::Batched || r == Scope::Batched {
                                Scope::Batched
                            } else {
                                Scope::Targeted
                            };
                            best = narrower(best, worst);
                        }
                        continue;
                    }
                };
                if !lit {
                    continue;
                }
                match op {
                    B::Eq => best = narrower(best, Scope::Targeted),
                    B::Gt | B::GtEq => lower.push(col),
                    B::Lt | B::LtEq => upper.push(col),
                    _ => {}
                }
            }
            Expr::Between {
                negated: false,
                low,
                high,
                ..
            } if is_constant(low) && is_constant(high) => best = narrower(best, Scope::Batched),
            Expr::In {
                negated: false,
                target: ast::InTarget::List(list),
                ..
            } if list.iter().all(is_constant) => best = narrower(best, Scope::Targeted),
            Expr::In {
                negated: false,
                target: ast::InTarget::Subquery(subquery),
                ..
            } if query_scope(subquery) != Scope::Whole => best = narrower(best, Scope::Batched),
            _ => {}
        }
    }
    if lower.iter().any(|c| upper.contains(c)) {
        best = narrower(best, Scope::Batched);
    }
    best
}

fn narrower(a: Scope, b: Scope) -> Scope {
    let rank = |s| match s {
        Scope::Targeted => 0,
        Scope::Batched => 1,
        Scope::Whole => 2,
    };
    if rank(a) <= rank(b) { a } else { b }
}

/// The conjuncts of an `AND` tree, without recursion (chains can be very deep).
fn flatten_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::And,
                right,
            } => {
                stack.push(right);
                stack.push(left);
            }
            Expr::Nested(inner) => stack.push(inner),
            other => out.push(other),
        }
    }
}

impl OpKind {
    /// A short SQL-like description for messages, e.g. `DROP COLUMN email of users`.
    pub fn describe(&self) -> String {
        match self {
            OpKind::CreateTable { table, .. } => format!("CREATE TABLE {}", table.display),
            OpKind::CreateView {
                view, materialized, ..
            } => format!(
                "CREATE {}VIEW {}",
                if *materialized { "MATERIALIZED " } else { "" },
                view.display
            ),
            OpKind::CreateIndex {
                index,
                table,
                concurrently,
                unique,
                special,
                ..
            } => format!(
                "CREATE {}INDEX{}{} ON {}",
                match (special, unique) {
                    (Some(kind), _) => format!("{kind} "),
                    (None, true) => "UNIQUE ".to_string(),
                    (None, false) => String::new(),
                },
                if *concurrently { " CONCURRENTLY" } else { "" },
                index
                    .as_ref()
                    .map(|i| format!(" {}", i.display))
                    .unwrap_or_default(),
                table.display
            ),
            OpKind::DropIndex { indexes, .. } => format!("DROP INDEX {}", names(indexes)),
            OpKind::Drop { kind, objects, .. } => format!(
                "DROP {} {}",
                match kind {
                    DropKind::Table => "TABLE",
                    DropKind::View => "VIEW",
                    DropKind::MaterializedView => "MATERIALIZED VIEW",
                    DropKind::Database => "DATABASE",
                    DropKind::Schema => "SCHEMA",
                    DropKind::Type => "TYPE",
                    DropKind::Other => "",
                },
                names(objects)
            )
            .replace("  ", " ")
            .trim()
            .to_string(),
            OpKind::Truncate { tables, .. } => format!("TRUNCATE {}", names(tables)),
            OpKind::RenameTable { from, to } => {
                format!("RENAME TABLE {} TO {}", from.display, to.display)
            }
            OpKind::AddColumn { table, col, .. } => {
                format!("ADD COLUMN {} to {}", col.name.display, table.display)
            }
            OpKind::DropColumn { table, col, .. } => {
                format!("DROP COLUMN {} of {}", col.display, table.display)
            }
            OpKind::RenameColumn { table, from, to } => format!(
                "RENAME COLUMN {} TO {} of {}",
                from.display, to.display, table.display
            ),
            OpKind::ChangeType { table, col, ty } => format!(
                "ALTER COLUMN {} TYPE {} of {}",
                col.display, ty, table.display
            ),
            OpKind::ModifyColumn { table, col } => format!(
                "MODIFY COLUMN {} {} of {}",
                col.name.display, col.ty, table.display
            ),
            OpKind::SetNotNull { table, col } => {
                format!("SET NOT NULL on {}.{}", table.display, col.display)
            }
            OpKind::DropNotNull { table, col } => {
                format!("DROP NOT NULL on {}.{}", table.display, col.display)
            }
            OpKind::SetDefault { table, col } => {
                format!("SET DEFAULT on {}.{}", table.display, col.display)
            }
            OpKind::DropDefault { table, col } => {
                format!("DROP DEFAULT on {}.{}", table.display, col.display)
            }
            OpKind::AddConstraint { table, cons, .. } => format!(
                "ADD {}{} to {}",
                match &cons.kind {
                    ConsKind::Check { .. } => "CHECK",
                    ConsKind::ForeignKey { .. } => "FOREIGN KEY",
                    ConsKind::Unique { .. } => "UNIQUE",
                    ConsKind::PrimaryKey { .. } => "PRIMARY KEY",
                    ConsKind::Exclude => "EXCLUDE",
                    ConsKind::Index { .. } => "INDEX",
                },
                cons.name
                    .as_ref()
                    .map(|n| format!(" constraint {n}"))
                    .unwrap_or_default(),
                table.display
            ),
            OpKind::ValidateConstraint { table, name } => {
                format!("VALIDATE CONSTRAINT {name} of {}", table.display)
            }
            OpKind::DropConstraint { table, name } => {
                format!("DROP CONSTRAINT {name} of {}", table.display)
            }
            OpKind::DetachPartition { table, .. } => {
                format!("DETACH PARTITION of {}", table.display)
            }
            OpKind::SetLogged { table, logged } => format!(
                "SET {} on {}",
                if *logged { "LOGGED" } else { "UNLOGGED" },
                table.display
            ),
            OpKind::AlterTableOther { table, what } => format!("{what} on {}", table.display),
            OpKind::CreateTrigger { table, .. } => format!("CREATE TRIGGER on {}", table.display),
            OpKind::CreateDomain { .. } => "CREATE DOMAIN".into(),
            OpKind::AlterDomainAddConstraint { domain, .. } => {
                format!("ALTER DOMAIN {domain} ADD CONSTRAINT")
            }
            OpKind::CreateEnum { name } => format!("CREATE TYPE {} AS ENUM", name.display),
            OpKind::AddEnumValue { ty, value, .. } => {
                format!("ALTER TYPE {} ADD VALUE '{value}'", ty.display)
            }
            OpKind::RenameEnumValue { ty, from, to } => {
                format!("ALTER TYPE {} RENAME VALUE '{from}' TO '{to}'", ty.display)
            }
            OpKind::RefreshMatView { view, .. } => {
                format!("REFRESH MATERIALIZED VIEW {}", view.display)
            }
            OpKind::Reindex { target, .. } => format!("REINDEX {target}"),
            OpKind::Cluster { table } => format!(
                "CLUSTER{}",
                table
                    .as_ref()
                    .map(|t| format!(" {}", t.display))
                    .unwrap_or_default()
            ),
            OpKind::Vacuum { full, table } => format!(
                "VACUUM{}{}",
                if *full { " FULL" } else { "" },
                table
                    .as_ref()
                    .map(|t| format!(" {}", t.display))
                    .unwrap_or_default()
            ),
            OpKind::Rebuild { table } => format!(
                "table rebuild{}",
                table
                    .as_ref()
                    .map(|t| format!(" of {}", t.display))
                    .unwrap_or_default()
            ),
            OpKind::Dml { kind, table, .. } => match kind {
                DmlKind::Update => format!("UPDATE {}", table.display),
                DmlKind::Delete => format!("DELETE FROM {}", table.display),
                DmlKind::InsertValues => format!("INSERT INTO {}", table.display),
                DmlKind::InsertSelect => format!("INSERT INTO {} ... SELECT", table.display),
                DmlKind::Merge => format!("MERGE INTO {}", table.display),
                DmlKind::Copy => format!("COPY {}", table.display),
            },
            OpKind::Set { name, .. } => format!("SET {name}"),
            OpKind::Begin => "BEGIN".into(),
            OpKind::Commit => "COMMIT".into(),
            OpKind::Rollback => "ROLLBACK".into(),
            OpKind::LockTable { tables } => format!("LOCK TABLE {}", names(tables)),
            OpKind::Create { what, .. } => format!("CREATE {what}"),
            OpKind::Analyze => "ANALYZE".into(),
            OpKind::Neutral => "statement".into(),
            OpKind::Other(s) => s.clone(),
        }
    }
}

fn names(objs: &[Obj]) -> String {
    objs.iter()
        .map(|o| o.display.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
