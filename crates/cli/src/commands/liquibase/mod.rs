//! Liquibase mode: one file per command, sharing the steps here once (settings -> engine
//! config, connecting, loading the changelog with its parameters, turning errors into
//! Liquibase's messages).
//!
//! Liquibase mode applies when a changelog is configured (`--changelog-file`, `changeLogFile`
//! in `liquibase.properties`, `changelog` in `tidemark.toml`). Then every command speaks
//! Liquibase: its texts (`N changesets have not been applied to …`), its tables, and Flyway's
//! `migrate`, `info` and `validate` act as `update`, `status --verbose` and `validate`. Progress
//! goes to stderr and results to stdout, as Liquibase prints them.

pub mod args;
mod calculate_checksum;
mod changelog_sync;
mod clear_checksums;
mod history;
mod list_locks;
mod release_locks;
mod rollback;
mod status;
mod tag;
mod update;
mod validate;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tidemark_engine::Reporter;
use tidemark_engine::liquibase::{self as lb, Config, Error, Session};
use tidemark_ledger::changelog::plan::failure_message;
use tidemark_ledger::changelog::{self, Changelog, ChangelogError, Properties, filename};

use crate::args::Command;
use crate::connect::{self, Connection};
use crate::failure::Failure;
use crate::settings::Settings;
use crate::url::mask;
use args::LiquibaseCommand;

use super::{Context, display_path};

/// Whether a changelog is configured (Liquibase mode).
pub fn is_liquibase_mode(settings: &Settings) -> bool {
    settings
        .changelog
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
}

/// A Liquibase command while no changelog is configured: the ones that never read the changelog
/// (`history`, `tag`, `clear-checksums`, `list-locks`, `release-locks`) run; the others are a
/// usage error (exit 2).
pub fn without_changelog(ctx: &mut Context<'_>, command: LiquibaseCommand) -> Result<(), Failure> {
    use LiquibaseCommand as C;
    match command {
        C::History | C::Tag(_) | C::ClearChecksums | C::ListLocks | C::ReleaseLocks => {
            run(ctx, Command::Liquibase(command), &[])
        }
        other => Err(not_configured(&other)),
    }
}

/// A Liquibase command that needs a changelog, without one (exit 2).
pub fn not_configured(command: &LiquibaseCommand) -> Failure {
    Failure::usage(format!(
        "'{}' is a Liquibase command and needs a changelog: give --changelog-file, set changeLogFile in liquibase.properties, or changelog in tidemark.toml's [tidemark] table",
        command.name()
    ))
}

