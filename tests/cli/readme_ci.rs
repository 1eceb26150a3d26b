//! The commands in the README's CI section run as written (issue 9): each `tidemark ...` line of
//! its GitHub Actions and GitLab CI examples is extracted from the README and run against a copy
//! of the example project, and must succeed.

use super::support::Project;

fn readme_ci_commands() -> Vec<Vec<String>> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme
        .find("## The pre-deploy check in CI")
        .expect("CI section");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    section[..end]
        .split('\n')
        .filter_map(|line| {
            let line = line
                .trim()
                .trim_start_matches("- run:")
                .trim_start_matches("- ")
                .trim();
            let command = line.strip_prefix("tidemark ")?;
            // Drop comments and output redirections: the test captures stdout itself.
            let command = command.split(" #").next().unwrap_or(command);
            let command = command.split(" >").next().unwrap_or(command);
            Some(command.split_whitespace().map(str::to_string).collect())
        })
        .collect()
}

#[test]
fn readme_ci_commands_run_as_written() {
    let commands = readme_ci_commands();
    assert!(commands.len() >= 6, "found {commands:?}");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut p = Project::new();
    for entry in std::fs::read_dir(root.join("migrations")).unwrap() {
        let entry = entry.unwrap();
        p.file(
            &format!("migrations/{}", entry.file_name().to_string_lossy()),
            &std::fs::read(entry.path()).unwrap(),
        );
    }
    p.file(
        "tidemark.toml",
        &std::fs::read(root.join("tidemark.toml")).unwrap(),
    );
    p.env("TIDEMARK_DEPLOYMENT_ID", "readme-ci");
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let out = p.run(&args);
        assert_eq!(
            out.code,
            0,
            "tidemark {}\nstdout:\n{}\nstderr:\n{}",
            command.join(" "),
            out.stdout,
            out.stderr
        );
    }
    assert!(
        !p.history().is_empty(),
        "the deploy steps migrated the example project"
    );
}
