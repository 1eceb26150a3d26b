//! `ignoreMigrationPatterns`: which validation findings a team has chosen to ignore
//! (reference §5.2). Default `*:future`.

use std::fmt;

/// Which migrations a pattern covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternType {
    /// `*`
    Any,
    /// `repeatable`
    Repeatable,
    /// `versioned`
    Versioned,
}

/// Which state a pattern covers; matched against the state's display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternState {
    /// `*`
    Any,
    /// `missing`
    Missing,
    /// `pending`
    Pending,
    /// `ignored`
    Ignored,
    /// `future`
    Future,
}

/// One `type:state` pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// Migration type part.
    pub kind: PatternType,
    /// State part.
    pub state: PatternState,
}

/// A pattern could not be parsed. Texts follow Flyway's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// Not `a:b`.
    #[error(
        "Invalid pattern '{0}'. Pattern must be of the form <migration_type>:<migration_state> See https://documentation.red-gate.com/fd/ignore-migration-patterns-224720215.html for full details"
    )]
    Shape(String),
    /// Unknown type part.
    #[error("Invalid migration type '{0}'. Valid types are: *, repeatable, versioned")]
    Type(String),
    /// Unknown state part.
    #[error(
        "Invalid migration state '{0}'. Valid states are: *, missing, pending, ignored, future"
    )]
    State(String),
}

impl Pattern {
    /// Parses `type:state` (trimmed, case-insensitive).
    pub fn parse(s: &str) -> Result<Pattern, PatternError> {
        let s = s.trim();
        let (kind, state) = s
            .split_once(':')
            .ok_or_else(|| PatternError::Shape(s.to_string()))?;
        if state.contains(':') {
            return Err(PatternError::Shape(s.to_string()));
        }
        let kind = match kind.trim().to_ascii_lowercase().as_str() {
            "*" => PatternType::Any,
            "repeatable" => PatternType::Repeatable,
            "versioned" => PatternType::Versioned,
            _ => return Err(PatternError::Type(kind.trim().to_string())),
        };
        let state = match state.trim().to_ascii_lowercase().as_str() {
            "*" => PatternState::Any,
            "missing" => PatternState::Missing,
            "pending" => PatternState::Pending,
            "ignored" => PatternState::Ignored,
            "future" => PatternState::Future,
            _ => return Err(PatternError::State(state.trim().to_string())),
        };
        Ok(Pattern { kind, state })
    }

    /// Whether the pattern matches a migration of this kind in a state with this display name.
    pub fn matches(&self, versioned: bool, state_display: &str) -> bool {
        let kind_ok = match self.kind {
            PatternType::Any => true,
            PatternType::Versioned => versioned,
            PatternType::Repeatable => !versioned,
        };
        let state_ok = match self.state {
            PatternState::Any => true,
            PatternState::Missing => state_display.eq_ignore_ascii_case("missing"),
            PatternState::Pending => state_display.eq_ignore_ascii_case("pending"),
            PatternState::Ignored => state_display.eq_ignore_ascii_case("ignored"),
            PatternState::Future => state_display.eq_ignore_ascii_case("future"),
        };
        kind_ok && state_ok
    }
}

/// The configured list of patterns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnorePatterns(pub Vec<Pattern>);

impl IgnorePatterns {
    /// Parses a list of patterns; empty entries are skipped.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<IgnorePatterns, PatternError> {
        items
            .iter()
            .map(AsRef::as_ref)
            .filter(|s| !s.trim().is_empty())
            .map(Pattern::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(IgnorePatterns)
    }

    /// Adds `*:state` (migrate adds `*:pending` to the validation it runs first).
    pub fn with(mut self, state: PatternState) -> IgnorePatterns {
        self.0.push(Pattern {
            kind: PatternType::Any,
            state,
        });
        self
    }

    /// Whether any pattern matches.
    pub fn matches(&self, versioned: bool, state_display: &str) -> bool {
        self.0.iter().any(|p| p.matches(versioned, state_display))
    }

    /// Flyway's "X is ignored" flag: `*:X` present, or both `versioned:X` and `repeatable:X`
    /// (`*:*` counts too).
    pub fn ignores(&self, state: PatternState) -> bool {
        let has = |k: PatternType| {
            self.0
                .iter()
                .any(|p| p.kind == k && (p.state == state || p.state == PatternState::Any))
        };
        has(PatternType::Any) || (has(PatternType::Versioned) && has(PatternType::Repeatable))
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = match self.kind {
            PatternType::Any => "*",
            PatternType::Repeatable => "repeatable",
            PatternType::Versioned => "versioned",
        };
        let s = match self.state {
            PatternState::Any => "*",
            PatternState::Missing => "missing",
            PatternState::Pending => "pending",
            PatternState::Ignored => "ignored",
            PatternState::Future => "future",
        };
        write!(f, "{k}:{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches_display_names_only() {
        let p = Pattern::parse(" Versioned : MISSING ").unwrap();
        assert!(p.matches(true, "Missing"));
        assert!(!p.matches(true, "Failed (Missing)"));
        assert!(!p.matches(false, "Missing"));
    }

    #[test]
    fn rejects_bad_patterns_with_flyway_texts() {
        assert!(matches!(
            Pattern::parse("future"),
            Err(PatternError::Shape(_))
        ));
        assert!(matches!(
            Pattern::parse("x:future"),
            Err(PatternError::Type(_))
        ));
        assert!(matches!(
            Pattern::parse("*:gone"),
            Err(PatternError::State(_))
        ));
    }

    #[test]
    fn ignores_needs_star_or_both_kinds() {
        let only_versioned = IgnorePatterns::parse(&["versioned:pending"]).unwrap();
        assert!(!only_versioned.ignores(PatternState::Pending));
        let both = IgnorePatterns::parse(&["versioned:pending", "repeatable:pending"]).unwrap();
        assert!(both.ignores(PatternState::Pending));
        let star = IgnorePatterns::parse(&["*:pending"]).unwrap();
        assert!(star.ignores(PatternState::Pending));
        assert!(!star.ignores(PatternState::Future));
        assert!(IgnorePatterns::parse(&[""]).unwrap().0.is_empty());
    }
}
