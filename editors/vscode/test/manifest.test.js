// Checks the extension manifest without VS Code: languages, activation, settings.
const test = require("node:test");
const assert = require("node:assert");
const pkg = require("../package.json");

test("registers the dockerfile language for every Dockerfile name", () => {
  const lang = pkg.contributes.languages.find((l) => l.id === "dockerfile");
  assert.ok(lang, "dockerfile language");
  assert.deepStrictEqual(lang.filenames.sort(), ["Containerfile", "Dockerfile"]);
  for (const p of ["*.Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile.*"]) {
    assert.ok(lang.filenamePatterns.includes(p), p);
  }
});

test("activates on the language (implicit activation from contributes.languages)", () => {
  assert.ok(Array.isArray(pkg.activationEvents));
  assert.strictEqual(pkg.main, "./out/extension.js");
});

test("exposes server path, trace, rules and formatter settings", () => {
  const props = Object.keys(pkg.contributes.configuration.properties);
  for (const key of [
    "dockerfile-ls.server.path",
    "dockerfile-ls.trace.server",
    "dockerfile-ls.rules",
    "dockerfile-ls.format.indent_width",
    "dockerfile-ls.format.keyword_case",
    "dockerfile-ls.format.blank_lines_between_stages",
  ]) {
    assert.ok(props.includes(key), key);
  }
});

test("offers the split command in the palette", () => {
  const cmd = pkg.contributes.commands.find((c) => c.command === "dockerfile-ls.splitStages");
  assert.ok(cmd);
  assert.match(cmd.title, /Split into deps, builder and runner stages/);
});
