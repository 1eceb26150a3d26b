//! What the migration set has done to the schema so far.
//!
//! A linter that checks one file at a time cannot tell a table created a minute ago (empty, no
//! traffic: any lock is harmless) from a busy one, a `VALIDATE` in a later file from a missing
//! one, or a column some view reads from one no view reads. This state is built statement by
//! statement across the whole set, in migration order, and every rule sees it as it was just
//! before the statement it checks.
//!
//! `new` means created by a file being linted (the pending set); objects created by the
//! already-applied context files, and objects the set never created, exist and have traffic.

use std::collections::{HashMap, HashSet};

use crate::model::{Col, ConsKind, DropKind, OpKind};
use crate::types::{Ty, ty};

/// A column the set knows something about.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub ty: Ty,
    pub not_null: bool,
    pub has_default: bool,
    /// Added (or created) by the pending set.
    pub added: bool,
}

/// A constraint the set knows about.
#[derive(Debug, Clone)]
pub(crate) struct Constraint {
    pub not_null_of: Option<String>,
    pub foreign_to: Option<String>,
    pub validated: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub new: bool,
    pub columns: HashMap<String, Column>,
    pub constraints: HashMap<String, Constraint>,
}

#[derive(Debug, Clone)]
pub(crate) struct View {
    pub new: bool,
    pub uses: Vec<(String, String)>,
    pub star: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub table: String,
    pub new: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Schema {
    pub tables: HashMap<String, Table>,
    pub views: HashMap<String, View>,
    pub indexes: HashMap<String, Index>,
    /// Existing tables dropped or renamed away in the current file (a later rename into the
    /// name is a table swap, and the swapped-in table then has traffic).
    pub vacated: HashSet<String>,
    anonymous: usize,
}

fn column_of(col: &Col, added: bool) -> Column {
    Column {
        ty: ty(&col.ty),
        not_null: col.not_null,
        has_default: col.default.is_some()
            || col.identity
            || col.auto_increment
            || col.generated_stored.is_some()
            || matches!(ty(&col.ty), Ty::Serial | Ty::BigSerial | Ty::SmallSerial),
        added,
    }
}

impl Schema {
    /// Whether `table` was created by the pending set.
    pub fn is_new(&self, table: &str) -> bool {
        self.tables.get(table).is_some_and(|t| t.new)
    }

    pub fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.tables.get(table)?.columns.get(column)
    }

    /// Views (outside the pending set's own new ones too) that read `table.column`.
    pub fn views_using(&self, table: &str, column: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .views
            .iter()
            .filter(|(_, view)| {
                view.star.iter().any(|t| t == table)
                    || view.uses.iter().any(|(t, c)| t == table && c == column)
            })
            .map(|(name, _)| name.clone())
            .collect();
        v.sort();
        v
    }

    /// Tables with a known foreign key to `table`.
    pub fn referencing(&self, table: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .tables
            .iter()
            .filter(|(name, t)| {
                name.as_str() != table
                    && t.constraints
                        .values()
                        .any(|c| c.foreign_to.as_deref() == Some(table))
            })
            .map(|(n, _)| n.clone())
            .collect();
        v.sort();
        v
    }

    /// Whether a validated `CHECK (col IS NOT NULL)` exists on `table`.
    pub fn validated_not_null_check(&self, table: &str, column: &str) -> bool {
        self.tables.get(table).is_some_and(|t| {
            t.constraints
                .values()
                .any(|c| c.validated && c.not_null_of.as_deref() == Some(column))
        })
    }

    fn table_mut(&mut self, key: &str) -> &mut Table {
        self.tables.entry(key.to_string()).or_default()
    }

    fn anon(&mut self) -> String {
        self.anonymous += 1;
        format!("\u{0}anonymous{}", self.anonymous)
    }

    /// Starts a new file.
    pub fn begin_file(&mut self) {
        self.vacated.clear();
    }

