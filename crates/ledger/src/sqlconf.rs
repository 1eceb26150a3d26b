//! sqlconf
