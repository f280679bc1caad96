//! The `LanguageServer` implementation: document sync, analysis scheduling, diagnostics,
//! configuration, and thin dispatch of every request to `lsp::requests`.
//!
//! Ordering: tower-lsp-server polls handlers concurrently, but first polls happen in the
//! order messages arrive. Document notifications do all their work (the edit) before
//! their first `.await`, and requests take their snapshot before theirs, so a request
//! always sees every edit sent before it.
//!
//! Analysis: each open document has one worker, the only one building its snapshots, one
//! per revision (the newest when woken), on the one analysis thread (`analysis`). A
//! request finding no snapshot of the current revision waits for the worker's.
//!
//! Pushed diagnostics bypass tower-lsp-server: they are serialized straight from the
//! findings (before the tree is parsed) and written through the framing layer's `Outbox`.
//! A publication is sent only while its revision is the document's current one, checked
//! under the store lock, and didClose clears under the same lock: nothing stale follows
//! the clearing.

use super::analysis::AnalysisThread;
use super::capabilities::{server_capabilities, ClientFlags};
use super::convert::{self, line_col, negotiate_encoding};
use super::framing::Outbox;
use super::handoff::{self, Opened};
use super::requests;
use crate::cli::options::{config_from_settings, options_for, options_in_workspace};
use crate::config::Config;
use crate::document::{Change, Diagnosed, DocumentStore, Encoding, Pending, Snapshot};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use tokio::sync::watch;
use tower_lsp_server::jsonrpc::{self, Error, Id, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// The client's `dockerfile-ls` settings, as far as the server reads them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub config: Config,
    /// `buildArgs`: `{"NAME": "value"}`.
    pub build_args: Vec<(String, String)>,
}

impl Settings {
    pub fn from_json(value: &Value) -> Settings {
        let build_args = value
            .get("buildArgs")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            _ => return None,
                        };
                        Some((k.clone(), v))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Settings {
            config: config_from_settings(value),
            build_args,
        }
    }
}

/// State shared by the handlers and the analysis workers.
pub struct Inner {
    store: Mutex<DocumentStore>,
    encoding: AtomicU8,
    flags: RwLock<ClientFlags>,
    settings: RwLock<Settings>,
    /// The workspace folders: no configuration file above them is read.
    folders: RwLock<Vec<PathBuf>>,
    /// One analysis worker per open document. Locked after `store` and `loading`.
    workers: Mutex<HashMap<String, Worker>>,
    /// Where every analysis runs.
    analysis: AnalysisThread,
    /// Documents whose `.dockerfile-ls.toml` and `.dockerignore` are still being read
    /// after didOpen (opened with the client's settings alone), by the revision they were
    /// opened with (unique: a re-open gets another): not analysed until those are in.
    /// Locked after `store` when both are needed.
    loading: Mutex<HashMap<String, u64>>,
    /// Bumped by every refresh of the documents' options (new settings, folders or files):
    /// a read of a loading document's options that began before one is done again, or it
    /// would put back what the refresh replaced.
    options_epoch: AtomicU64,
    /// Where pushed diagnostics go.
    outbox: Outbox,
    shutdown: Arc<AtomicBool>,
    /// This, for the workers it starts.
    me: Weak<Inner>,
}

/// The analysis worker of a document: the only one building its snapshots (requests wait
/// for them, none builds its own).
struct Worker {
    /// The revision to analyse.
    wake: watch::Sender<u64>,
    /// What the worker last finished.
    built: watch::Receiver<Built>,
}

