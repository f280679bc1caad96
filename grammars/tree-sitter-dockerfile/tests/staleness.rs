//! src/parser.c must be generated from the current grammar.js: regenerate.sh records an
//! FNV-1a hash of grammar.js in src/grammar.js.hash, recomputed here (no CLI needed).

use std::fs;
use std::path::Path;

/// FNV-1a, 64 bits (the same function as regenerate.sh and .ci/check-grammar.sh).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[test]
fn parser_c_is_generated_from_the_current_grammar() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let grammar = fs::read(dir.join("grammar.js")).expect("grammar.js");
    let recorded =
        fs::read_to_string(dir.join("src/grammar.js.hash")).expect("src/grammar.js.hash");
    let actual = format!("fnv1a64:{:016x}", fnv1a64(&grammar));
    assert_eq!(
        recorded.trim(),
        actual,
        "src/parser.c is stale: run regenerate.sh"
    );
}

#[test]
fn fnv1a64_matches_the_reference_values() {
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn parser_c_has_a_supported_abi() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let parser = fs::read_to_string(dir.join("src/parser.c")).expect("src/parser.c");
    assert!(
        parser.contains("#define LANGUAGE_VERSION 15\n")
            || parser.contains("#define LANGUAGE_VERSION 14\n"),
        "src/parser.c must be generated with --abi 14 or 15 for the tree-sitter 0.25 runtime"
    );
}
