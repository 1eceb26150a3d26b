//! SQLite: `sqlite_master` and the table-valued pragmas (`pragma_table_xinfo`,
//! `pragma_foreign_key_list`, `pragma_index_list`, `pragma_index_info`). SQLite keeps the text
//! of each `CREATE` as written; indexes, views and triggers are compared on that text with its
//! whitespace collapsed. CHECK constraints live only inside a table's text and are not listed.

use std::collections::BTreeMap;

use tidemark_engine::driver::{Driver, Value};

use crate::model::{Item, ItemKind, Object, ObjectKind, Snapshot, one_line};
use crate::{Error, Options, opt, query, text};

pub(crate) fn snapshot(driver: &mut dyn Driver, options: &Options) -> Result<Snapshot, Error> {
    let rows = query(
        driver,
        "schema",
        "SELECT type, name, tbl_name, sql FROM sqlite_master
          WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
        &[],
    )?;
    let mut tables: BTreeMap<String, Object> = BTreeMap::new();
    let mut others = Vec::new();
    let mut attached: Vec<(String, Item)> = Vec::new();
    for row in &rows {
        let (kind, name, table, sql) = (text(row, 0), text(row, 1), text(row, 2), opt(row, 3));
        if options.excluded(&table) {
            continue;
        }
        let sql = one_line(&sql.unwrap_or_default());
        match kind.as_str() {
            "table" => {
                let definition = if sql.to_ascii_uppercase().contains("WITHOUT ROWID") {
                    "WITHOUT ROWID"
                } else {
                    ""
                };
                tables.insert(
                    name.clone(),
                    Object::new(ObjectKind::Table, name.clone(), definition),
                );
            }
            "view" => others.push(Object::new(ObjectKind::View, name, sql)),
            "index" => attached.push((
                table,
                Item {
                    kind: ItemKind::Index,
                    name,
                    definition: sql,
                },
            )),
            "trigger" => attached.push((
                table,
                Item {
                    kind: ItemKind::Trigger,
                    name,
                    definition: sql,
                },
            )),
            _ => {}
        }
    }

    let names: Vec<String> = tables.keys().cloned().collect();
    for table_name in names {
        let p = [Value::Text(table_name.clone())];
        let columns = query(
            driver,
            "columns",
            "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid",
            &p,
        )?;
        let foreign_keys = query(
            driver,
            "foreign keys",
            "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete
               FROM pragma_foreign_key_list(?) ORDER BY id, seq",
            &p,
        )?;
        let indexes = query(
            driver,
            "indexes",
            "SELECT name, \"unique\", origin FROM pragma_index_list(?) WHERE origin <> 'c' ORDER BY name",
            &p,
        )?;
        let mut constraints = Vec::new();
        for index in &indexes {
            let columns = query(
                driver,
                "index columns",
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                &[Value::Text(text(index, 0))],
            )?;
            let columns: Vec<String> = columns.iter().map(|c| text(c, 0)).collect();
            let kind = if text(index, 2) == "pk" {
                "PRIMARY KEY"
            } else {
                "UNIQUE"
            };
            constraints.push(Item {
                kind: ItemKind::Constraint,
                name: format!("{} ({})", kind.to_ascii_lowercase(), columns.join(", ")),
                definition: format!("{kind} ({})", columns.join(", ")),
            });
        }
        let mut fks: BTreeMap<i64, (String, Vec<String>, Vec<String>, String)> = BTreeMap::new();
        for row in &foreign_keys {
            let entry = fks.entry(row[0].as_i64().unwrap_or(0)).or_default();
            entry.0 = text(row, 1);
            entry.1.push(text(row, 2));
            entry.2.push(text(row, 3));
            entry.3 = format!("ON UPDATE {} ON DELETE {}", text(row, 4), text(row, 5));
        }
        for (target, from, to, rules) in fks.into_values() {
            constraints.push(Item {
                kind: ItemKind::Constraint,
                name: format!("foreign key ({})", from.join(", ")),
                definition: format!(
                    "FOREIGN KEY ({}) REFERENCES {target} ({}) {rules}",
                    from.join(", "),
                    to.join(", ")
                ),
            });
        }
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        for column in &columns {
            let mut def = text(column, 1);
            match column.get(5).and_then(Value::as_i64) {
                Some(2) => def.push_str(" GENERATED ALWAYS VIRTUAL"),
                Some(3) => def.push_str(" GENERATED ALWAYS STORED"),
                _ => {}
            }
            if column.get(2).and_then(Value::as_i64) == Some(1) {
                def.push_str(" NOT NULL");
            }
            if let Some(default) = opt(column, 3) {
                def.push_str(&format!(" DEFAULT {default}"));
            }
            if let Some(pk) = column.get(4).and_then(Value::as_i64).filter(|&pk| pk > 0) {
                def.push_str(&format!(" PRIMARY KEY ({pk})"));
            }
            table.items.push(Item {
                kind: ItemKind::Column,
                name: text(column, 0),
                definition: def.trim().to_string(),
            });
        }
        table.items.extend(constraints);
    }
    for (table, item) in attached {
        match tables.get_mut(&table) {
            Some(t) => t.items.push(item),
            None => {
                // A trigger on a view.
                if let Some(view) = others
                    .iter_mut()
                    .find(|o| o.kind == ObjectKind::View && o.name == table)
                {
                    view.items.push(item);
                }
            }
        }
    }
    let mut objects: Vec<Object> = tables.into_values().collect();
    objects.extend(others);
    Ok(Snapshot {
        dialect: "sqlite".into(),
        schemas: vec!["main".into()],
        objects,
    })
}