/// The last revision a worker analysed, and why it failed if it did.
type Built = Option<(u64, Option<&'static str>)>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read<T: Clone>(m: &RwLock<T>) -> T {
    m.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn write<T>(m: &RwLock<T>, value: T) {
    *m.write().unwrap_or_else(|e| e.into_inner()) = value;
}

fn internal_error(what: &str) -> Error {
    let mut e = Error::internal_error();
    e.message = format!("internal error: {what}").into();
    e
}

/// The error for a request handler that did not return (it panicked).
fn handler_failed(e: tokio::task::JoinError) -> Error {
    internal_error(if e.is_panic() {
        "request handler panicked"
    } else {
        "request handler failed"
    })
}

impl Inner {
    pub fn encoding(&self) -> Encoding {
        match self.encoding.load(Ordering::Relaxed) {
            8 => Encoding::Utf8,
            32 => Encoding::Utf32,
            _ => Encoding::Utf16,
        }
    }

    fn set_encoding(&self, enc: Encoding) {
        let v = match enc {
            Encoding::Utf8 => 8,
            Encoding::Utf16 => 16,
            Encoding::Utf32 => 32,
        };
        self.encoding.store(v, Ordering::Relaxed);
    }

    fn flags(&self) -> ClientFlags {
        read(&self.flags)
    }

    /// The snapshot of `uri`'s current revision, once its worker has built it (or a newer
    /// one, when an edit comes meanwhile). `Ok(None)` when the document is not open or
    /// closes meanwhile; `Err` when its analysis panicked. The store is read synchronously,
    /// before the first `.await`.
    pub fn snapshot(
        &self,
        uri: &str,
    ) -> impl Future<Output = std::result::Result<Option<(u64, Arc<Snapshot>)>, String>> + Send + '_
    {
        let waiting = {
            let store = lock(&self.store);
            match (store.current(uri), store.revision(uri)) {
                (Some(snap), Some(rev)) => Ok(Some((rev, snap))),
                (_, None) => Ok(None),
                (None, Some(_)) => Err((uri.to_string(), self.worker(&store, uri))),
            }
        };
        async move {
            match waiting {
                Ok(found) => Ok(found),
                Err((uri, built)) => self.built(&uri, built).await,
            }
        }
    }

    /// Wait until `uri` has a current snapshot, its worker reports the current revision
    /// failed, or the document closes (the worker ends).
    async fn built(
        &self,
        uri: &str,
        mut built: watch::Receiver<Built>,
    ) -> std::result::Result<Option<(u64, Arc<Snapshot>)>, String> {
        loop {
            let last = *built.borrow_and_update();
            {
                let store = lock(&self.store);
                let Some(rev) = store.revision(uri) else {
                    return Ok(None);
                };
                if let Some(snap) = store.current(uri) {
                    return Ok(Some((rev, snap)));
                }
                if let Some((failed, Some(why))) = last {
                    if failed == rev {
                        return Err(format!("analysis {why}"));
                    }
                }
            }
            if built.changed().await.is_err() {
                return Ok(None);
            }
        }
    }

    fn is_current(&self, uri: &str, revision: u64) -> bool {
        lock(&self.store).revision(uri) == Some(revision)
    }

    /// Wake (or start) the document's analysis worker for its current revision.
    fn schedule(&self, uri: &Uri) {
        let store = lock(&self.store);
        if store.is_open(uri.as_str()) {
            self.worker(&store, uri.as_str());
        }
    }

    /// `uri`'s worker (started if needed), woken for the current revision unless the
    /// options are being read (the reader schedules once they are in): what tells when it
    /// has analysed. With the store locked (lock order; a revision is woken for once).
    fn worker(&self, store: &DocumentStore, uri: &str) -> watch::Receiver<Built> {
        let loading = lock(&self.loading).contains_key(uri);
        let mut workers = lock(&self.workers);
        let worker = workers
            .entry(uri.to_string())
            .or_insert_with(|| self.start_worker(uri));
        if let (false, Some(rev)) = (loading, store.revision(uri)) {
            worker
                .wake
                .send_if_modified(|woken| std::mem::replace(woken, rev) != rev);
        }
        worker.built.clone()
    }

    fn start_worker(&self, uri: &str) -> Worker {
        let (wake, woken) = watch::channel(0);
        let (done, built) = watch::channel(None);
        match (self.me.upgrade(), Uri::from_str(uri)) {
            (Some(inner), Ok(uri)) => {
                tokio::spawn(analysis_worker(inner, uri, woken, Arc::new(done)));
            }
            // Not a URI the protocol could send, or shutting down: waiters see it end.
            _ => drop(done),
        }
        Worker { wake, built }
    }

    /// Analyse `pending` (on the analysis thread): publish its diagnostics as soon as the
    /// findings are in, then keep the snapshot and tell who waits. A full parse it still
    /// needs (a document's first) is left to idle time; nothing waits for it (`TreeSlot`).
    fn analyse(&self, uri: &Uri, pending: Pending, done: &watch::Sender<Built>) {
        let start = std::time::Instant::now();
        let recycled = pending.input.base.is_some();
        let (key, rev, mut analysed) = pending.analyse();
        let findings = start.elapsed();
        self.publish(uri, rev, analysed.diagnosed());
        let published = start.elapsed();
        analysed.parse_in_background();
        let snap = analysed.finish();
        let kept = lock(&self.store).offer(&key, rev, Arc::new(snap));
        tracing::debug!(
            "analysis of revision {rev} (model recycled: {recycled}): findings after {findings:?}, \
             published after {published:?}, snapshot after {:?} (kept: {kept})",
            start.elapsed()
        );
        done.send_replace(Some((rev, None)));
    }

    /// Send a snapshot's diagnostics when `revision` is still the document's current one
    /// (push mode only). Serialized outside the lock; checked and queued under it, like
    /// didClose's clearing, so a publication never follows a newer one or the clearing.
    fn publish(&self, uri: &Uri, revision: u64, snap: Diagnosed<'_>) {
        if self.flags().pull_diagnostics || !self.is_current(uri.as_str(), revision) {
            return;
        }
        let body = convert::publish_diagnostics(snap, uri, self.encoding());
        let store = lock(&self.store);
        if store.revision(uri.as_str()) == Some(revision) {
            self.outbox.send(&body);
        }
    }

    /// Read `uri`'s options from disk (off the async threads), set them if the document is
    /// still the one opened with `token`, and schedule its analysis. The warnings to log.
    async fn load_options(&self, uri: Uri, token: u64) -> Vec<String> {
        loop {
            let epoch = self.options_epoch.load(Ordering::Acquire);
            let path = file_path(&uri);
            let settings = read(&self.settings);
            let folders = read(&self.folders);
            let fallback = options_for(None, &settings.config, &settings.build_args).0;
            let read_options = move || {
                let (config, args) = (&settings.config, &settings.build_args);
                options_in_workspace(path.as_deref(), &folders, config, args)
            };
            // On the analysis thread, where the document's analysis waits for them anyway:
            // it is running already (a blocking-pool thread took ~0.2 ms to start on an open).
            let (options, warnings) = match self.analysis.run(read_options).await {
                Ok(read) => read,
                Err(_) => {
                    let warning = format!("{}: reading its configuration failed", uri.as_str());
                    (fallback, vec![warning])
                }
            };
            {
                let mut store = lock(&self.store);
                let mut loading = lock(&self.loading);
                if loading.get(uri.as_str()) != Some(&token) {
                    return Vec::new();
                }
                if self.options_epoch.load(Ordering::Acquire) != epoch {
                    continue;
                }
                store.set_opened_options(uri.as_str(), Arc::new(options));
                loading.remove(uri.as_str());
            }
            self.schedule(&uri);
            return warnings;
        }
    }
}

pub struct Backend {
    client: Client,
    inner: Arc<Inner>,
}

impl Backend {
    pub fn new(client: Client, shutdown: Arc<AtomicBool>, outbox: Outbox) -> Self {
        let inner = Arc::new_cyclic(|me| Inner {
            store: Mutex::new(DocumentStore::new()),
            encoding: AtomicU8::new(16),
            flags: RwLock::new(ClientFlags::default()),
            settings: RwLock::new(Settings::default()),
            folders: RwLock::new(Vec::new()),
            workers: Mutex::new(HashMap::new()),
            analysis: AnalysisThread::start(),
            loading: Mutex::new(HashMap::new()),
            options_epoch: AtomicU64::new(0),
            outbox,
            shutdown,
            me: me.clone(),
        });
        Backend { client, inner }
    }

    fn schedule(&self, uri: &Uri) {
        self.inner.schedule(uri);
    }

    /// Run a request handler on a snapshot, off the async threads; a panic in the handler
    /// becomes an InternalError response.
    fn on_snapshot<P, R>(
        &self,
        uri: &Uri,
        params: P,
        f: fn(&Snapshot, P, Encoding) -> Option<R>,
    ) -> impl Future<Output = Result<Option<R>>> + Send + '_
    where
        P: Send + 'static,
        R: Send + 'static,
    {
        let snap = self.inner.snapshot(uri.as_str());
        async move {
            let Some((_, snap)) = snap.await.map_err(|e| internal_error(&e))? else {
                return Ok(None);
            };
            let enc = self.inner.encoding();
            answer(move || f(&snap, params, enc))
                .await
                .map_err(handler_failed)
        }
    }

    /// Like `on_snapshot`, for handlers whose errors are meaningful (rename).
    fn on_snapshot_result<P, R>(
        &self,
        uri: &Uri,
        params: P,
        f: fn(&Snapshot, P, Encoding) -> Result<Option<R>>,
    ) -> impl Future<Output = Result<Option<R>>> + Send + '_
    where
        P: Send + 'static,
        R: Send + 'static,
    {
        let snap = self.inner.snapshot(uri.as_str());
        async move {
            let Some((_, snap)) = snap.await.map_err(|e| internal_error(&e))? else {
                return Ok(None);
            };
            let enc = self.inner.encoding();
            answer(move || f(&snap, params, enc))
                .await
                .map_err(handler_failed)?
        }
    }

    /// For requests whose parameters name no document (resolve): the snapshot of `uri`.
    fn on_resolve<T>(
        &self,
        uri: Option<String>,
        item: T,
        f: fn(&Snapshot, T, Encoding) -> Option<T>,
    ) -> impl Future<Output = Result<T>> + Send + '_
    where
        T: Clone + Send + 'static,
    {
        let snap = uri.as_deref().map(|u| self.inner.snapshot(u));
        async move {
            let Some(snap) = snap else { return Ok(item) };
            let Some((_, snap)) = snap.await.map_err(|e| internal_error(&e))? else {
                return Ok(item);
            };
            let enc = self.inner.encoding();
            let fallback = item.clone();
            let resolved = answer(move || f(&snap, item, enc))
                .await
                .map_err(handler_failed)?;
            Ok(resolved.unwrap_or(fallback))
        }
    }

    /// Re-read every open document's configuration file and `.dockerignore` with the
    /// current settings, and re-analyse.
    async fn refresh_options(&self) {
        self.inner.options_epoch.fetch_add(1, Ordering::AcqRel);
        let docs: Vec<(String, Option<PathBuf>)> = {
            let store = lock(&self.inner.store);
            store
                .uris()
                .into_iter()
                .map(|u| (u.clone(), store.path(&u)))
                .collect()
        };
        let settings = read(&self.inner.settings);
        let folders = read(&self.inner.folders);
        let computed = answer(move || {
            let (config, args) = (&settings.config, &settings.build_args);
            docs.into_iter()
                .map(|(u, p)| {
                    let (opts, warnings) =
                        options_in_workspace(p.as_deref(), &folders, config, args);
                    (u, opts, warnings)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for (uri, opts, warnings) in computed {
            for w in warnings {
                self.client.log_message(MessageType::WARNING, w).await;
            }
            let updated = lock(&self.inner.store).set_options(&uri, Arc::new(opts));
            if updated.is_some() {
                if let Ok(uri) = Uri::from_str(&uri) {
                    self.schedule(&uri);
                }
            }
        }
        let flags = self.inner.flags();
        if flags.pull_diagnostics && flags.diagnostic_refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    async fn pull_settings(&self) -> Option<Value> {
        if !self.inner.flags().configuration {
            return None;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("dockerfile-ls".to_string()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(mut values) if !values.is_empty() => Some(values.swap_remove(0)),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("workspace/configuration failed: {e}");
                None
            }
        }
    }

    /// Take the client's settings (an object; anything else leaves them); whether they
    /// changed.
    fn apply_settings(&self, value: &Value) -> bool {
        if !value.is_object() {
            return false;
        }
        let settings = Settings::from_json(value);
        let changed = read(&self.inner.settings) != settings;
        if changed {
            write(&self.inner.settings, settings);
        }
        changed
    }

    /// A `didOpen` the framing layer parsed and handed over (`handoff`).
    pub fn opened(&self, opened: Opened) -> impl Future<Output = ()> + Send + '_ {
        // `did_open` stores the document before its first `.await`: called here, in the
        // order of the messages, not when this future first runs.
        let open = self
            .inner
            .outbox
            .handoff()
            .claim(opened.token)
            .map(|p| self.did_open(p));
        async move {
            match open {
                Some(open) => open.await,
                None => tracing::error!("no document handed over with token {}", opened.token),
            }
        }
    }

    /// A request rerouted by the framing layer (`framing::REROUTABLE`), answered through
    /// the outbox. Like any request, it takes its snapshot before its first `.await`.
    pub fn rerouted(&self, request: Rerouted) -> impl Future<Output = ()> + Send + '_ {
        let Rerouted { id, method, params } = request;
        let key = handoff::key_of(&id);
        let reply = match method.as_str() {
            "textDocument/completion" => self.answer(
                id,
                params,
                |p: &CompletionParams| &p.text_document_position.text_document.uri,
                requests::completion::handle,
            ),
            "textDocument/documentSymbol" => self.answer(
                id,
                params,
                |p: &DocumentSymbolParams| &p.text_document.uri,
                requests::document_symbol::handle,
            ),
            "textDocument/formatting" => self.answer(
                id,
                params,
                |p: &DocumentFormattingParams| &p.text_document.uri,
                requests::formatting::handle,
            ),
            "textDocument/rangeFormatting" => self.answer(
                id,
                params,
                |p: &DocumentRangeFormattingParams| &p.text_document.uri,
                requests::formatting::handle_range,
            ),
            "textDocument/semanticTokens/full" => self.answer(
                id,
                params,
                |p: &SemanticTokensParams| &p.text_document.uri,
                requests::semantic_tokens::handle_full,
            ),
            "textDocument/semanticTokens/range" => self.answer(
                id,
                params,
                |p: &SemanticTokensRangeParams| &p.text_document.uri,
                requests::semantic_tokens::handle_range,
            ),
            "textDocument/foldingRange" => self.answer(
                id,
                params,
                |p: &FoldingRangeParams| &p.text_document.uri,
                requests::folding_range::handle,
            ),
            _ => Box::pin(std::future::ready(reply::<()>(
                &id,
                Err(Error::method_not_found()),
            ))),
        };
        async move {
            let body = reply.await;
            self.inner.outbox.send(&body);
            self.inner.outbox.handoff().answered(&key);
        }
    }

    /// The response to a rerouted request: `on_snapshot`'s, serialized on the blocking
    /// thread that computed it.
    fn answer<P, R>(
        &self,
        id: Id,
        params: Value,
        uri_of: fn(&P) -> &Uri,
        f: fn(&Snapshot, P, Encoding) -> Option<R>,
    ) -> Reply<'_>
    where
        P: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
    {
        // The same errors as tower-lsp-server's for bad parameters.
        let parsed = match params {
            Value::Null => Err(Error::invalid_params("Missing params field")),
            p => serde_json::from_value::<P>(p).map_err(|e| Error::invalid_params(e.to_string())),
        };
        let params = match parsed {
            Ok(params) => params,
            Err(e) => return Box::pin(std::future::ready(reply::<()>(&id, Err(e)))),
        };
        let snap = self.inner.snapshot(uri_of(&params).as_str());
        let handoff = self.inner.outbox.handoff_arc();
        let key = handoff::key_of(&id);
        Box::pin(async move {
            let snap = match snap.await {
                Ok(Some((_, snap))) => snap,
                Ok(None) => return reply::<()>(&id, Ok(None)),
                Err(e) => return reply::<()>(&id, Err(internal_error(&e))),
            };
            let enc = self.inner.encoding();
            let reply_id = id.clone();
            // Cancelled while waiting for the snapshot, or while computing: no result.
            let cancelled = move || handoff.is_cancelled(&key);
            answer(move || {
                if cancelled() {
                    return reply::<()>(&reply_id, Err(Error::request_cancelled()));
                }
                let result = f(&snap, params, enc);
                if cancelled() {
                    return reply::<()>(&reply_id, Err(Error::request_cancelled()));
                }
                reply(&reply_id, Ok(result))
            })
            .await
            .unwrap_or_else(|e| reply::<()>(&id, Err(handler_failed(e))))
        })
    }
}

/// Analyse the newest revision of one document whenever woken, on the analysis thread;
/// publish diagnostics for it when it is still the newest once analysed. Ends when the
/// document is closed (its `Worker` dropped).
async fn analysis_worker(
    inner: Arc<Inner>,
    uri: Uri,
    mut wake: watch::Receiver<u64>,
    done: Arc<watch::Sender<Built>>,
) {
    while wake.changed().await.is_ok() {
        wake.borrow_and_update();
        let pending = {
            let mut store = lock(&inner.store);
            let waiting = lock(&inner.loading).contains_key(uri.as_str());
            match store.current(uri.as_str()) {
                None if !waiting => store.pending(uri.as_str()),
                _ => None,
            }
        };
        let Some(pending) = pending else { continue };
        let rev = pending.revision;
        let (job_inner, job_uri, job_done) = (inner.clone(), uri.clone(), done.clone());
        let job = move || job_inner.analyse(&job_uri, pending, &job_done);
        match inner.analysis.run(job).await {
            Ok(()) => {}
            Err(e) => {
                tracing::error!("analysis of {} {}", uri.as_str(), e.0);
                done.send_replace(Some((rev, Some(e.0))));
            }
        }
    }
}

/// Compute an answer off the async threads, as foreground work (idle-time work such as a
/// document's first parse steps aside meanwhile: `threads::wait_for_quiet`).
fn answer<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> tokio::task::JoinHandle<R> {
    tokio::task::spawn_blocking(move || {
        let _busy = crate::threads::Foreground::start();
        f()
    })
}

/// The params of a `framing::REROUTED` notification: the request it stands for.
#[derive(Debug, Deserialize)]
pub struct Rerouted {
    id: Id,
    method: String,
    #[serde(default)]
    params: Value,
}

/// A response body on its way.
type Reply<'a> = Pin<Box<dyn Future<Output = Vec<u8>> + Send + 'a>>;

/// A JSON-RPC response.
#[derive(Serialize)]
struct ResponseBody<'a, R> {
    jsonrpc: &'static str,
    id: &'a Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<Option<R>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Error>,
}

/// The body of the response to `id`.
fn reply<R: Serialize>(id: &Id, result: Result<Option<R>>) -> Vec<u8> {
    let (result, error) = match result {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e)),
    };
    let response = ResponseBody {
        jsonrpc: "2.0",
        id,
        result,
        error,
    };
    serde_json::to_vec(&response).unwrap_or_else(|e| {
        let e = internal_error(&format!("cannot serialize the result: {e}"));
        reply::<()>(id, Err(e))
    })
}

/// The folders of `initialize`: `workspaceFolders`, else the deprecated `rootUri`.
fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    match &params.workspace_folders {
        Some(folders) => folders.iter().filter_map(|f| file_path(&f.uri)).collect(),
        #[allow(deprecated)]
        None => params.root_uri.iter().filter_map(file_path).collect(),
    }
}

