//! The plan's states and validation findings, scenario by scenario, as Flyway computes them
//! (reference §4-5). Files come from a `MemSource`, history rows are built by hand.

use tidemark_ledger::history::{AppliedMigration, MigrationType};
use tidemark_ledger::pattern::{IgnorePatterns, PatternState};
use tidemark_ledger::plan::{Plan, PlanConfig, PlanError, State, plan};
use tidemark_ledger::script::ResolvedMigration;
use tidemark_ledger::source::{MemSource, ResolveConfig, resolve};
use tidemark_ledger::validate::{Code, validate};
use tidemark_ledger::version::{Target, Version};

fn files(list: &[(&str, &str)]) -> Vec<ResolvedMigration> {
    let mut src = MemSource::new();
    for (name, text) in list {
        src.add(0, name, text.as_bytes().to_vec());
    }
    resolve(&src, &ResolveConfig::default())
        .expect("resolves")
        .migrations
}

fn row(
    rank: i32,
    version: Option<&str>,
    description: &str,
    kind: MigrationType,
    checksum: Option<i32>,
    success: bool,
) -> AppliedMigration {
    AppliedMigration {
        installed_rank: rank,
        version: version.map(|v| Version::parse(v).unwrap()),
        description: description.into(),
        kind,
        script: format!("{}.sql", description.replace(' ', "_")),
        checksum,
        installed_by: "me".into(),
        installed_on: "2026-01-01 00:00:00".into(),
        execution_time: 1,
        success,
    }
}

/// A history row exactly as migrate would have written it for this file.
fn applied_as(rank: i32, f: &ResolvedMigration) -> AppliedMigration {
    AppliedMigration {
        installed_rank: rank,
        version: f.version().cloned(),
        description: f.description().into(),
        kind: f.migration_type(),
        script: f.script.clone(),
        checksum: Some(f.checksum),
        installed_by: "me".into(),
        installed_on: "2026-01-01 00:00:00".into(),
        execution_time: 1,
        success: true,
    }
}

fn states(p: &Plan<'_>) -> Vec<(String, &'static str)> {
    p.entries
        .iter()
        .map(|e| {
            (
                e.version()
                    .map_or_else(|| e.description().to_string(), |v| v.to_string()),
                e.state.display(),
            )
        })
        .collect()
}

fn s(v: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
}

fn latest() -> PlanConfig {
    PlanConfig::default()
}

#[test]
fn fresh_database_everything_pending_in_flyway_order() {
    let f = files(&[
        ("R__views.sql", "v"),
        ("V2__b.sql", "b"),
        ("V1__a.sql", "a"),
        ("V1.1__c.sql", "c"),
    ]);
    let p = plan(&f, &[], &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[
            ("1", "Pending"),
            ("1.1", "Pending"),
            ("2", "Pending"),
            ("views", "Pending")
        ])
    );
    let pending: Vec<_> = p.pending().iter().map(|m| m.script.clone()).collect();
    assert_eq!(
        pending,
        ["V1__a.sql", "V1.1__c.sql", "V2__b.sql", "R__views.sql"]
    );
    assert_eq!(p.schema_version(), "<< Empty Schema >>");
}

#[test]
fn applied_rows_succeed_and_current_is_highest() {
    let f = files(&[("V1__a.sql", "a"), ("V2__b.sql", "b"), ("V3__c.sql", "c")]);
    let h = vec![applied_as(1, &f[0]), applied_as(2, &f[1])];
    let p = plan(&f, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[("1", "Success"), ("2", "Success"), ("3", "Pending")])
    );
    assert_eq!(p.schema_version(), "2");
    assert!(validate(&p, &IgnorePatterns::default().with(PatternState::Pending)).is_empty());
    let strict = validate(&p, &IgnorePatterns::default());
    assert_eq!(strict.len(), 1);
    assert_eq!(strict[0].code, Code::ResolvedVersionedMigrationNotApplied);
    assert_eq!(
        strict[0].message,
        "Detected resolved migration not applied to database: 3.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'."
    );
}

