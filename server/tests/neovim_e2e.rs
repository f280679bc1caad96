//! Headless Neovim drives the real server: diagnostics with rule ids, completion after
//! `--from=`, and the split code action applied to the buffer (editors/neovim/test/e2e.lua).
//!
//! Needs `nvim` (0.7+). When it is missing the test is skipped with a message, except under
//! CI (`CI` set), where `.ci/run` installs it and a missing editor is a failure.

use std::path::PathBuf;
use std::process::Command;

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn neovim_end_to_end() {
    if !nvim_available() {
        if std::env::var_os("CI").is_some() {
            panic!("nvim is not installed (CI must install Debian's neovim package)");
        }
        eprintln!(
            "SKIPPED: nvim is not installed; install neovim to run the editor end-to-end test"
        );
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let editors = root.join("editors/neovim");
    let scratch = std::env::temp_dir().join(format!("dockerfile-ls-nvim-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let report = scratch.join("report.txt");
    let status = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .arg("--cmd")
        .arg(format!("set rtp+={}", editors.display()))
        .arg("-c")
        .arg(format!(
            "luafile {}",
            editors.join("test/e2e.lua").display()
        ))
        .env("DOCKERFILE_LS_BIN", env!("CARGO_BIN_EXE_dockerfile-ls"))
        .env("E2E_DIR", &scratch)
        .env("E2E_RESULT", &report)
        .env("HOME", &scratch)
        .env("XDG_STATE_HOME", &scratch)
        .env("XDG_DATA_HOME", &scratch)
        .env("XDG_CONFIG_HOME", &scratch)
        .status()
        .expect("run nvim");
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!("{text}");
    assert!(status.success(), "nvim exited with {status}");
    let passes = text.lines().filter(|l| l.starts_with("PASS ")).count();
    let failures: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert!(
        failures.is_empty(),
        "Neovim end-to-end checks failed:\n{}",
        failures.join("\n")
    );
    assert!(passes >= 9, "expected every check to run, got:\n{text}");
}
