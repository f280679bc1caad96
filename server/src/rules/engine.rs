//! Running the rules: which are enabled, configured levels, suppressions, ordering.

use super::memo::{Plan, Remembering};
use super::suppress::{names, CheckSettings, Suppressions};
use super::{registry, Category, CheckOptions, Ctx, Finding, Rule, Scope, Severity, StageSet};
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

/// Run the rules.
pub fn run(model: &Model, text: &str, opts: &CheckOptions) -> Vec<Finding> {
    run_split_from(model, text, opts, false, PARALLEL_MIN).0
}

/// Run the rules, taking the findings of stage-scoped rules in regions that did not
/// change from the memo (see `memo`); what to remember of this check is left to the
/// caller, once the findings are out.
pub fn run_remembering(
    model: &Model,
    text: &str,
    opts: &CheckOptions,
) -> (Vec<Finding>, Option<Remembering>) {
    run_split_from(model, text, opts, true, PARALLEL_MIN)
}

/// [`run`] or [`run_remembering`], a cold check split over two threads from `min`
/// instructions on.
fn run_split_from(
    model: &Model,
    text: &str,
    opts: &CheckOptions,
    remember: bool,
    min: usize,
) -> (Vec<Finding>, Option<Remembering>) {
    let _session = Session::begin();
    let ctx = Ctx {
        model,
        text,
        build_args: &opts.build_args,
        dockerignore: opts.dockerignore.as_deref(),
        on_disk: opts.on_disk,
        scope: None,
    };
    let plan = remember.then(|| Plan::new(model, text, opts, registry().count()));
    let (settings, _) = file_check(model, opts);
    let sup = Suppressions::from_model(model);
    let config = &opts.config;
    // The rules to run, in registry order, and where.
    let mut jobs: Vec<Job> = Vec::new();
    for (slot, rule) in registry().enumerate() {
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
        let regions = match (&plan, rule.scope) {
            (Some(plan), Scope::Stage | Scope::StageAndSources) => {
                Some(plan.unknown(slot, rule).unwrap_or_default())
            }
            _ => None,
        };
        jobs.push(Job {
            slot,
            rule,
            configured,
            structural,
            regions,
            found: Vec::new(),
        });
    }
    let cold = plan.as_ref().is_none_or(Plan::is_cold);
    run_checks(&mut jobs, &ctx, cold && model.instructions.len() >= min);
    let mut out: Vec<Finding> = Vec::new();
    let mut buf: Vec<Finding> = Vec::new();
    let mut fresh = Vec::new();
    for job in jobs {
        let Job {
            slot,
            rule,
            configured,
            structural,
            regions,
            found,
        } = job;
        match (&plan, regions) {
            (Some(plan), Some((unknown, _))) => {
                buf.clear();
                plan.collect(slot, rule, unknown, found, &mut buf, &mut fresh);
            }
            _ => buf = found,
        }
        for mut f in buf.drain(..) {
            if !structural && suppressed_here(model, &sup, rule, &f) {
                continue;
            }
            if let Some(Some(sev)) = configured {
                f.severity = sev;
            }
            // `error=true` makes BuildKit fail the build on its own checks only.
            if rule.buildkit && (settings.error || local_error(model, &sup, &f)) {
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
    (out, plan.map(|plan| Remembering::new(plan, fresh)))
}

/// One rule to run in a check.
struct Job {
    slot: usize,
    rule: &'static Rule,
    configured: Option<Option<Severity>>,
    structural: bool,
    /// With a memo: the regions to look at (none: all findings are remembered) and their
    /// scope. Without one: the whole file.
    regions: Option<(Vec<usize>, StageSet)>,
    /// Its findings (in the regions looked at).
    found: Vec<Finding>,
}

impl Job {
    fn run(&mut self, ctx: &Ctx) {
        match &self.regions {
            Some((unknown, _)) if unknown.is_empty() => {}
            Some((_, scope)) => {
                let scoped = Ctx {
                    scope: Some(scope),
                    ..*ctx
                };
                (self.rule.check)(&scoped, &mut self.found);
            }
            None => (self.rule.check)(ctx, &mut self.found),
        }
    }
}

/// Files from this many instructions on have their first check split over two threads.
const PARALLEL_MIN: usize = 256;

/// Run the jobs; with `split` (a large file's cold check), on every core. The analysis
/// of the RUN scripts comes first: its parse is spread over rayon's workers, and it is
/// kept per thread (`shell`), so the rules that read it then run here, on the thread
/// whose cache holds it (where the next checks of the document find it). Meanwhile the
/// workers take the other rules: the BuildKit walk's rules as one job (they share the
/// walk, cached per thread), each other rule as a job of its own. Not split on a thread
/// that works alone (`threads::work_alone`).
fn run_checks(jobs: &mut [Job], ctx: &Ctx, split: bool) {
    if !split || !crate::threads::may_split() {
        jobs.iter_mut().for_each(|j| j.run(ctx));
        return;
    }
    let (beside, here): (Vec<&mut Job>, Vec<&mut Job>) =
        jobs.iter_mut().partition(|j| without_scripts(j.rule));
    // The scope the rules reading scripts ask for (they share one in a cold check).
    let stages = here.iter().find_map(|j| j.regions.as_ref().map(|(_, s)| s));
    super::shell::scripts_in(ctx.model, ctx.text, stages);
    let (walk, others): (Vec<&mut Job>, Vec<&mut Job>) =
        beside.into_iter().partition(|j| j.rule.buildkit);
    rayon::in_place_scope(|scope| {
        scope.spawn(|_| {
            let _session = Session::begin();
            walk.into_iter().for_each(|j| j.run(ctx));
        });
        for job in others {
            scope.spawn(|_| {
                let _session = Session::begin();
                job.run(ctx);
            });
        }
        here.into_iter().for_each(|j| j.run(ctx));
    });
}

/// Rules that never look at the analysis of RUN scripts.
fn without_scripts(rule: &Rule) -> bool {
    rule.buildkit || rule.category == Category::Syntax || rule.id == "SecretValue"
}

/// A `# check=error=true` comment directly above the finding's instruction.
fn local_error(model: &Model, sup: &Suppressions, f: &Finding) -> bool {
    !sup.check.is_empty()
        && model
            .instruction_at(f.span.start)
            .and_then(|(i, _)| sup.check.get(&i))
            .is_some_and(|s| s.error)
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

#[cfg(test)]
mod tests {
    use super::run_split_from;
    use crate::config::Config;
    use crate::rules::{check, CheckOptions, Severity};

    fn run_with(text: &str, opts: &CheckOptions) -> Vec<(String, Severity)> {
        let model = crate::model::build(text);
        check(&model, text, opts)
            .into_iter()
            .map(|f| (f.rule.to_string(), f.severity))
            .collect()
    }

    /// The BuildKit-check and build-error findings (not the best practices).
    fn rules_of(text: &str) -> Vec<String> {
        run_with(text, &CheckOptions::default())
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| {
                crate::rules::find(r)
                    .is_some_and(|r| r.buildkit || r.category == crate::rules::Category::Syntax)
            })
            .collect()
    }

    #[test]
    fn findings_are_sorted_by_position() {
        let text = "FROM alpine as base\nMAINTAINER me\nWORKDIR app\n";
        let model = crate::model::build(text);
        let f = check(&model, text, &CheckOptions::default());
        assert!(f.windows(2).all(|w| w[0].span.start <= w[1].span.start));
    }

    #[test]
    fn configured_levels_by_id_and_alias() {
        let text = "FROM alpine\nMAINTAINER me\nCMD run\n";
        let mut config = Config::default();
        config.rules.insert("DL4000".into(), Some(Severity::Error));
        config.rules.insert("JSONArgsRecommended".into(), None);
        let out = run_with(
            text,
            &CheckOptions {
                config,
                ..CheckOptions::default()
            },
        );
        assert!(out.contains(&("MaintainerDeprecated".into(), Severity::Error)));
        assert!(!out.iter().any(|(r, _)| r == "JSONArgsRecommended"));
    }

    #[test]
    fn check_directive_and_env_override() {
        let text =
            "# check=skip=MaintainerDeprecated;error=true\nFROM alpine\nMAINTAINER me\nCMD run\n";
        let out = run_with(text, &CheckOptions::default());
        assert!(!out.iter().any(|(r, _)| r == "MaintainerDeprecated"));
        assert!(out.contains(&("JSONArgsRecommended".into(), Severity::Error)));
        let opts = CheckOptions {
            buildkit_check: Some("skip=JSONArgsRecommended".into()),
            ..CheckOptions::default()
        };
        let out = run_with(text, &opts);
        assert!(out.contains(&("MaintainerDeprecated".into(), Severity::Warning)));
        assert!(!out.iter().any(|(r, _)| r == "JSONArgsRecommended"));
        // The same through --build-arg.
        let opts = CheckOptions {
            build_args: vec![("BUILDKIT_DOCKERFILE_CHECK".into(), "skip=all".into())],
            ..CheckOptions::default()
        };
        assert!(!run_with(text, &opts)
            .iter()
            .any(|(r, _)| r == "MaintainerDeprecated" || r == "JSONArgsRecommended"));
    }

    #[test]
    fn comments_above_an_instruction() {
        let text = "FROM alpine\n# check=skip=MaintainerDeprecated // ok here\nMAINTAINER a\nMAINTAINER b\n";
        assert_eq!(
            rules_of(text)
                .iter()
                .filter(|r| *r == "MaintainerDeprecated")
                .count(),
            1
        );
        let text =
            "FROM alpine\n# dockerfile-ls ignore=JSONArgsRecommended\nCMD run\nENTRYPOINT go\n";
        assert_eq!(rules_of(text), vec!["JSONArgsRecommended".to_string()]);
        let text = "FROM alpine\n# hadolint ignore=DL3025,DL4000\nCMD run\n";
        assert!(rules_of(text).is_empty());
        let text = "# hadolint global ignore=DL3025\nFROM alpine\nCMD run\nENTRYPOINT go\n";
        assert!(rules_of(text).is_empty());
    }

    #[test]
    fn skip_all_keeps_build_errors_and_enabled_experimental_rules() {
        let text = "# check=skip=all;experimental=InvalidDefinitionDescription\nFROM alpine\n# not a description\nARG foo=1\nCOPPY a b\n";
        let out = rules_of(text);
        assert!(out.contains(&"UnknownInstruction".to_string()), "{out:?}");
        assert!(
            out.contains(&"InvalidDefinitionDescription".to_string()),
            "{out:?}"
        );
        // Experimental rules stay off unless enabled.
        assert!(!rules_of("FROM alpine\n# not a description\nARG foo=1\n")
            .contains(&"InvalidDefinitionDescription".to_string()));
    }

    #[test]
    fn no_panic_on_odd_input() {
        for text in [
            "",
            "\n",
            "#",
            "FROM",
            "FROM \\\n",
            "RUN <<",
            "COPY --",
            "FROM a AS",
            "ARG =",
            "EXPOSE :",
            "\u{feff}FROM x",
        ] {
            let _ = rules_of(text);
        }
    }

    /// A check split over two threads finds what a check on one finds, with and without
    /// a memo, on every fixture (also the small ones: split regardless of size here).
    #[test]
    fn a_split_check_equals_one_on_one_thread() {
        let opts = CheckOptions::default();
        for (path, text) in crate::test_support::fixture_texts() {
            let model = crate::model::build(&text);
            for remember in [false, true] {
                // Split first: with a memo, the later check finds it filled.
                let (split, memo) = run_split_from(&model, &text, &opts, remember, 0);
                if let Some(memo) = memo {
                    memo.finish(&model, &text, &opts);
                }
                let (one, _) = run_split_from(&model, &text, &opts, remember, usize::MAX);
                assert_eq!(one, split, "{} (memo: {remember})", path.display());
            }
        }
    }
}
