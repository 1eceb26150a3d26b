use super::super::checksum::{change_v9, md5_hex};
use super::super::{
    ChangeKind, Filter, MissingPropertyMode, Rollback, checksum_v8, checksum_v9, load,
};
use super::*;
use crate::phase::Phase;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn ids(cl: &Changelog) -> Vec<String> {
    cl.changesets.iter().map(|c| c.identifier()).collect()
}

const SQL_A: &str = "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE a (id INT);\n";

#[test]
fn xml_master_with_includes_sql_and_sqlfile() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "db/master.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <property name="tbl" value="inline_t"/>
  <include file="sql/a.sql" relativeToChangelogFile="true"/>
  <include file="db/sql/b.sql"/>
  <includeAll path="all/" relativeToChangelogFile="true"/>
  <changeSet id="x1" author="xml">
    <comment>raw file</comment>
    <sqlFile path="sql/raw.sql" relativeToChangelogFile="true"/>
  </changeSet>
  <changeSet id="x2" author="xml" context="dev" labels="contract">
    <sql>
      CREATE TABLE ${tbl} (id INT);
    </sql>
    <rollback>DROP TABLE ${tbl};</rollback>
  </changeSet>
  <changeSet id="x3" author="xml">
    <tagDatabase tag="v1"/>
  </changeSet>
</databaseChangeLog>
"#,
    );
    write(root, "db/sql/a.sql", SQL_A);
    write(
        root,
        "db/sql/b.sql",
        "--liquibase formatted sql\n--changeset b:1\nCREATE TABLE b (id INT);\n",
    );
    write(root, "db/sql/raw.sql", "CREATE TABLE r (${x} INT);\n");
    write(
        root,
        "db/all/002_second.sql",
        "--liquibase formatted sql\n--changeset c:2\nSELECT 2;\n",
    );
    write(
        root,
        "db/all/001_first.sql",
        "--liquibase formatted sql\n--changeset c:1\nSELECT 1;\n",
    );
    write(root, "db/all/README.md", "not a changelog");

    let cl = load(
        Path::new("db/master.xml"),
        &[root.to_path_buf()],
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(cl.root, "db/master.xml");
    assert_eq!(
        ids(&cl),
        [
            "db/sql/a.sql::1::a",
            "db/sql/b.sql::1::b",
            "db/all/001_first.sql::1::c",
            "db/all/002_second.sql::2::c",
            "db/master.xml::x1::xml",
            "db/master.xml::x2::xml",
            "db/master.xml::x3::xml",
        ]
    );
    // An included formatted-SQL file checksums exactly as when run directly.
    let direct = super::super::parse_sql(SQL_A, "db/sql/a.sql", &Properties::default()).unwrap();
    assert_eq!(checksum_v9(&cl.changesets[0]), checksum_v9(&direct[0]));

    let x1 = &cl.changesets[4];
    assert_eq!(x1.format, Format::Xml);
    assert_eq!(x1.comment.as_deref(), Some("raw file"));
    assert_eq!(x1.description(), "sqlFile path=sql/raw.sql");
    assert!(matches!(x1.changes[0].kind, ChangeKind::SqlFile { .. }));
    // sqlFile: the file's bytes, no `${}` expansion, whitespace removed.
    let inner = change_v9(b"CREATE TABLE r (${x} INT);\n");
    assert_eq!(
        checksum_v9(x1),
        format!("9:{}", md5_hex(format!("{inner}:").as_bytes()))
    );

    let x2 = &cl.changesets[5];
    assert_eq!(x2.changes[0].sql, "CREATE TABLE inline_t (id INT);");
    assert!(!x2.changes[0].strip_comments);
    assert_eq!(x2.phase, Some(Phase::Contract));
    assert_eq!(x2.line, 12);
    match &x2.rollback {
        Rollback::Sql(c) => assert_eq!(c.sql, "DROP TABLE inline_t;"),
        other => panic!("{other:?}"),
    }
    // `<sql>` checksums as formatted SQL in v9 but has its own v8 header (stripComments false).
    let same = super::super::parse_sql(
        "--liquibase formatted sql\n--changeset xml:x2\nCREATE TABLE inline_t (id INT);\n",
        "db/master.xml",
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(checksum_v9(x2), checksum_v9(&same[0]));
    assert_ne!(checksum_v8(x2), checksum_v8(&same[0]));
    assert_eq!(cl.changesets[6].description(), "tagDatabase");
    assert_eq!(cl.files.len(), 5);
}

#[test]
fn include_all_sorts_by_full_path_and_reads_raw_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "master.yaml",
        "databaseChangeLog:\n  - includeAll:\n      path: db/\n",
    );
    write(
        root,
        "db/001_first.sql",
        "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n",
    );
    write(
        root,
        "db/001-a.sql",
        "--liquibase formatted sql\n--changeset a:0\nSELECT 0;\n",
    );
    write(root, "db/sub/000.sql", "SELECT 'raw';\n");
    write(
        root,
        "db/002_second.yml",
        "databaseChangeLog:\n  - changeSet:\n      id: 2\n      author: y\n      changes:\n        - sql:\n            sql: SELECT 2\n",
    );
    let cl = load(
        Path::new("master.yaml"),
        &[root.to_path_buf()],
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(
        ids(&cl),
        [
            "db/001-a.sql::0::a",
            "db/001_first.sql::1::a",
            "db/002_second.yml::2::y",
            "db/sub/000.sql::raw::includeAll",
        ]
    );
    assert_eq!(cl.changesets[2].format, Format::Yaml);
    assert_eq!(cl.changesets[2].line, 2);
    assert_eq!(cl.changesets[3].changes[0].sql, "SELECT 'raw';");
}

