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

#[test]
fn generic_runner_copies_what_was_installed_outside_the_app() {
    let runner = |text: &str| -> String {
        let out = split_std(text).unwrap_or_else(|| panic!("no split of:\n{text}"));
        out.split("AS runner")
            .nth(1)
            .unwrap_or_default()
            .to_string()
    };
    let copies = |dir: &str| format!("COPY --from=builder {dir} {dir}\n");
    // cargo install: --root, then CARGO_INSTALL_ROOT / CARGO_HOME, then the image's default.
    let r = runner("FROM rust:1.80\nWORKDIR /src\nCOPY . .\nRUN cargo install --root /opt/app --path .\nCMD [\"app\"]\n");
    assert!(r.contains(&copies("/opt/app/bin")), "{r}");
    let r = runner("FROM rust:1.80\nENV CARGO_HOME=/cargo\nWORKDIR /src\nCOPY . .\nRUN cargo install --path .\nCMD [\"app\"]\n");
    assert!(r.contains(&copies("/cargo/bin")), "{r}");
    // make install: PREFIX= on the command line, else the configured prefix, else /usr/local.
    let r = runner("FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN make && make install PREFIX=/opt/x\nCMD [\"x\"]\n");
    assert!(r.contains(&copies("/opt/x")), "{r}");
    let r = runner("FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN cmake -B b -DCMAKE_INSTALL_PREFIX=/opt/y . && cmake --build b && cmake --install b\nCMD [\"y\"]\n");
    assert!(r.contains(&copies("/opt/y")), "{r}");
    let r = runner("FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN make install\nCMD [\"x\"]\n");
    assert!(r.contains(&copies("/usr/local")), "{r}");
    // Inside the application directory, or named through a variable: nothing more.
    let r = runner(
        "FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN make install PREFIX=/src/dist\nCMD [\"x\"]\n",
    );
    assert_eq!(r.matches("COPY --from=builder").count(), 1, "{r}");
    // Its only install named through a variable: the runner could not copy it, no split.
    assert!(split_std(
        "FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN make install PREFIX=$HOME/x\nCMD [\"x\"]\n"
    )
    .is_none());
    // A make without install builds in place: no install location, and no split.
    assert!(
        split_std("FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN make\nCMD [\"./x\"]\n").is_none()
    );
}
