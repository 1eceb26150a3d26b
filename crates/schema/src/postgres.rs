//! PostgreSQL: `pg_catalog`, read through the server's own deparsers (`format_type`,
//! `pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`, `pg_get_viewdef`,
//! `pg_get_triggerdef`, `pg_get_functiondef`), so definitions are normalised by the server and
//! identical for identical schemas. Objects that belong to an extension are the extension's.

use std::collections::BTreeMap;

use tidemark_engine::driver::{Driver, Value};

use crate::model::{Item, ItemKind, Object, ObjectKind, Snapshot};
use crate::{Error, Options, flag, opt, query, text};

/// `AND NOT <extension member>` for an object of catalog `catalog` with oid `oid`.
fn not_extension(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

pub(crate) fn snapshot(driver: &mut dyn Driver, options: &Options) -> Result<Snapshot, Error> {
    let mut objects = Vec::new();
    let qualify = options.schemas.len() > 1;
    for schema in &options.schemas {
        let name = |n: &str| {
            if qualify {
                format!("{schema}.{n}")
            } else {
                n.to_string()
            }
        };
        let p = [Value::Text(schema.clone())];
        read_schema(driver, options, &p, &name, &mut objects)?;
    }
    Ok(Snapshot {
        dialect: "postgresql".into(),
        schemas: options.schemas.clone(),
        objects,
    })
}

fn read_schema(
    driver: &mut dyn Driver,
    options: &Options,
    p: &[Value],
    name: &dyn Fn(&str) -> String,
    objects: &mut Vec<Object>,
) -> Result<(), Error> {
    // Tables (and the relations indexes and triggers attach to), by name.
    let mut tables: BTreeMap<String, Object> = BTreeMap::new();
    let rows = query(
        driver,
        "tables",
        &format!(
            "SELECT c.relname::text, c.relkind::text, c.relpersistence::text,
                    COALESCE(pg_get_partkeydef(c.oid), ''),
                    CASE WHEN c.relispartition THEN
                      (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i
                         JOIN pg_class pc ON pc.oid = i.inhparent
                         JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                        WHERE i.inhrelid = c.oid LIMIT 1)
                      || ' ' || pg_get_expr(c.relpartbound, c.oid) END,
                    CASE WHEN c.relkind = 'm' THEN pg_get_viewdef(c.oid, true) END
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'm')
                AND {}
              ORDER BY 1",
            not_extension("pg_class", "c.oid")
        ),
        p,
    )?;
    for row in rows {
        let table = text(&row, 0);
        if options.excluded(&table) {
            continue;
        }
        let (kind, definition) = match text(&row, 1).as_str() {
            "m" => (ObjectKind::MaterializedView, text(&row, 5)),
            relkind => {
                let mut parts = Vec::new();
                if text(&row, 2) == "u" {
                    parts.push("UNLOGGED".to_string());
                }
                if relkind == "f" {
                    parts.push("FOREIGN".to_string());
                }
                if let Some(parent) = opt(&row, 4) {
                    parts.push(format!("PARTITION OF {parent}"));
                }
                let key = text(&row, 3);
                if !key.is_empty() {
                    parts.push(format!("PARTITION BY {key}"));
                }
                (ObjectKind::Table, parts.join(" "))
            }
        };
        tables.insert(table.clone(), Object::new(kind, name(&table), definition));
    }

    let columns = query(
        driver,
        "columns",
        "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
                a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text,
                a.attgenerated::text,
                CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(co.collname) END
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           LEFT JOIN pg_collation co ON co.oid = a.attcollation
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f') AND a.attnum > 0
            AND NOT a.attisdropped
          ORDER BY c.relname, a.attnum",
        p,
    )?;
    for row in columns {
        let Some(table) = tables.get_mut(&text(&row, 0)) else {
            continue;
        };
        let mut def = text(&row, 2);
        if let Some(collation) = opt(&row, 7) {
            def.push_str(&format!(" COLLATE {collation}"));
        }
        let expr = opt(&row, 4);
        match (text(&row, 6).as_str(), expr) {
            ("s", Some(e)) => def.push_str(&format!(" GENERATED ALWAYS AS ({e}) STORED")),
            (_, Some(e)) => def.push_str(&format!(" DEFAULT {e}")),
            _ => {}
        }
        match text(&row, 5).as_str() {
            "a" => def.push_str(" GENERATED ALWAYS AS IDENTITY"),
            "d" => def.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
            _ => {}
        }
        if flag(&row, 3) {
            def.push_str(" NOT NULL");
        }
        table.items.push(Item {
            kind: ItemKind::Column,
            name: text(&row, 1),
            definition: def,
        });
    }

    let constraints = query(
        driver,
        "constraints",
        "SELECT c.relname::text, con.conname::text, pg_get_constraintdef(con.oid, true)
           FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1
          ORDER BY 1, 2",
        p,
    )?;
    for row in constraints {
        if let Some(table) = tables.get_mut(&text(&row, 0)) {
            table.items.push(Item {
                kind: ItemKind::Constraint,
                name: text(&row, 1),
                definition: text(&row, 2),
            });
        }
    }

    let indexes = query(
        driver,
        "indexes",
        "SELECT t.relname::text, i.relname::text, pg_get_indexdef(x.indexrelid), x.indisvalid
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = $1
          ORDER BY 1, 2",
        p,
    )?;
    for row in indexes {
        if let Some(table) = tables.get_mut(&text(&row, 0)) {
            let mut def = text(&row, 2);
            if !flag(&row, 3) {
                // A failed CREATE INDEX CONCURRENTLY leaves this behind.
                def.push_str(" INVALID");
            }
            table.items.push(Item {
                kind: ItemKind::Index,
                name: text(&row, 1),
                definition: def,
            });
        }
    }

    let triggers = query(
        driver,
        "triggers",
        "SELECT c.relname::text, t.tgname::text, pg_get_triggerdef(t.oid, true), t.tgenabled::text
           FROM pg_trigger t
           JOIN pg_class c ON c.oid = t.tgrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND NOT t.tgisinternal
          ORDER BY 1, 2",
        p,
    )?;
    let mut view_triggers: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for row in triggers {
        let mut def = text(&row, 2);
        if text(&row, 3) == "D" {
            def.push_str(" DISABLED");
        }
        let item = Item {
            kind: ItemKind::Trigger,
            name: text(&row, 1),
            definition: def,
        };
        match tables.get_mut(&text(&row, 0)) {
            Some(table) => table.items.push(item),
            None => view_triggers.entry(text(&row, 0)).or_default().push(item),
        }
    }

    let views = query(
        driver,
        "views",
        &format!(
            "SELECT c.relname::text, pg_get_viewdef(c.oid, true)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind = 'v' AND {}
              ORDER BY 1",
            not_extension("pg_class", "c.oid")
        ),
        p,
    )?;
    for row in views {
        let view = text(&row, 0);
        if options.excluded(&view) {
            continue;
        }
        let mut object = Object::new(ObjectKind::View, name(&view), text(&row, 1));
        // INSTEAD OF triggers live on views.
        object.items = view_triggers.remove(&view).unwrap_or_default();
        objects.push(object);
    }
    objects.extend(tables.into_values());

    let sequences = query(
        driver,
        "sequences",
        &format!(
            "SELECT c.relname::text, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                    s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                    (SELECT dc.relname || '.' || a.attname FROM pg_depend d
                       JOIN pg_class dc ON dc.oid = d.refobjid
                       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' LIMIT 1)
               FROM pg_sequence s
               JOIN pg_class c ON c.oid = s.seqrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND {}
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                  AND d.objid = c.oid AND d.deptype = 'i')
              ORDER BY 1",
            not_extension("pg_class", "c.oid")
        ),
        p,
    )?;
    for row in sequences {
        let owner = opt(&row, 8);
        if owner
            .as_deref()
            .and_then(|o| o.split('.').next())
            .is_some_and(|t| options.excluded(t))
        {
            continue;
        }
        let mut def = format!(
            "{} START {} INCREMENT {} MINVALUE {} MAXVALUE {} CACHE {}{}",
            text(&row, 1),
            text(&row, 2),
            text(&row, 3),
            text(&row, 4),
            text(&row, 5),
            text(&row, 6),
            if flag(&row, 7) { " CYCLE" } else { "" }
        );
        if let Some(owner) = owner {
            def.push_str(&format!(" OWNED BY {owner}"));
        }
        objects.push(Object::new(ObjectKind::Sequence, name(&text(&row, 0)), def));
    }

    let functions = query(
        driver,
        "functions",
        &format!(
            "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                    p.prokind::text,
                    CASE WHEN p.prokind = 'a' THEN 'AGGREGATE' ELSE pg_get_functiondef(p.oid) END
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = $1 AND {}
              ORDER BY 1",
            not_extension("pg_proc", "p.oid")
        ),
        p,
    )?;
    for row in functions {
        let kind = if text(&row, 1) == "p" {
            ObjectKind::Procedure
        } else {
            ObjectKind::Function
        };
        objects.push(Object::new(kind, name(&text(&row, 0)), text(&row, 2)));
    }

    let types = query(
        driver,
        "types",
        &format!(
            "SELECT t.typname::text, t.typtype::text,
                    CASE t.typtype
                      WHEN 'e' THEN 'ENUM (' || COALESCE((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                                  FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
                      WHEN 'd' THEN 'DOMAIN ' || format_type(t.typbasetype, t.typtypmod)
                                    || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                                    || COALESCE(' DEFAULT ' || t.typdefault, '')
                                    || COALESCE((SELECT ' ' || string_agg('CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid, true), ' ' ORDER BY c.conname)
                                                   FROM pg_constraint c WHERE c.contypid = t.oid), '')
                      WHEN 'c' THEN 'AS (' || COALESCE((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                                 FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
                      WHEN 'r' THEN 'RANGE (SUBTYPE = ' || (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) || ')'
                    END
               FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'c', 'r')
                AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
                AND {}
              ORDER BY 1",
            not_extension("pg_type", "t.oid")
        ),
        p,
    )?;
    for row in types {
        objects.push(Object::new(
            ObjectKind::Type,
            name(&text(&row, 0)),
            text(&row, 2),
        ));
    }

    let extensions = query(
        driver,
        "extensions",
        "SELECT e.extname::text, e.extversion
           FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
          WHERE n.nspname = $1
          ORDER BY 1",
        p,
    )?;
    for row in extensions {
        objects.push(Object::new(
            ObjectKind::Extension,
            name(&text(&row, 0)),
            format!("VERSION {}", text(&row, 1)),
        ));
    }
    Ok(())
}
