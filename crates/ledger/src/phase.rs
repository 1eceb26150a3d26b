//! Compatibility phases of a zero-downtime deploy: `expand` < `backfill` < `contract`.
//!
//! `expand` is additive (old code keeps working), `backfill` moves data, `contract` removes,
//! renames or tightens what old code uses. A deploy runs them stage by stage; the order is the
//! derive order of the enum.

use std::fmt;
use std::str::FromStr;

/// A migration's (or a statement's) phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// Additive: old code keeps working.
    Expand,
    /// Moves data.
    Backfill,
    /// Removes, renames or tightens what old code uses.
    Contract,
}

impl Phase {
    /// Every phase in order.
    pub const ALL: [Phase; 3] = [Phase::Expand, Phase::Backfill, Phase::Contract];

    /// The lower-case name (`expand`).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Expand => "expand",
            Phase::Backfill => "backfill",
            Phase::Contract => "contract",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Phase, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "expand" => Ok(Phase::Expand),
            "backfill" => Ok(Phase::Backfill),
            "contract" => Ok(Phase::Contract),
            other => Err(format!(
                "unknown phase '{other}' (expected expand, backfill or contract)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_order_and_parse() {
        assert!(Phase::Expand < Phase::Backfill && Phase::Backfill < Phase::Contract);
        for p in Phase::ALL {
            assert_eq!(p.as_str().parse::<Phase>(), Ok(p));
        }
        assert_eq!(" Contract ".parse::<Phase>(), Ok(Phase::Contract));
        assert!("shrink".parse::<Phase>().is_err());
    }
}
