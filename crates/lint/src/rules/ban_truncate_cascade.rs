//! `ban-truncate-cascade`: PostgreSQL's `TRUNCATE ... CASCADE` empties every table with a
//! foreign key to the target, whatever they are; MySQL has no CASCADE and refuses to truncate a
//! table that other tables reference.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-truncate-cascade",
    summary: "TRUNCATE ... CASCADE (PostgreSQL); TRUNCATE of a referenced table (MySQL)",
    severity: Severity::Error,
    phase: Some(Phase::Contract),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Error,
            Some("ACCESS EXCLUSIVE on every cascaded table"),
            "every table referencing it is emptied too, whichever they are",
            "name every table to empty explicitly, without CASCADE",
        ),
        my(
            Severity::Error,
            None,
            "MySQL refuses to TRUNCATE a table other tables reference by a foreign key (error 1701)",
            "DELETE in batches, or drop the foreign keys first",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let OpKind::Truncate { tables, cascade } = &op.kind else {
            continue;
        };
        match ctx.dialect {
            Dialect::Postgres if *cascade => out.report(op.at, format!("{} CASCADE", op.kind.describe())),
            Dialect::Mysql => {
                for t in tables {
                    let refs = ctx.schema.referencing(&t.key);
                    if !refs.is_empty() {
                        out.report(
                            op.at,
                            format!("TRUNCATE {} (referenced by {})", t.display, refs.join(", ")),
                        );
                    }
                }
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
            "ban-truncate-cascade",
            vec![
                bad(PG, "TRUNCATE users CASCADE;"),
                good(PG, "TRUNCATE import_staging;"),
                bad(MY, "TRUNCATE TABLE users;")
                    .after("CREATE TABLE users (id BIGINT PRIMARY KEY);\nCREATE TABLE orders (id BIGINT, user_id BIGINT, FOREIGN KEY (user_id) REFERENCES users (id));"),
                good(MY, "TRUNCATE TABLE import_staging;")
                    .after("CREATE TABLE import_staging (id BIGINT);"),
            ],
        );
    }
}
