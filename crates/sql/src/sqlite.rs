//! Statement splitting for sqlite.

use crate::{SplitError, Statement};

pub(crate) fn split(script: &str) -> Result<Vec<Statement>, SplitError> {
    let _ = script;
    todo!("helper: sqlite splitter")
}
