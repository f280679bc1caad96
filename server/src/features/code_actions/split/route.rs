//! Where each RUN (or each part of a `&&` chain) goes: the shared setup (system packages,
//! tools), the dependency install, the build, user creation, or what runs after the build.

use super::analyze::{Cat, Src, Tool, What};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    /// System packages and tools every build stage needs.
    Setup,
    /// The dependency install (and the commands chained to it).
    Deps,
    /// Needs the sources: the build.
    Build,
    /// Creates the runtime user.
    User,
    /// After the last build step: prepares the runtime (directories, permissions).
    Late,
    Drop,
}

#[derive(Clone, Debug)]
pub struct Part {
    /// Index of the RUN in `Model::instructions`.
    pub item: usize,
    /// Indices into the RUN's commands, or `None` for the whole RUN as written.
    pub cmds: Option<Vec<usize>>,
    pub dest: Dest,
}

#[derive(Clone, Debug, Default)]
pub struct Routed {
    pub parts: Vec<Part>,
    /// The first RUN with a dependency install.
    pub first_install: Option<usize>,
    pub last_build: Option<usize>,
    /// Install tools in order of appearance.
    pub tools: Vec<Tool>,
    /// A package manager the split has no plan for.
    pub foreign: bool,
    /// System packages are installed (`apt-get install`, …).
    pub system: bool,
    /// Some of them may be needed at run time (not only compilers and build tools).
    pub system_runtime: bool,
    /// Tools are installed for the build (`corepack enable`, `npm i -g`, `pip install poetry`).
    pub tool_setup: bool,
    /// A virtual environment the file creates itself.
    pub venv: Option<String>,
    /// Some RUN mixes steps for different stages in a way that cannot be split.
    pub unsplittable: bool,
}

impl Routed {
    pub fn parts_to(&self, dest: Dest) -> impl Iterator<Item = &Part> {
        self.parts.iter().filter(move |p| p.dest == dest)
    }
    pub fn has(&self, dest: Dest) -> bool {
        self.parts.iter().any(|p| p.dest == dest)
    }
}

fn dest_of(cat: &Cat) -> Option<Dest> {
    match cat {
        Cat::System | Cat::ToolSetup => Some(Dest::Setup),
        Cat::Install(_) | Cat::Venv(_) => Some(Dest::Deps),
        Cat::Build => Some(Dest::Build),
        Cat::UserSetup => Some(Dest::User),
        Cat::Prune | Cat::Set | Cat::Other | Cat::Foreign => None,
    }
}

