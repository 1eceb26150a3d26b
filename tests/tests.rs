//! One integration binary: end-to-end tests through the `tidemark` binary.