    /// Applies one action. `pending` says whether it comes from a file being linted.
    pub fn apply(&mut self, op: &OpKind, pending: bool) {
        match op {
            OpKind::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists,
            } => {
                if *if_not_exists && self.tables.contains_key(&table.key) {
                    return;
                }
                let mut t = Table {
                    new: pending,
                    ..Table::default()
                };
                for c in columns {
                    t.columns.insert(c.name.key.clone(), column_of(c, pending));
                    if let Some(to) = &c.references {
                        t.constraints.insert(
                            format!("{}_{}_fkey", table.key, c.name.key),
                            Constraint {
                                not_null_of: None,
                                foreign_to: Some(to.key.clone()),
                                validated: true,
                            },
                        );
                    }
                }
                for c in constraints {
                    let name = c.name.clone().unwrap_or_else(|| self.anon());
                    t.constraints.insert(name, constraint(&c.kind, true));
                }
                self.tables.insert(table.key.clone(), t);
            }
            OpKind::CreateView {
                view, uses, star, ..
            } => {
                self.views.insert(
                    view.key.clone(),
                    View {
                        new: pending,
                        uses: uses.clone(),
                        star: star.clone(),
                    },
                );
            }
            OpKind::CreateIndex {
                index: Some(index),
                table,
                ..
            } => {
                self.indexes.insert(
                    index.key.clone(),
                    Index {
                        table: table.key.clone(),
                        new: pending,
                    },
                );
            }
            OpKind::DropIndex { indexes, .. } => {
                for i in indexes {
                    self.indexes.remove(&i.key);
                }
            }
            OpKind::Drop { kind, objects, .. } => {
                for o in objects {
                    match kind {
                        DropKind::Table => {
                            if !self.is_new(&o.key) {
                                self.vacated.insert(o.key.clone());
                            }
                            self.tables.remove(&o.key);
                            self.indexes.retain(|_, i| i.table != o.key);
                        }
                        DropKind::View | DropKind::MaterializedView => {
                            self.views.remove(&o.key);
                        }
                        _ => {}
                    }
                }
            }
            OpKind::RenameTable { from, to } => {
                if let Some(v) = self.views.remove(&from.key) {
                    self.views.insert(to.key.clone(), v);
                    return;
                }
                let was_existing = !self.is_new(&from.key);
                let mut t = self.tables.remove(&from.key).unwrap_or_default();
                if was_existing {
                    self.vacated.insert(from.key.clone());
                }
                if self.vacated.contains(&to.key) {
                    t.new = false;
                }
                for i in self.indexes.values_mut() {
                    if i.table == from.key {
                        i.table = to.key.clone();
                    }
                }
                self.tables.insert(to.key.clone(), t);
            }
            OpKind::AddColumn { table, col, .. } => {
                let c = column_of(col, pending);
                let t = self.table_mut(&table.key);
                t.columns.insert(col.name.key.clone(), c);
                if let Some(to) = &col.references {
                    t.constraints.insert(
                        format!("{}_{}_fkey", table.key, col.name.key),
                        Constraint {
                            not_null_of: None,
                            foreign_to: Some(to.key.clone()),
                            validated: true,
                        },
                    );
                }
            }
            OpKind::DropColumn { table, col, .. } => {
                if let Some(t) = self.tables.get_mut(&table.key) {
                    t.columns.remove(&col.key);
                }
            }
            OpKind::RenameColumn { table, from, to } => {
                if let Some(t) = self.tables.get_mut(&table.key) {
                    if let Some(c) = t.columns.remove(&from.key) {
                        t.columns.insert(to.key.clone(), c);
                    }
                }
            }
            OpKind::ChangeType { table, col, ty: dt } => {
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key)
                    .and_then(|t| t.columns.get_mut(&col.key))
                {
                    c.ty = ty(dt);
                }
            }
            OpKind::ModifyColumn { table, col } => {
                let added = self
                    .column(&table.key, &col.name.key)
                    .is_some_and(|c| c.added);
                let c = column_of(col, added);
                self.table_mut(&table.key)
                    .columns
                    .insert(col.name.key.clone(), c);
            }
            OpKind::SetNotNull { table, col } | OpKind::DropNotNull { table, col } => {
                let set = matches!(op, OpKind::SetNotNull { .. });
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key)
                    .and_then(|t| t.columns.get_mut(&col.key))
                {
                    c.not_null = set;
                }
            }
            OpKind::SetDefault { table, col } | OpKind::DropDefault { table, col } => {
                let set = matches!(op, OpKind::SetDefault { .. });
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key)
                    .and_then(|t| t.columns.get_mut(&col.key))
                {
                    c.has_default = set;
                }
            }
            OpKind::AddConstraint {
                table,
                cons,
                not_valid,
            } => {
                let name = cons.name.clone().unwrap_or_else(|| self.anon());
                let c = constraint(&cons.kind, !*not_valid);
                self.table_mut(&table.key).constraints.insert(name, c);
            }
            OpKind::ValidateConstraint { table, name } => {
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key)
                    .and_then(|t| t.constraints.get_mut(name))
                {
                    c.validated = true;
                }
            }
            OpKind::DropConstraint { table, name } => {
                if let Some(t) = self.tables.get_mut(&table.key) {
                    t.constraints.remove(name);
                }
            }
            _ => {}
        }
    }
}

fn constraint(kind: &ConsKind, validated: bool) -> Constraint {
    match kind {
        ConsKind::Check { not_null_of } => Constraint {
            not_null_of: not_null_of.clone(),
            foreign_to: None,
            validated,
        },
        ConsKind::ForeignKey { to, .. } => Constraint {
            not_null_of: None,
            foreign_to: Some(to.key.clone()),
            validated,
        },
        _ => Constraint {
            not_null_of: None,
            foreign_to: None,
            validated: true,
        },
    }
}
