//! `tidemark`: the command-line shell around the ledger and the engine.
//!
//! args -> settings -> one command (a file in `commands/`) -> render. Exit codes and the final
//! error message live here and nowhere else: 0 success, 1 the command failed (files, database,
//! validation), 2 usage or configuration.

mod args;
mod commands;
mod connect;
mod failure;
mod numbering;
mod output;
mod render;
mod settings;
mod url;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use args::{CliError, Command};
use commands::Context;
use failure::Failure;
use output::Output;
use settings::Format;

fn main() -> ExitCode {
    // Non-UTF-8 variables cannot hold settings; skip them rather than panic.
    let env: BTreeMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let argv: Vec<OsString> = std::env::args_os().collect();
    let json_requested = wants_json(&argv, &env);
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => {
            return fail(
                &Failure::usage(format!("cannot read the current directory: {e}")),
                json_requested,
                &[],
            );
        }
    };
    let invocation = match args::parse(argv, &env, &cwd) {
        Ok(invocation) => invocation,
        Err(CliError::Clap(e)) => e.exit(),
        Err(e) => return fail(&Failure::usage(e.to_string()), json_requested, &[]),
    };
    let settings = &invocation.settings;
    if settings.debug {
        for note in &invocation.notes {
            eprintln!("DEBUG: {note}");
        }
    }
    let url_password = url::DatabaseUrl::parse(&settings.url)
        .ok()
        .and_then(|u| u.password().map(str::to_string));
    // Masking a one- or two-character password would garble every message.
    let secrets: Vec<String> = settings
        .password
        .iter()
        .chain(url_password.iter())
        .filter(|p| p.len() >= 3)
        .cloned()
        .collect();
    let mut ctx = Context {
        settings,
        cwd,
        out: Output::new(settings.format, settings.quiet),
        exits_after: true,
    };
    if settings.format.is_findings_only() && !reports_findings(&invocation.command) {
        let failure = Failure::usage(
            "--format junit, github and sarif are for the commands that report findings: validate, lint, check",
        );
        return fail(&failure, false, &secrets);
    }
    let result = match invocation.command {
        // A configured changelog (--changelog-file, liquibase.properties, tidemark.toml) means
        // Liquibase mode for every command.
        command if commands::liquibase::is_liquibase_mode(settings) => {
            commands::liquibase::run(&mut ctx, command, &invocation.defines)
        }
        Command::Liquibase(command) => commands::liquibase::without_changelog(&mut ctx, command),
        Command::Migrate(args) => commands::migrate::run(&mut ctx, &args),
        Command::Info(args) => commands::info::run(&mut ctx, &args),
        Command::Validate => commands::validate::run(&mut ctx),
        Command::Baseline => commands::baseline::run(&mut ctx),
        Command::Repair => commands::repair::run(&mut ctx),
        Command::Clean => commands::clean::run(&mut ctx),
        Command::Undo(args) => commands::undo::run(&mut ctx, &args),
        Command::Diff(args) => commands::diff::run(&mut ctx, &args),
        Command::New(args) => commands::new::run(&mut ctx, &args),
        Command::UndoScript(args) => commands::undo_script::run(&mut ctx, &args),
        Command::Plan(args) => commands::plan::run(&mut ctx, &args),
        Command::Lint(args) => commands::lint::run(&mut ctx, &args),
        Command::Check(args) => commands::check::run(&mut ctx, &args),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Adopt(args) => commands::adopt::run(&mut ctx, &args),
        Command::Rehearse(args) => commands::rehearse::run(&mut ctx, &args),
        Command::Schema(args) => commands::schema::run(&mut ctx, &args),
        Command::Drift(args) => commands::drift::run(&mut ctx, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure, settings.format == Format::Json, &secrets),
    }
}

/// Whether a command reports findings (and so takes the CI report formats).
fn reports_findings(command: &Command) -> bool {
    matches!(
        command,
        Command::Validate | Command::Lint(_) | Command::Check(_)
    )
}

/// Prints the failure (text to stderr, JSON to stdout) and returns its exit code. Any known
/// secret that slipped into a message is masked on the way out.
fn fail(failure: &Failure, json: bool, secrets: &[String]) -> ExitCode {
    if failure.message.is_empty() {
        // The command printed its report already (Failure::reported).
        return ExitCode::from(failure.exit);
    }
    let mask = |s: &str| {
        secrets.iter().fold(s.to_string(), |acc, secret| {
            acc.replace(secret.as_str(), "***")
        })
    };
    let message = mask(&failure.message);
    if json {
        let mut doc = serde_json::json!({
            "error": { "code": failure.code, "errorCode": failure.code, "message": message }
        });
        if let (Some(details), Some(obj)) = (&failure.details, doc.as_object_mut()) {
            if let Some(extra) = details.as_object() {
                for (k, v) in extra {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        let text = mask(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    } else {
        use std::io::IsTerminal;
        let on = output::colours(std::io::stderr().is_terminal());
        let _ = writeln!(
            std::io::stderr().lock(),
            "{} {message}",
            output::paint("ERROR:", 31, on)
        );
    }
    ExitCode::from(failure.exit)
}

/// Whether JSON output was asked for, judged from the raw arguments (used for errors that happen
/// before the settings are known).
fn wants_json(argv: &[OsString], env: &BTreeMap<String, String>) -> bool {
    let args: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().to_ascii_lowercase())
        .collect();
    let flag = args
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json")
        || args
            .iter()
            .any(|a| a == "--format=json" || a == "-outputtype=json");
    let var = [
        "TIDEMARK_FORMAT",
        "TIDEMARK_OUTPUT_TYPE",
        "FLYWAY_OUTPUT_TYPE",
    ]
    .iter()
    .any(|k| env.get(*k).is_some_and(|v| v.eq_ignore_ascii_case("json")));
    flag || var
}
