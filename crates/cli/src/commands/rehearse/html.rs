//! The HTML report: one self-contained file (inline CSS, no script, no external asset) that a
//! reviewer opens from a CI artifact. A timeline puts every statement on one time axis,
//! coloured by the strongest lock it took, with a lighter band for as long as a lock that blocks
//! reads or writes stayed held (until commit, in a transaction); below it, every statement with
//! its SQL, measurements and the linter's findings side by side.

use std::fmt::Write as _;

use super::report::{Blocks, MigrationRun, Rehearsal, StatementRun, ms};

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The CSS class of a statement's colour: what its strongest lock blocks.
fn lock_class(s: &StatementRun) -> &'static str {
    match (s.blocks, s.locks.is_empty()) {
        (Blocks::ReadsAndWrites, _) => "lock-rw",
        (Blocks::Writes, _) => "lock-w",
        (Blocks::Nothing, false) => "lock-weak",
        (Blocks::Nothing, true) => "lock-none",
    }
}

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2933; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #52606d; margin: 2px 0; }
.failed { color: #b42318; font-weight: 600; }
.legend span { display: inline-block; margin-right: 16px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border-radius: 2px; }
.timeline { border: 1px solid #d9e2ec; border-radius: 6px; padding: 10px; }
.row { display: flex; align-items: center; height: 24px; }
.label { width: 340px; flex: none; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font: 12px ui-monospace, monospace; padding-right: 8px; }
.track { position: relative; flex: 1; height: 16px; background: #f5f7fa; border-radius: 3px; }
.bar { position: absolute; top: 2px; height: 12px; min-width: 2px; border-radius: 2px; }
.held { position: absolute; top: 0; height: 16px; opacity: 0.25; border-radius: 2px; }
.axis { display: flex; justify-content: space-between; margin-left: 340px; color: #7b8794; font-size: 12px; }
.lock-rw { background: #d64545; }
.lock-w { background: #e08a1e; }
.lock-weak { background: #2f80c0; }
.lock-none { background: #9aa5b1; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 6px 8px; vertical-align: top; text-align: left; }
th { background: #f5f7fa; font-weight: 600; }
tr.migration td { background: #fbfcfd; font-weight: 600; }
pre { margin: 0; white-space: pre-wrap; font: 12px ui-monospace, monospace; max-width: 520px; }
.lint-error { color: #b42318; } .lint-warning { color: #b54708; } .lint-info { color: #52606d; }
.num { text-align: right; white-space: nowrap; }
"#;

/// Renders the report.
pub fn render(r: &Rehearsal) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>tidemark rehearsal</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = writeln!(h, "<h1>Rehearsal on a copy of {}</h1>", esc(&r.database));
    let _ = writeln!(
        h,
        "<p class=\"meta\">Copy: {} ({}), {}</p>",
        esc(&r.copy.name),
        esc(&r.copy.source),
        if r.copy.kept { "kept" } else { "dropped" }
    );
    let _ = writeln!(h, "<p class=\"meta\">Locks: {}</p>", esc(&r.lock_monitor));
    let _ = writeln!(
        h,
        "<p class=\"meta\">Rewrites: {}</p>",
        esc(&r.rewrite_detection)
    );
    let _ = writeln!(h, "<p class=\"meta\">Total: {}</p>", ms(r.duration_ms));
    if let Some(error) = &r.error {
        let _ = writeln!(h, "<p class=\"failed\">Failed: {}</p>", esc(error));
    }
    for warning in &r.warnings {
        let _ = writeln!(h, "<p class=\"meta\">Warning: {}</p>", esc(warning));
    }

    h.push_str("<h2>Timeline</h2>\n<div class=\"legend\">");
    for (class, label) in [
        ("lock-rw", "blocks reads and writes (AccessExclusiveLock)"),
        ("lock-w", "blocks writes (ShareLock and stronger)"),
        ("lock-weak", "locks that block neither"),
        ("lock-none", "no lock seen"),
    ] {
        let _ = write!(h, "<span><i class=\"{class}\"></i>{label}</span>");
    }
    h.push_str("</div>\n<div class=\"timeline\">\n");
    let total = r.duration_ms.max(
        r.migrations
            .iter()
            .flat_map(|m| &m.statements)
            .map(|s| s.start_ms + s.blocking_ms)
            .fold(0.0, f64::max),
    );
    let total = if total > 0.0 { total } else { 1.0 };
    let pct = |v: f64| (v / total * 100.0).clamp(0.0, 100.0);
    let mut n = 0;
    for m in &r.migrations {
        for s in &m.statements {
            n += 1;
            let class = lock_class(s);
            let title = format!(
                "{}:{} - {} - {}{}",
                m.script,
                s.line,
                ms(s.duration_ms),
                s.strongest_lock.as_deref().unwrap_or("no lock seen"),
                if s.rewritten.is_empty() {
                    String::new()
                } else {
                    format!(" - rewrote {}", s.rewritten.join(", "))
                }
            );
            let _ = write!(
                h,
                "<div class=\"row\"><div class=\"label\" title=\"{}\">{}:{} {}</div><div class=\"track\">",
                esc(&s.sql),
                esc(&m.script),
                s.line,
                esc(&super::measure::head(&s.sql, 60))
            );
            if s.blocks != Blocks::Nothing {
                let _ = write!(
                    h,
                    "<div class=\"held {class}\" style=\"left:{:.3}%;width:{:.3}%\" title=\"{}\"></div>",
                    pct(s.start_ms),
                    pct(s.blocking_ms).min(100.0 - pct(s.start_ms)),
                    esc(&format!(
                        "lock blocking {} held {}",
                        s.blocks.as_str(),
                        ms(s.blocking_ms)
                    ))
                );
            }
            let _ = writeln!(
                h,
                "<div class=\"bar {class}\" data-statement=\"{n}\" data-lock=\"{}\" style=\"left:{:.3}%;width:{:.3}%\" title=\"{}\"></div></div></div>",
                esc(s.strongest_lock.as_deref().unwrap_or("")),
                pct(s.start_ms),
                pct(s.duration_ms).max(0.2),
                esc(&title)
            );
        }
    }
    let _ = writeln!(
        h,
        "</div>\n<div class=\"axis\"><span>0</span><span>{}</span><span>{}</span></div>",
        ms(total / 2.0),
        ms(total)
    );

    h.push_str("<h2>Statements</h2>\n<table>\n<thead><tr><th>Migration / statement</th><th class=\"num\">Time</th><th class=\"num\">Rows</th><th>Rewrote</th><th>Locks (strongest per relation, held)</th><th>Linter</th></tr></thead>\n<tbody>\n");
    for m in &r.migrations {
        migration_rows(&mut h, m);
    }
    h.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    h
}

fn lint_cell(notes: &[super::report::LintNote]) -> String {
    notes
        .iter()
        .map(|n| {
            format!(
                "<div class=\"lint-{}\" title=\"{}\">{} {} (line {})</div>",
                esc(&n.severity),
                esc(&n.message),
                esc(&n.severity),
                esc(&n.rule),
                n.line
            )
        })
        .collect()
}

fn migration_rows(h: &mut String, m: &MigrationRun) {
    let _ = writeln!(
        h,
        "<tr class=\"migration\"><td>{}{}{}{}</td><td class=\"num\">{}</td><td></td><td>{}</td><td></td><td>{}</td></tr>",
        esc(&m.script),
        if m.kind == "callback" {
            " (callback)"
        } else {
            ""
        },
        if m.failed {
            " <span class=\"failed\">failed</span>"
        } else {
            ""
        },
        esc(&m
            .phase
            .as_deref()
            .map(|p| format!(" (phase {p})"))
            .unwrap_or_default()),
        ms(m.duration_ms),
        esc(&m.rewritten.join(", ")),
        lint_cell(&m.lint)
    );
    for s in &m.statements {
        let locks: String = s
            .locks
            .iter()
            .map(|l| {
                format!(
                    "<div>{} on {}{}</div>",
                    esc(&l.mode),
                    esc(&l.relation),
                    if l.created {
                        " (created by this statement: blocks no one)".to_string()
                    } else if l.blocks == Blocks::Nothing {
                        String::new()
                    } else {
                        format!(", blocks {} for {}", l.blocks.as_str(), ms(l.held_ms))
                    }
                )
            })
            .collect();
        let mut sql = esc(&s.sql);
        if let Some(error) = &s.error {
            sql.push_str(&format!("\n<span class=\"failed\">{}</span>", esc(error)));
        }
        let _ = writeln!(
            h,
            "<tr><td><pre>{}: {sql}</pre></td><td class=\"num\">{}{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.line,
            ms(s.duration_ms),
            if s.executions > 1 {
                format!(" ({} runs)", s.executions)
            } else {
                String::new()
            },
            s.rows.map_or_else(|| "-".into(), |r| r.to_string()),
            esc(&s.rewritten.join(", ")),
            if locks.is_empty() {
                "-".to_string()
            } else {
                locks
            },
            lint_cell(&s.lint)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
