//! `add-column-auto-increment`: an auto-numbered column needs a value for every existing row
//! at once (squawk misses `serial`: it only checks identity).

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "add-column-auto-increment",
    summary: "ADD COLUMN serial/bigserial/identity (PostgreSQL), AUTO_INCREMENT (MySQL), PRIMARY KEY or AUTOINCREMENT (SQLite)",
    severity: Severity::Warning,
    phase: Some(Phase::Expand),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Warning,
            Some("ACCESS EXCLUSIVE while the table and its indexes are rewritten"),
            "every row gets a sequence value in one rewrite; reads and writes wait for all of it",
            "create a new table and copy, or add a nullable bigint column, SET DEFAULT nextval(...) for new rows and backfill old rows in batches",
        ),
        my(
            Severity::Warning,
            Some("an in-place rebuild with DML blocked (LOCK=SHARED)"),
            "writes are blocked while every row is numbered and the table rebuilt",
            "create a new table with the column and copy (or gh-ost), or number rows in batches into a plain column",
        ),
        lite(
            Severity::Error,
            None,
            "SQLite refuses ADD COLUMN with PRIMARY KEY or AUTOINCREMENT (\"Cannot add a PRIMARY KEY column\")",
            "rebuild the table (create with the column, copy, drop, rename) in one transaction",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        let OpKind::AddColumn { table, col, .. } = &op.kind else {
            continue;
        };
        let hit = match ctx.dialect {
            Dialect::Postgres => {
                ctx.busy(&table.key)
                    && (col.identity
                        || matches!(
                            types::ty(&col.ty),
                            Ty::Serial | Ty::BigSerial | Ty::SmallSerial
                        ))
            }
            Dialect::Mysql => ctx.busy(&table.key) && col.auto_increment,
            Dialect::Sqlite => col.auto_increment || col.primary_key,
        };
        if hit {
            let kind = if col.identity {
                "an identity".to_string()
            } else if col.auto_increment {
                "an auto-increment".to_string()
            } else if col.primary_key {
                "a primary key".to_string()
            } else {
                format!("a {}", col.ty.to_string().to_lowercase())
            };
            out.report(col.at, format!("{} as {kind} column", op.kind.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "add-column-auto-increment",
            vec![
                bad(PG, "ALTER TABLE events ADD COLUMN seq bigserial;"),
                bad(PG, "ALTER TABLE events ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;"),
                good(PG, "ALTER TABLE events ADD COLUMN seq bigint;"),
                good(PG, "CREATE TABLE events (payload jsonb);\nALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;"),
                bad(MY, "ALTER TABLE events ADD COLUMN seq BIGINT AUTO_INCREMENT UNIQUE;"),
                good(MY, "ALTER TABLE events ADD COLUMN seq BIGINT NULL;"),
                bad(LITE, "ALTER TABLE events ADD COLUMN id INTEGER PRIMARY KEY AUTOINCREMENT;"),
                good(LITE, "ALTER TABLE events ADD COLUMN seq INTEGER;"),
            ],
        );
    }
}
