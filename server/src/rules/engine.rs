//! Running the rules: which are enabled, configured levels, suppressions, ordering.

use super::suppress::{names, CheckSettings, Suppressions};
use super::{registry, Category, CheckOptions, Ctx, Finding, Rule, Severity};
use crate::model::{Model, Span};

/// The file-level `check=` settings: `BUILDKIT_DOCKERFILE_CHECK` if given, else the
/// `# check=` parser directive. An invalid value gives the default settings and the error.
pub fn file_check(
    model: &Model,
    opts: &CheckOptions,
) -> (CheckSettings, Option<(Option<Span>, String)>) {
    let from_opts = opts.buildkit_check.clone().or_else(|| {
        opts.build_args
            .iter()
            .rev()
            .find(|(k, _)| k == "BUILDKIT_DOCKERFILE_CHECK")
            .map(|(_, v)| v.clone())
    });
    if let Some(v) = from_opts {
        return match CheckSettings::parse(&v) {
            Ok(s) => (s, None),
            Err(e) => (CheckSettings::default(), Some((None, e))),
        };
    }
    match model.directive("check") {
        Some(d) => match CheckSettings::parse_directive_value(&d.value) {
            Ok(s) => (s, None),
            Err(e) => (CheckSettings::default(), Some((Some(d.value_span), e))),
        },
        None => (CheckSettings::default(), None),
    }
}

/// Rules whose findings are errors BuildKit reports while parsing: they are not build
/// checks, so `# check=` does not skip them.
fn is_structural(rule: &Rule) -> bool {
    rule.category == Category::Syntax && !rule.buildkit
}

thread_local! {
    static SESSION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static NEXT_SESSION: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// The current check session on this thread (0 outside `rules::check`). Rules may cache
/// work shared between them for the duration of a session.
pub(crate) fn session() -> u64 {
    SESSION.with(|s| s.get())
}

struct Session {
    previous: u64,
}

impl Session {
    fn begin() -> Session {
        let id = NEXT_SESSION.with(|n| {
            let id = n.get();
            n.set(id.wrapping_add(1).max(1));
            id
        });
        let previous = SESSION.with(|s| s.replace(id));
        Session { previous }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        SESSION.with(|s| s.set(self.previous));
        super::buildkit::common::clear_walk_cache();
    }
}

pub fn run(model: &Model, text: &str, opts: &CheckOptions) -> Vec<Finding> {
    let _session = Session::begin();
    let ctx = Ctx {
        model,
        text,
        build_args: &opts.build_args,
        dockerignore: opts.dockerignore.as_deref(),
        on_disk: opts.on_disk,
    };
    let (settings, _) = file_check(model, opts);
    let sup = Suppressions::from_model(model);
    let config = &opts.config;
    let mut out: Vec<Finding> = Vec::new();
    let mut buf: Vec<Finding> = Vec::new();
    for rule in registry() {
        let configured = config.level_of(rule);
        if configured == Some(None) {
            continue;
        }
        let structural = is_structural(rule);
        if rule.experimental && configured.is_none() && !settings.enables_experimental(rule) {
            continue;
        }
        if !structural && settings.skips(rule) {
            continue;
        }
        if !structural && sup.global.iter().any(|n| names(rule, n)) {
            continue;
        }
        buf.clear();
        (rule.check)(&ctx, &mut buf);
        for mut f in buf.drain(..) {
            if !structural && suppressed_here(model, &sup, rule, &f) {
                continue;
            }
            if let Some(Some(sev)) = configured {
                f.severity = sev;
            }
            // `error=true` makes BuildKit fail the build on its own checks only.
            if settings.error && rule.buildkit {
                f.severity = Severity::Error;
            }
            out.push(f);
        }
    }
    out.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    });
    out.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
    out
}

/// Suppressed by a comment directly above the instruction the finding starts in.
fn suppressed_here(model: &Model, sup: &Suppressions, rule: &Rule, f: &Finding) -> bool {
    if sup.check.is_empty() && sup.ignore.is_empty() {
        return false;
    }
    let Some((idx, _)) = model.instruction_at(f.span.start) else {
        return false;
    };
    if let Some(s) = sup.check.get(&idx) {
        if s.skips(rule) {
            return true;
        }
    }
    if let Some(list) = sup.ignore.get(&idx) {
        if list
            .iter()
            .any(|n| names(rule, n) || n.eq_ignore_ascii_case("all"))
        {
            return true;
        }
    }
    false
}
