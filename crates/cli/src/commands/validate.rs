//! `tidemark validate`: compare the files with the history table (Flyway's `validate`).

use serde_json::json;
use tidemark_engine::ReadAheadMode;

use super::{Context, with_engine_configured};
use crate::failure::Failure;
use crate::render;
use crate::render::findings::{Finding, Severity};

/// Validation findings in the shape every checking command reports.
pub fn as_findings(
    findings: &[tidemark_ledger::validate::Finding],
    cwd: &std::path::Path,
) -> Vec<Finding> {
    findings
        .iter()
        .map(|f| Finding {
            rule: f.code.as_str().to_string(),
            severity: Severity::Error,
            message: match &f.detail {
                Some(detail) => format!("{}\n{}", f.message, detail.trim_end()),
                None => f.message.clone(),
            },
            help: None,
            file: f.path.as_ref().map(|p| super::display_path(p, cwd)),
            line: None,
            column: None,
        })
        .collect()
}

/// Runs the command.
pub fn run(ctx: &mut Context<'_>) -> Result<(), Failure> {
    let cwd = ctx.cwd.clone();
    // The history is this command's first read: read it while the files load.
    let ahead = |c: &mut tidemark_engine::Config| c.read_ahead = ReadAheadMode::History;
    let outcome = with_engine_configured(ctx, ahead, |engine| Ok(engine.validate()))?;
    if ctx.out.format.is_findings_only() {
        let findings = match &outcome {
            Err(tidemark_engine::Error::Validate(findings)) => as_findings(findings, &cwd),
            _ => Vec::new(),
        };
        print!(
            "{}",
            render::findings::render(ctx.out.format, "tidemark validate", &findings)
        );
    }
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
