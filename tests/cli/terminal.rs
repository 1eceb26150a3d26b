//! The developer's terminal (issue 9): completions, help with examples, no escape codes where
//! output is not a terminal.

use super::support::Project;

#[test]
fn completions_for_every_shell_cover_every_command() {
    let p = Project::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = p.run(&["completions", shell]).ok();
        for command in ["migrate", "undo-script", "rehearse", "rollback-count"] {
            assert!(
                out.stdout.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    p.run(&["completions", "tcsh"]).code(2);
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let p = Project::new();
    let help = p.run(&["--help"]).ok().stdout;
    let commands: Vec<&str> = help
        .split('\n')
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() > 30, "{commands:?}");
    for command in commands {
        let out = p.run(&[command, "--help"]).ok();
        assert!(
            out.stdout.contains("Example:\n  tidemark "),
            "`{command} --help` has no example:\n{}",
            out.stdout
        );
    }
}

#[test]
fn errors_and_warnings_have_no_escape_codes_outside_a_terminal() {
    let mut p = Project::new();
    p.env("TERM", "xterm-256color");
    p.migration("V1__a.sql", "CREATE TABLE a (id INT);")
        .migration("not_a_migration.sql", "x");
    let out = p.run(&["migrate"]).ok();
    assert!(
        out.stderr
            .contains("WARNING: 1 SQL migrations were detected but not run"),
        "{}",
        out.stderr
    );
    let bad = p.run(&["migrate", "-outOfOrder=maybe"]).code(2);
    assert!(bad.stderr.starts_with("ERROR: "), "{}", bad.stderr);
    assert!(
        !out.stderr.contains('\u{1b}') && !bad.stderr.contains('\u{1b}'),
        "escape codes in piped output"
    );
}
