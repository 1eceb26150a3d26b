//! `identifier-too-long`: PostgreSQL silently truncates names to 63 bytes (two long names can
//! collide); MySQL refuses names over 64 characters.

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "identifier-too-long",
    summary: "a created name longer than the database allows (PostgreSQL 63 bytes, MySQL 64 characters)",
    severity: Severity::Info,
    phase: None,
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[
        pg(
            Severity::Info,
            None,
            "PostgreSQL silently truncates it to 63 bytes, so two long names can collide and tools see a different name",
            "use a name of at most 63 bytes",
        ),
        my(
            Severity::Error,
            None,
            "MySQL refuses names longer than 64 characters, so the migration fails",
            "use a name of at most 64 characters",
        ),
    ],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn created(op: &OpKind) -> Vec<String> {
    let mut names = Vec::new();
    match op {
        OpKind::CreateTable {
            table,
            columns,
            constraints,
            ..
        } => {
            names.push(table.key.clone());
            names.extend(columns.iter().map(|c| c.name.key.clone()));
            names.extend(constraints.iter().filter_map(|c| c.name.clone()));
        }
        OpKind::CreateView { view, .. } => names.push(view.key.clone()),
        OpKind::CreateIndex { index: Some(i), .. } => names.push(i.key.clone()),
        OpKind::AddColumn { col, .. } => names.push(col.name.key.clone()),
        OpKind::RenameTable { to, .. } | OpKind::RenameColumn { to, .. } => names.push(to.key.clone()),
        OpKind::AddConstraint { cons, .. } => names.extend(cons.name.clone()),
        OpKind::CreateEnum { name } => names.push(name.key.clone()),
        _ => {}
    }
    names
}

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    for op in ctx.ops() {
        for name in created(&op.kind) {
            let too_long = match ctx.dialect {
                Dialect::Postgres => name.len() > 63,
                Dialect::Mysql => name.chars().count() > 64,
                Dialect::Sqlite => false,
            };
            if too_long {
                out.report(
                    op.at,
                    format!("the name {name} is {} bytes long", name.len()),
                );
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
            "identifier-too-long",
            vec![
                bad(PG, "CREATE INDEX CONCURRENTLY orders_customer_id_created_at_status_shipping_country_region_idx ON orders (customer_id);"),
                good(PG, "CREATE INDEX CONCURRENTLY orders_customer_created_idx ON orders (customer_id);"),
                bad(MY, "ALTER TABLE orders ADD COLUMN customer_preferred_delivery_window_start_time_in_local_timezone_x BIGINT;"),
                good(MY, "ALTER TABLE orders ADD COLUMN delivery_window_start BIGINT;"),
            ],
        );
    }
}
