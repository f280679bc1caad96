//! Unit tests of the split (the golden files are in server/tests/split_golden.rs).

use super::*;

fn split_std(text: &str) -> Option<String> {
    split(&crate::model::build(text), text, Variant::Standard)
}

#[test]
fn not_offered_on_multi_stage_or_plain_files() {
    assert!(split_std("FROM node:20 AS a\nRUN npm ci\nFROM a\n").is_none());
    assert!(split_std("FROM nginx\nCOPY . /usr/share/nginx/html\n").is_none());
}

#[test]
fn node_basic() {
    let text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n";
    let out = split_std(text).expect("split");
    assert!(out.contains("AS deps"), "{out}");
    assert!(out.contains("AS runner"), "{out}");
    assert!(out.contains("USER node"), "{out}");
    assert!(split_std(&out).is_none());
}

#[test]
fn multiline_chain_is_split() {
    let text = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN apt-get update \\\n    && apt-get install -y gcc \\\n    && pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n";
    let out = split_std(text).expect("split");
    assert!(
        out.contains("RUN apt-get update \\\n    && apt-get install -y gcc\n"),
        "{out}"
    );
    assert!(
        out.contains("RUN pip install -r requirements.txt\n"),
        "{out}"
    );
    assert!(out.contains("AS deps"), "{out}");
}