#[test]
fn lower_unapplied_version_is_ignored_unless_out_of_order() {
    let f = files(&[("V1__a.sql", "a"), ("V2__b.sql", "b"), ("V3__c.sql", "c")]);
    let h = vec![applied_as(1, &f[0]), applied_as(2, &f[2])];
    let p = plan(&f, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[("1", "Success"), ("2", "Ignored"), ("3", "Success")])
    );
    assert!(p.pending().is_empty());
    let findings = validate(&p, &IgnorePatterns::default().with(PatternState::Pending));
    assert_eq!(findings.len(), 1);
    assert!(findings[0].message.starts_with("Detected resolved migration not applied to database: 2.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true."));

    let ooo = PlanConfig {
        out_of_order: true,
        ..latest()
    };
    let p = plan(&f, &h, &ooo).unwrap();
    assert_eq!(p.pending().len(), 1);
    assert_eq!(p.pending()[0].script, "V2__b.sql");

    // Once applied (rank 3 after version 3), it shows as Out of Order.
    let h2 = vec![
        applied_as(1, &f[0]),
        applied_as(2, &f[2]),
        applied_as(3, &f[1]),
    ];
    let p = plan(&f, &h2, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[("1", "Success"), ("3", "Success"), ("2", "Out of Order")])
    );
}

#[test]
fn missing_and_future_rows() {
    let f = files(&[("V2__b.sql", "b"), ("V3__c.sql", "c")]);
    let h = vec![
        row(1, Some("1"), "a", MigrationType::Sql, Some(1), true),
        applied_as(2, &f[0]),
        applied_as(3, &f[1]),
        row(4, Some("4"), "d", MigrationType::Sql, Some(4), true),
    ];
    let p = plan(&f, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[
            ("1", "Missing"),
            ("2", "Success"),
            ("3", "Success"),
            ("4", "Future")
        ])
    );
    // Default patterns (*:future) ignore the future row; the missing one is an error.
    let findings = validate(&p, &IgnorePatterns::parse(&["*:future"]).unwrap());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, Code::AppliedVersionedMigrationNotResolved);
    assert_eq!(
        findings[0].message,
        "Detected applied migration not resolved locally: 1.\nIf you removed this migration intentionally, run repair to mark the migration as deleted."
    );
    assert!(
        validate(
            &p,
            &IgnorePatterns::parse(&["*:future", "*:missing"]).unwrap()
        )
        .is_empty()
    );
    assert_eq!(validate(&p, &IgnorePatterns::default()).len(), 2);
}

#[test]
fn failed_rows_block_and_say_how_to_fix() {
    let f = files(&[("V1__a.sql", "a"), ("V2__b.sql", "b")]);
    let mut failed = applied_as(2, &f[1]);
    failed.success = false;
    let h = vec![applied_as(1, &f[0]), failed];
    let p = plan(&f, &h, &latest()).unwrap();
    assert_eq!(states(&p), s(&[("1", "Success"), ("2", "Failed")]));
    assert_eq!(p.failed().len(), 1);
    let findings = validate(&p, &IgnorePatterns::default().with(PatternState::Pending));
    assert_eq!(findings[0].code, Code::FailedVersionedMigration);
    assert_eq!(
        findings[0].message,
        "Detected failed migration to version 2 (b).\nPlease remove any half-completed changes then run repair to fix the schema history."
    );
}

#[test]
fn changed_file_is_a_checksum_mismatch_with_flyway_text() {
    let f = files(&[("V1__a.sql", "a")]);
    let mut h = applied_as(1, &f[0]);
    h.checksum = Some(123);
    let p = plan(&f, std::slice::from_ref(&h), &latest()).unwrap();
    let findings = validate(&p, &IgnorePatterns::default());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, Code::ChecksumMismatch);
    assert_eq!(
        findings[0].message,
        format!(
            "Migration checksum mismatch for migration version 1\n-> Applied to database : 123\n-> Resolved locally    : {}\nEither revert the changes to the migration, or run repair to update the schema history.",
            f[0].checksum
        )
    );
    // A NULL checksum never mismatches.
    h.checksum = None;
    let p = plan(&f, std::slice::from_ref(&h), &latest()).unwrap();
    assert!(validate(&p, &IgnorePatterns::default()).is_empty());
    // A renamed description is a description mismatch.
    h.checksum = Some(f[0].checksum);
    h.description = "old name".into();
    let p = plan(&f, std::slice::from_ref(&h), &latest()).unwrap();
    assert_eq!(
        validate(&p, &IgnorePatterns::default())[0].code,
        Code::DescriptionMismatch
    );
}

