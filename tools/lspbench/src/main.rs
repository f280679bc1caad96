//! lspbench: measure a language server over stdio, the way an editor uses it.
//!
//! start → initialize response; didOpen → first publishDiagnostics; N ranged edits, each
//! waiting for the diagnostics of its version (p50/p99); completion, hover,
//! documentSymbol, full semantic tokens and folding latency (p50/p99); peak resident memory
//! (VmHWM). Prints one JSON object.
//!
//! Usage: lspbench --file PATH [--edits N] [--samples N] [--whole-samples N]
//!                 [--completion-pos L:C] [--hover-pos L:C] [--timeout-ms N] -- SERVER [ARGS...]
//!
//! `--whole-samples` (default: `--samples`) is the sample count of the whole-document
//! requests (symbols, semantic tokens, folding): a slow server can take seconds for each.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

struct Options {
    file: String,
    edits: usize,
    samples: usize,
    whole_samples: Option<usize>,
    completion_pos: Option<(u32, u32)>,
    hover_pos: Option<(u32, u32)>,
    timeout: Duration,
    server: Vec<String>,
}

fn parse_pos(s: &str) -> Result<(u32, u32), String> {
    let (l, c) = s
        .split_once(':')
        .ok_or_else(|| format!("bad position `{s}`, expected LINE:COL"))?;
    Ok((
        l.parse().map_err(|_| format!("bad line in `{s}`"))?,
        c.parse().map_err(|_| format!("bad column in `{s}`"))?,
    ))
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        file: String::new(),
        edits: 50,
        samples: 30,
        whole_samples: None,
        completion_pos: None,
        hover_pos: None,
        timeout: Duration::from_secs(10),
        server: Vec::new(),
    };
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--file" => o.file = value("--file")?,
            "--edits" => o.edits = value("--edits")?.parse().map_err(|_| "bad --edits")?,
            "--samples" => o.samples = value("--samples")?.parse().map_err(|_| "bad --samples")?,
            "--whole-samples" => {
                o.whole_samples = Some(value("--whole-samples")?.parse().map_err(|_| "bad --whole-samples")?)
            }
            "--completion-pos" => o.completion_pos = Some(parse_pos(&value("--completion-pos")?)?),
            "--hover-pos" => o.hover_pos = Some(parse_pos(&value("--hover-pos")?)?),
            "--timeout-ms" => {
                o.timeout = Duration::from_millis(value("--timeout-ms")?.parse().map_err(|_| "bad --timeout-ms")?)
            }
            "--" => {
                o.server = args.by_ref().collect();
                break;
            }
            "-h" | "--help" => {
                return Err("usage: lspbench --file PATH [--edits N] [--samples N] [--completion-pos L:C] [--hover-pos L:C] [--timeout-ms N] -- SERVER [ARGS...]".into())
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.file.is_empty() || o.server.is_empty() {
        return Err("--file and a server command after `--` are required".into());
    }
    Ok(o)
}

/// One JSON-RPC connection; a reader thread stamps every message on arrival.
struct Conn {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<(Instant, Value)>,
    next_id: i64,
    /// Messages read while waiting for something else.
    backlog: Vec<(Instant, Value)>,
}

impl Conn {
    fn start(cmd: &[String]) -> Result<Conn, String> {
        let mut child = Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start `{}`: {e}", cmd[0]))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { continue };
                let mut buf = vec![0; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                let at = Instant::now();
                if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                    if tx.send((at, v)).is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Conn {
            child,
            stdin,
            rx,
            next_id: 1,
            backlog: Vec::new(),
        })
    }

