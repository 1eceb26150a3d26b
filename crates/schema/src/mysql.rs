//! MySQL / MariaDB: `information_schema`. The schema is a database here, so with one schema the
//! database's own name is taken out of definitions (`` `shop`.`orders` `` becomes
//! `` `orders` ``): a scratch database and its original then compare equal.

use std::collections::BTreeMap;

use tidemark_engine::driver::{Driver, Value};

use crate::model::{Item, ItemKind, Object, ObjectKind, Snapshot};
use crate::{Error, Options, opt, query, text};

pub(crate) fn snapshot(driver: &mut dyn Driver, options: &Options) -> Result<Snapshot, Error> {
    let mut objects = Vec::new();
    let qualify = options.schemas.len() > 1;
    for schema in &options.schemas {
        read_schema(driver, options, schema, qualify, &mut objects)?;
    }
    Ok(Snapshot {
        dialect: "mysql".into(),
        schemas: options.schemas.clone(),
        objects,
    })
}

/// `` `name` `` as MySQL quotes it.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A constraint's columns, the referenced columns and the referenced table.
type KeyColumns = (Vec<String>, Vec<String>, String);

fn read_schema(
    driver: &mut dyn Driver,
    options: &Options,
    schema: &str,
    qualify: bool,
    objects: &mut Vec<Object>,
) -> Result<(), Error> {
    let name = |n: &str| {
        if qualify {
            format!("{schema}.{n}")
        } else {
            n.to_string()
        }
    };
    // Definitions name the database; with one schema that name is noise.
    let own = format!("{}.", quote(schema));
    let local = |s: String| {
        if qualify { s } else { s.replace(&own, "") }
    };
    let p = [Value::Text(schema.to_string())];

    let mut tables: BTreeMap<String, Object> = BTreeMap::new();
    let mut sequences = Vec::new();
    let rows = query(
        driver,
        "tables",
        "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT
           FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
        &p,
    )?;
    for row in rows {
        let table = text(&row, 0);
        if options.excluded(&table) {
            continue;
        }
        match text(&row, 1).as_str() {
            "VIEW" => continue,
            "SEQUENCE" => {
                sequences.push(table);
                continue;
            }
            _ => {}
        }
        let mut parts = Vec::new();
        if let Some(engine) = opt(&row, 2) {
            parts.push(format!("ENGINE={engine}"));
        }
        if let Some(collation) = opt(&row, 3) {
            parts.push(format!("COLLATE={collation}"));
        }
        let create_options = text(&row, 4);
        if !create_options.trim().is_empty() {
            parts.push(create_options.trim().to_string());
        }
        let comment = text(&row, 5);
        if !comment.is_empty() {
            parts.push(format!("COMMENT='{}'", comment.replace('\'', "''")));
        }
        tables.insert(
            table.clone(),
            Object::new(ObjectKind::Table, name(&table), parts.join(" ")),
        );
    }

    let table_collation: BTreeMap<String, String> = tables
        .iter()
        .filter_map(|(t, o)| {
            o.definition
                .split(' ')
                .find_map(|part| part.strip_prefix("COLLATE="))
                .map(|c| (t.clone(), c.to_string()))
        })
        .collect();
    let columns = query(
        driver,
        "columns",
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
                GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?
          ORDER BY TABLE_NAME, ORDINAL_POSITION",
        &p,
    )?;
    for row in columns {
        let table_name = text(&row, 0);
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        let mut def = text(&row, 2);
        if let Some(collation) = opt(&row, 7)
            && table_collation.get(&table_name) != Some(&collation)
        {
            def.push_str(&format!(" COLLATE {collation}"));
        }
        let generation = text(&row, 6);
        let extra = text(&row, 5);
        if !generation.is_empty() {
            def.push_str(&format!(" AS ({})", local(generation)));
        }
        if text(&row, 3) == "NO" {
            def.push_str(" NOT NULL");
        }
        // MariaDB says NULL for "no default" on a nullable column, MySQL gives SQL NULL.
        if let Some(default) = opt(&row, 4).filter(|d| d != "NULL" || text(&row, 3) == "NO") {
            def.push_str(&format!(" DEFAULT {default}"));
        }
        if !extra.is_empty() {
            def.push_str(&format!(" {}", extra.to_uppercase()));
        }
        let comment = text(&row, 8);
        if !comment.is_empty() {
            def.push_str(&format!(" COMMENT '{}'", comment.replace('\'', "''")));
        }
        table.items.push(Item {
            kind: ItemKind::Column,
            name: text(&row, 1),
            definition: def,
        });
    }

    // Constraints: key columns, foreign-key targets and rules, check clauses.
    let mut key_columns: BTreeMap<(String, String), KeyColumns> = BTreeMap::new();
    let rows = query(
        driver,
        "key columns",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
                REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
           FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_SCHEMA = ?
          ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
        &p,
    )?;
    for row in rows {
        let entry = key_columns
            .entry((text(&row, 0), text(&row, 1)))
            .or_default();
        entry.0.push(quote(&text(&row, 2)));
        if let Some(column) = opt(&row, 5) {
            entry.1.push(quote(&column));
            let target_schema = text(&row, 3);
            let target = quote(&text(&row, 4));
            entry.2 = if target_schema == schema && !qualify {
                target
            } else {
                format!("{}.{target}", quote(&target_schema))
            };
        }
    }
    let rules: BTreeMap<(String, String), String> = query(
        driver,
        "foreign-key rules",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
           FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?",
        &p,
    )?
    .into_iter()
    .map(|row| {
        (
            (text(&row, 0), text(&row, 1)),
            format!("ON UPDATE {} ON DELETE {}", text(&row, 2), text(&row, 3)),
        )
    })
    .collect();
    // MariaDB's CHECK_CONSTRAINTS has TABLE_NAME; MySQL's does not (names are unique there).
    let checks: BTreeMap<(String, String), String> = match query(
        driver,
        "check constraints",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
           FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?",
        &p,
    ) {
        Ok(rows) => rows
            .into_iter()
            .map(|row| ((text(&row, 0), text(&row, 1)), text(&row, 2)))
            .collect(),
        Err(_) => query(
            driver,
            "check constraints",
            "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
               FROM information_schema.CHECK_CONSTRAINTS cc
               JOIN information_schema.TABLE_CONSTRAINTS tc
                 ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA
                AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
              WHERE cc.CONSTRAINT_SCHEMA = ?",
            &p,
        )
        .unwrap_or_default()
        .into_iter()
        .map(|row| ((text(&row, 0), text(&row, 1)), text(&row, 2)))
        .collect(),
    };
    let constraints = query(
        driver,
        "constraints",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE
           FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?
          ORDER BY TABLE_NAME, CONSTRAINT_NAME",
        &p,
    )?;
    for row in constraints {
        let key = (text(&row, 0), text(&row, 1));
        let Some(table) = tables.get_mut(&key.0) else {
            continue;
        };
        let (cols, refs, target) = key_columns.get(&key).cloned().unwrap_or_default();
        let def = match text(&row, 2).as_str() {
            "PRIMARY KEY" => format!("PRIMARY KEY ({})", cols.join(", ")),
            "UNIQUE" => format!("UNIQUE ({})", cols.join(", ")),
            "FOREIGN KEY" => format!(
                "FOREIGN KEY ({}) REFERENCES {target} ({}) {}",
                cols.join(", "),
                refs.join(", "),
                rules.get(&key).cloned().unwrap_or_default()
            ),
            "CHECK" => format!(
                "CHECK ({})",
                local(checks.get(&key).cloned().unwrap_or_default())
            ),
            other => other.to_string(),
        };
        table.items.push(Item {
            kind: ItemKind::Constraint,
            name: key.1,
            definition: def.trim_end().to_string(),
        });
    }

    let rows = query(
        driver,
        "indexes",
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, COLLATION
           FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?
          ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        &p,
    )?;
    let mut indexes: BTreeMap<(String, String), (bool, Vec<String>, String)> = BTreeMap::new();
    for row in rows {
        let entry = indexes.entry((text(&row, 0), text(&row, 1))).or_default();
        entry.0 = text(&row, 2) == "0";
        let mut column = quote(&text(&row, 3));
        if let Some(part) = opt(&row, 4) {
            column.push_str(&format!("({part})"));
        }
        if text(&row, 6) == "D" {
            column.push_str(" DESC");
        }
        entry.1.push(column);
        entry.2 = text(&row, 5);
    }
    for ((table_name, index), (unique, columns, kind)) in indexes {
        if let Some(table) = tables.get_mut(&table_name) {
            table.items.push(Item {
                kind: ItemKind::Index,
                name: index,
                definition: format!(
                    "{}({}) USING {kind}",
                    if unique { "UNIQUE " } else { "" },
                    columns.join(", ")
                ),
            });
        }
    }

    let rows = query(
        driver,
        "triggers",
        "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION,
                ACTION_ORIENTATION, ACTION_STATEMENT
           FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
          ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME",
        &p,
    )?;
    for row in rows {
        if let Some(table) = tables.get_mut(&text(&row, 0)) {
            table.items.push(Item {
                kind: ItemKind::Trigger,
                name: text(&row, 1),
                definition: format!(
                    "{} {} FOR EACH {}\n{}",
                    text(&row, 2),
                    text(&row, 3),
                    text(&row, 4),
                    local(text(&row, 5))
                ),
            });
        }
    }
    objects.extend(tables.into_values());

    let rows = query(
        driver,
        "views",
        "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE
           FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
        &p,
    )?;
    for row in rows {
        let view = text(&row, 0);
        if options.excluded(&view) {
            continue;
        }
        let mut def = local(text(&row, 1));
        let check = text(&row, 2);
        if check != "NONE" && !check.is_empty() {
            def.push_str(&format!(" WITH {check} CHECK OPTION"));
        }
        def.push_str(&format!(" SQL SECURITY {}", text(&row, 3)));
        objects.push(Object::new(ObjectKind::View, name(&view), def));
    }

    // Routines with their parameters.
    let mut parameters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let rows = query(
        driver,
        "routine parameters",
        "SELECT SPECIFIC_NAME, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER
           FROM information_schema.PARAMETERS
          WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0
          ORDER BY SPECIFIC_NAME, ORDINAL_POSITION",
        &p,
    )?;
    for row in rows {
        let mode = opt(&row, 1).map(|m| format!("{m} ")).unwrap_or_default();
        parameters.entry(text(&row, 0)).or_default().push(format!(
            "{mode}{} {}",
            quote(&text(&row, 2)),
            text(&row, 3)
        ));
    }
    let rows = query(
        driver,
        "routines",
        "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, IS_DETERMINISTIC, SQL_DATA_ACCESS,
                SECURITY_TYPE, ROUTINE_DEFINITION
           FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_NAME",
        &p,
    )?;
    for row in rows {
        let routine = text(&row, 0);
        let signature = format!(
            "{routine}({})",
            parameters
                .get(&routine)
                .cloned()
                .unwrap_or_default()
                .join(", ")
        );
        let (kind, returns) = match text(&row, 1).as_str() {
            "PROCEDURE" => (ObjectKind::Procedure, String::new()),
            _ => (ObjectKind::Function, format!("RETURNS {} ", text(&row, 2))),
        };
        let def = format!(
            "{returns}{}{} SQL SECURITY {}\n{}",
            if text(&row, 3) == "YES" {
                "DETERMINISTIC "
            } else {
                ""
            },
            text(&row, 4),
            text(&row, 5),
            local(text(&row, 6))
        );
        objects.push(Object::new(kind, name(&signature), def));
    }

    for sequence in sequences {
        let sql = format!(
            "SELECT minimum_value, maximum_value, start_value, increment, cache_size, cycle_option FROM {}.{}",
            quote(schema),
            quote(&sequence)
        );
        let rows = query(driver, "sequences", &sql, &[])?;
        let def = rows
            .first()
            .map(|row| {
                format!(
                    "START {} INCREMENT {} MINVALUE {} MAXVALUE {} CACHE {}{}",
                    text(row, 2),
                    text(row, 3),
                    text(row, 0),
                    text(row, 1),
                    text(row, 4),
                    if text(row, 5) == "1" { " CYCLE" } else { "" }
                )
            })
            .unwrap_or_default();
        objects.push(Object::new(ObjectKind::Sequence, name(&sequence), def));
    }
    Ok(())
}
