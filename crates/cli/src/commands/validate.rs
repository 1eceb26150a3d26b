//! `tidemark validate`: compare the files with the history table (Flyway's `validate`).

use serde_json::json;

use super::{Context, with_engine};
use crate::failure::Failure;

/// Runs the command.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let outcome = with_engine(ctx, |engine| Ok(engine.validate()))?;
    match outcome {
        Ok(count) => {
            let doc = json!({
                "operation": "validate",
                "validationSuccessful": true,
                "validateCount": count,
                "errorDetails": null,
                "invalidMigrations": [],
                "warnings": ctx.out.warnings,
            });
            ctx.out.json(&doc);
            Ok(())
        }
        Err(tidemark_engine::Error::Validate(findings)) => {
            let invalid: Vec<_> = findings
                .iter()
                .map(|f| {
                    json!({
                        "version": f.version,
                        "description": f.description,
                        "filepath": f.path.as_ref().map(|p| p.display().to_string()),
                        "errorDetails": { "errorCode": f.code.as_str(), "errorMessage": f.message },
                    })
                })
                .collect();
            let mut failure = Failure::from(tidemark_engine::Error::Validate(findings));
            failure.details = Some(json!({ "invalidMigrations": invalid }));
            Err(failure)
        }
        Err(e) => Err(e.into()),
    }
}
