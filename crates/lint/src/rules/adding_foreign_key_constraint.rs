//! `adding-foreign-key-constraint`: a validated FOREIGN KEY scans the referencing table while
//! holding SHARE ROW EXCLUSIVE on *both* tables. `ADD COLUMN ... REFERENCES` on a brand-new
//! column needs no scan (every value is NULL) and is not reported.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "adding-foreign-key-constraint",
    summary: "ADD FOREIGN KEY without NOT VALID on a table with rows",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Warning,
        Some("SHARE ROW EXCLUSIVE on both tables for a full scan"),
        "writes to the referencing and the referenced table wait while every row is checked",
        "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID (brief lock on both), then VALIDATE CONSTRAINT in a later migration (writes go on)",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        if let OpKind::AddConstraint {
            table,
            cons,
            not_valid: false,
        } = &op.kind
        {
            if let ConsKind::ForeignKey { to, .. } = &cons.kind {
                if ctx.busy(&table.key) {
                    out.report(
                        op.at,
                        format!("{} referencing {}", op.kind.describe(), to.display),
                    );
                }
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
            "adding-foreign-key-constraint",
            vec![
                bad(PG, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"),
                bad(PG, "ALTER TABLE orders ADD COLUMN user_id bigint;")
                    .then("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"),
                good(PG, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"),
                good(PG, "ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);"),
                good(PG, "CREATE TABLE orders (id bigint, user_id bigint);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"),
            ],
        );
    }
}
