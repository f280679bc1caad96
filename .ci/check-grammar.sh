#!/usr/bin/env bash
# Fails when grammars/tree-sitter-dockerfile/src/parser.c is stale: grammar.js changed
# without running regenerate.sh. Needs no tree-sitter CLI: regenerate.sh records an
# FNV-1a hash of grammar.js in src/grammar.js.hash, and this script recomputes it.
set -euo pipefail
grammar_dir="$(cd "$(dirname "$0")/../grammars/tree-sitter-dockerfile" && pwd)"

fnv1a64() {
  local hash=-3750763034362895579 byte # 0xcbf29ce484222325 as a signed 64-bit number
  for byte in $(od -An -v -tu1 "$1"); do
    hash=$(( (hash ^ byte) * 1099511628211 ))
  done
  printf 'fnv1a64:%016x\n' "$hash"
}

for file in grammar.js src/grammar.js.hash src/parser.c src/scanner.c src/node-types.json; do
  if [ ! -f "$grammar_dir/$file" ]; then
    echo "check-grammar: missing grammars/tree-sitter-dockerfile/$file" >&2
    exit 1
  fi
done

expected="$(cat "$grammar_dir/src/grammar.js.hash")"
actual="$(fnv1a64 "$grammar_dir/grammar.js")"
if [ "$expected" != "$actual" ]; then
  echo "check-grammar: src/parser.c is stale: run regenerate.sh" >&2
  echo "  grammar.js hashes to $actual, src/grammar.js.hash says $expected" >&2
  exit 1
fi

# The parser must be generated for an ABI the runtime (tree-sitter 0.25) accepts.
if ! grep -Eq '^#define LANGUAGE_VERSION (14|15)$' "$grammar_dir/src/parser.c"; then
  echo "check-grammar: src/parser.c has an ABI other than 14 or 15: run regenerate.sh" >&2
  exit 1
fi
echo "check-grammar: src/parser.c is up to date with grammar.js ($actual)"
