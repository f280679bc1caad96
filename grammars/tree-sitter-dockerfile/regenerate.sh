#!/usr/bin/env bash
# Regenerates the parser from grammar.js and records the grammar's hash.
#
# Needs the tree-sitter CLI (0.27) and node. The generated files (src/parser.c,
# src/grammar.json, src/node-types.json, src/tree_sitter/*.h) are committed, so building
# the crate never needs the CLI. src/grammar.js.hash lets CI and the crate's tests notice
# a grammar.js that was changed without regenerating (see .ci/check-grammar.sh).
set -euo pipefail
cd "$(dirname "$0")"

tree_sitter="${TREE_SITTER:-tree-sitter}"
if ! command -v "$tree_sitter" >/dev/null 2>&1; then
  tree_sitter="$HOME/.cargo/bin/tree-sitter"
fi

# ABI 15 is the newest the runtime (tree-sitter 0.25) accepts.
"$tree_sitter" generate --abi 15

# FNV-1a, 64 bits, over the bytes of grammar.js: the same function as tests/staleness.rs.
fnv1a64() {
  local hash=-3750763034362895579 byte # 0xcbf29ce484222325 as a signed 64-bit number
  for byte in $(od -An -v -tu1 "$1"); do
    hash=$(( (hash ^ byte) * 1099511628211 ))
  done
  printf 'fnv1a64:%016x\n' "$hash"
}
fnv1a64 grammar.js > src/grammar.js.hash
echo "regenerated src/parser.c; $(cat src/grammar.js.hash)"
