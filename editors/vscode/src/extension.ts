// Starts dockerfile-ls over stdio for Dockerfiles and Containerfiles.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

const BINARY = process.platform === "win32" ? "dockerfile-ls.exe" : "dockerfile-ls";

/** The setting, else the first match on PATH, else the binary bundled in `bin/`. */
export function findServer(
  configured: string | null | undefined,
  envPath: string | undefined,
  extensionDir: string
): string | undefined {
  if (configured && configured.trim() !== "") {
    return configured;
  }
  for (const dir of (envPath ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, BINARY);
    if (fs.existsSync(candidate)) return candidate;
  }
  const bundled = path.join(extensionDir, "bin", BINARY);
  return fs.existsSync(bundled) ? bundled : undefined;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("dockerfile-ls");
  const command = findServer(config.get<string | null>("server.path"), process.env.PATH, context.extensionPath);
  if (!command) {
    void vscode.window.showErrorMessage(
      "dockerfile-ls was not found: install it (cargo install --path server) or set dockerfile-ls.server.path."
    );
    return;
  }
  const serverOptions: ServerOptions = {
    run: { command, args: ["--stdio"], transport: TransportKind.stdio },
    debug: { command, args: ["--stdio"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "dockerfile" },
      { scheme: "untitled", language: "dockerfile" },
    ],
    // The server asks for this section with workspace/configuration.
    synchronize: { configurationSection: "dockerfile-ls" },
  };
  client = new LanguageClient("dockerfile-ls", "dockerfile-ls", serverOptions, clientOptions);
  await client.start();
}

/** Runs the split refactoring on the active editor through the server's code actions. */
async function splitStages(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "dockerfile") return;
  const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    "vscode.executeCodeActionProvider",
    editor.document.uri,
    whole,
    vscode.CodeActionKind.RefactorRewrite.value
  );
  const split = (actions ?? []).find((a) => a.title.startsWith("Split into deps"));
  if (!split) {
    void vscode.window.showInformationMessage("No split is offered for this Dockerfile (already multi-stage, or no dependency install found).");
    return;
  }
  if (split.edit) await vscode.workspace.applyEdit(split.edit);
  if (split.command) await vscode.commands.executeCommand(split.command.command, ...(split.command.arguments ?? []));
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("dockerfile-ls.splitStages", splitStages),
    vscode.commands.registerCommand("dockerfile-ls.restartServer", async () => {
      await client?.stop();
      await start(context);
    })
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
