//! Comparing two snapshots: every difference as a finding that says what and where, each with
//! the unified diff of its object, plus the unified diff of the whole text.
//!
//! Objects are matched by kind and name, items inside them by kind and name, so a column added
//! by hand is one finding ("column note of table orders: in the database, not in the
//! migrations"), not a cascade of shifted lines.

use std::collections::BTreeSet;

use serde::Serialize;
use similar::TextDiff;

use crate::model::{Item, Object, Snapshot};

/// How a difference looks from the left side (usually: what the migrations build).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// On the left, not on the right.
    Missing,
    /// On the right, not on the left.
    Unexpected,
    /// On both sides, different.
    Changed,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// What kind of difference.
    pub change: Change,
    /// The object (`table orders`).
    pub object: String,
    /// The item inside it (`column note`), when the difference is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The left side's definition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
    /// The right side's definition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<String>,
    /// The sentence shown to people.
    pub message: String,
    /// The unified diff of the object's text (left to right).
    pub diff: String,
}

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// What the left side is (`migrations`).
    pub left: String,
    /// What the right side is (`database`).
    pub right: String,
    /// Every difference, in snapshot order.
    pub findings: Vec<Finding>,
    /// The unified diff of the two snapshots' text forms (empty when equal).
    pub diff: String,
}

impl Drift {
    /// Whether the two snapshots are the same.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.diff.is_empty()
    }
}

/// A unified diff from `left` to `right`, with labels; empty when they are equal.
fn unified(left: &str, right: &str, left_label: &str, right_label: &str) -> String {
    if left == right {
        return String::new();
    }
    TextDiff::from_lines(left, right)
        .unified_diff()
        .context_radius(3)
        .header(left_label, right_label)
        .to_string()
}