    fn send(&mut self, v: &Value) -> Result<Instant, String> {
        let body = v.to_string();
        // One write per message, header and body together, as lspdrive.py does: written
        // in pieces, a message woke the server's reader once per piece.
        let mut message = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        message.extend_from_slice(body.as_bytes());
        let at = Instant::now();
        self.stdin.write_all(&message).map_err(|e| e.to_string())?;
        self.stdin.flush().map_err(|e| e.to_string())?;
        Ok(at)
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<Instant, String> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    fn request(&mut self, method: &str, params: Value) -> Result<(i64, Instant), String> {
        let id = self.next_id;
        self.next_id += 1;
        let at =
            self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        Ok((id, at))
    }

    /// Answers requests from the server (configuration, registrations) so it never waits.
    fn answer_server_request(&mut self, msg: &Value) {
        if let (Some(id), Some(method)) = (msg.get("id"), msg.get("method").and_then(Value::as_str))
        {
            let result = match method {
                "workspace/configuration" => {
                    let n = msg
                        .pointer("/params/items")
                        .and_then(Value::as_array)
                        .map_or(1, Vec::len);
                    Value::Array(vec![Value::Null; n])
                }
                _ => Value::Null,
            };
            let _ = self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        }
    }

    /// Waits for the first message (backlog first) matching `pred`.
    fn wait(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<(Instant, Value)> {
        if let Some(i) = self.backlog.iter().position(|(_, v)| pred(v)) {
            return Some(self.backlog.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.rx.recv_timeout(left) {
                Ok((at, v)) => {
                    if v.get("method").is_some() && v.get("id").is_some() {
                        self.answer_server_request(&v);
                        continue;
                    }
                    if pred(&v) {
                        return Some((at, v));
                    }
                    self.backlog.push((at, v));
                    if self.backlog.len() > 10_000 {
                        self.backlog.drain(..5_000);
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None
                }
            }
        }
    }

    fn response(&mut self, id: i64, timeout: Duration) -> Option<(Instant, Value)> {
        self.wait(timeout, |v| {
            v.get("id").and_then(Value::as_i64) == Some(id) && v.get("method").is_none()
        })
    }

    fn peak_rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

fn ms(a: Instant, b: Instant) -> f64 {
    (b.saturating_duration_since(a).as_secs_f64() * 1e6).round() / 1e3
}

/// Nearest-rank percentile.
fn pct(values: &[f64], p: usize) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut s = values.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let k = (s.len() * p).div_ceil(100).max(1);
    s.get(k - 1).copied()
}

fn summary(values: &[f64]) -> Value {
    json!({"n": values.len(), "p50": pct(values, 50), "p99": pct(values, 99)})
}

fn is_diag_for(v: &Value, uri: &str, version: Option<i64>) -> bool {
    v.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
        && v.pointer("/params/uri").and_then(Value::as_str) == Some(uri)
        && match (
            version,
            v.pointer("/params/version").and_then(Value::as_i64),
        ) {
            (Some(want), Some(got)) => got == want,
            _ => true,
        }
}

fn run(o: &Options) -> Result<Value, String> {
    let text = std::fs::read_to_string(&o.file).map_err(|e| format!("{}: {e}", o.file))?;
    let path = std::fs::canonicalize(&o.file).map_err(|e| e.to_string())?;
    let uri = format!("file://{}", path.display());
    let root = path.parent().map(|p| format!("file://{}", p.display()));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut out = serde_json::Map::new();

    let t_start = Instant::now();
    let mut c = Conn::start(&o.server)?;
    let (id, _) = c.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root,
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {
                    "synchronization": {"dynamicRegistration": false},
                    "completion": {"completionItem": {"snippetSupport": false}},
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "publishDiagnostics": {"versionSupport": true},
                    "documentSymbol": {"hierarchicalDocumentSymbolSupport": true}
                },
                "workspace": {"configuration": true}
            }
        }),
    )?;
    let (t_init, init) = c.response(id, o.timeout).ok_or("no initialize response")?;
    out.insert("init_ms".into(), json!(ms(t_start, t_init)));
    let incremental = match init.pointer("/result/capabilities/textDocumentSync") {
        Some(Value::Number(n)) => n.as_i64() == Some(2),
        Some(v) => v.get("change").and_then(Value::as_i64) == Some(2),
        None => false,
    };
    out.insert("incremental_sync".into(), json!(incremental));
    c.notify("initialized", json!({}))?;

