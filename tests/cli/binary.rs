//! How the `tidemark` binary itself is built: on Linux it is linked at a fixed address (see
//! `crates/cli/build.rs`), so the loader has no relocations to apply at every start.

/// The ELF type of the binary: 2 is a fixed-address executable, 3 a position-independent one.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_linux_binary_is_linked_at_a_fixed_address_unless_pie_is_asked_for() {
    let bytes = std::fs::read(super::support::binary()).expect("read the tidemark binary");
    assert_eq!(&bytes[..4], b"\x7fELF", "not an ELF file");
    let elf_type = u16::from_le_bytes([bytes[16], bytes[17]]);
    let expected = if std::env::var("TIDEMARK_PIE").is_ok_and(|v| v == "1") {
        3
    } else {
        2
    };
    assert_eq!(
        elf_type, expected,
        "ELF type {elf_type}: crates/cli/build.rs links with -no-pie unless TIDEMARK_PIE=1"
    );
}
