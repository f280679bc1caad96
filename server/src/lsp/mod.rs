//! The language server front end: tower-lsp-server over stdio, behind a framing-tolerant
//! layer (`framing`), with one thin handler per request (`requests`).

mod analysis;
pub mod capabilities;
pub mod convert;
pub mod framing;
pub mod handoff;
pub mod requests;
pub mod server;
mod wire;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tower_lsp_server::{LspService, Server};

pub use server::Backend;

/// Serve the protocol on the given streams until `exit` or end of input. Returns the
/// process exit status the protocol asks for: 0 when `shutdown` came first, else 1.
pub async fn serve<I, O>(input: I, output: O) -> i32
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: std::io::Write + Send + 'static,
{
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    framing::run(
        input,
        output,
        move |server_in, server_out, outbox| async move {
            let (service, socket) =
                LspService::build(move |client| Backend::new(client, flag, outbox))
                    .custom_method(framing::REROUTED, Backend::rerouted)
                    .custom_method(handoff::OPENED, Backend::opened)
                    .finish();
            Server::new(server_in, server_out, socket)
                .serve(service)
                .await;
        },
    )
    .await;
    if shutdown.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}

/// Serve over stdin/stdout. Returns the exit status.
pub fn run_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dockerfile-ls: cannot start the async runtime: {e}");
            return 2;
        }
    };
    widen_pipes();
    let code = runtime.block_on(serve(tokio::io::stdin(), std::io::stdout()));
    // Do not wait for the thread blocked reading stdin.
    runtime.shutdown_background();
    code
}

/// Give stdin and stdout (when they are pipes) the largest buffer an unprivileged process
/// may ask for: a client then writes a whole `didOpen` of a large file at once, and the
/// server reads it in one go instead of in 64 KiB turns with the client (Linux only).
fn widen_pipes() {
    #[cfg(target_os = "linux")]
    {
        let max = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
            .ok()
            .and_then(|s| s.trim().parse::<libc::c_int>().ok())
            .unwrap_or(1 << 20)
            .min(1 << 20);
        for fd in [0, 1] {
            // SAFETY: fcntl on our own standard descriptors; on anything but a pipe it
            // fails and changes nothing.
            unsafe {
                libc::fcntl(fd, libc::F_SETPIPE_SZ, max);
            }
        }
    }
}
