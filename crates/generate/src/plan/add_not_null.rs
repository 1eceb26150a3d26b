//! Add a NOT NULL column with a default to a table that has rows and traffic.
//!
//! With a constant default it is one expand step everywhere: PostgreSQL 11+, MySQL 8 and
//! MariaDB 10.3+ store the default once instead of rewriting the table, SQLite reads it from the
//! schema, and old code's INSERTs get the default. An expression default (`now()`,
//! `gen_random_uuid()`) would be evaluated for every existing row under the table lock, so the
//! general plan adds the column nullable, sets the default for new rows, backfills the old ones
//! in batches, and only then makes it NOT NULL: on PostgreSQL through a `CHECK ... NOT VALID`,
//! validated without blocking writes, so `SET NOT NULL` needs no scan. SQLite cannot add NOT
//! NULL to an existing column without rebuilding the table, so it takes constants only.

use sqlparser::ast::{CastKind, Expr, UnaryOperator, Value};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use tidemark_ledger::phase::Phase;
use tidemark_sql::Dialect;

use super::{Step, Target, batched_update, check_options, finish};
use crate::ident::Ident;
use crate::undo::parser_dialect;
use crate::{Fragment, GenerateError, PlanOptions, PlannedFile};

/// Add `table.column TYPE NOT NULL DEFAULT default_expr`: one expand file for a constant
/// default; otherwise expand (nullable column with the default), a batched backfill, and the
/// NOT NULL step (PostgreSQL: check NOT VALID, validate, SET NOT NULL; MySQL: MODIFY). SQLite:
/// constant defaults only.
pub fn add_not_null_column(
    dialect: Dialect,
    table: &str,
    column: &str,
    column_type: &str,
    default_expr: &str,
    options: &PlanOptions,
) -> Result<Vec<PlannedFile>, GenerateError> {
    let key = check_options(dialect, options)?;
    let target = Target::new(dialect, table)?;
    let column = Ident::parse("column", column)?;
    let ty = Fragment::parse(dialect, "type", column_type)?;
    let default = Fragment::parse(dialect, "default expression", default_expr)?;
    let kind = classify(dialect, &default)?;
    let (t, c) = (target.t(), target.c(&column));
    let raw = column.raw();
    let title = format!(
        "Add {}.{raw} NOT NULL DEFAULT {default}",
        target.table.raw()
    );
    let slug = ["add", target.table_raw(), raw];
    let drop_it = format!("ALTER TABLE {t} DROP COLUMN {c};");

    if kind == Kind::Constant {
        let step = Step::new(Phase::Expand, "expand")
            .does(format!(
                "add {raw} with its constant default in one statement: existing rows read the default without a table rewrite, and old code's INSERTs get it too."
            ))
            .next("Nothing else to deploy: this is the whole change. New code can use the column as soon as this is applied.")
            .sql(format!(
                "ALTER TABLE {t} ADD COLUMN {c} {ty} NOT NULL DEFAULT {default};"
            ))
            .undo(format!("drop {raw}."), vec![drop_it]);
        return Ok(finish(&title, &slug, vec![step], options));
    }
    if dialect == Dialect::Sqlite {
        return Err(GenerateError::Unsupported {
            plan: "add-not-null-column",
            dialect,
            reason: Some(format!(
                "SQLite adds a NOT NULL column only with a constant default, and cannot make a column NOT NULL later without rebuilding the table; '{default}' is not a constant"
            )),
        });
    }

    let default_sql = match dialect {
        Dialect::Mysql => format!("({default})"),
        _ => default.to_string(),
    };
    let mut expand = Step::new(Phase::Expand, "expand")
        .does(format!(
            "add {raw} as a nullable column and give it the default for new rows only (setting a default on an existing column rewrites nothing)."
        ))
        .next("Next: apply the backfill (step 2). Old code keeps working: its INSERTs get the default.")
        .undo(format!("drop {raw}."), vec![drop_it]);
    expand = match dialect {
        Dialect::Mysql => expand.sql(format!("ALTER TABLE {t} ADD COLUMN {c} {ty} NULL;")),
        _ => expand.sql(format!("ALTER TABLE {t} ADD COLUMN {c} {ty};")),
    };
    expand = expand.sql(format!(
        "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default_sql};"
    ));

    // Rows whose default evaluates to NULL are left alone, so the backfill always ends; the
    // NOT NULL step then reports them.
    let backfill = Step::new(Phase::Backfill, "backfill")
        .does(format!(
            "fill {raw} in the existing rows with the default, in batches, each in its own transaction; filled rows are skipped, so an interrupted run continues where it stopped."
        ))
        .next("Next: apply the next step, which checks that no NULL is left.")
        .sql(batched_update(
            &target,
            &key,
            &format!("{c} = {default}"),
            &format!("{c} IS NULL AND ({default}) IS NOT NULL"),
        ))
        .batched()
        .undo(
            format!("nothing to reverse: the values go with {raw} when step 1 is undone."),
            Vec::new(),
        );

    let steps = match dialect {
        Dialect::Postgres => {
            let check = target.bare(&[target.table_raw(), raw, "not_null"]);
            let add_check = Step::new(Phase::Backfill, "check")
                .does(format!(
                    "add CHECK ({raw} IS NOT NULL) NOT VALID: new writes are checked from now on, existing rows are not scanned, and the lock is brief."
                ))
                .next("Next: apply the next step, which validates the check.")
                .sql(format!(
                    "ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;"
                ))
                .undo(
                    "drop the check.",
                    vec![format!("ALTER TABLE {t} DROP CONSTRAINT {check};")],
                );
            let validate = Step::new(Phase::Backfill, "validate")
                .does(format!(
                    "validate the check: a scan that lets reads and writes continue (SHARE UPDATE EXCLUSIVE). It fails if a row still has a NULL {raw}: fill it, then re-run."
                ))
                .next(format!(
                    "Next: deploy code that never writes NULL into {raw}, then apply the contract."
                ))
                .sql(format!("ALTER TABLE {t} VALIDATE CONSTRAINT {check};"))
                .undo(
                    "nothing to reverse: a validated check is dropped like any other when the previous step is undone.",
                    Vec::new(),
                );
            let contract = Step::new(Phase::Contract, "contract")
                .does(format!(
                    "make {raw} NOT NULL (the validated check proves it, so there is no scan) and drop the check, now redundant."
                ))
                .next(format!(
                    "Deploy first: code that never writes NULL into {raw}."
                ))
                .sql(format!("ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;"))
                .sql(format!("ALTER TABLE {t} DROP CONSTRAINT {check};"))
                .undo(
                    format!("put the check back and make {raw} nullable again."),
                    vec![
                        format!("ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL);"),
                        format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;"),
                    ],
                );
            vec![expand, backfill, add_check, validate, contract]
        }
        _ => {
            let contract = Step::new(Phase::Contract, "contract")
                .does(format!(
                    "make {raw} NOT NULL. InnoDB rebuilds the table in place and lets reads and writes continue; it fails if a row still has a NULL {raw}."
                ))
                .next(format!(
                    "Deploy first: code that never writes NULL into {raw}."
                ))
                .sql(format!(
                    "-- MySQL has no cheaper way to add NOT NULL: the rebuild runs in place and lets reads and\n-- writes continue, so the rule that warns about it is waived here.\n-- tidemark:allow=adding-not-nullable-field\nALTER TABLE {t} MODIFY COLUMN {c} {ty} NOT NULL DEFAULT {default_sql};"
                ))
                .undo(
                    format!("make {raw} nullable again."),
                    vec![format!(
                        "ALTER TABLE {t} MODIFY COLUMN {c} {ty} NULL DEFAULT {default_sql};"
                    )],
                );
            vec![expand, backfill, contract]
        }
    };
    Ok(finish(&title, &slug, steps, options))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A literal: the one-step form is safe.
    Constant,
    /// Anything else, or something the parser cannot read.
    Expression,
}

