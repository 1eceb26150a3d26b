//! `enum-value-used-in-same-transaction`: a value added with `ALTER TYPE ... ADD VALUE` cannot
//! be used before the transaction that added it commits (55P04). Any later statement of the same
//! transaction with the label as a string literal is reported.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Value, visit_expressions};

use super::*;

pub(crate) const INFO: RuleInfo = RuleInfo {
    id: "enum-value-used-in-same-transaction",
    summary: "an enum value used in the transaction that added it",
    severity: Severity::Error,
    phase: Some(Phase::Backfill),
    default_enabled: true,
    breaks_old_code: false,
    dialects: &[pg(
        Severity::Error,
        None,
        "PostgreSQL refuses to use a new enum value before the ADD VALUE commits (55P04 \"unsafe use of new value\"), so the migration fails",
        "commit ADD VALUE first: put it in a migration of its own, and use the value in a later one",
    )],
};

pub(crate) const HOOK: Hook = Hook::Statement(check);

fn check(ctx: &Ctx<'_>, out: &mut Sink) {
    let added: Vec<(String, String)> = ctx
        .same_tx_before()
        .flat_map(|s| s.ops.iter())
        .filter_map(|o| match &o.kind {
            OpKind::AddEnumValue { ty, value, .. } => Some((value.clone(), ty.display.clone())),
            _ => None,
        })
        .collect();
    if added.is_empty() {
        return;
    }
    for ast in ctx.stmt().asts() {
        let mut used: Option<(String, String)> = None;
        let _ = visit_expressions(ast, |e: &Expr| {
            if let Expr::Value(v) = e {
                if let Value::SingleQuotedString(s) = &v.value {
                    if let Some(hit) = added.iter().find(|(label, _)| label == s) {
                        used = Some(hit.clone());
                        return ControlFlow::Break(());
                    }
                }
            }
            ControlFlow::Continue(())
        });
        if let Some((label, ty)) = used {
            out.report(
                ctx.stmt().offset,
                format!("'{label}' is used in the transaction that added it to {ty}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn cases() {
        check(
            "enum-value-used-in-same-transaction",
            vec![
                bad(PG, "-- tidemark:executeInTransaction=true\nALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';\nUPDATE orders SET status = 'refunded' WHERE id = 42;"),
                good(PG, "ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';")
                    .then("UPDATE orders SET status = 'refunded' WHERE id = 42;"),
            ],
        );
    }
}
