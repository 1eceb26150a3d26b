//! `info` states and `validate` on every driver: a fresh database, missing and future rows,
//! out-of-order migrations, changed repeatables and targets (reference §4-5).

use tidemark_engine::{Config, Error};
use tidemark_ledger::pattern::IgnorePatterns;
use tidemark_ledger::plan::PlanConfig;
use tidemark_ledger::version::Target;

use super::harness::{databases, edit, files, shop};

fn target(t: &str) -> Config {
    Config {
        plan: PlanConfig {
            target: Target::parse(t).unwrap(),
            out_of_order: false,
        },
        ..Config::default()
    }
}

#[test]
fn fresh_database_info_migrate_validate() {
    for mut db in databases() {
        let name = db.name;
        let src = files(&shop());
        let config = Config::default();

        let (states, version) = db.info(&src, &config);
        assert_eq!(
            states,
            ["1:Pending", "2:Pending", "3:Pending", "people view:Pending"],
            "{name}"
        );
        assert_eq!(version, "<< Empty Schema >>", "{name}");
        let err = db.with_engine(&src, &config, |e| e.validate()).unwrap_err();
        assert!(
            matches!(err, Error::Validate(ref f) if f.len() == 4),
            "{name}: {err}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with("Validate failed: Migrations have failed validation\n"),
            "{name}: {text}"
        );
        assert!(
            text.contains("Detected resolved migration not applied to database: 1.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'."),
            "{name}: {text}"
        );
        assert!(
            text.contains("Detected resolved repeatable migration not applied to database: people view.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'."),
            "{name}: {text}"
        );
        assert!(
            !db.has_table("flyway_schema_history"),
            "{name}: info/validate must not write"
        );

        let schema = db.schema_display(&config);
        let (report, log) = db.migrate_logged(&src, &config);
        let report = report.unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.initial_version, "<< Empty Schema >>", "{name}");
        assert_eq!(report.target_version.as_deref(), Some("3"), "{name}");
        assert_eq!(report.applied.len(), 4, "{name}");
        for line in [
            format!("Current version of schema {schema}: << Empty Schema >>"),
            format!("Migrating schema {schema} to version \"1 - create people\""),
            format!("Migrating schema {schema} with repeatable migration \"people view\""),
        ] {
            assert!(
                log.info.contains(&line),
                "{name}: {line:?} in {:?}",
                log.info
            );
        }
        assert!(
            log.info.iter().any(|l| l.starts_with(&format!(
                "Successfully applied 4 migrations to schema {schema}, now at version v3 (execution time "
            ))),
            "{name}: {:?}",
            log.info
        );
        assert_eq!(db.texts("SELECT name FROM people_view"), ["Ada"], "{name}");

        let (states, version) = db.info(&src, &config);
        assert_eq!(
            states,
            ["1:Success", "2:Success", "3:Success", "people view:Success"],
            "{name}"
        );
        assert_eq!(version, "3", "{name}");
        let count = db
            .with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(count, 4, "{name}");

        // A second migrate is a no-op.
        let (again, log) = db.migrate_logged(&src, &config);
        let again = again.unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(again.applied.is_empty(), "{name}");
        assert_eq!(again.initial_version, "3", "{name}");
        let up_to_date = format!("Schema {schema} is up to date. No migration necessary.");
        assert!(log.info.contains(&up_to_date), "{name}: {:?}", log.info);
        assert_eq!(db.history().len(), 4, "{name}");
    }
}

#[test]
fn missing_file_is_reported_until_repair_marks_it_deleted() {
    for mut db in databases() {
        let name = db.name;
        let both = [
            ("V1__a.sql", "CREATE TABLE a (id INT);"),
            ("V2__b.sql", "CREATE TABLE b (id INT);"),
        ];
        db.migrate(&files(&both), &Config::default())
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        let checksum = db.history()[0].checksum;
        let src = files(&both[1..]);
        let config = Config::default();
        assert_eq!(
            db.states(&src, &config),
            ["1:Missing", "2:Success"],
            "{name}"
        );

        let expected = "Detected applied migration not resolved locally: 1.\nIf you removed this migration intentionally, run repair to mark the migration as deleted.";
        let err = db.with_engine(&src, &config, |e| e.validate()).unwrap_err();
        assert!(err.to_string().contains(expected), "{name}: {err}");
        let failure = db.migrate(&src, &config).unwrap_err();
        assert!(
            failure.error.to_string().contains(expected),
            "{name}: {}",
            failure.error
        );
        let missing_ok = Config {
            ignore_patterns: IgnorePatterns::parse(&["*:missing"]).unwrap(),
            ..Config::default()
        };
        db.with_engine(&src, &missing_ok, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        let (report, log) = db.with_engine_logged(&src, &config, |e| e.repair());
        let report = report.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.marked_deleted, 1, "{name}");
        assert!(
            log.info
                .iter()
                .any(|l| l == "Successfully marked missing migrations as deleted."),
            "{name}: {:?}",
            log.info
        );
        let last = db.history().pop().unwrap();
        assert_eq!(
            (
                last.rank,
                last.version.as_deref(),
                last.description.as_str(),
                last.kind.as_str(),
                last.script.as_str(),
                last.checksum,
                last.success
            ),
            (3, Some("1"), "a", "DELETE", "V1__a.sql", checksum, true),
            "{name}: the DELETE row copies the deleted row"
        );
        assert_eq!(
            db.states(&src, &config),
            ["1:Deleted", "2:Success"],
            "{name}"
        );
        db.with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            db.has_table("a"),
            "{name}: repair never touches user objects"
        );
    }
}

