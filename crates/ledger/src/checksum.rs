//! Checksums: Flyway's CRC-32 (reference §2) and a SHA-256 for tidemark's own records.
//!
//! Flyway's checksum is the CRC-32 of the UTF-8 bytes of the file's lines with the terminators
//! removed and nothing inserted between them, after dropping one leading BOM, read as a signed
//! 32-bit integer. Line endings therefore never change it; trailing spaces do.
//!
//! The value is stored in every history row Flyway writes, so it is a compatibility contract.
//! Java's terminators are `\r`, `\n` and `\r\n` (see [`crate::text::lines`]); as nothing goes
//! between the lines, the checksum is the CRC of the text without its `\r` and `\n` bytes, which
//! is how [`flyway`] computes it. The golden test `tests/flyway_checksums.rs` pins the results to
//! what Flyway 13 computed.

use sha2::Digest;

/// Flyway's checksum of decoded text (the text may still start with a BOM; one is dropped).
///
/// `ChecksumCalculator` reads the text with `BufferedReader.readLine`, removes a U+FEFF at the
/// start of the first line only (`BomFilter`), and feeds the UTF-8 bytes of each line to a
/// CRC-32. An empty text (or one holding only terminators or one BOM) gives 0.
pub fn flyway(text: &str) -> i32 {
    // The lines joined without their terminators are the text without its `\r` and `\n`
    // bytes, so those are skipped and the rest fed to the CRC. Runs between terminators are
    // short (a line each), and the CRC's per-call cost is most of what a short update costs, so
    // they are gathered in a small buffer first (small: it is zeroed on every call).
    let mut rest = crate::text::strip_bom(text).as_bytes();
    let mut crc = crc32fast::Hasher::new();
    let mut buf = [0u8; 256];
    let mut len = 0;
    while !rest.is_empty() {
        let end = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        let run = &rest[..end];
        if len + run.len() > buf.len() {
            crc.update(&buf[..len]);
            len = 0;
        }
        if run.len() > buf.len() {
            crc.update(run);
        } else {
            buf[len..len + run.len()].copy_from_slice(run);
            len += run.len();
        }
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    crc.update(&buf[..len]);
    // Java stores `(int) crc32.getValue()`: the same 32 bits read as two's complement.
    i32::from_ne_bytes(crc.finalize().to_ne_bytes())
}

/// Flyway's multi-resource checksum: CRC-32 over the 4-byte big-endian encoding of each checksum.
pub fn flyway_combine(checksums: &[i32]) -> i32 {
    let mut crc = crc32fast::Hasher::new();
    for checksum in checksums {
        crc.update(&checksum.to_be_bytes());
    }
    i32::from_ne_bytes(crc.finalize().to_ne_bytes())
}

/// Lower-case hex SHA-256 of the raw file bytes (tidemark's own record of exactly what ran).
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32 of "CREATE TABLE t (id INT);" etc. are pinned by the golden test; here the rules.
    const BASE: &str = "CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);\n";

    #[test]
    fn empty_and_blank_texts_are_zero() {
        assert_eq!(flyway(""), 0);
        assert_eq!(flyway("\n"), 0);
        assert_eq!(flyway("\r\n\r\n\n\r"), 0);
        assert_eq!(flyway("\u{feff}"), 0);
        assert_eq!(flyway("\u{feff}\n"), 0);
    }

    #[test]
    fn line_endings_do_not_matter() {
        let lf = flyway(BASE);
        assert_eq!(flyway(&BASE.replace('\n', "\r\n")), lf);
        assert_eq!(flyway(&BASE.replace('\n', "\r")), lf);
        assert_eq!(
            flyway("CREATE TABLE t (id INT);\r\nINSERT INTO t VALUES (1);"),
            lf
        );
        assert_eq!(
            flyway("CREATE TABLE t (id INT);\r\r\n\n\rINSERT INTO t VALUES (1);\n\n"),
            lf
        );
        // Nothing is inserted between lines: the closed form is "delete every CR and LF".
        assert_eq!(
            flyway("CREATE TABLE t (id INT);INSERT INTO t VALUES (1);"),
            lf
        );
    }

    #[test]
    fn only_one_leading_bom_is_dropped() {
        let plain = flyway(BASE);
        assert_eq!(flyway(&format!("\u{feff}{BASE}")), plain);
        assert_ne!(flyway(&format!("\u{feff}\u{feff}{BASE}")), plain);
        // A BOM at the start of the second line counts.
        let second = "CREATE TABLE t (id INT);\n\u{feff}INSERT INTO t VALUES (1);\n";
        assert_ne!(flyway(second), plain);
        // ... and equals a double BOM at the start, since only the terminators vanish.
        assert_eq!(
            flyway(second),
            flyway("CREATE TABLE t (id INT);\u{feff}INSERT INTO t VALUES (1);")
        );
        // A BOM that is not at the very start of the first line counts too.
        assert_ne!(
            flyway(&format!(" \u{feff}{BASE}")),
            flyway(&format!(" {BASE}"))
        );
        // When the first line is empty the BOM on line two is not the file's BOM.
        assert_ne!(flyway("\n\u{feff}x"), flyway("x"));
    }

    #[test]
    fn whitespace_other_than_terminators_counts() {
        let plain = flyway(BASE);
        assert_ne!(
            flyway("CREATE TABLE t (id INT); \nINSERT INTO t VALUES (1);\n"),
            plain
        );
        assert_ne!(
            flyway("CREATE TABLE t (id INT);\t\nINSERT INTO t VALUES (1);\n"),
            plain
        );
        for sep in ["\u{2028}", "\u{0085}", "\u{000b}", "\u{000c}"] {
            let text = format!("CREATE TABLE t (id INT);{sep}INSERT INTO t VALUES (1);");
            assert_ne!(flyway(&text), plain, "{sep:?} is not a line terminator");
        }
    }

    #[test]
    fn long_lines_and_long_texts_match_the_closed_form() {
        // Runs longer than the gathering buffer, and many short ones that overflow it.
        let reference = |text: &str| {
            let bytes: Vec<u8> = text
                .strip_prefix('\u{feff}')
                .unwrap_or(text)
                .bytes()
                .filter(|b| *b != b'\r' && *b != b'\n')
                .collect();
            i32::from_ne_bytes(crc32fast::hash(&bytes).to_ne_bytes())
        };
        let long = "x".repeat(10_000);
        let texts = [
            format!("{long}\n{long}\r\n"),
            format!("a\n{long}"),
            (0..2_000)
                .map(|i| format!("line {i};\r\n"))
                .collect::<String>(),
            format!(
                "\u{feff}{}",
                "y".repeat(4_095) + "\nzz\n" + &"w".repeat(4_097)
            ),
        ];
        for text in &texts {
            assert_eq!(flyway(text), reference(text), "{} bytes", text.len());
        }
    }

    #[test]
    fn known_crc_values() {
        // zlib's crc32("123456789") = 0xCBF43926, read as a signed int.
        assert_eq!(flyway("123456789"), 0xCBF4_3926_u32 as i32);
        assert_eq!(flyway("123\n456\r\n789\r"), 0xCBF4_3926_u32 as i32);
        assert_eq!(flyway("a"), 0xE8B7_BE43_u32 as i32);
    }

    #[test]
    fn combine_is_crc_of_big_endian_ints() {
        assert_eq!(flyway_combine(&[]), 0);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&358159321_i32.to_be_bytes());
        bytes.extend_from_slice(&(-855516532_i32).to_be_bytes());
        let expected = crc32fast::hash(&bytes) as i32;
        assert_eq!(flyway_combine(&[358159321, -855516532]), expected);
        // Order matters.
        assert_ne!(flyway_combine(&[-855516532, 358159321]), expected);
    }

    #[test]
    fn sha256_hex_is_lower_case() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
