//! Checksums: Flyway's CRC-32 (reference §2) and a SHA-256 for tidemark's own records.
//!
//! Flyway's checksum is the CRC-32 of the UTF-8 bytes of the file's lines with the terminators
//! removed and nothing inserted between them, after dropping one leading BOM, read as a signed
//! 32-bit integer. Line endings therefore never change it; trailing spaces do.

/// Flyway's checksum of decoded text (the text may still start with a BOM; one is dropped).
pub fn flyway(text: &str) -> i32 {
    let _ = text;
    todo!("helper: flyway crc32")
}

/// Flyway's multi-resource checksum: CRC-32 over the 4-byte big-endian encoding of each checksum.
pub fn flyway_combine(checksums: &[i32]) -> i32 {
    let _ = checksums;
    todo!("helper: combine")
}

/// Lower-case hex SHA-256 of the raw file bytes (tidemark's own record of exactly what ran).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let _ = bytes;
    todo!("helper: sha256")
}
