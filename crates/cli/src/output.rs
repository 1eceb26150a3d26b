//! Where a command's words go: progress lines and warnings straight to the terminal in text
//! mode, collected into the one JSON document in JSON mode.

use std::io::Write;

use tidemark_engine::Reporter;

use crate::settings::Format;

/// The command's output channel.
#[derive(Debug)]
pub struct Output {
    /// Text or JSON.
    pub format: Format,
    /// `-q`: only errors and the command's result.
    pub quiet: bool,
    /// Warnings collected (always; printed as they come in text mode).
    pub warnings: Vec<String>,
    /// Info lines collected in JSON mode.
    pub lines: Vec<String>,
    /// Send progress lines to stderr (a dry run keeps stdout for the SQL).
    pub info_to_stderr: bool,
    /// The spinner of a running backfill, on a terminal.
    bar: Option<indicatif::ProgressBar>,
    /// The spinner of a running migration, on a terminal.
    step: Option<indicatif::ProgressBar>,
}

/// Whether to colour what goes to a stream: a terminal, `NO_COLOR` unset, `TERM` not `dumb`.
pub fn colours(stream_is_terminal: bool) -> bool {
    stream_is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// `text` in an ANSI colour (31 red, 33 yellow) when `on`.
pub fn paint(text: &str, colour: u8, on: bool) -> String {
    if on {
        format!("\x1b[1;{colour}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

impl Output {
    /// A new channel.
    pub fn new(format: Format, quiet: bool) -> Output {
        Output {
            format,
            quiet,
            warnings: Vec::new(),
            lines: Vec::new(),
            info_to_stderr: false,
            bar: None,
            step: None,
        }
    }

    /// Ends a migration's spinner, leaving its line printed.
    fn finish_step(&mut self) {
        if let Some(step) = self.step.take() {
            step.finish();
        }
    }

    /// Prints a result line in text mode (even when quiet).
    pub fn result(&mut self, line: &str) {
        if self.format == Format::Text {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
        }
    }

    /// Writes dry-run SQL to `file`, or to stdout (in JSON mode it goes into the document instead).
    pub fn dry_run_sql(
        &mut self,
        sql: &str,
        file: Option<&std::path::Path>,
    ) -> std::io::Result<()> {
        match file {
            Some(path) => std::fs::write(path, sql),
            None if self.format == Format::Text => {
                let mut out = std::io::stdout().lock();
                out.write_all(sql.as_bytes())
            }
            None => Ok(()),
        }
    }

    /// Prints the JSON document (JSON mode only).
    pub fn json(&mut self, value: &serde_json::Value) {
        if self.format == Format::Json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            );
        }
    }
}

impl Reporter for Output {
    // Progress is per migration, never per statement: the engine may batch a script.
    fn watches_statements(&self) -> bool {
        false
    }

    fn info(&mut self, line: &str) {
        match self.format {
            Format::Text if !self.quiet && self.info_to_stderr => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            Format::Text if !self.quiet => {
                self.finish_step();
                use std::io::IsTerminal;
                if line.starts_with("Migrating schema") && std::io::stdout().is_terminal() {
                    // A long migration shows that it is running, and for how long.
                    let spinner = indicatif::ProgressBar::new_spinner();
                    spinner.set_style(
                        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                    );
                    spinner.set_message(line.to_string());
                    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
                    self.step = Some(spinner);
                    return;
                }
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
            }
            Format::Text => {}
            Format::Json => self.lines.push(line.to_string()),
            // A findings report owns stdout; progress goes to stderr.
            Format::Junit | Format::Github | Format::Sarif if !self.quiet => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            Format::Junit | Format::Github | Format::Sarif => {}
        }
    }

    fn progress(&mut self, progress: &tidemark_engine::Progress) {
        use std::io::IsTerminal;
        self.finish_step();
        let terminal = self.format == Format::Text
            && !self.quiet
            && !self.info_to_stderr
            && std::io::stdout().is_terminal();
        if !terminal {
            // Plain lines (CI logs, pipes): the engine's default throttling.
            if self.format == Format::Text
                && !self.quiet
                && (progress.finished || progress.batches == 1 || progress.batches % 10 == 0)
            {
                self.info(&progress.line());
            }
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed_precise}]")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        });
        bar.set_message(format!(
            "Backfill {}: {} rows, {} batches, {:.0} rows/s",
            progress.migration,
            progress.rows,
            progress.batches,
            progress.rate()
        ));
        bar.tick();
        if progress.finished {
            bar.finish_and_clear();
            self.bar = None;
        }
    }

    fn warn(&mut self, line: &str) {
        if self.format != Format::Json {
            use std::io::IsTerminal;
            self.finish_step();
            let on = colours(std::io::stderr().is_terminal());
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{} {line}", paint("WARNING:", 33, on));
        }
        self.warnings.push(line.to_string());
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.finish_step();
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(paint("ERROR:", 31, false), "ERROR:");
        assert_eq!(paint("ERROR:", 31, true), "\x1b[1;31mERROR:\x1b[0m");
        assert!(!colours(false), "never colour a pipe or a file");
    }
}
