//! `ban-duplicate-column-assignments`: the same column declared, added or assigned twice in
//! one statement; the database rejects it.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "ban-duplicate-column-assignments",
    summary: "the same column declared, added, assigned or listed twice in one statement",
    severity: Severity::Error,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &all(
        Severity::Error,
        None,
        "the database rejects the statement, so the migration fails",
        "name each column once",
    ),
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    let mut added: Vec<&str> = Vec::new();
    let report = |at: usize, names: Vec<&crate::model::Obj>, what: &str, out: &mut Sink| {
        let mut seen: Vec<&str> = Vec::new();
        for n in names {
            if seen.contains(&n.key.as_str()) {
                out.report(at, format!("column {} appears twice in {what}", n.display));
                return;
            }
            seen.push(&n.key);
        }
    };
    for op in ctx.ops() {
        match &op.kind {
            OpKind::CreateTable { table, columns, .. } => report(
                op.at,
                columns.iter().map(|c| &c.name).collect(),
                &format!("CREATE TABLE {}", table.display),
                out,
            ),
            OpKind::Dml { columns, .. } => {
                report(op.at, columns.iter().collect(), &op.kind.describe(), out)
            }
            OpKind::AddColumn { col, table, .. } => {
                if added.contains(&col.name.key.as_str()) {
                    out.report(
                        col.at,
                        format!("column {} is added twice to {}", col.name.display, table.display),
                    );
                }
                added.push(&col.name.key);
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
            "ban-duplicate-column-assignments",
            vec![
                bad(PG, "UPDATE users SET plan = 'free', plan = 'pro' WHERE id = 1;"),
                good(PG, "UPDATE users SET plan = 'free', tier = 1 WHERE id = 1;"),
                bad(MY, "INSERT INTO users (id, email, email) VALUES (1, 'a', 'b');"),
                good(MY, "INSERT INTO users (id, email) VALUES (1, 'a');"),
                bad(LITE, "CREATE TABLE t (id INTEGER, name TEXT, name TEXT);"),
                good(LITE, "CREATE TABLE t (id INTEGER, name TEXT);"),
            ],
        );
    }
}