#[test]
fn yaml_master_mirrors_xml() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "db/changelog.yaml",
        "databaseChangeLog:\n  - property:\n      name: tbl\n      value: y_t\n  - include:\n      file: sql/a.sql\n      relativeToChangelogFile: true\n      context: dev\n      labels: expand\n  - changeSet:\n      id: y1\n      author: yaml\n      runOnChange: true\n      validCheckSum: ANY\n      preConditions:\n        - onFail: MARK_RAN\n        - sqlCheck:\n            expectedResult: 0\n            sql: SELECT COUNT(*) FROM t\n      changes:\n        - sql:\n            sql: CREATE TABLE ${tbl} (id INT);\n        - sqlFile:\n            path: db/raw.sql\n      rollback: DROP TABLE ${tbl};\n",
    );
    write(root, "db/sql/a.sql", SQL_A);
    write(root, "db/raw.sql", "SELECT 1;");
    let cl = load(
        Path::new("db/changelog.yaml"),
        &[root.to_path_buf()],
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(
        ids(&cl),
        ["db/sql/a.sql::1::a", "db/changelog.yaml::y1::yaml"]
    );
    let a = &cl.changesets[0];
    assert_eq!(a.inherited_contexts, ["dev"]);
    assert_eq!(a.phase, Some(Phase::Expand));
    assert_eq!(a.contexts_column().as_deref(), Some("dev"));
    assert_eq!(a.labels_column().as_deref(), Some("expand"));
    let y = &cl.changesets[1];
    assert!(y.run_on_change);
    assert_eq!(y.valid_checksums, ["ANY"]);
    assert_eq!(y.line, 10);
    assert_eq!(y.changes[0].sql, "CREATE TABLE y_t (id INT);");
    assert_eq!(y.description(), "sql; sqlFile path=db/raw.sql");
    let pc = y.preconditions.as_ref().unwrap();
    assert_eq!(pc.on_fail, super::super::PreconditionAction::MarkRan);
    assert_eq!(pc.checks.len(), 1);
    assert!(matches!(&y.rollback, Rollback::Sql(c) if c.sql == "DROP TABLE y_t;"));
    // Inherited include contexts must match the run's contexts.
    let dev = Filter {
        contexts: Some("dev".into()),
        ..Filter::default()
    };
    let prod = Filter {
        contexts: Some("prod".into()),
        ..Filter::default()
    };
    assert!(a.matches_filter(&dev).unwrap());
    assert!(!a.matches_filter(&prod).unwrap());
    assert!(y.matches_filter(&prod).unwrap());
}

