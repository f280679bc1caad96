//! Model, grammar and rules over arbitrary text: no panic, spans in bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    dockerfile_ls_fuzz::check_text(&text);
});
