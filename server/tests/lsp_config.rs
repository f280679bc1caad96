//! Configuration over the protocol: `workspace/configuration`, `didChangeConfiguration`,
//! `.dockerfile-ls.toml` and `.dockerignore` beside the file.

mod common;

use common::{file_uri, Client};
use serde_json::{json, Value};
use std::path::Path;

const DOCKERFILE: &str = "FROM alpine:3.20\nMAINTAINER me\nWORKDIR /app\nCOPY . .\n";

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn has(params: &Value, rule: &str) -> bool {
    codes(params).iter().any(|c| c == rule)
}

#[test]
fn the_test_file_has_the_findings_we_switch() {
    let snap = dockerfile_ls::document::Snapshot::from_text(DOCKERFILE);
    assert!(snap
        .findings
        .iter()
        .any(|f| f.rule == "MaintainerDeprecated"));
}

#[test]
fn workspace_configuration_is_read_at_initialized() {
    let mut c = Client::spawn();
    c.settings = json!({"rules": {"MaintainerDeprecated": "off"}});
    c.initialize_with(json!({"workspace": {"configuration": true}}));
    let uri = "file:///nowhere/Dockerfile";
    c.open(uri, 1, DOCKERFILE);
    // The first analysis may race the configuration; the one after it has the rule off.
    let p = c.wait_for("diagnostics with the rule off", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && !has(&m["params"], "MaintainerDeprecated")
    });
    assert_eq!(p["params"]["version"], 1);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn did_change_configuration_with_settings_reanalyses() {
    let mut c = Client::spawn();
    c.initialize();
    let uri = "file:///nowhere/Dockerfile";
    c.open(uri, 1, DOCKERFILE);
    let first = c.diagnostics_at(uri, 1);
    let severity = |p: &Value| {
        p["diagnostics"]
            .as_array()
            .and_then(|a| a.iter().find(|d| d["code"] == "MaintainerDeprecated"))
            .map(|d| d["severity"].clone())
    };
    assert_eq!(severity(&first), Some(json!(2)));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dockerfile-ls": {"rules": {"MaintainerDeprecated": "error"}}}}),
    );
    let p = c.wait_for("diagnostics with the rule as an error", |m| {
        m["method"] == "textDocument/publishDiagnostics" && severity(&m["params"]) == Some(json!(1))
    });
    assert_eq!(p["params"]["version"], 1);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn did_change_configuration_without_settings_pulls_them() {
    let mut c = Client::spawn();
    c.initialize_with(json!({"workspace": {"configuration": true}}));
    let uri = "file:///nowhere/Dockerfile";
    c.open(uri, 1, DOCKERFILE);
    c.diagnostics_at(uri, 1);
    c.settings = json!({"rules": {"MaintainerDeprecated": "off"}});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    c.wait_for("diagnostics with the rule off", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && !has(&m["params"], "MaintainerDeprecated")
    });
}

/// `dir/.dockerfile-ls.toml` turning MaintainerDeprecated off, and `dir/svc/Dockerfile`;
/// returns the Dockerfile's URI.
fn config_above_svc(dir: &Path) -> String {
    std::fs::write(
        dir.join(".dockerfile-ls.toml"),
        "[rules]\nMaintainerDeprecated = \"off\"\n",
    )
    .unwrap();
    let sub = dir.join("svc");
    std::fs::create_dir(&sub).unwrap();
    let path = sub.join("Dockerfile");
    std::fs::write(&path, DOCKERFILE).unwrap();
    file_uri(&path)
}

#[test]
fn config_file_inside_the_workspace_applies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let uri = config_above_svc(dir.path());
    let mut c = Client::spawn();
    c.initialize_in(&[dir.path()]);
    c.open(&uri, 1, DOCKERFILE);
    let p = c.diagnostics_at(&uri, 1);
    assert!(!has(&p, "MaintainerDeprecated"), "{:?}", codes(&p));
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn config_file_above_the_workspace_does_not_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let uri = config_above_svc(dir.path());
    let svc = dir.path().join("svc");
    let mut c = Client::spawn();
    c.initialize_in(&[&svc]);
    c.open(&uri, 1, DOCKERFILE);
    let p = c.diagnostics_at(&uri, 1);
    assert!(has(&p, "MaintainerDeprecated"), "{:?}", codes(&p));
    // The workspace grows to the directory above: its configuration now applies.
    let added = json!([{"uri": file_uri(dir.path()), "name": "all"}]);
    let removed = json!([{"uri": file_uri(&svc), "name": "svc"}]);
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": added, "removed": removed}}),
    );
    c.wait_for("diagnostics with the rule off", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && !has(&m["params"], "MaintainerDeprecated")
    });
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn without_a_workspace_only_the_config_beside_the_dockerfile_applies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let uri = config_above_svc(dir.path());
    let mut c = Client::spawn();
    c.initialize();
    c.open(&uri, 1, DOCKERFILE);
    let p = c.diagnostics_at(&uri, 1);
    assert!(has(&p, "MaintainerDeprecated"), "{:?}", codes(&p));
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn root_uri_bounds_the_workspace_without_folders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let uri = config_above_svc(dir.path());
    let mut c = Client::spawn();
    let root = file_uri(dir.path());
    c.call_ok(
        "initialize",
        json!({"processId": null, "rootUri": root, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    c.open(&uri, 1, DOCKERFILE);
    let p = c.diagnostics_at(&uri, 1);
    assert!(!has(&p, "MaintainerDeprecated"), "{:?}", codes(&p));
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn dockerignore_beside_the_dockerfile_is_read() {
    let rule = "MissingDockerignore";
    let with = tempfile::tempdir().expect("tempdir");
    let without = tempfile::tempdir().expect("tempdir");
    std::fs::write(with.path().join(".dockerignore"), ".git\n").unwrap();
    let mut c = Client::spawn();
    c.initialize();
    let uri_without = file_uri(&without.path().join("Dockerfile"));
    let uri_with = file_uri(&with.path().join("Dockerfile"));
    c.open(&uri_without, 1, DOCKERFILE);
    c.open(&uri_with, 1, DOCKERFILE);
    let p_without = c.diagnostics_at(&uri_without, 1);
    let p_with = c.diagnostics_at(&uri_with, 1);
    assert!(has(&p_without, rule), "{:?}", codes(&p_without));
    assert!(!has(&p_with, rule), "{:?}", codes(&p_with));
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}
