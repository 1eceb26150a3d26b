//! `require-table-schema` (opt-in): unqualified table names resolve through `search_path`,
//! which differs between sessions, tools and poolers.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "require-table-schema",
    summary: "a table name without its schema (opt-in)",
    severity: Severity::Info,
    phase: None,
    default_enabled: false,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Info,
        None,
        "it resolves through search_path, which can differ between the migration session and the application",
        "qualify it: schema.table",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn table(op: &OpKind) -> Option<&crate::model::Obj> {
    match op {
        OpKind::CreateTable { table, .. }
        | OpKind::CreateIndex { table, .. }
        | OpKind::AddColumn { table, .. }
        | OpKind::DropColumn { table, .. }
        | OpKind::RenameColumn { table, .. }
        | OpKind::ChangeType { table, .. }
        | OpKind::SetNotNull { table, .. }
        | OpKind::DropNotNull { table, .. }
        | OpKind::SetDefault { table, .. }
        | OpKind::DropDefault { table, .. }
        | OpKind::AddConstraint { table, .. }
        | OpKind::ValidateConstraint { table, .. }
        | OpKind::DropConstraint { table, .. }
        | OpKind::AlterTableOther { table, .. }
        | OpKind::CreateTrigger { table, .. }
        | OpKind::Dml { table, .. } => Some(table),
        OpKind::RenameTable { from, .. } => Some(from),
        OpKind::Drop {
            kind: DropKind::Table,
            objects,
            ..
        } => objects.first(),
        _ => None,
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let Some(t) = table(&op.kind) {
            if !t.qualified {
                out.report(op.at, format!("{} names {} without a schema", op.kind.describe(), t.display));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "require-table-schema",
            vec![
                bad(PG, "ALTER TABLE orders ADD COLUMN note text;"),
                good(PG, "ALTER TABLE public.orders ADD COLUMN note text;"),
            ],
        );
    }
}
