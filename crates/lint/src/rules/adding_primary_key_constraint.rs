//! `adding-primary-key-constraint`: `ADD PRIMARY KEY` builds the index (and checks NOT NULL)
//! under ACCESS EXCLUSIVE.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "adding-primary-key-constraint",
    summary: "ADD PRIMARY KEY without USING INDEX on a table with rows",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("ACCESS EXCLUSIVE while the index is built and NOT NULL is checked"),
        "reads and writes wait for the whole index build and scan",
        "make the columns NOT NULL first (via a validated CHECK), CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        match &op.kind {
            OpKind::AddConstraint { table, cons, .. }
                if matches!(cons.kind, ConsKind::PrimaryKey { using_index: false })
                    && ctx.busy(&table.key) =>
            {
                out.report(op.at, op.kind.describe())
            }
            OpKind::AddColumn { table, col, .. } if col.primary_key && ctx.busy(&table.key) => {
                out.report(
                    col.at,
                    format!("ADD COLUMN {} PRIMARY KEY to {}", col.name.display, table.display),
                )
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "adding-primary-key-constraint",
            vec![
                bad(PG, "ALTER TABLE events ADD PRIMARY KEY (id);"),
                good(PG, "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_uidx;"),
                good(PG, "CREATE TABLE events (id bigint NOT NULL);\nALTER TABLE events ADD PRIMARY KEY (id);"),
            ],
        );
    }
}