#[test]
fn changed_repeatable_is_outdated_then_superseded() {
    let old = files(&[("R__views.sql", "create view v1")]);
    let new = files(&[("R__views.sql", "create view v2")]);
    let h = vec![applied_as(1, &old[0])];
    let p = plan(&new, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[("views", "Outdated"), ("views", "Pending")])
    );
    assert_eq!(p.pending().len(), 1);
    // migrate's validation (pending ignored) lets it through; plain validate flags it.
    assert!(validate(&p, &IgnorePatterns::default().with(PatternState::Pending)).is_empty());
    assert_eq!(
        validate(&p, &IgnorePatterns::default())[0].code,
        Code::OutdatedRepeatableMigration
    );

    let h = vec![applied_as(1, &old[0]), applied_as(2, &new[0])];
    let p = plan(&new, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[("views", "Superseded"), ("views", "Success")])
    );
    assert!(p.pending().is_empty());
    assert_eq!(p.schema_version(), "<< Empty Schema >>");
    assert_eq!(
        p.current().map(|e| e.description().to_string()),
        Some("views".into())
    );
}

#[test]
fn baseline_row_hides_older_files() {
    let f = files(&[
        ("V1__a.sql", "a"),
        ("V2__b.sql", "b"),
        ("V3__c.sql", "c"),
        ("V4__d.sql", "d"),
    ]);
    let h = vec![row(
        1,
        Some("3"),
        "<< Flyway Baseline >>",
        MigrationType::Baseline,
        None,
        true,
    )];
    let p = plan(&f, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[
            ("1", "Below Baseline"),
            ("2", "Below Baseline"),
            ("3", "Ignored (Baseline)"),
            ("3", "Baseline"),
            ("4", "Pending")
        ])
    );
    assert_eq!(p.schema_version(), "3");
    assert!(validate(&p, &IgnorePatterns::default().with(PatternState::Pending)).is_empty());
    assert_eq!(
        p.entries
            .iter()
            .find(|e| e.state == State::Baseline)
            .unwrap()
            .category(),
        ""
    );
}

#[test]
fn baseline_migration_applies_on_empty_history_only() {
    let f = files(&[
        ("V1__a.sql", "a"),
        ("V2__b.sql", "b"),
        ("B2__base.sql", "ab"),
        ("V3__c.sql", "c"),
    ]);
    let p = plan(&f, &[], &latest()).unwrap();
    let pending: Vec<_> = p.pending().iter().map(|m| m.script.clone()).collect();
    assert_eq!(pending, ["B2__base.sql", "V3__c.sql"]);
    assert_eq!(
        states(&p),
        s(&[
            ("1", "Below Baseline"),
            ("2", "Ignored (Baseline)"),
            ("2", "Pending"),
            ("3", "Pending")
        ])
    );

    // Once something is applied, B files are ignored and V files run normally.
    let v1 = f.iter().find(|m| m.script == "V1__a.sql").unwrap();
    let h = [applied_as(1, v1)];
    let p = plan(&f, &h, &latest()).unwrap();
    let pending: Vec<_> = p.pending().iter().map(|m| m.script.clone()).collect();
    assert_eq!(pending, ["V2__b.sql", "V3__c.sql"]);
}