/// Runs any command in Liquibase mode.
pub fn run(
    ctx: &mut Context<'_>,
    command: Command,
    defines: &[(String, String)],
) -> Result<(), Failure> {
    // Liquibase prints its progress on stderr and the results on stdout.
    ctx.out.info_to_stderr = true;
    use LiquibaseCommand as C;
    let (name, result) = match command {
        Command::Liquibase(c) => {
            let name = c.name();
            let result = match c {
                C::Update(a) => {
                    update::run(ctx, defines, update::Kind::All, a.phase.as_deref(), false)
                }
                C::UpdateSql => update::run(ctx, defines, update::Kind::All, None, true),
                C::UpdateCount(a) => {
                    let n = count(&a, name)?;
                    update::run(ctx, defines, update::Kind::Count(n), None, false)
                }
                C::UpdateCountSql(a) => {
                    let n = count(&a, name)?;
                    update::run(ctx, defines, update::Kind::Count(n), None, true)
                }
                C::UpdateToTag(a) => {
                    let t = tag(&a, name)?;
                    update::run(ctx, defines, update::Kind::ToTag(t), None, false)
                }
                C::UpdateToTagSql(a) => {
                    let t = tag(&a, name)?;
                    update::run(ctx, defines, update::Kind::ToTag(t), None, true)
                }
                C::Status(a) => {
                    let verbose = !a
                        .verbose
                        .as_deref()
                        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
                    status::run(ctx, defines, verbose)
                }
                C::History => history::run(ctx),
                C::Tag(a) => {
                    let t = tag(&a, name)?;
                    tag::run(ctx, &t)
                }
                C::Rollback(a) => {
                    let t = tag(&a, name)?;
                    rollback::run(ctx, defines, lb::RollbackTarget::Tag(t), false)
                }
                C::RollbackSql(a) => {
                    let t = tag(&a, name)?;
                    rollback::run(ctx, defines, lb::RollbackTarget::Tag(t), true)
                }
                C::RollbackCount(a) => {
                    let n = count(&a, name)?;
                    rollback::run(ctx, defines, lb::RollbackTarget::Count(n), false)
                }
                C::RollbackCountSql(a) => {
                    let n = count(&a, name)?;
                    rollback::run(ctx, defines, lb::RollbackTarget::Count(n), true)
                }
                C::RollbackToDate(a) => {
                    let d = date(&a, name)?;
                    rollback::run(ctx, defines, lb::RollbackTarget::Date(d), false)
                }
                C::RollbackToDateSql(a) => {
                    let d = date(&a, name)?;
                    rollback::run(ctx, defines, lb::RollbackTarget::Date(d), true)
                }
                C::ChangelogSync => changelog_sync::run(ctx, defines, None, false),
                C::ChangelogSyncSql => changelog_sync::run(ctx, defines, None, true),
                C::ChangelogSyncToTag(a) => {
                    let t = tag(&a, name)?;
                    changelog_sync::run(ctx, defines, Some(t), false)
                }
                C::ChangelogSyncToTagSql(a) => {
                    let t = tag(&a, name)?;
                    changelog_sync::run(ctx, defines, Some(t), true)
                }
                C::ClearChecksums => clear_checksums::run(ctx),
                C::CalculateChecksum(a) => calculate_checksum::run(ctx, defines, &a),
                C::ReleaseLocks => release_locks::run(ctx),
                C::ListLocks => list_locks::run(ctx),
            };
            (name, result)
        }
        Command::Migrate(a) => (
            "update",
            update::run(
                ctx,
                defines,
                update::Kind::All,
                a.phase.as_deref(),
                a.run.dry_run || ctx.settings.dry_run_output.is_some(),
            ),
        ),
        Command::Info(_) => ("status", status::run(ctx, defines, true)),
        Command::Validate => ("validate", validate::run(ctx, defines)),
        other => {
            let name = format!("{other:?}").to_lowercase();
            let name = name
                .split(['(', ' '])
                .next()
                .unwrap_or_default()
                .to_string();
            return Err(Failure::usage(format!(
                "'{name}' is a Flyway command; in Liquibase mode (a changelog is configured) use Liquibase's commands: update, status, rollback, ... (see tidemark --help)"
            )));
        }
    };
    result?;
    ctx.out.info(&format!(
        "Liquibase command '{name}' was executed successfully."
    ));
    Ok(())
}

fn count(a: &args::CountArgs, command: &str) -> Result<usize, Failure> {
    a.count
        .or(a.value)
        .or_else(|| env_arg("COUNT").and_then(|v| v.trim().parse().ok()))
        .ok_or_else(|| Failure::usage(format!("'{command}' needs --count N")))
}

fn tag(a: &args::TagArgs, command: &str) -> Result<String, Failure> {
    a.tag
        .clone()
        .or_else(|| a.value.clone())
        .or_else(|| env_arg("TAG"))
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| Failure::usage(format!("'{command}' needs --tag TAG")))
}

fn date(a: &args::DateArgs, command: &str) -> Result<String, Failure> {
    a.date
        .clone()
        .or_else(|| (!a.value.is_empty()).then(|| a.value.join(" ")))
        .or_else(|| env_arg("DATE"))
        .ok_or_else(|| Failure::usage(format!("'{command}' needs --date DATE")))
}

/// A command argument from `LIQUIBASE_COMMAND_<NAME>` (Liquibase reads every argument from the
/// environment too).
fn env_arg(name: &str) -> Option<String> {
    std::env::var(format!("LIQUIBASE_COMMAND_{name}"))
        .ok()
        .filter(|v| !v.is_empty())
}

/// The engine's configuration from the settings.
fn config(settings: &Settings, dry_run: bool) -> Config {
    Config {
        schema: settings
            .default_schema
            .clone()
            .or_else(|| settings.schemas.first().cloned()),
        changelog_table: settings.changelog_table.clone(),
        lock_table: settings.changelog_lock_table.clone(),
        lock_wait: Duration::from_secs(
            u64::try_from(settings.changelog_lock_wait_minutes).unwrap_or(0) * 60,
        ),
        lock_poll: Duration::from_secs(
            u64::try_from(settings.changelog_lock_poll_seconds).unwrap_or(0),
        ),
        contexts: settings.contexts.clone().filter(|c| !c.trim().is_empty()),
        labels: settings.labels.clone().filter(|l| !l.trim().is_empty()),
        dry_run,
        deployment_id: settings.deployment_id.clone(),
    }
}

/// What a command's work gets besides the session and the changelog.
pub(crate) struct Scope {
    /// The working directory (paths in messages are shown relative to it).
    pub cwd: PathBuf,
    /// `user@url`, as Liquibase names the database in messages.
    pub target: String,
}