#[test]
fn search_path_dirs_are_tried_in_order() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    write(
        one.path(),
        "master.xml",
        "<databaseChangeLog><include file=\"db/x.sql\"/></databaseChangeLog>",
    );
    write(two.path(), "db/x.sql", SQL_A);
    let sp = [one.path().to_path_buf(), two.path().to_path_buf()];
    let cl = load(Path::new("./master.xml"), &sp, &Properties::default()).unwrap();
    assert_eq!(ids(&cl), ["db/x.sql::1::a"]);
    assert_eq!(cl.changesets[0].path, two.path().join("db/x.sql"));
    // With `--search-path=dir` and `--changelog-file=sub/cl.sql`, FILENAME is `sub/cl.sql`.
    write(one.path(), "dir/sub/cl.sql", SQL_A);
    let cl = load(
        Path::new("sub/cl.sql"),
        &[one.path().join("dir")],
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(cl.changesets[0].filename, "sub/cl.sql");
}

#[test]
fn v9_leaves_out_changes_for_other_databases() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.xml",
        "<databaseChangeLog><changeSet id=\"1\" author=\"a\"><sql>SELECT 1;</sql><sql dbms=\"mssql\">SELECT 2;</sql></changeSet><changeSet id=\"2\" author=\"a\"><sql>SELECT 1;</sql></changeSet></databaseChangeLog>",
    );
    let mut props = Properties::default();
    props.filter.dbms = Some("postgresql".into());
    let cl = load(Path::new("m.xml"), &[dir.path().to_path_buf()], &props).unwrap();
    let (both, one) = (&cl.changesets[0], &cl.changesets[1]);
    assert_eq!(checksum_v9(both), checksum_v9(one));
    assert_ne!(checksum_v8(both), checksum_v8(one));
    assert_eq!(both.statements(Some("postgresql")), ["SELECT 1"]);
    assert_eq!(both.description(), "sql; sql");
    props.filter.dbms = Some("mssql".into());
    let cl = load(Path::new("m.xml"), &[dir.path().to_path_buf()], &props).unwrap();
    assert_ne!(
        checksum_v9(&cl.changesets[0]),
        checksum_v9(&cl.changesets[1])
    );
}

#[test]
fn properties_from_included_files_do_not_reach_back() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "m.xml",
        "<databaseChangeLog><include file=\"inc.sql\"/><changeSet id=\"1\" author=\"a\"><sql>SELECT '${p}';</sql></changeSet></databaseChangeLog>",
    );
    write(
        root,
        "inc.sql",
        "--liquibase formatted sql\n--property name:p value:from_inc\n--changeset a:1\nSELECT '${p}';\n",
    );
    let cl = load(
        Path::new("m.xml"),
        &[root.to_path_buf()],
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(cl.changesets[0].changes[0].sql, "SELECT 'from_inc';");
    assert_eq!(cl.changesets[1].changes[0].sql, "SELECT '${p}';");
}

