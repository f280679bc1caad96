//! Editor configurations are checked without the editors: the VS Code manifest against the
//! server's configuration keys, Helix's and Zed's TOML files, and the query copies.

use dockerfile_ls::config::Config;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const DOCKERFILE_NAMES: [&str; 6] = [
    "Dockerfile",
    "Containerfile",
    "*.Dockerfile",
    "*.dockerfile",
    "Dockerfile.*",
    "Containerfile.*",
];

#[test]
fn vscode_manifest_registers_languages_and_command() {
    let pkg: Value =
        serde_json::from_str(&read("editors/vscode/package.json")).expect("package.json");
    let lang = pkg["contributes"]["languages"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["id"] == "dockerfile"))
        .expect("dockerfile language");
    let mut names: Vec<String> = Vec::new();
    for key in ["filenames", "filenamePatterns"] {
        names.extend(
            lang[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from)),
        );
    }
    for want in DOCKERFILE_NAMES {
        assert!(
            names.iter().any(|n| n == want),
            "VS Code does not register {want}: {names:?}"
        );
    }
    assert_eq!(pkg["main"], "./out/extension.js");
    let commands = pkg["contributes"]["commands"].as_array().expect("commands");
    assert!(commands
        .iter()
        .any(|c| c["command"] == "dockerfile-ls.splitStages"
            && c["title"] == "Split into deps, builder and runner stages"));
}

/// A value different from the setting's default, valid for its schema.
fn non_default(schema: &Value) -> Value {
    if let Some(options) = schema["enum"].as_array() {
        return options
            .iter()
            .find(|v| **v != schema["default"])
            .cloned()
            .expect("enum with 2 values");
    }
    match schema["type"].as_str() {
        Some("integer") => json!(schema["default"].as_u64().unwrap_or(0) + 1),
        Some("object") => json!({"CacheBustingCopy": "error"}),
        other => panic!("no test value for type {other:?}"),
    }
}

/// Every server setting in the manifest changes the server's configuration when set (JSON, as
/// the client sends it), and is accepted in `.dockerfile-ls.toml`; the server's sections are
/// all exposed.
#[test]
fn vscode_settings_match_the_server_configuration() {
    let pkg: Value =
        serde_json::from_str(&read("editors/vscode/package.json")).expect("package.json");
    let props = pkg["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("properties");
    let client_only = ["dockerfile-ls.server.path", "dockerfile-ls.trace.server"];
    for key in client_only {
        assert!(props.contains_key(key), "missing {key}");
    }
    let mut sections = std::collections::BTreeSet::new();
    for (key, schema) in props {
        if client_only.contains(&key.as_str()) {
            continue;
        }
        let path: Vec<&str> = key
            .trim_start_matches("dockerfile-ls.")
            .split('.')
            .collect();
        sections.insert(path[0].to_string());
        let value = non_default(schema);
        let mut settings = value.clone();
        for part in path.iter().rev() {
            settings = json!({ *part: settings });
        }
        assert_ne!(
            Config::from_json(&settings),
            Config::default(),
            "server ignores setting {key}"
        );
        let toml = match path.as_slice() {
            ["rules"] => "[rules]\nCacheBustingCopy = \"error\"\n".to_string(),
            [section, name] => format!("[{section}]\n{name} = {value}\n"),
            _ => panic!("unexpected setting shape {key}"),
        };
        let parsed = Config::from_toml_str(&toml).unwrap_or_else(|e| panic!("{key} in TOML: {e}"));
        assert_ne!(parsed, Config::default(), "TOML ignores {key}");
    }
    assert_eq!(
        sections.into_iter().collect::<Vec<_>>(),
        ["format", "rules"]
    );
}

#[test]
fn helix_languages_toml() {
    let doc: toml::Value =
        toml::from_str(&read("editors/helix/languages.toml")).expect("languages.toml parses");
    let server = &doc["language-server"]["dockerfile-ls"];
    assert_eq!(server["command"].as_str(), Some("dockerfile-ls"));
    assert_eq!(server["args"].as_array().map(|a| a.len()), Some(1));
    assert_eq!(server["args"][0].as_str(), Some("--stdio"));
    let lang = doc["language"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["name"].as_str() == Some("dockerfile")))
        .expect("dockerfile language");
    assert_eq!(lang["language-servers"][0].as_str(), Some("dockerfile-ls"));
    let globs: Vec<&str> = lang["file-types"]
        .as_array()
        .expect("file-types")
        .iter()
        .filter_map(|t| t.get("glob").and_then(|g| g.as_str()))
        .collect();
    for want in DOCKERFILE_NAMES {
        assert!(globs.contains(&want), "Helix globs miss {want}: {globs:?}");
    }
    let grammar = doc["grammar"]
        .as_array()
        .and_then(|g| g.first())
        .expect("grammar");
    assert_eq!(
        grammar["source"]["subpath"].as_str(),
        Some("grammars/tree-sitter-dockerfile")
    );
}

#[test]
fn zed_extension_toml() {
    let ext: toml::Value =
        toml::from_str(&read("editors/zed/extension.toml")).expect("extension.toml parses");
    assert!(ext["language_servers"]["dockerfile-ls"]["languages"]
        .as_array()
        .is_some_and(|l| l.iter().any(|v| v.as_str() == Some("Dockerfile"))));
    assert_eq!(
        ext["grammars"]["dockerfile"]["path"].as_str(),
        Some("grammars/tree-sitter-dockerfile")
    );
    let lang: toml::Value = toml::from_str(&read("editors/zed/languages/dockerfile/config.toml"))
        .expect("config.toml parses");
    assert_eq!(lang["grammar"].as_str(), Some("dockerfile"));
    let suffixes: Vec<&str> = lang["path_suffixes"]
        .as_array()
        .expect("suffixes")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(suffixes.contains(&"Dockerfile") && suffixes.contains(&"Containerfile"));
    let lib = read("editors/zed/src/lib.rs");
    assert!(lib.contains("\"dockerfile-ls\"") && lib.contains("\"--stdio\""));
}

/// The editors' copies of the queries are the grammar's queries.
#[test]
fn query_copies_match_the_grammar() {
    let grammar = root().join("grammars/tree-sitter-dockerfile/queries");
    for dir in [
        "editors/helix/queries/dockerfile",
        "editors/zed/languages/dockerfile",
    ] {
        let dir = root().join(dir);
        let copies: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("query dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "scm"))
            .collect();
        assert!(!copies.is_empty(), "no queries in {}", dir.display());
        for copy in copies {
            let name = copy.file_name().expect("name");
            let original = std::fs::read_to_string(grammar.join(name)).expect("grammar query");
            let text = std::fs::read_to_string(&copy).expect("copy");
            assert!(
                text == original,
                "{} differs from the grammar's; copy it again",
                copy.display()
            );
        }
    }
}

#[test]
fn neovim_config_names_the_server() {
    let lua = read("editors/neovim/lua/dockerfile_ls.lua");
    assert!(lua.contains("cmd = { 'dockerfile-ls', '--stdio' }"));
    for marker in [
        "'Dockerfile'",
        "'Containerfile'",
        "'.dockerfile-ls.toml'",
        "'.git'",
    ] {
        assert!(lua.contains(marker), "root marker {marker}");
    }
    assert!(Path::new(&root().join("editors/neovim/ftdetect/dockerfile_ls.vim")).exists());
}
