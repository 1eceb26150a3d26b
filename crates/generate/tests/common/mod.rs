//! Every plan the generators write, per dialect, shared by the snapshot and lint tests.
#![allow(dead_code)] // each test binary uses part of it

use tidemark_generate::{
    Dialect, GenerateError, PlanOptions, PlannedFile, add_foreign_key, add_not_null_column,
    add_unique, change_column_type, drop_column, rename_column,
};

/// One generated plan: a name (the snapshot's), its dialect, and the files.
pub struct Case {
    pub name: &'static str,
    pub dialect: Dialect,
    pub files: Vec<PlannedFile>,
}

impl Case {
    /// The schema the plan runs against, as an already applied migration would have created
    /// it: the tables exist and have traffic.
    pub fn base(&self) -> String {
        let pg = self.dialect == Dialect::Postgres;
        let id = if self.dialect == Dialect::Sqlite {
            "INTEGER PRIMARY KEY"
        } else if pg {
            "bigint PRIMARY KEY"
        } else {
            "BIGINT PRIMARY KEY"
        };
        let text = if pg { "text" } else { "VARCHAR(100)" };
        let plan = self.name.split('_').take(2).collect::<Vec<_>>().join("_");
        match plan.as_str() {
            "rename_column" if self.name.ends_with("qualified") => {
                format!("CREATE TABLE app.\"Users\" (user_id {id}, \"E-mail\" {text} NOT NULL);")
            }
            "rename_column" => {
                format!("CREATE TABLE users (id {id}, email_address {text} NOT NULL);")
            }
            "add_not" => format!("CREATE TABLE users (id {id}, name {text});"),
            "change_column" => {
                format!("CREATE TABLE orders (id {id}, quantity integer, price numeric(10,2));")
            }
            "drop_column" => format!("CREATE TABLE users (id {id}, legacy_name {text});"),
            "add_foreign" if self.name.ends_with("named") => format!(
                "CREATE TABLE shop.users (id {id});\nCREATE TABLE shop.orders (id {id}, user_id bigint);"
            ),
            "add_foreign" => format!(
                "CREATE TABLE users (id {id});\nCREATE TABLE orders (id {id}, user_id bigint);"
            ),
            "add_unique" => {
                format!("CREATE TABLE users (id {id}, tenant_id bigint, email {text});")
            }
            other => panic!("no base schema for {other}"),
        }
    }
}

fn typed(ty: &str) -> PlanOptions {
    PlanOptions {
        current_type: Some(ty.into()),
        ..PlanOptions::default()
    }
}

/// What a generator returns.
type Generated = Result<Vec<PlannedFile>, GenerateError>;

/// Every supported generator x dialect, with the option variants that change the output.
pub fn cases() -> Vec<Case> {
    use Dialect::{Mysql, Postgres, Sqlite};
    let d = PlanOptions::default();
    let paced = PlanOptions {
        key: "user_id".into(),
        batch_size: 500,
        batch_pause: Some("50ms".into()),
        current_type: Some("varchar(320)".into()),
    };
    let all: Vec<(&str, Dialect, Generated)> = vec![
        // rename-column: every dialect; the type from the catalog or given.
        (
            "rename_column_postgres",
            Postgres,
            rename_column(Postgres, "users", "email_address", "email", &d),
        ),
        (
            "rename_column_postgres_typed",
            Postgres,
            rename_column(Postgres, "users", "email_address", "email", &typed("text")),
        ),
        (
            "rename_column_postgres_qualified",
            Postgres,
            rename_column(Postgres, "app.\"Users\"", "\"E-mail\"", "email", &paced),
        ),
        (
            "rename_column_mysql",
            Mysql,
            rename_column(Mysql, "users", "email_address", "email", &d),
        ),
        (
            "rename_column_mysql_typed",
            Mysql,
            rename_column(Mysql, "users", "email_address", "email", &paced),
        ),
        (
            "rename_column_sqlite",
            Sqlite,
            rename_column(Sqlite, "users", "email_address", "email", &d),
        ),
        (
            "rename_column_sqlite_typed",
            Sqlite,
            rename_column(Sqlite, "users", "email_address", "email", &typed("TEXT")),
        ),
        // add-not-null-column: constant default (one step) and expression default.
        (
            "add_not_null_column_postgres_constant",
            Postgres,
            add_not_null_column(Postgres, "users", "plan", "text", "'free'", &d),
        ),
        (
            "add_not_null_column_postgres_expression",
            Postgres,
            add_not_null_column(
                Postgres,
                "users",
                "signed_up_at",
                "timestamptz",
                "now()",
                &d,
            ),
        ),
        (
            "add_not_null_column_mysql_constant",
            Mysql,
            add_not_null_column(Mysql, "users", "plan", "varchar(20)", "'free'", &d),
        ),
        (
            "add_not_null_column_mysql_expression",
            Mysql,
            add_not_null_column(Mysql, "users", "token", "varchar(40)", "uuid()", &d),
        ),
        (
            "add_not_null_column_sqlite_constant",
            Sqlite,
            add_not_null_column(Sqlite, "users", "plan", "TEXT", "'free'", &d),
        ),
        // change-column-type: PostgreSQL.
        (
            "change_column_type_postgres",
            Postgres,
            change_column_type(
                Postgres,
                "orders",
                "quantity",
                "bigint",
                None,
                &typed("integer"),
            ),
        ),
        (
            "change_column_type_postgres_using",
            Postgres,
            change_column_type(
                Postgres,
                "orders",
                "price",
                "bigint",
                Some("round(price * 100)"),
                &typed("numeric(10,2)"),
            ),
        ),
        (
            "change_column_type_postgres_untyped",
            Postgres,
            change_column_type(Postgres, "orders", "quantity", "bigint", None, &d),
        ),
        // drop-column: PostgreSQL.
        (
            "drop_column_postgres",
            Postgres,
            drop_column(Postgres, "users", "legacy_name", &typed("text")),
        ),
        (
            "drop_column_postgres_untyped",
            Postgres,
            drop_column(Postgres, "users", "legacy_name", &d),
        ),
        // add-foreign-key: PostgreSQL.
        (
            "add_foreign_key_postgres",
            Postgres,
            add_foreign_key(Postgres, "orders", "user_id", "users", "id", None, &d),
        ),
        (
            "add_foreign_key_postgres_named",
            Postgres,
            add_foreign_key(
                Postgres,
                "shop.orders",
                "user_id",
                "shop.users",
                "id",
                Some("orders_user_fk"),
                &d,
            ),
        ),
        // add-unique: PostgreSQL.
        (
            "add_unique_postgres",
            Postgres,
            add_unique(Postgres, "users", &["email"], None, &d),
        ),
        (
            "add_unique_postgres_named",
            Postgres,
            add_unique(
                Postgres,
                "users",
                &["tenant_id", "email"],
                Some("users_tenant_email_key"),
                &d,
            ),
        ),
    ];
    all.into_iter()
        .map(|(name, dialect, files)| Case {
            name,
            dialect,
            files: files.unwrap_or_else(|e| panic!("{name}: {e}")),
        })
        .collect()
}

/// A plan's files as one text: each migration, then its undo.
pub fn render(files: &[PlannedFile]) -> String {
    let mut out = String::new();
    for (i, file) in files.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!(
            "==== V{n}__{}.sql ({})\n",
            file.description, file.phase
        ));
        out.push_str(&file.sql);
        out.push_str(&format!("==== U{n}__{}.sql\n", file.description));
        out.push_str(&file.undo_sql);
    }
    out
}
