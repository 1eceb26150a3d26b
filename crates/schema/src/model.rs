//! The snapshot as data: objects (tables, views, ...) holding items (columns, constraints,
//! indexes, triggers), each with a one-line (or, for bodies, multi-line) definition.
//!
//! Deliberately generic: the dialect modules decide what a definition says, this module only
//! orders and prints, so the text form and the diff work the same on every database.

use std::fmt::Write as _;

use serde::Serialize;

/// What kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// A PostgreSQL extension.
    Extension,
    /// A user-defined type: enum, domain, composite.
    Type,
    /// A sequence (not an identity column's own).
    Sequence,
    /// A table.
    Table,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A function (or aggregate).
    Function,
    /// A procedure.
    Procedure,
}

impl ObjectKind {
    /// The name printed in the text form (`materialized view`).
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Extension => "extension",
            ObjectKind::Type => "type",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
        }
    }
}

/// What kind of item inside an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A column (kept in column order).
    Column,
    /// A constraint: primary key, unique, foreign key, check, exclusion.
    Constraint,
    /// An index.
    Index,
    /// A trigger.
    Trigger,
}

impl ItemKind {
    /// The name printed in the text form.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Column => "column",
            ItemKind::Constraint => "constraint",
            ItemKind::Index => "index",
            ItemKind::Trigger => "trigger",
        }
    }
}

/// A column, constraint, index or trigger of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Its name.
    pub name: String,
    /// Its definition (`bigint NOT NULL DEFAULT 0`, `PRIMARY KEY (id)`).
    pub definition: String,
}

/// A table, view, sequence, function, type or extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Object {
    /// What it is.
    pub kind: ObjectKind,
    /// Its name, schema-qualified when the snapshot covers several schemas.
    pub name: String,
    /// Its own definition (a view's query, a function's source, a table's options); may be
    /// empty.
    pub definition: String,
    /// Its items (a table's columns, constraints, indexes and triggers).
    pub items: Vec<Item>,
}

impl Object {
    /// A new object without items.
    pub fn new(kind: ObjectKind, name: impl Into<String>, definition: impl Into<String>) -> Object {
        Object {
            kind,
            name: name.into(),
            definition: definition.into(),
            items: Vec::new(),
        }
    }

    /// `table orders`: how findings name it.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind.as_str(), self.name)
    }

    /// The object's lines in the text form.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        push_entry(&mut out, "", &self.label(), &self.definition, "    ");
        for item in &self.items {
            let head = format!("{} {}", item.kind.as_str(), item.name);
            push_entry(&mut out, "  ", &head, &item.definition, "      ");
        }
        out
    }
}

/// `head definition` on one line, or `head` then the definition's lines indented.
fn push_entry(out: &mut String, indent: &str, head: &str, definition: &str, body_indent: &str) {
    if definition.is_empty() {
        let _ = writeln!(out, "{indent}{head}");
    } else if !definition.contains('\n') {
        let _ = writeln!(out, "{indent}{head} {definition}");
    } else {
        let _ = writeln!(out, "{indent}{head}");
        for line in definition.split('\n') {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{body_indent}{line}");
            }
        }
    }
}

/// A database's schema as the catalogs describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// `postgresql`, `mysql` or `sqlite`.
    pub dialect: String,
    /// The schemas covered.
    pub schemas: Vec<String>,
    /// The objects, sorted by kind and name.
    pub objects: Vec<Object>,
}

impl Snapshot {
    /// Sorts everything and tidies definitions, so that equal schemas give equal snapshots.
    pub fn normalise(&mut self) {
        for object in &mut self.objects {
            object.definition = tidy(&object.definition);
            for item in &mut object.items {
                item.definition = tidy(&item.definition);
            }
            // Stable: columns keep their position, the rest is ordered by name.
            object.items.sort_by(|a, b| {
                a.kind.cmp(&b.kind).then_with(|| {
                    if a.kind == ItemKind::Column {
                        std::cmp::Ordering::Equal
                    } else {
                        a.name.cmp(&b.name)
                    }
                })
            });
        }
        self.objects
            .sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.name.cmp(&b.name)));
    }

    /// The text form: one block per object, separated by blank lines.
    pub fn to_text(&self) -> String {
        self.objects
            .iter()
            .map(Object::to_text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The object of `kind` named `name`.
    pub fn find(&self, kind: ObjectKind, name: &str) -> Option<&Object> {
        self.objects
            .iter()
            .find(|o| o.kind == kind && o.name == name)
    }
}

/// Trailing blanks and carriage returns off every line, blank lines off both ends.
pub(crate) fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.trim_end_matches(['\r', ' ', '\t']))
        .collect();
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e].join("\n"),
        _ => String::new(),
    }
}

/// Collapses every run of whitespace to one space (SQL text kept verbatim by SQLite).
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_is_sorted_and_indented() {
        let mut table = Object::new(ObjectKind::Table, "orders", "");
        table.items.push(Item {
            kind: ItemKind::Index,
            name: "orders_b".into(),
            definition: "(b)".into(),
        });
        table.items.push(Item {
            kind: ItemKind::Column,
            name: "id".into(),
            definition: "bigint NOT NULL".into(),
        });
        table.items.push(Item {
            kind: ItemKind::Column,
            name: "a".into(),
            definition: "text".into(),
        });
        table.items.push(Item {
            kind: ItemKind::Index,
            name: "orders_a".into(),
            definition: "(a)".into(),
        });
        let view = Object::new(ObjectKind::View, "v", " SELECT 1  \r\n   FROM t;\n\n");
        let mut snapshot = Snapshot {
            dialect: "postgresql".into(),
            schemas: vec!["public".into()],
            objects: vec![view, table],
        };
        snapshot.normalise();
        assert_eq!(
            snapshot.to_text(),
            "table orders\n  column id bigint NOT NULL\n  column a text\n  index orders_a (a)\n  index orders_b (b)\n\nview v\n     SELECT 1\n       FROM t;\n"
        );
    }

    #[test]
    fn one_line_collapses_whitespace() {
        assert_eq!(
            one_line("CREATE  TABLE\n t (\n  a int\n)"),
            "CREATE TABLE t ( a int )"
        );
    }
}
