//! Zed extension: starts `dockerfile-ls --stdio` found on PATH.

use zed_extension_api::{self as zed, LanguageServerId, Result};

struct DockerfileLs;

impl zed::Extension for DockerfileLs {
    fn new() -> Self {
        DockerfileLs
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let path = worktree
            .which("dockerfile-ls")
            .ok_or_else(|| "dockerfile-ls is not on PATH: install it with `cargo install --path server`".to_string())?;
        Ok(zed::Command {
            command: path,
            args: vec!["--stdio".to_string()],
            env: Vec::new(),
        })
    }
}

zed::register_extension!(DockerfileLs);
