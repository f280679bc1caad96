//! The LSP framing layer (`lsp::framing::Decoder`): arbitrary bytes never panic, only
//! JSON-RPC is forwarded, and how the bytes are split into reads does not change which
//! messages get through. A second mode checks that well-formed messages survive the
//! garbage around them (forwarded, or for `$/` requests answered with MethodNotFound).
#![no_main]
use arbitrary::{Arbitrary, Unstructured};
use dockerfile_ls_fuzz::{check_frames, decode, messages, method_not_found_ids};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Input {
    Raw {
        bytes: Vec<u8>,
        chunks: Vec<u8>,
    },
    Mixed {
        parts: Vec<(Vec<u8>, i32, String, String)>,
        chunks: Vec<u8>,
    },
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    match input {
        Input::Raw { bytes, chunks } => {
            let chunks: Vec<usize> = chunks.iter().map(|&c| c as usize + 1).collect();
            let whole = decode(&bytes, &[]);
            check_frames(&whole);
            let pieces = decode(&bytes, &chunks);
            check_frames(&pieces);
            // Below the header size limit (8 KiB) the split must not matter.
            if bytes.len() < 8 * 1024 {
                assert_eq!(messages(whole), messages(pieces));
            }
        }
        Input::Mixed { parts, chunks } => {
            let chunks: Vec<usize> = chunks.iter().map(|&c| c as usize + 1).collect();
            let mut bytes = Vec::new();
            let mut sent = Vec::new();
            let mut answered = Vec::new();
            for (garbage, id, method, text) in parts {
                // Garbage that cannot start a header (no `c`/`C`: `Content-...`).
                bytes.extend(garbage.iter().filter(|b| !b"cC".contains(b)));
                let body = serde_json::to_vec(&serde_json::json!({
                    "jsonrpc": "2.0", "id": id, "method": method, "params": {"text": text}
                }))
                .expect("json");
                bytes.extend(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                bytes.extend(&body);
                // The decoder answers `$/` requests itself (MethodNotFound: the server
                // implements none, and tower-lsp-server would not answer them).
                if method.starts_with("$/") {
                    answered.push(i64::from(id));
                } else {
                    sent.push(body);
                }
            }
            let frames = decode(&bytes, &chunks);
            check_frames(&frames);
            assert_eq!(
                method_not_found_ids(&frames),
                answered,
                "a `$/` request was not answered"
            );
            assert_eq!(messages(frames), sent, "a well-formed message was lost");
        }
    }
});
