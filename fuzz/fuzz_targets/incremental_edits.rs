//! Edit sequences through the document store, compared with a fresh open.
#![no_main]
use dockerfile_ls_fuzz::EditScript;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|script: EditScript| {
    dockerfile_ls_fuzz::check_edits(&script);
});