    let t_open = c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    )?;
    let first = c.wait(o.timeout, |v| is_diag_for(v, &uri, None));
    out.insert(
        "open_to_first_diag_ms".into(),
        json!(first.map(|(t, _)| ms(t_open, t))),
    );

    // Ranged edits: toggle a comment line in the middle of the file.
    let edit_line = lines.len() / 2;
    let mut version = 1i64;
    let mut lat = Vec::new();
    let mut misses = 0;
    for i in 0..o.edits {
        version += 1;
        let inserting = i % 2 == 0;
        let change = if inserting {
            let new = format!("# lspbench edit {i}");
            lines.insert(edit_line, new.clone());
            json!({"range": {"start": {"line": edit_line, "character": 0}, "end": {"line": edit_line, "character": 0}}, "text": format!("{new}\n")})
        } else {
            lines.remove(edit_line);
            json!({"range": {"start": {"line": edit_line, "character": 0}, "end": {"line": edit_line + 1, "character": 0}}, "text": ""})
        };
        let change = if incremental {
            change
        } else {
            json!({"text": lines.join("\n") + "\n"})
        };
        let sent = c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        )?;
        match c.wait(o.timeout, |v| is_diag_for(v, &uri, Some(version))) {
            Some((t, _)) => lat.push(ms(sent, t)),
            None => misses += 1,
        }
    }
    out.insert("edits".into(), json!(o.edits));
    out.insert("edit_diag_ms".into(), summary(&lat));
    // The first edits after the open show what the open left to do (a parse, caches).
    let first: Vec<f64> = lat
        .iter()
        .take(5)
        .map(|v| (v * 1000.0).round() / 1000.0)
        .collect();
    out.insert("edit_first_ms".into(), json!(first));
    // Every edit's latency in order: where the slow ones fall (during the open's parse?).
    let all: Vec<f64> = lat.iter().map(|v| (v * 1000.0).round() / 1000.0).collect();
    out.insert("edit_all_ms".into(), json!(all));
    out.insert("edit_misses".into(), json!(misses));

    let default_pos = (edit_line as u32, 0);
    let requests = [
        (
            "completion_ms",
            "textDocument/completion",
            o.completion_pos.unwrap_or(default_pos),
        ),
        (
            "hover_ms",
            "textDocument/hover",
            o.hover_pos.unwrap_or((0, 1)),
        ),
        ("document_symbol_ms", "textDocument/documentSymbol", (0, 0)),
        (
            "semantic_tokens_ms",
            "textDocument/semanticTokens/full",
            (0, 0),
        ),
        ("folding_range_ms", "textDocument/foldingRange", (0, 0)),
    ];
    for (key, method, (line, col)) in requests {
        let mut lat = Vec::new();
        let whole_document = matches!(
            method,
            "textDocument/documentSymbol"
                | "textDocument/semanticTokens/full"
                | "textDocument/foldingRange"
        );
        let samples = match o.whole_samples {
            Some(n) if whole_document => n,
            _ => o.samples,
        };
        for _ in 0..samples {
            let params = if whole_document {
                json!({"textDocument": {"uri": uri}})
            } else {
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}})
            };
            let (id, sent) = c.request(method, params)?;
            if let Some((t, _)) = c.response(id, o.timeout) {
                lat.push(ms(sent, t));
            }
        }
        out.insert(key.into(), summary(&lat));
    }

    out.insert("peak_rss_kb".into(), json!(c.peak_rss_kb()));
    if let Ok((id, _)) = c.request("shutdown", Value::Null) {
        let _ = c.response(id, o.timeout);
    }
    let _ = c.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match c.child.try_wait() {
            Ok(Some(status)) => {
                out.insert("exit_code".into(), json!(status.code()));
                break;
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = c.child.kill();
                out.insert("exit_code".into(), Value::Null);
                break;
            }
        }
    }
    Ok(Value::Object(out))
}

fn main() {
    let code = match parse_args().and_then(|o| run(&o)) {
        Ok(v) => {
            println!("{v}");
            0
        }
        Err(e) => {
            eprintln!("lspbench: {e}");
            2
        }
    };
    std::process::exit(code);
}
