use super::super::{
    ChangeKind, ChecksumVerdict, ErrorKind, Precondition, PreconditionAction, Properties, Rollback,
    checksum_v8, checksum_v9, matches_stored, parse_sql,
};
use super::*;
use crate::phase::Phase;

fn parse_ok(text: &str) -> Vec<ChangeSet> {
    parse_sql(text, "changelog.sql", &Properties::default())
        .unwrap_or_else(|e| panic!("{e} (line {:?})", e.line))
}

fn parse_err(text: &str) -> ChangelogError {
    match parse_sql(text, "changelog.sql", &Properties::default()) {
        Ok(cs) => panic!("expected an error, got {} changesets", cs.len()),
        Err(e) => e,
    }
}

fn sql(cs: &ChangeSet) -> &str {
    &cs.changes[0].sql
}

const BASIC: &str = "--liquibase formatted sql\n\n--changeset alice:1\nCREATE TABLE person (id INT PRIMARY KEY, name VARCHAR(50));\n--rollback DROP TABLE person;\n\n--changeset alice:2\nINSERT INTO person VALUES (1, 'a');\n--rollback DELETE FROM person WHERE id = 1;\n";

#[test]
fn basic_changesets() {
    let cs = parse_ok(BASIC);
    assert_eq!(cs.len(), 2);
    assert_eq!(
        (cs[0].id.as_str(), cs[0].author.as_str(), cs[0].line),
        ("1", "alice", 3)
    );
    assert_eq!(cs[1].line, 7);
    assert_eq!(cs[0].filename, "changelog.sql");
    assert_eq!(sql(&cs[1]), "INSERT INTO person VALUES (1, 'a');");
    assert_eq!(checksum_v9(&cs[1]), "9:2605e9bdeb786726a614ddaf450c2b46");
    match &cs[0].rollback {
        Rollback::Sql(c) => assert_eq!(c.statements(), ["DROP TABLE person"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        cs[0].changes[0].statements(),
        ["CREATE TABLE person (id INT PRIMARY KEY, name VARCHAR(50))"]
    );
    assert!(cs[0].changes[0].strip_comments && cs[0].changes[0].split_statements);
    assert_eq!(cs[0].description(), "sql");
    assert_eq!(cs[0].comments_column(), "");
}

#[test]
fn line_endings_bom_and_tabs_do_not_change_checksums() {
    let lf = parse_ok(BASIC);
    let crlf = parse_ok(&BASIC.replace('\n', "\r\n"));
    let cr = parse_ok(&BASIC.replace('\n', "\r"));
    let bom = parse_ok(&format!("\u{feff}{BASIC}"));
    let tabs = parse_ok(&BASIC.replace("INSERT INTO", "INSERT\tINTO  "));
    for other in [&crlf, &cr, &bom, &tabs] {
        assert_eq!(other.len(), 2);
        for (a, b) in lf.iter().zip(other.iter()) {
            assert_eq!(checksum_v9(a), checksum_v9(b));
            assert_eq!(a.line, b.line);
        }
    }
    // v8 collapses runs rather than deleting them: line endings still do not matter.
    assert_eq!(checksum_v8(&lf[1]), checksum_v8(&crlf[1]));
    // Blank lines before the header are skipped.
    assert_eq!(parse_ok(&format!("\n  \n{BASIC}")).len(), 2);
}

#[test]
fn a_file_without_the_header_is_raw_sql() {
    let cs = parse_ok("\n CREATE TABLE r (id INT);\n-- changeset looks:like a header\n${x}\n");
    assert_eq!(cs.len(), 1);
    assert_eq!(
        (cs[0].id.as_str(), cs[0].author.as_str()),
        ("raw", "includeAll")
    );
    assert_eq!(cs[0].format, Format::RawSql);
    assert_eq!(
        sql(&cs[0]),
        "CREATE TABLE r (id INT);\n-- changeset looks:like a header\n${x}"
    );
    assert!(!cs[0].changes[0].split_statements && !cs[0].changes[0].strip_comments);
    assert!(!is_formatted("-- liquibase notformatted?"));
    assert!(is_formatted("  --LIQUIBASE Formatted SQL"));
    assert!(is_formatted("--liquibase formatted"));
}

#[test]
fn rollback_lines_and_blocks() {
    let text = "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE rb1 (id INT);\n/* liquibase rollback\n-- note\nDROP TABLE rb1;\n*/\n--changeset a:2\nCREATE TABLE rb2 (id INT);\n/*liquibase rollback\nDROP TABLE rb2;\nDROP TABLE x; */\n--changeset a:3\nCREATE TABLE rb3 (id INT);\n--rollback not required\n--changeset a:4\nCREATE TABLE rb4 (id INT);\n--rollback DROP TABLE rb4;\nINSERT INTO rb4 VALUES (1);\n--changeset a:5\nSELECT 5;\n--rollback EMPTY\n--changeset a:6\nSELECT 6;\n--rollback\n--changeset a:7\nSELECT 7;\n--rollback empty\n--rollback DROP x;\n";
    let cs = parse_ok(text);
    let rb = |i: usize| match &cs[i].rollback {
        Rollback::Sql(c) => c.sql.clone(),
        Rollback::Empty => "<empty>".into(),
        Rollback::None => "<none>".into(),
        other => format!("{other:?}"),
    };
    // Block lines are glued without a separator.
    assert_eq!(rb(0), "-- noteDROP TABLE rb1;");
    assert_eq!(rb(1), "DROP TABLE rb2;DROP TABLE x;");
    assert_eq!(rb(2), "<empty>");
    assert_eq!(rb(3), "DROP TABLE rb4;");
    assert_eq!(
        sql(&cs[3]),
        "CREATE TABLE rb4 (id INT);\nINSERT INTO rb4 VALUES (1);"
    );
    assert_eq!(rb(4), "<empty>");
    // `--rollback` with nothing after it is plain SQL.
    assert_eq!(sql(&cs[5]), "SELECT 6;\n--rollback");
    assert_eq!(rb(5), "<none>");
    // "empty" only counts when it is the whole (single-line) rollback.
    assert_eq!(rb(6), "empty\nDROP x;");
    let e = parse_err(
        "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n/* liquibase rollback\nDROP x;\n",
    );
    assert_eq!(e.message, "Liquibase rollback comment is not closed.");
    assert_eq!(e.line, Some(4));
}

#[test]
fn rollback_referencing_another_changeset() {
    let text = "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (id INT);\n--changeset a:2\nDROP TABLE t;\n--rollback changesetId:1 changesetAuthor:a\n--changeset a:3\nSELECT 1;\n--rollback changesetId:9 changesetAuthor:a\n--changeset a:4\nSELECT 1;\n";
    let e = parse_err(text);
    assert_eq!(e.message, "Change set changelog.sql::9::a does not exist");
    let ok = text.replace("changesetId:9", "changesetId:1");
    let cs = parse_ok(&ok);
    match &cs[1].rollback {
        Rollback::ChangeSet {
            id,
            author,
            path,
            changes,
        } => {
            assert_eq!(
                (id.as_str(), author.as_str(), path.as_str()),
                ("1", "a", "changelog.sql")
            );
            assert_eq!(changes[0].sql, "CREATE TABLE t (id INT);");
        }
        other => panic!("{other:?}"),
    }
    let e = parse_err(
        "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--rollback changesetId:1\n--changeset a:2\nSELECT 2;\n",
    );
    assert!(
        e.message
            .starts_with("'changesetAuthor' not set in rollback block"),
        "{}",
        e.message
    );
}

#[test]
fn comments() {
    let text = "--liquibase formatted sql\n--changeset a:1\n--comment: first\n-- comment without colon wins\nCREATE TABLE c (id INT);\n  -- indented comment stays SQL\n";
    let cs = parse_ok(text);
    assert_eq!(cs[0].comment.as_deref(), Some("without colon wins"));
    assert_eq!(
        sql(&cs[0]),
        "CREATE TABLE c (id INT);\n  -- indented comment stays SQL"
    );
    let e =
        parse_err("--liquibase formatted sql\n--comment: outside\n--changeset a:1\nSELECT 1;\n");
    assert_eq!(e.line, Some(2));
    assert!(e.message.starts_with("Unexpected formatting at line 2. Formatted SQL changelogs do not allow comment lines outside of changesets."));
    let e =
        parse_err("--liquibase formatted sql\n--changeset a:1\n--comments: plural\nSELECT 1;\n");
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("'--comment <comment>'"), "{}", e.message);
}

#[test]
fn preconditions() {
    let text = "--liquibase formatted sql\n--changeset a:1\n--preconditions onFail:MARK_RAN onError:halt\n--precondition-sql-check expectedResult:0 SELECT COUNT(*) FROM t\n--precondition-sql-check expectedResult:'a b' SELECT x FROM t\n--precondition-table-exists table:t schema:public\n--precondition-view-exists view:v\nCREATE TABLE pc1 (id INT);\n--changeset a:2\n--precondition-sql-check 1 SELECT 1\n--preconditions onFail:CONTINUE\nSELECT 2;\n";
    let cs = parse_ok(text);
    let pc = cs[0].preconditions.as_ref().unwrap();
    assert_eq!(
        (pc.on_fail, pc.on_error),
        (PreconditionAction::MarkRan, PreconditionAction::Halt)
    );
    assert_eq!(
        pc.checks,
        vec![
            Precondition::SqlCheck {
                expected_result: "0".into(),
                sql: "SELECT COUNT(*) FROM t".into()
            },
            Precondition::SqlCheck {
                expected_result: "a b".into(),
                sql: "SELECT x FROM t".into()
            },
            Precondition::TableExists {
                table: "t".into(),
                schema: Some("public".into())
            },
            Precondition::ViewExists {
                view: "v".into(),
                schema: None
            },
        ]
    );
    assert_eq!(sql(&cs[0]), "CREATE TABLE pc1 (id INT);");
    // A later `--preconditions` line replaces the checks before it.
    let pc2 = cs[1].preconditions.as_ref().unwrap();
    assert_eq!(pc2.on_fail, PreconditionAction::Continue);
    assert!(pc2.checks.is_empty());

    for (line, msg) in [
        (
            "--precondition-foo-bar x",
            "The 'foo-bar' precondition type is not supported.",
        ),
        (
            "--precondition-sql-check",
            "Precondition sql check failed because of missing required expectedResult and sql parameters.",
        ),
        (
            "--precondition-table-exists",
            "Precondition table exists failed because of missing required table name parameter.",
        ),
        (
            "--precondition-sql-check ",
            "Could not parse a SqlCheck precondition from ''.",
        ),
        (
            "--precondition-table-exists nope",
            "Table name was not specified correctly in tableExists precondition.",
        ),
        (
            "--preconditions onFail:NOPE",
            "Unknown onFail attribute value 'NOPE'.  Possible values: 'HALT', 'CONTINUE', 'MARK_RAN', 'WARN'",
        ),
        (
            "--preconditions onUpdateSQL:TEST onSqlOutput:FAIL",
            "Please modify the changelog to have preconditions set with either 'onUpdateSql' or 'onSqlOutput', and not with both.",
        ),
    ] {
        let e = parse_err(&format!(
            "--liquibase formatted sql\n--changeset a:1\n{line}\nSELECT 1;\n"
        ));
        assert_eq!(e.message, msg, "{line}");
        assert_eq!(e.line, Some(3), "{line}");
    }
}

#[test]
fn valid_checksums() {
    let cs = parse_ok(
        "--liquibase formatted sql\n--changeset a:1\n--validCheckSum: 9:00000000000000000000000000000000\n--validCheckSum ANY\n--validCheckSum:no-space-is-sql\nCREATE TABLE v1 (id INT);\n",
    );
    assert_eq!(
        cs[0].valid_checksums,
        ["9:00000000000000000000000000000000", "ANY"]
    );
    assert_eq!(
        sql(&cs[0]),
        "--validCheckSum:no-space-is-sql\nCREATE TABLE v1 (id INT);"
    );
    assert_eq!(
        matches_stored(&cs[0], "9:ffffffffffffffffffffffffffffffff"),
        ChecksumVerdict::Match
    );
}

#[test]
fn ignore_lines() {
    let text = "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--ignoreLines:2\nSELECT 'skipped';\nSELECT 'skipped too';\nSELECT 2;\n--ignoreLines:start\n--changeset not:a-header\n--ignoreLines:7\n--ignoreLines:end\nSELECT 3;\n--changeset a:2\nSELECT 4;\n";
    let cs = parse_ok(text);
    assert_eq!(cs.len(), 2);
    assert_eq!(sql(&cs[0]), "SELECT 1;\nSELECT 2;\nSELECT 3;");
    assert_eq!(cs[1].line, 13);
    let e = parse_err("--liquibase formatted sql\n--changeset a:1\n--ignoreLines:END\nSELECT 1;\n");
    assert_eq!(e.message, "Unknown ignoreLines syntax: \"END\"");
    let e = parse_err("--liquibase formatted sql\n--changeset a:1\n--ignore:true\nSELECT 1;\n");
    assert!(
        e.message.contains("'--ignoreLines:<count|start>'"),
        "{}",
        e.message
    );
    let e = parse_err(
        "--liquibase formatted sql\n--changeset a:1\n--ignoreLines:start\n-ignoreLines:end\n",
    );
    assert_eq!(e.line, Some(4));
    // An unterminated block runs to the end of the file.
    assert_eq!(
        parse_ok("--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--ignoreLines:start\nx\n")
            .len(),
        1
    );
    // More lines to skip than there are is fine.
    assert_eq!(
        parse_ok(
            "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--ignoreLines:99999999999\nx\n"
        )
        .len(),
        1
    );
}

#[test]
fn properties_and_substitution() {
    let text = "--liquibase formatted sql\n--property name:tbl value:prop_t\n--property name:col value:c1 global:false\n--property name:tbl value:second\n--changeset ${who}:p1\nCREATE TABLE ${tbl} (${col} INT); -- ${nope}\n--rollback DROP TABLE ${tbl};\n";
    let props = Properties {
        cli: vec![("who".into(), "carol".into())],
        ..Properties::default()
    };
    let cs = parse_sql(text, "changelog.sql", &props).unwrap();
    assert_eq!(cs[0].author, "carol");
    assert_eq!(sql(&cs[0]), "CREATE TABLE prop_t (c1 INT); -- ${nope}");
    match &cs[0].rollback {
        Rollback::Sql(c) => assert_eq!(c.sql, "DROP TABLE prop_t;"),
        other => panic!("{other:?}"),
    }
    // An environment variable named like a property wins, and changes the checksum.
    let mut env = props.clone();
    env.env = vec![("TBL".into(), "from_env".into())];
    let cs2 = parse_sql(text, "changelog.sql", &env).unwrap();
    assert_eq!(sql(&cs2[0]), "CREATE TABLE from_env (c1 INT); -- ${nope}");
    assert_ne!(checksum_v9(&cs[0]), checksum_v9(&cs2[0]));
    // dbms-filtered properties.
    let text = "--liquibase formatted sql\n--property name:t value:pg dbms:postgresql\n--property name:t value:lite dbms:sqlite\n--changeset a:1\nSELECT '${t}';\n";
    for (db, want) in [("postgresql", "pg"), ("sqlite", "lite")] {
        let mut p = Properties::default();
        p.filter.dbms = Some(db.into());
        assert_eq!(
            sql(&parse_sql(text, "changelog.sql", &p).unwrap()[0]),
            format!("SELECT '{want}';")
        );
    }
    // A SQL comment starting with `property` is a parse error.
    let e =
        parse_err("--liquibase formatted sql\n--changeset a:1\n-- property tax rate\nSELECT 1;\n");
    assert_eq!(e.line, Some(3));
    assert!(
        e.message
            .contains("'--property name=<property name> value=<property value>'")
    );
}

#[test]
fn missing_property_mode_error_names_the_file() {
    let p = Properties {
        missing: super::super::MissingPropertyMode::Error,
        ..Properties::default()
    };
    let e = parse_sql(
        "--liquibase formatted sql\n--changeset a:1\nSELECT ${x};\n",
        "db/cl.sql",
        &p,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Property);
    assert_eq!(
        e.message,
        "Could not resolve expression `${x}` in file db/cl.sql"
    );
}

#[test]
fn malformed_headers_name_the_line() {
    for (text, line) in [
        (
            "--liquibase formatted sql\n--changeset a: 1\nSELECT 1;\n",
            2,
        ),
        (
            "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n-- changeset notes\n",
            4,
        ),
        ("--liquibase formatted sql\n--changeset\nSELECT 1;\n", 2),
        ("--liquibase formatted sql\n-changeset a:1\nSELECT 1;\n", 2),
        (
            "--liquibase formatted sql\n--changesetx a:1\nSELECT 1;\n",
            2,
        ),
    ] {
        let e = parse_err(text);
        assert_eq!(e.line, Some(line), "{text:?}");
        assert_eq!(e.kind, ErrorKind::Parse);
        assert_eq!(
            e.message,
            format!(
                "Unexpected formatting in formatted changelog 'changelog.sql' at line {line}.\nFormatted SQL changelogs require known formats, such as '--changeset <authorname>:<changesetId>' and others to be recognized and run. Learn all the options at https://docs.liquibase.com/concepts/changelogs/sql-format.html"
            ),
            "{text:?}"
        );
    }
    let e = parse_err("--liquibase formatted sql\n--changeset a::\nSELECT 1;\n");
    assert!(
        e.message.contains("The change set ID cannot be empty."),
        "{}",
        e.message
    );
}

#[test]
fn empty_changesets() {
    // Not last: an error naming the changeset.
    let e = parse_err("--liquibase formatted sql\n--changeset a:1\n\n--changeset a:2\nSELECT 2;\n");
    assert_eq!(e.message, "No SQL for changeset changelog.sql::1::a");
    assert_eq!(e.line, Some(2));
    // Last, with no SQL line at all: it inherits the previous changeset's SQL.
    let cs = parse_ok(
        "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--changeset a:2\n--rollback DROP x;\n",
    );
    assert_eq!(sql(&cs[1]), "SELECT 1;");
    assert_eq!(checksum_v9(&cs[0]), checksum_v9(&cs[1]));
    assert_eq!(cs[1].rollback, Rollback::None);
    // Last with only blank lines: empty SQL.
    let cs =
        parse_ok("--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--changeset a:2\n\n\n");
    assert_eq!(sql(&cs[1]), "");
    // Text before the first changeset is dropped; a lone header gives no changesets.
    let cs = parse_ok("--liquibase formatted sql\nSELECT 'ignored';\n--changeset a:1\nSELECT 1;\n");
    assert_eq!(sql(&cs[0]), "SELECT 1;");
    assert!(parse_ok("--liquibase formatted sql\n").is_empty());
}

#[test]
fn slash_terminated_last_changeset_gets_its_delimiter() {
    let cs = parse_ok(
        "--liquibase formatted sql\n--changeset a:1\nBEGIN NULL; END;\n/\n--changeset a:2\nBEGIN NULL; END;\n/\n",
    );
    assert_eq!(cs[0].changes[0].end_delimiter, None);
    assert_eq!(cs[1].changes[0].end_delimiter.as_deref(), Some("\n/$"));
    assert_eq!(cs[1].changes[0].statements(), ["BEGIN NULL; END;"]);
}

#[test]
fn header_attributes() {
    let text = "--liquibase formatted sql\n--changeset alice:a1 runOnChange:true runAlways:TRUE failOnError:false runInTransaction:false splitStatements:false stripComments:false endDelimiter:GO contextFilter:\"dev or test\" labels:\"expand,x\" dbms:postgresql,sqlite runWith:jdbc rollbackSplitStatements:false rollbackEndDelimiter:/ context:ignored\nSELECT 1\nGO\n--rollback SELECT 2\n--changeset bob:a2 context:dev labels:l1 labels:l2 ignore:true -- runAlways:true\nSELECT 2;\n--changeset \"john doe\":\"id with spaces\"\nSELECT 3;\n--ChangeSet\t'single':'quoted' logicalFilePath:other/./path.sql\nSELECT 4;\n";
    let cs = parse_ok(text);
    let a = &cs[0];
    assert!(a.run_on_change && a.run_always && !a.fail_on_error && !a.run_in_transaction);
    let c = &a.changes[0];
    assert!(!c.split_statements && !c.strip_comments);
    assert_eq!(c.end_delimiter.as_deref(), Some("GO"));
    assert_eq!(a.context.as_deref(), Some("dev or test"));
    assert_eq!(a.contexts_column().as_deref(), Some("(dev or test)"));
    assert_eq!(a.labels.as_deref(), Some("expand,x"));
    assert_eq!(a.phase, Some(Phase::Expand));
    assert_eq!(a.dbms.as_deref(), Some("postgresql,sqlite"));
    assert_eq!(a.run_with.as_deref(), Some("jdbc"));
    match &a.rollback {
        Rollback::Sql(r) => {
            assert!(!r.split_statements);
            assert_eq!(r.end_delimiter.as_deref(), Some("/"));
        }
        other => panic!("{other:?}"),
    }
    // Attributes anywhere on the line; the last occurrence wins.
    let b = &cs[1];
    assert_eq!(b.context.as_deref(), Some("dev"));
    assert_eq!(b.labels.as_deref(), Some("l2"));
    assert!(b.ignore && b.run_always);
    assert_eq!(
        (cs[2].author.as_str(), cs[2].id.as_str()),
        ("john doe", "id with spaces")
    );
    assert_eq!(
        (cs[3].author.as_str(), cs[3].id.as_str()),
        ("single", "quoted")
    );
    assert_eq!(cs[3].filename, "other/path.sql");
    assert_eq!(cs[3].logical_file_path.as_deref(), Some("other/./path.sql"));
}

#[test]
fn logical_file_path_and_filename() {
    let cs = parse_ok(
        "--liquibase formatted sql logicalFilePath:db/main.sql\n--changeset a:1\nSELECT 1;\n--changeset a:2 logicalFilePath:other.sql\nSELECT 2;\n",
    );
    assert_eq!(cs[0].filename, "db/main.sql");
    assert_eq!(cs[1].filename, "other.sql");
    let cs = parse_sql(
        "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n",
        "./dir/../dir/sub/cl.sql",
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(cs[0].filename, "dir/sub/cl.sql");
    assert_eq!(cs[0].identifier(), "dir/sub/cl.sql::1::a");
    assert!(cs[0].is_same_as("1", "A", "DIR\\sub\\cl.sql"));
    assert!(!cs[0].is_same_as("1", "a", "sub/cl.sql"));
}

#[test]
fn statements_follow_the_attributes() {
    let cs = parse_ok(
        "--liquibase formatted sql\n--changeset a:1\n-- c\nCREATE TABLE m1 (id INT);\nINSERT INTO m1 VALUES (1);INSERT INTO m1 VALUES (2);\n--changeset a:2 splitStatements:false\nCREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;\n",
    );
    assert_eq!(
        cs[0].statements(None),
        [
            "CREATE TABLE m1 (id INT)",
            "INSERT INTO m1 VALUES (1)",
            "INSERT INTO m1 VALUES (2)"
        ]
    );
    assert_eq!(cs[1].statements(None).len(), 1);
    assert_eq!(
        cs[0].sql(None),
        "-- c\nCREATE TABLE m1 (id INT);\nINSERT INTO m1 VALUES (1);INSERT INTO m1 VALUES (2);"
    );
    assert!(matches!(cs[0].changes[0].kind, ChangeKind::Sql));
}

#[test]
fn malformed_utf8_becomes_replacement_chars_and_counts() {
    let cs = parse_ok("--liquibase formatted sql\n--changeset a:1\n-- caf\u{fffd}\nSELECT 1;\n");
    let plain = parse_ok("--liquibase formatted sql\n--changeset a:1\n-- caf\nSELECT 1;\n");
    assert_ne!(checksum_v9(&cs[0]), checksum_v9(&plain[0]));
}

/// A tiny deterministic generator (xorshift) for the fuzz test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn fuzz_never_panics() {
    let pieces = [
        "--liquibase formatted sql",
        "--changeset a:1",
        "--changeset \"x y\":'z'",
        "--changeset a: 1",
        "--rollback DROP t;",
        "/* liquibase rollback",
        "*/",
        "x */",
        "--comment: c",
        "-- comment c",
        "--comments x",
        "--preconditions onFail:MARK_RAN",
        "--precondition-sql-check expectedResult:0 SELECT 1",
        "--precondition-table-exists table:t",
        "--precondition-x",
        "--validCheckSum ANY",
        "--ignoreLines:2",
        "--ignoreLines:start",
        "--ignoreLines:end",
        "--ignore:x",
        "--property name:a value:${a}",
        "--property name:b value:x${b}y global:false",
        "-- property",
        "SELECT '${a}';",
        "SELECT ${b};",
        "${",
        "}",
        "$",
        "\t",
        "",
        " ",
        "\u{feff}",
        "é\u{2028}",
        "\u{85}",
        "GO",
        "/",
        ";",
        "'",
        "\"",
        "--changeset a:2 endDelimiter:( splitStatements:true",
        "--changeset a:3 endDelimiter:\\$\\$",
        "--rollback changesetId:1 changesetAuthor:a",
        "--rollback not required",
        "-changeset",
        "--changeset a:1 logicalFilePath:../x labels:@contract context:(a",
    ];
    let seps = ["\n", "\r\n", "\r", " ", ""];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let mut text = String::new();
        let n = rng.next() % 24;
        for _ in 0..n {
            text.push_str(rng.pick(&pieces));
            text.push_str(rng.pick(&seps));
        }
        // Some raw bytes mangled too.
        if rng.next() % 5 == 0 {
            let bytes: Vec<u8> = (0..(rng.next() % 64))
                .map(|_| (rng.next() & 0xff) as u8)
                .collect();
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
        if let Ok(cs) = parse_sql(&text, "f.sql", &Properties::default()) {
            for c in &cs {
                let _ = checksum_v9(c);
                let _ = checksum_v8(c);
                let _ = matches_stored(c, "8:abc");
                let _ = c.statements(Some("postgresql"));
                let _ = c.contexts_column();
                let _ = c.matches_filter(&super::super::Filter {
                    dbms: Some("sqlite".into()),
                    contexts: Some("a".into()),
                    labels: Some("(x".into()),
                });
            }
        }
    }
}

#[test]
fn literal_header_agrees_with_the_java_pattern_it_replaces() {
    let lines = [
        "--changeset bob:1",
        "-- changeset bob:1 runOnChange:true",
        "  --  ChangeSet\tbob:1",
        "-- changeset  bob:1",
        "-- changesetbob:1",
        "-- changeset bob: 1",
        "-- changeset bob:12",
        "-- changeset bob:1\u{2028}",
        "-- changeset bob:1 tail\u{85}",
        "- changeset bob:1",
        "-- change set bob:1",
        "x-- changeset bob:1",
        "-- changeset \u{e9}:1",
        "-- changeset",
    ];
    for author_id in ["bob:1", " bob:1", "\u{e9}:1", "bob:1 "] {
        let re = whole(&format!(
            "{{s}}*--{{s}}*(?i-u:changeset){{s}}+{}{{.}}*",
            regex::escape(author_id)
        ));
        for line in lines {
            assert_eq!(
                literal_header(line, author_id),
                re.is_match(line),
                "{line:?} with {author_id:?}"
            );
        }
    }
}

#[test]
fn needle_search_ignores_ascii_case_only() {
    assert!(contains_ignore_ascii_case(
        b"-- ChangeSet a:1",
        b"changeset"
    ));
    assert!(contains_ignore_ascii_case(
        b"x runOnChange:true",
        b"runonchange:"
    ));
    assert!(contains_ignore_ascii_case(b"ccchangeset", b"changeset"));
    assert!(!contains_ignore_ascii_case(b"-- change set", b"changeset"));
    assert!(!contains_ignore_ascii_case(b"chang", b"changeset"));
    assert!(!contains_ignore_ascii_case(
        "\u{212a}ey:".as_bytes(),
        b"key:"
    ));
    assert!(contains_ignore_ascii_case(b"anything", b""));
}

#[test]
fn plain_sql_lines_are_kept_as_written_and_statements_split_only_when_asked() {
    // Lines without `-` or `*` take the short way (no directive can match them); the others
    // are still checked: `2 * 3` is SQL, `-- comment` inside a changeset too.
    let text = "--liquibase formatted sql\nignored before any changeset;\n\n--changeset a:1\nCREATE TABLE t (\n    id INT\n);\nSELECT 2 * 3;\n-- a note\nINSERT INTO t VALUES (1);\n";
    let cs = parse_ok(text);
    assert_eq!(cs.len(), 1);
    assert_eq!(
        sql(&cs[0]),
        "CREATE TABLE t (\n    id INT\n);\nSELECT 2 * 3;\n-- a note\nINSERT INTO t VALUES (1);"
    );
    let unsplit = cs[0].changes[0].clone();
    assert_eq!(
        cs[0].changes[0].statements(),
        [
            "CREATE TABLE t (\n    id INT\n)",
            "SELECT 2 * 3",
            "INSERT INTO t VALUES (1)"
        ]
    );
    // Equal whether or not split yet.
    assert_eq!(unsplit, cs[0].changes[0]);
}