#[test]
fn targets() {
    let f = files(&[("V1__a.sql", "a"), ("V2__b.sql", "b"), ("V3__c.sql", "c")]);
    let to2 = PlanConfig {
        target: Target::parse("2").unwrap(),
        out_of_order: false,
    };
    let p = plan(&f, &[], &to2).unwrap();
    assert_eq!(
        states(&p),
        s(&[("1", "Pending"), ("2", "Pending"), ("3", "Above Target")])
    );

    let to9 = PlanConfig {
        target: Target::parse("9").unwrap(),
        out_of_order: false,
    };
    assert_eq!(
        plan(&f, &[], &to9).unwrap_err(),
        PlanError::TargetNotFound("9".into())
    );
    let to9_lenient = PlanConfig {
        target: Target::parse("9?").unwrap(),
        out_of_order: false,
    };
    assert_eq!(plan(&f, &[], &to9_lenient).unwrap().pending().len(), 3);

    let h = vec![applied_as(1, &f[0])];
    let current = PlanConfig {
        target: Target::Current,
        out_of_order: false,
    };
    assert!(plan(&f, &h, &current).unwrap().pending().is_empty());
    let next = PlanConfig {
        target: Target::Next,
        out_of_order: false,
    };
    let p = plan(&f, &h, &next).unwrap();
    assert_eq!(
        states(&p),
        s(&[("1", "Success"), ("2", "Pending"), ("3", "Above Target")])
    );
    assert_eq!(p.pending().len(), 1);
}

#[test]
fn repair_delete_rows_and_undo_rows() {
    let f = files(&[
        ("V1__a.sql", "a"),
        ("V2__b.sql", "b"),
        ("U2__b.sql", "undo b"),
    ]);
    // V2 applied, then undone: it is pending again and current drops to 1.
    let undo = f.iter().find(|m| m.script == "U2__b.sql").unwrap();
    let h = vec![
        applied_as(1, &f[0]),
        applied_as(2, &f[1]),
        applied_as(3, undo),
    ];
    let p = plan(&f, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[
            ("1", "Success"),
            ("2", "Undone"),
            ("2", "Success"),
            ("2", "Pending")
        ])
    );
    assert_eq!(p.schema_version(), "1");
    assert_eq!(p.pending()[0].script, "V2__b.sql");
    // U files are not rows of their own; V1 has no undo file, V2 has.
    let f2 = files(&[
        ("V1__a.sql", "a"),
        ("V2__b.sql", "b"),
        ("U2__b.sql", "undo b"),
    ]);
    let p = plan(&f2, &[], &latest()).unwrap();
    let undoable: Vec<_> = p.entries.iter().map(|e| e.undoable.display()).collect();
    assert_eq!(undoable, ["No", "Yes"]);

    // A DELETE row written by repair marks the missing migration Deleted and is not listed.
    let h = vec![
        row(1, Some("0.5"), "gone", MigrationType::Sql, Some(5), true),
        applied_as(2, &f[0]),
        row(3, Some("0.5"), "gone", MigrationType::Delete, Some(5), true),
    ];
    let p = plan(&f, &h, &latest()).unwrap();
    assert_eq!(
        states(&p),
        s(&[("0.5", "Deleted"), ("1", "Success"), ("2", "Pending")])
    );
    assert!(validate(&p, &IgnorePatterns::default().with(PatternState::Pending)).is_empty());
    let twice = vec![
        h[0].clone(),
        h[2].clone(),
        row(4, Some("0.5"), "gone", MigrationType::Delete, Some(5), true),
    ];
    assert!(matches!(
        plan(&f, &twice, &latest()),
        Err(PlanError::MultipleDeletes(_))
    ));
}

#[test]
fn ignore_patterns_silence_matching_findings() {
    let f = files(&[("V2__b.sql", "b")]);
    let h = vec![row(1, Some("1"), "a", MigrationType::Sql, Some(1), true)];
    let p = plan(&f, &h, &latest()).unwrap();
    let codes = |patterns: &[&str]| -> Vec<Code> {
        validate(&p, &IgnorePatterns::parse(patterns).unwrap())
            .iter()
            .map(|f| f.code)
            .collect()
    };
    assert_eq!(
        codes(&[]),
        [
            Code::AppliedVersionedMigrationNotResolved,
            Code::ResolvedVersionedMigrationNotApplied
        ]
    );
    assert_eq!(
        codes(&["versioned:missing"]),
        [Code::ResolvedVersionedMigrationNotApplied]
    );
    assert_eq!(
        codes(&["repeatable:missing", "*:pending"]),
        [Code::AppliedVersionedMigrationNotResolved]
    );
    assert!(codes(&["*:*"]).is_empty());
}