#[test]
fn future_row_is_ignored_by_default_and_reported_without_patterns() {
    for mut db in databases() {
        let name = db.name;
        let both = [
            ("V1__a.sql", "CREATE TABLE a (id INT);"),
            ("V2__b.sql", "CREATE TABLE b (id INT);"),
        ];
        db.migrate(&files(&both), &Config::default())
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        // A newer deployment applied V2; this checkout only has V1.
        let src = files(&both[..1]);
        let config = Config::default();
        assert_eq!(
            db.states(&src, &config),
            ["1:Success", "2:Future"],
            "{name}"
        );
        db.with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: *:future is the default pattern: {e}"));

        let schema = db.schema_display(&config);
        let report = db
            .migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(report.applied.is_empty(), "{name}");
        let warning = format!(
            "Schema {schema} has a version (2) that is newer than the latest available migration (1) !"
        );
        assert!(
            report.warnings.contains(&warning),
            "{name}: {:?}",
            report.warnings
        );

        let strict = Config {
            ignore_patterns: IgnorePatterns::default(),
            ..Config::default()
        };
        let err = db.with_engine(&src, &strict, |e| e.validate()).unwrap_err();
        assert!(
            err.to_string().contains("Detected applied migration not resolved locally: 2.\nIf you removed this migration intentionally, run repair to mark the migration as deleted."),
            "{name}: {err}"
        );
        // repair leaves future rows alone under the default pattern.
        let report = db
            .with_engine(&src, &config, |e| e.repair())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.marked_deleted, 0, "{name}");
        assert_eq!(db.history().len(), 2, "{name}");
    }
}