/// Whether the default is a literal the dialect stores once for existing rows.
fn classify(dialect: Dialect, default: &Fragment) -> Result<Kind, GenerateError> {
    let parser_dialect = parser_dialect(dialect);
    let parsed = Parser::new(parser_dialect.as_ref())
        .try_with_sql(default.as_str())
        .and_then(|mut p| {
            let expr = p.parse_expr()?;
            Ok((expr, p.peek_token().token == Token::EOF))
        });
    let Ok((expr, true)) = parsed else {
        return Ok(Kind::Expression);
    };
    if is_null(&expr) {
        return Err(GenerateError::InvalidFragment {
            what: "default expression",
            value: default.to_string(),
            reason: "a NOT NULL column needs a default that is not NULL".into(),
        });
    }
    Ok(if is_constant(dialect, &expr) {
        Kind::Constant
    } else {
        Kind::Expression
    })
}

fn is_null(expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => v.value == Value::Null,
        Expr::Nested(inner) => is_null(inner),
        Expr::Cast { expr, .. } => is_null(expr),
        _ => false,
    }
}

fn is_constant(dialect: Dialect, expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => matches!(
            v.value,
            Value::Number(..)
                | Value::SingleQuotedString(_)
                | Value::Boolean(_)
                | Value::EscapedStringLiteral(_)
                | Value::NationalStringLiteral(_)
                | Value::HexStringLiteral(_)
        ),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => matches!(&**expr, Expr::Value(v) if matches!(v.value, Value::Number(..))),
        // SQLite refuses any parenthesised default in ADD COLUMN; MySQL needs parentheses
        // around a cast, which makes it an expression default.
        Expr::Nested(inner) => dialect == Dialect::Postgres && is_constant(dialect, inner),
        Expr::Cast {
            kind: CastKind::Cast | CastKind::DoubleColon,
            expr,
            ..
        } => dialect == Dialect::Postgres && is_constant(dialect, expr),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(d: Dialect, text: &str) -> Result<Kind, GenerateError> {
        classify(d, &Fragment::parse(d, "default", text).unwrap())
    }

    #[test]
    fn constants_and_expressions() {
        use Dialect::*;
        for d in [Postgres, Mysql, Sqlite] {
            for c in ["'free'", "0", "-1", "1.5", "true"] {
                assert_eq!(kind(d, c).unwrap(), Kind::Constant, "{d}: {c}");
            }
            for e in [
                "now()",
                "gen_random_uuid()",
                "1 + 1",
                "CURRENT_TIMESTAMP",
                "lower(name)",
            ] {
                assert_eq!(kind(d, e).unwrap(), Kind::Expression, "{d}: {e}");
            }
            assert!(kind(d, "NULL").is_err());
        }
        assert_eq!(kind(Postgres, "'free'::text").unwrap(), Kind::Constant);
        assert_eq!(kind(Mysql, "CAST(1 AS SIGNED)").unwrap(), Kind::Expression);
        assert_eq!(kind(Sqlite, "(1)").unwrap(), Kind::Expression);
    }
}
