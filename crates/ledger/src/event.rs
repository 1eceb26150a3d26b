//! Callback events, named exactly as Flyway names them.
//!
//! A SQL callback is a file called `<event>.sql` or `<event>__<description>.sql` in a migration
//! location. The event ids double as file-name prefixes, which is why the name parser needs the
//! full list even for events tidemark does not fire yet: `beforeEachMigrateStatement.sql` is a
//! callback, never a stray file.

use std::fmt;

macro_rules! events {
    ($($variant:ident => $id:literal),* $(,)?) => {
        /// A callback event (Flyway's `org.flywaydb.core.api.callback.Event`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum Event { $($variant),* }

        impl Event {
            /// Every event, in declaration order.
            pub const ALL: &'static [Event] = &[$(Event::$variant),*];

            /// The id used in file names and configuration, e.g. `beforeMigrate`.
            pub const fn id(self) -> &'static str {
                match self { $(Event::$variant => $id),* }
            }
        }
    };
}

events! {
    BeforeMigrate => "beforeMigrate",
    BeforeEachMigrate => "beforeEachMigrate",
    BeforeEachMigrateStatement => "beforeEachMigrateStatement",
    AfterEachMigrateStatement => "afterEachMigrateStatement",
    AfterEachMigrateStatementError => "afterEachMigrateStatementError",
    AfterEachMigrate => "afterEachMigrate",
    AfterEachMigrateError => "afterEachMigrateError",
    AfterVersioned => "afterVersioned",
    BeforeRepeatables => "beforeRepeatables",
    AfterMigrateApplied => "afterMigrateApplied",
    AfterMigrate => "afterMigrate",
    AfterMigrateError => "afterMigrateError",
    BeforeUndo => "beforeUndo",
    BeforeEachUndo => "beforeEachUndo",
    BeforeEachUndoStatement => "beforeEachUndoStatement",
    AfterEachUndoStatement => "afterEachUndoStatement",
    AfterEachUndoStatementError => "afterEachUndoStatementError",
    AfterEachUndo => "afterEachUndo",
    AfterEachUndoError => "afterEachUndoError",
    AfterUndo => "afterUndo",
    AfterUndoError => "afterUndoError",
    BeforeClean => "beforeClean",
    AfterClean => "afterClean",
    AfterCleanError => "afterCleanError",
    BeforeValidate => "beforeValidate",
    AfterValidate => "afterValidate",
    AfterValidateError => "afterValidateError",
    BeforeBaseline => "beforeBaseline",
    AfterBaseline => "afterBaseline",
    AfterBaselineError => "afterBaselineError",
    BeforeRepair => "beforeRepair",
    AfterRepair => "afterRepair",
    AfterRepairError => "afterRepairError",
    BeforeInfo => "beforeInfo",
    AfterInfo => "afterInfo",
    AfterInfoError => "afterInfoError",
    CreateSchema => "createSchema",
    BeforeCreateSchema => "beforeCreateSchema",
    BeforeConnect => "beforeConnect",
    AfterConnect => "afterConnect",
}

impl Event {
    /// The event whose id is exactly `id` (case-sensitive, as Flyway matches file names).
    pub fn from_id(id: &str) -> Option<Event> {
        Event::ALL.iter().copied().find(|e| e.id() == id)
    }

    /// Events that run inside the migration's own transaction, on the migration connection.
    pub fn is_per_migration(self) -> bool {
        matches!(
            self,
            Event::BeforeEachMigrate
                | Event::AfterEachMigrate
                | Event::AfterEachMigrateError
                | Event::BeforeEachUndo
                | Event::AfterEachUndo
                | Event::AfterEachUndoError
        )
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in Event::ALL {
            assert!(seen.insert(e.id()), "duplicate id {}", e.id());
            assert_eq!(Event::from_id(e.id()), Some(*e));
        }
        assert_eq!(Event::from_id("beforemigrate"), None);
    }
}