#[test]
fn out_of_order_pending_is_ignored_then_applied_when_allowed() {
    for mut db in databases() {
        let name = db.name;
        let first = [
            ("V1__a.sql", "CREATE TABLE a (id INT);"),
            ("V3__c.sql", "CREATE TABLE c (id INT);"),
        ];
        db.migrate(&files(&first), &Config::default())
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        let all = edit(&first, "V2__b.sql", Some("CREATE TABLE b (id INT);"));
        let src = files(&all);
        let config = Config::default();
        assert_eq!(
            db.states(&src, &config),
            ["1:Success", "2:Ignored", "3:Success"],
            "{name}"
        );

        let expected = "Detected resolved migration not applied to database: 2.\nTo ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true.";
        let err = db.with_engine(&src, &config, |e| e.validate()).unwrap_err();
        assert!(err.to_string().contains(expected), "{name}: {err}");
        let refused = db.migrate(&src, &config).unwrap_err();
        assert!(
            refused.error.to_string().contains(expected),
            "{name}: {}",
            refused.error
        );
        let ignoring = Config {
            ignore_patterns: IgnorePatterns::parse(&["*:ignored"]).unwrap(),
            ..Config::default()
        };
        let report = db
            .migrate(&src, &ignoring)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(report.applied.is_empty(), "{name}");
        assert!(!db.has_table("b"), "{name}");

        let out_of_order = Config {
            plan: PlanConfig {
                target: Target::Latest,
                out_of_order: true,
            },
            ..Config::default()
        };
        let schema = db.schema_display(&config);
        let (report, log) = db.migrate_logged(&src, &out_of_order);
        let report = report.unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.applied.len(), 1, "{name}");
        assert!(report.applied[0].out_of_order, "{name}");
        let line = format!("Migrating schema {schema} to version \"2 - b\" [out of order]");
        assert!(log.info.contains(&line), "{name}: {:?}", log.info);
        assert!(db.has_table("b"), "{name}");
        assert_eq!(
            db.states(&src, &config),
            ["1:Success", "3:Success", "2:Out of Order"],
            "{name}"
        );
        db.with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn changed_repeatable_is_outdated_then_superseded() {
    for mut db in databases() {
        let name = db.name;
        let config = Config::default();
        db.migrate(&files(&shop()), &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        let changed = edit(
            &shop(),
            "R__people_view.sql",
            Some(
                "DROP VIEW IF EXISTS people_view;\nCREATE VIEW people_view AS SELECT name, email FROM people;\n",
            ),
        );
        let src = files(&changed);
        assert_eq!(
            db.states(&src, &config),
            [
                "1:Success",
                "2:Success",
                "3:Success",
                "people view:Outdated",
                "people view:Pending"
            ],
            "{name}"
        );
        let err = db.with_engine(&src, &config, |e| e.validate()).unwrap_err();
        assert!(
            err.to_string().contains("Detected outdated resolved repeatable migration that should be re-applied to database: people view.\nRun migrate to execute this migration."),
            "{name}: {err}"
        );
        let report = db
            .migrate(&src, &config)
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.applied.len(), 1, "{name}");
        assert_eq!(report.applied[0].version, None, "{name}");
        assert_eq!(
            db.states(&src, &config),
            [
                "1:Success",
                "2:Success",
                "3:Success",
                "people view:Superseded",
                "people view:Success"
            ],
            "{name}"
        );
        assert_eq!(
            db.texts("SELECT email FROM people_view"),
            ["ada@example.com"],
            "{name}: the new view definition is in place"
        );
        let rows = db.history();
        assert_eq!(rows.len(), 5, "{name}");
        assert_eq!(
            (
                rows[4].rank,
                rows[4].version.clone(),
                rows[4].script.as_str()
            ),
            (5, None, "R__people_view.sql"),
            "{name}"
        );
        assert_ne!(rows[3].checksum, rows[4].checksum, "{name}");
        db.with_engine(&src, &config, |e| e.validate())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn targets_version_current_next_and_missing() {
    for mut db in databases() {
        let name = db.name;
        let src = files(&shop());
        let report = db
            .migrate(&src, &target("2"))
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.target_version.as_deref(), Some("2"), "{name}");
        // Repeatables are not versioned, so a target does not hold them back (as in Flyway).
        assert_eq!(
            db.states(&src, &target("2")),
            [
                "1:Success",
                "2:Success",
                "people view:Success",
                "3:Above Target"
            ],
            "{name}"
        );
        assert_eq!(
            db.states(&src, &Config::default()),
            ["1:Success", "2:Success", "people view:Success", "3:Pending"],
            "{name}"
        );

        let missing = db.migrate(&src, &target("9")).unwrap_err();
        assert!(
            matches!(missing.error, Error::Plan(_)),
            "{name}: {}",
            missing.error
        );
        assert_eq!(
            missing.error.to_string(),
            "No migration with a target version 9 could be found. Ensure target is specified correctly and the migration exists.",
            "{name}"
        );
        let info_err = db
            .with_engine(&src, &target("9"), |e| e.info())
            .unwrap_err();
        assert!(matches!(info_err, Error::Plan(_)), "{name}: {info_err}");
        // `9?` does not require the version to exist.
        db.migrate(&src, &target("9?"))
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(db.history().len(), 4, "{name}: 9? applied V3");

        // next: only the first pending migration.
        let more = edit(
            &shop(),
            "V4__more.sql",
            Some("CREATE TABLE more_things (id INT);"),
        );
        let more = edit(
            &more,
            "V5__most.sql",
            Some("CREATE TABLE most_things (id INT);"),
        );
        let src = files(&more);
        let report = db
            .migrate(&src, &target("next"))
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert_eq!(report.applied.len(), 1, "{name}");
        assert_eq!(report.applied[0].version.as_deref(), Some("4"), "{name}");
        assert!(!db.has_table("most_things"), "{name}");

        // current: no new versions.
        assert_eq!(
            db.states(&src, &target("current")),
            [
                "1:Success",
                "2:Success",
                "people view:Success",
                "3:Success",
                "4:Success",
                "5:Above Target"
            ],
            "{name}"
        );
        let report = db
            .migrate(&src, &target("current"))
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(report.applied.is_empty(), "{name}");
        assert_eq!(db.history().len(), 5, "{name}");

        db.migrate(&src, &target("latest"))
            .unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(db.has_table("most_things"), "{name}");
        assert_eq!(db.history().len(), 6, "{name}");
        assert!(db.history().iter().all(|r| r.success), "{name}");
    }
}