#[test]
fn errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let sp = [root.to_path_buf()];
    let p = Properties::default();

    let e = load(Path::new("nope.xml"), &sp, &p).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(
        e.message
            .starts_with("The file nope.xml was not found in the configured search path:")
    );

    write(
        root,
        "m1.xml",
        "<databaseChangeLog>\n\n  <include file=\"missing.sql\"/>\n</databaseChangeLog>",
    );
    let e = load(Path::new("m1.xml"), &sp, &p).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::NotFound, Some(3)));
    write(
        root,
        "m1b.xml",
        "<databaseChangeLog><include file=\"missing.sql\" errorIfMissing=\"false\"/></databaseChangeLog>",
    );
    assert!(
        load(Path::new("m1b.xml"), &sp, &p)
            .unwrap()
            .changesets
            .is_empty()
    );

    write(
        root,
        "m2.xml",
        "<databaseChangeLog>\n<changeSet id=\"1\" author=\"a\">\n<sql>x</sql>\n</changeSetx>\n</databaseChangeLog>",
    );
    let e = load(Path::new("m2.xml"), &sp, &p).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parse);
    assert_eq!(e.line, Some(4), "{}", e.message);

    write(
        root,
        "m3.xml",
        "<databaseChangeLog>\n<changeSet id=\"1\" author=\"a\">\n<createTable tableName=\"t\"/>\n</changeSet>\n</databaseChangeLog>",
    );
    let e = load(Path::new("m3.xml"), &sp, &p).unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("<createTable>"), "{}", e.message);

    write(
        root,
        "loop.xml",
        "<databaseChangeLog><include file=\"loop.xml\"/></databaseChangeLog>",
    );
    let e = load(Path::new("loop.xml"), &sp, &p).unwrap_err();
    assert!(
        e.message.starts_with("Circular include of loop.xml"),
        "{}",
        e.message
    );

    write(
        root,
        "bad.sql",
        "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n-- changeset oops\n",
    );
    write(
        root,
        "m4.yaml",
        "databaseChangeLog:\n  - include:\n      file: bad.sql\n",
    );
    let e = load(Path::new("m4.yaml"), &sp, &p).unwrap_err();
    assert_eq!((e.path.clone(), e.line), (root.join("bad.sql"), Some(4)));

    write(root, "m5.yaml", "databaseChangeLog:\n  - include: [\n");
    assert_eq!(
        load(Path::new("m5.yaml"), &sp, &p).unwrap_err().kind,
        ErrorKind::Parse
    );

    write(
        root,
        "m6.xml",
        "<databaseChangeLog><includeAll path=\"empty/\"/></databaseChangeLog>",
    );
    let e = load(Path::new("m6.xml"), &sp, &p).unwrap_err();
    assert_eq!(
        e.message,
        "Could not find directory or directory was empty for includeAll 'empty/'"
    );

    let strict = Properties {
        missing: MissingPropertyMode::Error,
        ..Properties::default()
    };
    write(
        root,
        "m7.xml",
        "<databaseChangeLog>\n<changeSet id=\"${nope}\" author=\"a\"><sql>x</sql></changeSet></databaseChangeLog>",
    );
    let e = load(Path::new("m7.xml"), &sp, &strict).unwrap_err();
    assert_eq!((e.kind, e.line), (ErrorKind::Property, Some(2)));
}

#[test]
fn xml_entities_cdata_and_rollback_forms() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m.xml",
        "<databaseChangeLog>\n<changeSet id=\"1\" author=\"a\"><sql><![CDATA[SELECT 1 < 2;]]> -- &amp;&#65;</sql><rollback/></changeSet>\n<changeSet id=\"2\" author=\"a\"><sql>SELECT 2;</sql><rollback changeSetId=\"1\" changeSetAuthor=\"a\"/></changeSet>\n</databaseChangeLog>",
    );
    let cl = load(
        Path::new("m.xml"),
        &[dir.path().to_path_buf()],
        &Properties::default(),
    )
    .unwrap();
    assert_eq!(cl.changesets[0].changes[0].sql, "SELECT 1 < 2; -- &A");
    assert_eq!(cl.changesets[0].rollback, Rollback::Empty);
    assert!(matches!(&cl.changesets[1].rollback, Rollback::ChangeSet { id, .. } if id == "1"));
    assert_eq!(cl.changesets[1].line, 3);
}