pub fn route(src: &Src) -> Routed {
    let mut r = Routed::default();
    // First pass: where the install and the last build step are.
    for item in &src.items {
        let What::Run(run) = &item.what else {
            continue;
        };
        for c in &run.cmds {
            match &c.cat {
                Cat::Install(t) => {
                    if r.first_install.is_none() {
                        r.first_install = Some(item.index);
                    }
                    if !r.tools.contains(t) {
                        r.tools.push(*t);
                    }
                }
                Cat::Build => r.last_build = Some(item.index),
                Cat::Foreign => r.foreign = true,
                Cat::Venv(p) => r.venv = Some(p.clone()),
                _ => {}
            }
        }
    }
    let first_install = r.first_install.unwrap_or(usize::MAX);
    for item in &src.items {
        let What::Run(run) = &item.what else {
            continue;
        };
        let dests: Vec<Option<Dest>> = run.cmds.iter().map(|c| dest_of(&c.cat)).collect();
        for c in &run.cmds {
            match c.cat {
                Cat::System => {
                    r.system = true;
                    let node = r
                        .tools
                        .iter()
                        .any(|t| t.family() == super::analyze::Family::Node);
                    if !build_only(c, node) {
                        r.system_runtime = true;
                    }
                }
                Cat::ToolSetup => r.tool_setup = true,
                _ => {}
            }
        }
        let mut distinct: Vec<Dest> = Vec::new();
        for d in dests.iter().flatten() {
            if !distinct.contains(d) {
                distinct.push(*d);
            }
        }
        if distinct.len() <= 1 {
            let dest = match distinct.first() {
                Some(d) => *d,
                None if !run.cmds.is_empty()
                    && run
                        .cmds
                        .iter()
                        .all(|c| matches!(c.cat, Cat::Prune | Cat::Set)) =>
                {
                    Dest::Drop
                }
                None if item.index < first_install => Dest::Setup,
                None if r.last_build.is_some_and(|b| item.index < b) => Dest::Build,
                None => Dest::Late,
            };
            r.parts.push(Part {
                item: item.index,
                cmds: None,
                dest,
            });
            continue;
        }
        if !run.chain {
            r.unsplittable = true;
            r.parts.push(Part {
                item: item.index,
                cmds: None,
                dest: Dest::Build,
            });
            continue;
        }
        // Attach the other commands to the step before them (or after, at the start).
        let mut resolved: Vec<Dest> = Vec::with_capacity(dests.len());
        for (k, d) in dests.iter().enumerate() {
            let Some(cat) = run.cmds.get(k).map(|c| &c.cat) else {
                resolved.push(Dest::Drop);
                continue;
            };
            let d = match (d, cat) {
                (Some(d), _) => *d,
                (None, Cat::Prune | Cat::Set) => Dest::Drop,
                (None, _) => resolved
                    .iter()
                    .rev()
                    .find(|x| **x != Dest::Drop)
                    .copied()
                    .or_else(|| dests.iter().skip(k).flatten().next().copied())
                    .unwrap_or(Dest::Build),
            };
            resolved.push(d);
        }
        let mut current: Option<(Dest, Vec<usize>)> = None;
        for (k, d) in resolved.iter().enumerate() {
            if *d == Dest::Drop {
                continue;
            }
            match &mut current {
                Some((cd, v)) if cd == d => v.push(k),
                _ => {
                    if let Some((cd, v)) = current.take() {
                        r.parts.push(Part {
                            item: item.index,
                            cmds: Some(v),
                            dest: cd,
                        });
                    }
                    current = Some((*d, vec![k]));
                }
            }
        }
        if let Some((cd, v)) = current {
            r.parts.push(Part {
                item: item.index,
                cmds: Some(v),
                dest: cd,
            });
        }
    }
    r
}

/// Packages only needed to build: compilers and build tools (not `-dev` headers, whose
/// libraries the program needs at run time). `python3` counts for Node (node-gyp).
const BUILD_TOOLS: &[&str] = &[
    "build-essential",
    "build-base",
    "gcc",
    "g++",
    "make",
    "cmake",
    "git",
    "pkg-config",
    "pkgconf",
    "autoconf",
    "automake",
    "libtool",
    "patch",
    "binutils",
    "clang",
];

/// A system package command that only installs build tools (or updates the index, or
/// cleans up).
fn build_only(c: &super::analyze::Cmd, node: bool) -> bool {
    let inv = c.command.invocation();
    let args = inv.args;
    let with_value = [
        "-o",
        "-c",
        "-t",
        "--virtual",
        "-X",
        "--repository",
        "--setopt",
    ];
    let mut pos: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if with_value.contains(&t) {
            i += 2;
            continue;
        }
        if !t.starts_with('-') {
            pos.push(t);
        }
        i += 1;
    }
    let sub = pos.first().copied().unwrap_or("");
    match (inv.program, sub) {
        (
            "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf",
            "update" | "clean" | "autoremove" | "makecache",
        ) => true,
        ("apt-get" | "apt" | "yum" | "dnf" | "microdnf" | "zypper", "install")
        | ("apk", "add")
        | ("zypper", "in") => pos.iter().skip(1).all(|p| {
            let name = p.split(['=', '<', '>', '~']).next().unwrap_or(p);
            BUILD_TOOLS.contains(&name)
                || (node && matches!(name, "python3" | "python-is-python3" | "python3-minimal"))
        }),
        _ => false,
    }
}