/// What a session produced, once it is closed.
pub(crate) struct Done<T> {
    /// The command's result.
    pub value: T,
    /// `user@url`, as Liquibase names the database in messages.
    pub target: String,
    /// The SQL a dry run recorded.
    pub sql: String,
}

/// How a command uses the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// It writes (under the lock).
    Write,
    /// It only reads: SQLite is opened read-only (a missing file is not created).
    Read,
    /// A `*-sql` command: read-only, and every write is recorded instead of executed.
    DryRun,
}

/// Connects, opens a session, loads the changelog and runs `work` with them.
pub(crate) fn with_changelog<T>(
    ctx: &mut Context<'_>,
    defines: &[(String, String)],
    access: Access,
    work: impl FnOnce(&mut Session<'_>, &Changelog, &Scope) -> Result<T, Failure>,
) -> Result<Done<T>, Failure> {
    open(
        ctx,
        defines,
        access,
        true,
        |s, changelog, scope| match changelog {
            Some(changelog) => work(s, changelog, scope),
            None => Err(Failure::usage("no changelog is configured")),
        },
    )
}

/// Connects, opens a session and runs `work` (commands that do not read the changelog).
pub(crate) fn with_session<T>(
    ctx: &mut Context<'_>,
    access: Access,
    work: impl FnOnce(&mut Session<'_>, &Scope) -> Result<T, Failure>,
) -> Result<Done<T>, Failure> {
    open(ctx, &[], access, false, |s, _, scope| work(s, scope))
}

fn open<T>(
    ctx: &mut Context<'_>,
    defines: &[(String, String)],
    access: Access,
    with_changelog: bool,
    work: impl FnOnce(&mut Session<'_>, Option<&Changelog>, &Scope) -> Result<T, Failure>,
) -> Result<Done<T>, Failure> {
    let settings = ctx.settings;
    let config = config(settings, access == Access::DryRun);
    let Connection { mut driver, .. } = if access != Access::Write {
        connect::connect_read_only(settings, &ctx.cwd)?
    } else {
        connect::connect(settings, &ctx.cwd)?
    };
    let cwd = ctx.cwd.clone();
    let mut session =
        Session::new(driver.as_mut(), &config, &mut ctx.out).map_err(|e| failure(e, &cwd))?;
    let target = format!("{}@{}", session.user(), mask(&settings.url));
    let changelog = if with_changelog {
        Some(load_changelog(settings, &cwd, &session, defines)?)
    } else {
        None
    };
    let scope = Scope {
        cwd,
        target: target.clone(),
    };
    let value = work(&mut session, changelog.as_ref(), &scope)?;
    let sql = session.dry_run_sql().to_string();
    Ok(Done { value, target, sql })
}

/// The search path: `--search-path` directories (relative to the current directory), else the
/// current directory.
fn search_path(settings: &Settings, cwd: &Path) -> Vec<PathBuf> {
    if settings.search_path.is_empty() {
        return vec![cwd.to_path_buf()];
    }
    settings
        .search_path
        .iter()
        .map(|d| {
            let p = Path::new(d.strip_prefix("file:").unwrap_or(d));
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                cwd.join(p)
            }
        })
        .collect()
}

/// Reads the changelog with Liquibase's parameter sources: the environment, Java-like system
/// properties, `database.*`, `-D` defines, `parameter.*` of `liquibase.properties`, then the
/// changelog's own properties; filtered for this database, `--contexts` and `--labels`.
fn load_changelog(
    settings: &Settings,
    cwd: &Path,
    session: &Session<'_>,
    defines: &[(String, String)],
) -> Result<Changelog, Failure> {
    let root = settings.changelog.as_deref().unwrap_or_default().trim();
    let search = search_path(settings, cwd);
    let mut properties = Properties::default().with_process_env();
    properties.system = Properties::java_system_defaults();
    properties.database = session.database_properties();
    properties.cli = defines.to_vec();
    properties.defaults_file = settings.changelog_parameters.clone();
    properties.filter = session.filter();
    let root_path = Path::new(root.strip_prefix("classpath:").unwrap_or(root));
    changelog::load(root_path, &search, &properties)
        .map_err(|e| changelog_failure(&e, cwd, &search))
}

/// A changelog that cannot be read: Liquibase's message, then the file, the line and the
/// changeset it is in.
fn changelog_failure(e: &ChangelogError, cwd: &Path, search: &[PathBuf]) -> Failure {
    let mut message = e.message.clone();
    if let Some(line) = e.line {
        message.push_str(&format!(
            "\n     Location: {}:{line}",
            display_path(&e.path, cwd)
        ));
        if let Some(changeset) = enclosing_changeset(&e.path, line, search) {
            message.push_str(&format!("\n     In changeset: {changeset}"));
        }
    }
    Failure::failed("CHANGELOG_ERROR", message)
}

/// `path::id::author` of the formatted-SQL changeset whose body holds `line` (found by its
/// header line above it), for parse errors that Liquibase reports by line only.
fn enclosing_changeset(path: &Path, line: usize, search: &[PathBuf]) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = tidemark_ledger::text::lines(&text).collect();
    if header(lines.get(line.checked_sub(1)?)?).is_some() {
        return None;
    }
    let (author, id) = lines.iter().take(line - 1).rev().find_map(|l| header(l))?;
    let file = filename::relative_in_search_path(path, search)
        .unwrap_or_else(|| filename::normalize(&path.to_string_lossy()));
    Some(format!("{file}::{id}::{author}"))
}

/// `(author, id)` of a `--changeset author:id` line.
fn header(line: &str) -> Option<(String, String)> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let keyword = rest.get(..9)?;
    if !keyword.eq_ignore_ascii_case("changeset") {
        return None;
    }
    let rest = &rest[9..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let (author, rest) = if let Some(r) = rest.strip_prefix('"') {
        let end = r.find('"')?;
        (r[..end].to_string(), r[end + 1..].strip_prefix(':')?)
    } else {
        let (a, r) = rest.split_once(':')?;
        (a.to_string(), r)
    };
    let id = if let Some(r) = rest.strip_prefix('"') {
        r[..r.find('"')?].to_string()
    } else {
        rest.split_whitespace().next()?.to_string()
    };
    Some((author, id))
}

/// An engine error as the user sees it: paths relative to the working directory.
pub(crate) fn failure(e: Error, cwd: &Path) -> Failure {
    let show = |p: &Path| display_path(p, cwd);
    match e {
        Error::Validation(findings) => Failure::failed(
            "VALIDATE_ERROR",
            failure_message(&findings, &|p: &PathBuf| show(p)),
        ),
        Error::ChangeSet(f) => Failure::failed(
            if f.rollback {
                "ROLLBACK_FAILED"
            } else {
                "FAILED_MIGRATION"
            },
            f.message_with(&show),
        ),
        Error::Lock(m) => Failure::failed("LOCK_ERROR", m),
        Error::Rollback(m) => Failure::failed("ROLLBACK_FAILED", m),
        Error::Filter(e) => Failure::failed("CONFIGURATION", e.to_string()),
        other => Failure::failed("DB_ERROR", other.to_string()),
    }
}

/// Writes dry-run SQL to `--output-file` (or, for `migrate --dry-run`, `dryRunOutput`) or
/// stdout.
pub(crate) fn print_sql(ctx: &mut Context<'_>, sql: &str) -> Result<(), Failure> {
    let file = ctx
        .settings
        .output_file
        .as_ref()
        .or(ctx.settings.dry_run_output.as_ref())
        .map(|f| ctx.cwd.join(f));
    ctx.out.dry_run_sql(sql, file.as_deref()).map_err(|e| {
        Failure::failed(
            "IO_ERROR",
            format!(
                "Unable to write {}: {e}",
                file.as_deref()
                    .map_or("stdout".into(), |f| f.display().to_string())
            ),
        )
    })
}

/// Liquibase's banner at the top of `*-sql` output.
pub(crate) fn script_header(title: &str, changelog: &str, target: &str) -> String {
    let stars = "*********************************************************************";
    format!(
        "{stars}\n{title}\n{stars}\nChange Log: {changelog}\nRan at: {}\nAgainst: {target}\nLiquibase version: {} (tidemark {})\n{stars}",
        chrono::Local::now().format("%-m/%-d/%y, %-I:%M %p"),
        lb::LIQUIBASE_VERSION,
        env!("CARGO_PKG_VERSION"),
    )
}

/// Reports a line on stderr (progress), as the session would.
pub(crate) fn note(ctx: &mut Context<'_>, line: &str) {
    ctx.out.info(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changeset_headers_are_recognised() {
        assert_eq!(
            header("-- changeset alice:1 labels:x"),
            Some(("alice".into(), "1".into()))
        );
        assert_eq!(
            header("--changeset \"bob smith\":\"id 2\""),
            Some(("bob smith".into(), "id 2".into()))
        );
        assert_eq!(header("-- changesets alice:1"), None);
        assert_eq!(header("CREATE TABLE x"), None);
    }
}
