//! `tidemark drift`: does the database still look like what its migrations build? Applies every
//! migration to a new scratch database on the same server (a temporary file for SQLite),
//! snapshots both from the catalogs and reports every difference (a column or index added by
//! hand, a changed default, a missing view) as a finding with a unified diff; exit code 1 when
//! they differ. `--against URL` compares two live databases instead (an old server and its
//! upgraded replica before a cut-over). The scratch database is always dropped.

use serde_json::json;
use tidemark_engine::{Collect, Engine};
use tidemark_schema::{Drift, compare};

use super::scratch::Scratch;
use super::{Context, engine_config, schema};
use crate::connect::{self, Connection};
use crate::failure::Failure;
use crate::settings::Format;
use crate::url::DatabaseUrl;

/// Options of `drift`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct DriftArgs {
    /// Compare with this database instead of with the migrations (any URL --url accepts; its
    /// own user and password, else the configured ones).
    #[arg(long, value_name = "URL")]
    pub against: Option<String>,
}

/// Runs the command.
pub fn run(ctx: &mut Context<'_>, args: &DriftArgs) -> Result<(), Failure> {
    use tidemark_engine::Reporter;
    let settings = ctx.settings;
    let cwd = ctx.cwd.clone();
    ctx.out.info_to_stderr = true;
    let Connection {
        driver: mut target,
        description,
    } = connect::connect_read_only(settings, &cwd)?;
    if target.dialect() == tidemark_engine::Dialect::Mysql && settings.schemas.len() > 1 {
        return Err(Failure::usage(
            "drift compares one database on MySQL/MariaDB; configure one schema",
        ));
    }
    ctx.out.info(&format!("Database: {description}"));
    let actual = schema::read(target.as_mut(), settings)?;
    drop(target);

    let (drift, against) = match &args.against {
        Some(url) => {
            let mut other = settings.clone();
            other.url = url.clone();
            let own_user = matches!(
                DatabaseUrl::parse(url).map_err(|e| Failure::usage(e.to_string()))?,
                DatabaseUrl::Postgres { user: Some(_), .. }
                    | DatabaseUrl::Mysql { user: Some(_), .. }
            );
            if own_user {
                other.user = None;
                other.password = None;
            }
            let Connection {
                mut driver,
                description: other_description,
            } = connect::connect_read_only(&other, &cwd)?;
            ctx.out.info(&format!("Against: {other_description}"));
            let theirs = schema::read(driver.as_mut(), &other)?;
            (
                compare(&actual, &theirs, "database", "other database"),
                Some(other_description),
            )
        }
        None => {
            let mut scratch = Scratch::create(settings, &cwd, "drift")?;
            ctx.out.info(&format!(
                "Applying the migrations to the scratch database {} ...",
                scratch.name
            ));
            let expected = {
                let mut config = engine_config(&scratch.settings)?;
                config.dry_run = false;
                let files = super::source(&scratch.settings, &cwd);
                let mut driver = scratch.connect(&cwd)?;
                let mut quiet = Collect::default();
                let outcome = Engine::new(driver.as_mut(), &files, &config, &mut quiet)?.migrate();
                if let Err(failure) = outcome {
                    let mut f = Failure::from(failure.error);
                    f.message = format!(
                        "The migrations do not apply to an empty database, so there is nothing to compare with: {}",
                        f.message
                    );
                    return Err(f);
                }
                schema::read(driver.as_mut(), &scratch.settings)?
            };
            if let Err(e) = scratch.drop_now() {
                ctx.out.warn(&e);
            }
            (compare(&expected, &actual, "migrations", "database"), None)
        }
    };

    let objects = actual.objects.len();
    let plural = if objects == 1 { "" } else { "s" };
    let doc = json!({
        "database": description,
        "against": against,
        "drift": !drift.is_empty(),
        "objects": objects,
        "findings": drift.findings,
        "diff": drift.diff,
    });
    if drift.is_empty() {
        match ctx.out.format {
            Format::Json => ctx.out.json(&doc),
            _ => ctx.out.result(&match &against {
                Some(other) => format!(
                    "No drift: {description} and {other} have the same schema ({objects} object{plural} compared)."
                ),
                None => format!(
                    "No drift: {description} matches its migrations ({objects} object{plural} compared)."
                ),
            }),
        }
        return Ok(());
    }
    if ctx.out.format == Format::Text {
        for line in text(&drift, &description, against.as_deref()) {
            ctx.out.result(&line);
        }
    }
    let mut failure = Failure::failed(
        "DRIFT",
        format!(
            "{} difference{} between the {} and the {}",
            drift.findings.len(),
            if drift.findings.len() == 1 { "" } else { "s" },
            drift.left,
            drift.right
        ),
    );
    failure.details = Some(json!({ "drift": doc }));
    Err(failure)
}

/// The findings, numbered, then each differing object's diff once.
fn text(drift: &Drift, database: &str, against: Option<&str>) -> Vec<String> {
    let mut out = vec![match against {
        Some(other) => format!("Drift between {database} and {other}:"),
        None => format!("Drift: {database} differs from what its migrations build:"),
    }];
    for (i, finding) in drift.findings.iter().enumerate() {
        out.push(format!("  {}. {}", i + 1, finding.message));
    }
    let mut shown = Vec::new();
    for finding in &drift.findings {
        if shown.contains(&finding.object) || finding.diff.is_empty() {
            continue;
        }
        shown.push(finding.object.clone());
        out.push(String::new());
        let diff = finding.diff.strip_suffix('\n').unwrap_or(&finding.diff);
        out.extend(diff.split('\n').map(str::to_string));
    }
    out
}
