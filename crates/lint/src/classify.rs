//! The deploy phase of each action, in context.
//!
//! Phase is a property of a statement *in context*, not of its keyword (reference §7, fact 2):
//! a rename followed by a compatibility view is expand, a `DROP VIEW` followed by the same view's
//! `CREATE` is a replacement, a type change is expand when it is a binary-coercible widening and
//! contract otherwise, and data written into a table this set created is part of creating it.
//! `expand` adds, `backfill` moves data or validates, `contract` removes, renames or tightens
//! what the running code uses.

use tidemark_ledger::phase::Phase;

use crate::model::{DmlKind, DropKind, OpKind};
use crate::rules::{Ctx, compat, type_change_is_free};
use crate::types;

use Phase::{Backfill as B, Contract as C, Expand as E};

/// The phase of op `k` of the context's statement, or `None` for actions with no phase
/// (session settings, transaction control, queries).
pub(crate) fn op_phase(ctx: &Ctx<'_>, k: usize) -> Option<Phase> {
    let op = &ctx.ops()[k].kind;
    Some(match op {
        OpKind::CreateTable { .. }
        | OpKind::CreateView { .. }
        | OpKind::CreateIndex { .. }
        | OpKind::CreateTrigger { .. }
        | OpKind::CreateDomain { .. }
        | OpKind::CreateEnum { .. }
        | OpKind::AddEnumValue { .. }
        | OpKind::Create { .. }
        | OpKind::AddColumn { .. }
        | OpKind::AddConstraint { .. }
        | OpKind::DropNotNull { .. }
        | OpKind::SetDefault { .. }
        | OpKind::SetLogged { .. }
        | OpKind::AlterTableOther { .. }
        | OpKind::AlterDomainAddConstraint { .. } => E,
        OpKind::ValidateConstraint { .. }
        | OpKind::RefreshMatView { .. }
        | OpKind::Reindex { .. }
        | OpKind::Cluster { .. }
        | OpKind::Vacuum { .. }
        | OpKind::Rebuild { .. }
        | OpKind::Analyze => B,
        OpKind::Dml { kind, table, .. } => {
            // Seeding or tidying a table this set created is part of creating it.
            let new = ctx.schema.is_new(&table.key);
            if new && *kind != DmlKind::InsertSelect {
                E
            } else {
                B
            }
        }
        OpKind::SetNotNull { .. }
        | OpKind::DropDefault { .. }
        | OpKind::DropColumn { .. }
        | OpKind::DropConstraint { .. }
        | OpKind::Truncate { .. }
        | OpKind::RenameEnumValue { .. }
        | OpKind::DetachPartition { .. } => C,
        OpKind::DropIndex { indexes, .. } => {
            if indexes
                .iter()
                .all(|i| ctx.schema.indexes.get(&i.key).is_some_and(|x| x.new))
            {
                E
            } else {
                C
            }
        }
        OpKind::Drop { kind, objects, .. } => match kind {
            DropKind::View | DropKind::MaterializedView => {
                if objects.iter().all(|o| {
                    compat::view_recreated(ctx, k, &o.key)
                        || ctx.schema.views.get(&o.key).is_some_and(|v| v.new)
                }) {
                    E
                } else {
                    C
                }
            }
            DropKind::Table => {
                if objects
                    .iter()
                    .all(|o| ctx.schema.is_new(&o.key) && !compat::renamed_into(ctx, k, &o.key))
                {
                    E
                } else {
                    C
                }
            }
            _ => C,
        },
        OpKind::RenameTable { from, to } => {
            if ctx.vacated_before(k, &to.key) || compat::renamed_into(ctx, k, &from.key) {
                // A swap: the table behind the name changes under the running code.
                C
            } else if ctx.schema.is_new(&from.key)
                || compat::view_for_table(ctx, k, &from.key).is_some()
            {
                E
            } else {
                C
            }
        }
        OpKind::RenameColumn { table, from, .. } => {
            if ctx.schema.is_new(&table.key)
                || compat::view_for_column(ctx, k, &table.key, &from.key)
            {
                E
            } else {
                C
            }
        }
        OpKind::ChangeType { table, col, ty } => {
            if ctx.schema.is_new(&table.key)
                || type_change_is_free(ctx, &table.key, &col.key, &types::ty(ty)) == Some(true)
            {
                E
            } else {
                C
            }
        }
        OpKind::ModifyColumn { table, col } => {
            // MODIFY restates the whole column: compared with what the set knows of it, it
            // widens (expand), tightens or changes the type (contract), or restates (no phase).
            if ctx.schema.is_new(&table.key) {
                return Some(E);
            }
            let known = ctx.schema.column(&table.key, &col.name.key)?;
            let to = types::ty(&col.ty);
            if (!known.not_null && col.not_null)
                || type_change_is_free(ctx, &table.key, &col.name.key, &to) == Some(false)
            {
                C
            } else if known.ty != to || (known.not_null && !col.not_null) {
                E
            } else {
                return None;
            }
        }
        OpKind::Set { .. }
        | OpKind::Begin
        | OpKind::Commit
        | OpKind::Rollback
        | OpKind::LockTable { .. }
        | OpKind::Neutral
        | OpKind::Other(_) => return None,
    })
}
