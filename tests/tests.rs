//! One integration binary: the driver conformance suite (engine over every driver) and the
//! end-to-end tests through the `tidemark` binary.

mod cli;
mod conformance;
