//! Links the `tidemark` binary as a position-dependent executable on Linux (as Go links its
//! binaries by default), unless `TIDEMARK_PIE=1` is set at build time.
//!
//! Why: a position-independent executable of this size carries some 36,000 relative
//! relocations (vtables, panic locations, SQL dialect tables) that the loader applies at every
//! start, copying the 160 pages they sit on; linked at a fixed address there are none. That is
//! 0.6-0.8 ms of every run, a twentieth of a `validate` with nothing to do (see the README's
//! benchmarks). The cost: the executable's own code and data sit at a fixed address (the
//! heap, the stack and the shared libraries are still randomised). Packagers who want full
//! ASLR build with `TIDEMARK_PIE=1`.
//!
//! Only the final link changes (the code is still compiled position-independent), and only
//! for this package's binaries: build scripts and proc macros are untouched.

fn main() {
    println!("cargo:rerun-if-env-changed=TIDEMARK_PIE");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    let pie_wanted = std::env::var("TIDEMARK_PIE").is_ok_and(|v| v == "1");
    if linux_gnu && !pie_wanted {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