fn file_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref());
        let enc = negotiate_encoding(offered);
        self.inner.set_encoding(enc);
        requests::completion::set_snippet_support(requests::completion::snippet_support(caps));
        let flags = ClientFlags::from_capabilities(caps);
        write(&self.inner.flags, flags.clone());
        if let Some(opts) = &params.initialization_options {
            let section = opts.get("dockerfile-ls").unwrap_or(opts);
            self.apply_settings(section);
        }
        write(&self.inner.folders, workspace_folders(&params));
        tracing::info!("initialize: position encoding {enc:?}");
        self.inner.outbox.start_rerouting();
        Ok(InitializeResult {
            capabilities: server_capabilities(enc, &flags),
            server_info: Some(ServerInfo {
                name: "dockerfile-ls".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // The first document's memory, backed while the client sends it (after the
        // `initialize` response: beside it, the population slowed it).
        crate::malloc::prefault_heap();
        let flags = self.inner.flags();
        let mut registrations = Vec::new();
        if flags.did_change_configuration_dynamic {
            registrations.push(Registration {
                id: "dockerfile-ls/didChangeConfiguration".to_string(),
                method: "workspace/didChangeConfiguration".to_string(),
                register_options: None,
            });
        }
        if flags.watched_files_dynamic {
            let watchers = [".dockerfile-ls.toml", ".dockerignore", "*.dockerignore"]
                .iter()
                .map(|name| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(format!("**/{name}")),
                    kind: None,
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            registrations.push(Registration {
                id: "dockerfile-ls/watchedFiles".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            });
        }
        if !registrations.is_empty() {
            if let Err(e) = self.client.register_capability(registrations).await {
                tracing::warn!("client/registerCapability failed: {e}");
            }
        }
        // The documents opened so far read their options with the settings in hand: they
        // are read again only if the pulled settings differ (the null most clients send
        // without any set changes nothing). Read beside the first open's analysis, they
        // slowed it.
        if let Some(value) = self.pull_settings().await {
            if self.apply_settings(&value) {
                self.refresh_options().await;
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    fn did_open(&self, params: DidOpenTextDocumentParams) -> impl Future<Output = ()> + Send {
        let doc = params.text_document;
        let path = file_path(&doc.uri);
        let settings = read(&self.inner.settings);
        // The settings alone now; the files on disk are read after, off this thread.
        let (options, _) = options_for(None, &settings.config, &settings.build_args);
        // A panic here would end the session: contain it and keep serving.
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut store = lock(&self.inner.store);
            store.open(
                doc.uri.as_str(),
                &doc.text,
                doc.version,
                path,
                Arc::new(options),
            );
            let token = store.revision(doc.uri.as_str())?;
            lock(&self.inner.loading).insert(doc.uri.to_string(), token);
            Some(token)
        }));
        let token = match opened {
            Ok(token) => token,
            Err(_) => {
                tracing::error!("didOpen for {} panicked", doc.uri.as_str());
                None
            }
        };
        async move {
            let Some(token) = token else { return };
            for w in self.inner.load_options(doc.uri, token).await {
                self.client.log_message(MessageType::WARNING, w).await;
            }
        }
    }

    fn did_change(&self, params: DidChangeTextDocumentParams) -> impl Future<Output = ()> + Send {
        let uri = params.text_document.uri;
        let changes: Vec<Change> = params
            .content_changes
            .into_iter()
            .map(|c| Change {
                range: c.range.map(|r| (line_col(r.start), line_col(r.end))),
                text: c.text,
            })
            .collect();
        let enc = self.inner.encoding();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lock(&self.inner.store).change(
                uri.as_str(),
                params.text_document.version,
                &changes,
                enc,
            )
        }));
        match result {
            Ok(Ok(_)) => self.schedule(&uri),
            Ok(Err(e)) => tracing::warn!("didChange for {}: {e}", uri.as_str()),
            Err(_) => tracing::error!("didChange for {} panicked", uri.as_str()),
        }
        std::future::ready(())
    }

    fn did_close(&self, params: DidCloseTextDocumentParams) -> impl Future<Output = ()> + Send {
        let uri = params.text_document.uri;
        let clear =
            (!self.inner.flags().pull_diagnostics).then(|| convert::clear_diagnostics(&uri));
        {
            let mut store = lock(&self.inner.store);
            store.close(uri.as_str());
            lock(&self.inner.loading).remove(uri.as_str());
            if let Some(body) = clear {
                self.inner.outbox.send(&body);
            }
        }
        lock(&self.inner.workers).remove(uri.as_str());
        std::future::ready(())
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let section = params
            .settings
            .get("dockerfile-ls")
            .filter(|v| v.is_object())
            .cloned();
        let value = match section {
            Some(v) => Some(v),
            None => self.pull_settings().await,
        };
        if let Some(value) = value {
            self.apply_settings(&value);
        }
        // Read again even when the settings did not change: the client may tell of a
        // change elsewhere this way.
        self.refresh_options().await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut folders = read(&self.inner.folders);
        let path = |f: &WorkspaceFolder| file_path(&f.uri);
        let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(path).collect();
        folders.retain(|f| !removed.contains(f));
        folders.extend(params.event.added.iter().filter_map(path));
        write(&self.inner.folders, folders);
        // Configuration files may now be in or out of bounds.
        self.refresh_options().await;
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        self.refresh_options().await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let found = self
            .inner
            .snapshot(uri.as_str())
            .await
            .map_err(|e| internal_error(&e))?;
        let report = match found {
            None => DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport::default()),
            Some((rev, snap)) => {
                let result_id = rev.to_string();
                if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
                    DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id,
                        },
                    })
                } else {
                    let items = convert::diagnostics(&snap, &uri, self.inner.encoding());
                    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                        related_documents: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(result_id),
                            items,
                        },
                    })
                }
            }
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::completion::handle)
            .await
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        let uri = requests::completion_resolve::uri_of(&item);
        self.on_resolve(uri, item, requests::completion_resolve::handle)
            .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_snapshot(&uri, params, requests::hover::handle)
            .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_snapshot(&uri, params, requests::signature_help::handle)
            .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_snapshot(&uri, params, requests::definition::handle)
            .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::references::handle)
            .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_snapshot(&uri, params, requests::document_highlight::handle)
            .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::prepare_rename::handle)
            .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_snapshot_result(&uri, params, requests::rename::handle)
            .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::document_symbol::handle)
            .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let uris = lock(&self.inner.store).uris();
        let waits: Vec<_> = uris
            .iter()
            .map(|u| (u.clone(), self.inner.snapshot(u)))
            .collect();
        let mut docs = Vec::new();
        for (u, wait) in waits {
            if let (Ok(Some((_, snap))), Ok(uri)) = (wait.await, Uri::from_str(&u)) {
                docs.push((uri, snap));
            }
        }
        let enc = self.inner.encoding();
        answer(move || requests::workspace_symbol::handle(&docs, params, enc))
            .await
            .map_err(|_| internal_error("request handler panicked"))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::folding_range::handle)
            .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::semantic_tokens::handle_full)
            .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::semantic_tokens::handle_range)
            .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::document_link::handle)
            .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::inlay_hint::handle)
            .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::selection_range::handle)
            .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::formatting::handle)
            .await
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::formatting::handle_range)
            .await
    }

    async fn on_type_formatting(
        &self,
        params: DocumentOnTypeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::formatting::handle_on_type)
            .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_snapshot(&uri, params, requests::code_action::handle)
            .await
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        let uri = requests::code_action_resolve::uri_of(&action);
        self.on_resolve(uri, action, requests::code_action_resolve::handle)
            .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let snap = match requests::execute_command::uri_of(&params) {
            Some(u) => self
                .inner
                .snapshot(&u)
                .await
                .map_err(|e| internal_error(&e))?
                .map(|(_, s)| s),
            None => None,
        };
        let enc = self.inner.encoding();
        let outcome =
            answer(move || requests::execute_command::handle(snap.as_deref(), params, enc))
                .await
                .map_err(|_| internal_error("request handler panicked"))??;
        if let Some(edit) = outcome.apply_edit {
            match self.client.apply_edit(edit).await {
                Ok(res) if !res.applied => {
                    return Err(jsonrpc::Error::invalid_request());
                }
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(outcome.result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::LspService;

    fn boom(_: &Snapshot, _: (), _: Encoding) -> Option<()> {
        panic!("a handler bug")
    }

    fn count(snap: &Snapshot, _: (), _: Encoding) -> Option<usize> {
        Some(snap.model.instructions.len())
    }

    /// A server (its outbox writing nowhere) and what must stay alive with it.
    fn server() -> (
        LspService<Backend>,
        tower_lsp_server::ClientSocket,
        tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    ) {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let outbox = Outbox::new(&tx);
        let (service, socket) = LspService::new(move |client| {
            Backend::new(client, Arc::new(AtomicBool::new(false)), outbox)
        });
        (service, socket, tx)
    }

    const URI: &str = "file:///p/Dockerfile";

    /// `URI` opened as didOpen does, its options still being read: nothing analysed yet.
    fn open_loading(inner: &Inner, text: &str) -> u64 {
        let mut store = lock(&inner.store);
        store.open(URI, text, 1, None, Arc::default());
        let token = store.revision(URI).expect("open");
        lock(&inner.loading).insert(URI.to_string(), token);
        token
    }

    /// What `load_options` does once the options are read.
    fn options_read(inner: &Inner, token: u64) {
        let mut store = lock(&inner.store);
        store.set_opened_options(URI, Arc::default());
        assert_eq!(lock(&inner.loading).remove(URI), Some(token));
        inner.worker(&store, URI);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_share_the_one_analysis_of_a_revision() {
        let (service, _socket, _tx) = server();
        let inner = &service.inner().inner;
        let token = open_loading(inner, "FROM a\nRUN b\n");
        let waits = [
            inner.snapshot(URI),
            inner.snapshot(URI),
            inner.snapshot(URI),
        ];
        options_read(inner, token);
        let mut snaps = Vec::new();
        for wait in waits {
            let (rev, snap) = wait.await.expect("analysed").expect("open");
            assert_eq!(rev, token);
            snaps.push(snap);
        }
        assert!(snaps.iter().all(|s| Arc::ptr_eq(s, &snaps[0])));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_takes_the_revision_that_superseded_its_own() {
        let (service, _socket, _tx) = server();
        let inner = &service.inner().inner;
        let token = open_loading(inner, "FROM a\n");
        let wait = inner.snapshot(URI);
        let at = crate::document::LineCol { line: 1, col: 0 };
        let change = Change {
            range: Some((at, at)),
            text: "RUN b\n".into(),
        };
        let edited = lock(&inner.store).change(URI, 2, &[change], Encoding::Utf16);
        options_read(inner, token);
        let (rev, snap) = wait.await.expect("analysed").expect("open");
        assert_eq!(Ok(rev), edited);
        assert_eq!(&*snap.text, "FROM a\nRUN b\n");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_waiting_for_a_closed_document_gets_nothing() {
        let (service, _socket, _tx) = server();
        let inner = &service.inner().inner;
        open_loading(inner, "FROM a\n");
        let wait = inner.snapshot(URI);
        // As didClose does.
        lock(&inner.store).close(URI);
        lock(&inner.loading).remove(URI);
        lock(&inner.workers).remove(URI);
        let answered = tokio::time::timeout(std::time::Duration::from_secs(10), wait).await;
        assert_eq!(answered.map(|r| r.map(|s| s.is_some())), Ok(Ok(false)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_analysis_is_an_error_for_its_revision_only() {
        let (service, _socket, _tx) = server();
        let inner = &service.inner().inner;
        let token = open_loading(inner, "FROM a\n");
        // What the worker reports when the analysis panics (without waking it).
        let (done, built) = watch::channel(Some((token, Some("panicked"))));
        let wake = watch::channel(0).0;
        lock(&inner.workers).insert(URI.to_string(), Worker { wake, built });
        let failed = inner.snapshot(URI).await;
        assert_eq!(
            failed.map(|s| s.is_some()),
            Err("analysis panicked".to_string())
        );
        drop(done);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_handler_is_an_internal_error_and_the_server_goes_on() {
        let (service, _socket, _tx) = server();
        let backend = service.inner();
        let uri = Uri::from_str("file:///p/Dockerfile").expect("uri");
        lock(&backend.inner.store).open(uri.as_str(), "FROM a\nRUN b\n", 1, None, Arc::default());
        let err = backend
            .on_snapshot(&uri, (), boom)
            .await
            .expect_err("a panic is an error");
        assert_eq!(
            err.code,
            tower_lsp_server::jsonrpc::ErrorCode::InternalError
        );
        assert_eq!(
            backend
                .on_snapshot(&uri, (), count)
                .await
                .expect("still serving"),
            Some(2)
        );
        // An unknown document: no answer, no error.
        let other = Uri::from_str("file:///p/Other").expect("uri");
        assert_eq!(
            backend.on_snapshot(&other, (), count).await.expect("ok"),
            None
        );
    }
}
