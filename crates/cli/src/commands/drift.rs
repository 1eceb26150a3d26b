//! `tidemark drift`: does the database still look like what its migrations build? Applies the
//! migrations to a new scratch database on the same server (a temporary file for SQLite), up to
//! the database's current version when newer ones are pending (they are not drift),
//! snapshots both from the catalogs and reports every difference (a column or index added by
//! hand, a changed default, a missing view) as a finding with a unified diff; exit code 1 when
//! they differ. `--against URL` compares two live databases instead (an old server and its
//! upgraded replica before a cut-over). The scratch database is always dropped.

use serde_json::json;
use tidemark_engine::{Collect, Engine};
use tidemark_ledger::plan::State;
use tidemark_ledger::version::{Target, Version};
use tidemark_schema::{Drift, compare};

use super::plural;
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
    // Compared with what the database has applied, not with migrations still to come.
    let state = match args.against {
        Some(_) => None,
        None => Some(applied_state(settings, &cwd, target.as_mut())?),
    };
    drop(target);

    let (drift, against, applied) = match &args.against {
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
                None,
            )
        }
        None => {
            let mut scratch = Scratch::create(settings, &cwd, "drift")?;
            super::scratch::warn_leftovers(&mut scratch, &mut ctx.out);
            ctx.out.info(&format!(
                "Applying the migrations to the scratch database {} ...",
                scratch.name
            ));
            let applied = state.unwrap_or_default();
            if let Some(note) = applied.note() {
                ctx.out.info(&note);
            }
            let expected = {
                let mut config = engine_config(&scratch.settings)?;
                config.dry_run = false;
                if let Some(version) = &applied.left_out_above {
                    config.plan.target = Target::Version {
                        version: version.clone(),
                        fail_on_missing: false,
                    };
                }
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
            (
                compare(&expected, &actual, "migrations", "database"),
                None,
                Some(applied),
            )
        }
    };

    let objects = actual.objects.len();
    let plural = plural(objects);
    let doc = json!({
        "database": description,
        "against": against,
        "drift": !drift.is_empty(),
        "objects": objects,
        "pendingLeftOut": applied.as_ref().map(|a| a.pending_left_out),
        "pendingIncluded": applied.as_ref().map(|a| a.pending_included),
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
    if let Some(note) = applied.as_ref().and_then(Applied::drift_hint) {
        ctx.out.warn(&note);
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

/// What the database has applied, as far as the comparison with its migrations goes.
#[derive(Debug, Default)]
struct Applied {
    /// The database's current version when migrations above it are pending: the scratch copy
    /// stops there (`None`: every migration is applied to it).
    left_out_above: Option<Version>,
    /// Pending versioned migrations above that version, left out of the comparison.
    pending_left_out: usize,
    /// Pending migrations the scratch copy applies all the same: repeatables, and versions
    /// below the current one (out of order), whose objects the database does not have yet.
    pending_included: usize,
}

impl Applied {
    /// The line said before applying, when anything pending is left out or included.
    fn note(&self) -> Option<String> {
        let left_out = self.left_out_above.as_ref().map(|version| {
            format!(
                "{} pending migration{} above version {version} left out: the database is compared with what it has applied",
                self.pending_left_out,
                plural(self.pending_left_out)
            )
        });
        let included = (self.pending_included > 0).then(|| self.included_text());
        match (left_out, included) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        }
    }

    /// The warning after a drift that pending migrations may explain.
    fn drift_hint(&self) -> Option<String> {
        (self.pending_included > 0).then(|| {
            format!(
                "{}: what they create shows as missing from the database until they are applied",
                self.included_text()
            )
        })
    }

    fn included_text(&self) -> String {
        format!(
            "{} pending migration{} (repeatable, or below the current version) {} part of the comparison",
            self.pending_included,
            plural(self.pending_included),
            if self.pending_included == 1 {
                "is"
            } else {
                "are"
            }
        )
    }
}

/// Reads the database's history (read-only) and works out which migrations the scratch copy
/// should apply: those up to the current version when newer ones are pending. A database with
/// nothing applied is compared with every migration, as before any deploy.
fn applied_state(
    settings: &crate::settings::Settings,
    cwd: &std::path::Path,
    driver: &mut dyn tidemark_engine::Driver,
) -> Result<Applied, Failure> {
    let mut config = engine_config(settings)?;
    // Only the history and the files are wanted: no `beforeInfo` callback runs against the
    // database, and no file is parsed for its phase.
    config.skip_default_callbacks = true;
    config.infer_phase = None;
    let files = super::source(settings, cwd);
    let mut quiet = Collect::default();
    let snapshot = Engine::new(driver, &files, &config, &mut quiet)?.info()?;
    let plan = snapshot.plan()?;
    let Some(current) = plan.current().and_then(|e| e.version()).cloned() else {
        return Ok(Applied::default());
    };
    // Not applied, or (a repeatable) changed since it ran: above the current version they are
    // left out; the rest the scratch copy applies in their present form.
    let (mut above, mut included) = (0, 0);
    for entry in &plan.entries {
        if entry.resolved.is_none()
            || !matches!(
                entry.state,
                State::Pending | State::AboveTarget | State::Ignored | State::Outdated
            )
        {
            continue;
        }
        match entry.version() {
            Some(v) if entry.state != State::Outdated && *v > current => above += 1,
            _ => included += 1,
        }
    }
    Ok(Applied {
        left_out_above: (above > 0).then_some(current),
        pending_left_out: above,
        pending_included: included,
    })
}