/// Compares two snapshots; `left_label` and `right_label` name the sides in messages.
pub fn compare(left: &Snapshot, right: &Snapshot, left_label: &str, right_label: &str) -> Drift {
    let keys: BTreeSet<_> = left
        .objects
        .iter()
        .chain(&right.objects)
        .map(|o| (o.kind, o.name.clone()))
        .collect();
    let mut findings = Vec::new();
    for (kind, name) in keys {
        let l = left.find(kind, &name);
        let r = right.find(kind, &name);
        let diff = unified(
            &l.map(Object::to_text).unwrap_or_default(),
            &r.map(Object::to_text).unwrap_or_default(),
            left_label,
            right_label,
        );
        let label = format!("{} {name}", kind.as_str());
        let finding = |change, item: Option<&Item>, lhs: Option<&str>, rhs: Option<&str>| {
            let what = match item {
                Some(item) => format!("{} {} of {label}", item.kind.as_str(), item.name),
                None => label.clone(),
            };
            let message = match change {
                Change::Missing => {
                    format!("{what}: in the {left_label}, missing from the {right_label}")
                }
                Change::Unexpected => {
                    format!("{what}: in the {right_label}, not in the {left_label}")
                }
                Change::Changed => format!(
                    "{what} differs: `{}` in the {left_label}, `{}` in the {right_label}",
                    lhs.unwrap_or_default(),
                    rhs.unwrap_or_default()
                ),
            };
            Finding {
                change,
                object: label.clone(),
                item: item.map(|i| format!("{} {}", i.kind.as_str(), i.name)),
                left: lhs.map(str::to_string),
                right: rhs.map(str::to_string),
                message,
                diff: diff.clone(),
            }
        };
        match (l, r) {
            (Some(l), None) => {
                findings.push(finding(Change::Missing, None, Some(&l.definition), None))
            }
            (None, Some(r)) => {
                findings.push(finding(Change::Unexpected, None, None, Some(&r.definition)))
            }
            (Some(l), Some(r)) => {
                let before = findings.len();
                if l.definition != r.definition {
                    let mut f = finding(
                        Change::Changed,
                        None,
                        Some(&l.definition),
                        Some(&r.definition),
                    );
                    if l.definition.contains('\n') || r.definition.contains('\n') {
                        f.message = format!(
                            "{label} differs: its definition in the {right_label} is not the one in the {left_label}"
                        );
                    }
                    findings.push(f);
                }
                let items: BTreeSet<_> = l
                    .items
                    .iter()
                    .chain(&r.items)
                    .map(|i| (i.kind, i.name.clone()))
                    .collect();
                for (item_kind, item_name) in items {
                    let find = |o: &'_ Object| {
                        o.items
                            .iter()
                            .find(|i| i.kind == item_kind && i.name == item_name)
                            .cloned()
                    };
                    match (find(l), find(r)) {
                        (Some(li), None) => findings.push(finding(
                            Change::Missing,
                            Some(&li),
                            Some(&li.definition),
                            None,
                        )),
                        (None, Some(ri)) => findings.push(finding(
                            Change::Unexpected,
                            Some(&ri),
                            None,
                            Some(&ri.definition),
                        )),
                        (Some(li), Some(ri)) if li.definition != ri.definition => {
                            findings.push(finding(
                                Change::Changed,
                                Some(&li),
                                Some(&li.definition),
                                Some(&ri.definition),
                            ))
                        }
                        _ => {}
                    }
                }
                if findings.len() == before && !diff.is_empty() {
                    let mut f = finding(Change::Changed, None, None, None);
                    f.message = format!(
                        "{label}: its columns are in a different order in the {right_label}"
                    );
                    findings.push(f);
                }
            }
            (None, None) => {}
        }
    }
    Drift {
        left: left_label.to_string(),
        right: right_label.to_string(),
        diff: unified(&left.to_text(), &right.to_text(), left_label, right_label),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemKind, ObjectKind};

    fn table(columns: &[(&str, &str)]) -> Object {
        let mut t = Object::new(ObjectKind::Table, "orders", "");
        for (name, def) in columns {
            t.items.push(Item {
                kind: ItemKind::Column,
                name: name.to_string(),
                definition: def.to_string(),
            });
        }
        t
    }

    fn snap(objects: Vec<Object>) -> Snapshot {
        let mut s = Snapshot {
            dialect: "postgresql".into(),
            schemas: vec!["public".into()],
            objects,
        };
        s.normalise();
        s
    }

    #[test]
    fn equal_snapshots_have_no_drift() {
        let a = snap(vec![table(&[("id", "bigint")])]);
        let drift = compare(&a, &a.clone(), "migrations", "database");
        assert!(drift.is_empty(), "{drift:?}");
    }

    #[test]
    fn every_difference_is_a_finding_with_a_diff() {
        let a = snap(vec![
            table(&[("id", "bigint"), ("status", "text DEFAULT 'new'::text")]),
            Object::new(ObjectKind::View, "v", "SELECT 1"),
        ]);
        let b = snap(vec![
            table(&[
                ("id", "bigint"),
                ("status", "text DEFAULT 'old'::text"),
                ("note", "text"),
            ]),
            Object::new(ObjectKind::Sequence, "s", "bigint"),
        ]);
        let drift = compare(&a, &b, "migrations", "database");
        let messages: Vec<&str> = drift.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "sequence s: in the database, not in the migrations",
                "column note of table orders: in the database, not in the migrations",
                "column status of table orders differs: `text DEFAULT 'new'::text` in the migrations, `text DEFAULT 'old'::text` in the database",
                "view v: in the migrations, missing from the database",
            ]
        );
        let note = &drift.findings[1];
        assert!(note.diff.contains("+  column note text"), "{}", note.diff);
        assert!(
            drift.diff.starts_with("--- migrations\n+++ database\n"),
            "{}",
            drift.diff
        );
    }

    #[test]
    fn column_order_alone_is_a_finding() {
        let a = snap(vec![table(&[("a", "int"), ("b", "int")])]);
        let b = snap(vec![table(&[("b", "int"), ("a", "int")])]);
        let drift = compare(&a, &b, "migrations", "database");
        assert_eq!(drift.findings.len(), 1);
        assert!(drift.findings[0].message.contains("different order"));
    }
}
