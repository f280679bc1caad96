//! Best-practice rules beyond BuildKit's checks (cache, security, size), and the mission's
//! headline rules.

use super::Rule;

mod util;

mod add_instead_of_copy;
mod apk_no_cache;
mod apt_instead_of_apt_get;
mod apt_lists_not_removed;
mod apt_no_install_recommends;
mod apt_unpinned;
mod apt_update_alone;
mod apt_upgrade;
mod build_tools_in_final_image;
mod cache_busting_copy;
mod cd_instead_of_workdir;
mod chmod_after_copy;
mod continued_into_instruction;
mod copy_multiple_sources_dest;
mod copy_relative_without_workdir;
mod copy_whole_stage;
mod curl_and_wget;
mod gem_unpinned;
mod go_install_unpinned;
mod latest_tag;
mod link_bin_sh;
mod missing_assume_yes;
mod missing_cache_mount;
mod missing_dockerignore;
mod node_cache_not_cleaned;
mod npm_ci_preferred;
mod npm_omit_dev;
mod npm_unpinned;
mod package_cache_not_cleaned;
mod persistent_debian_frontend;
mod pip_no_cache_dir;
mod pip_unpinned;
mod pipe_to_shell;
mod pipefail_missing;
mod pointless_command;
mod remove_in_later_layer;
mod root_user;
mod secret_value;
mod sudo_in_run;
mod unknown_stage;
mod untagged_image;
mod useradd_high_uid;
mod yarn_flag_on_npm;

/// Every rule of this family, in the order `dockerfile-ls rules` lists them.
pub static RULES: &[&Rule] = &[
    &cache_busting_copy::RULE,
    &unknown_stage::RULE,
    &secret_value::RULE,
    &root_user::RULE,
    &build_tools_in_final_image::RULE,
    &npm_ci_preferred::RULE,
    &npm_omit_dev::RULE,
    &yarn_flag_on_npm::RULE,
    &missing_cache_mount::RULE,
    &apt_lists_not_removed::RULE,
    &missing_assume_yes::RULE,
    &apt_no_install_recommends::RULE,
    &apt_upgrade::RULE,
    &apt_instead_of_apt_get::RULE,
    &apk_no_cache::RULE,
    &pip_no_cache_dir::RULE,
    &untagged_image::RULE,
    &latest_tag::RULE,
    &add_instead_of_copy::RULE,
    &pipefail_missing::RULE,
    &cd_instead_of_workdir::RULE,
    &sudo_in_run::RULE,
    &curl_and_wget::RULE,
    &missing_dockerignore::RULE,
    &copy_whole_stage::RULE,
    &useradd_high_uid::RULE,
    &copy_multiple_sources_dest::RULE,
    &pip_unpinned::RULE,
    &apt_unpinned::RULE,
    &gem_unpinned::RULE,
    &npm_unpinned::RULE,
    &go_install_unpinned::RULE,
    &package_cache_not_cleaned::RULE,
    &node_cache_not_cleaned::RULE,
    &chmod_after_copy::RULE,
    &remove_in_later_layer::RULE,
    &pipe_to_shell::RULE,
    &persistent_debian_frontend::RULE,
    &apt_update_alone::RULE,
    &link_bin_sh::RULE,
    &pointless_command::RULE,
    &copy_relative_without_workdir::RULE,
    &continued_into_instruction::RULE,
];

#[cfg(test)]
pub(crate) mod test_support {
    use crate::rules::{Ctx, Finding, Fix, Rule};

    /// Run one rule over `text` (not on disk, no `.dockerignore`).
    pub fn check_rule(rule: &Rule, text: &str) -> Vec<Finding> {
        check_rule_with(rule, text, false, None)
    }

    /// The messages of [`check_rule`]'s findings.
    pub fn check_messages(rule: &Rule, text: &str) -> Vec<String> {
        check_rule(rule, text)
            .into_iter()
            .map(|f| f.message.to_string())
            .collect()
    }

    pub fn check_rule_with(
        rule: &Rule,
        text: &str,
        on_disk: bool,
        dockerignore: Option<&str>,
    ) -> Vec<Finding> {
        let model = crate::model::build(text);
        let ctx = Ctx {
            model: &model,
            text,
            build_args: &[],
            dockerignore,
            on_disk,
            scope: None,
        };
        let mut out = Vec::new();
        (rule.check)(&ctx, &mut out);
        out
    }

    /// Apply a fix's edits (non-overlapping) to `text`.
    pub fn apply(text: &str, fix: &Fix) -> String {
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.span.start..e.span.end, &e.new_text);
        }
        out
    }

    #[test]
    fn examples_trigger() {
        if crate::model::build("FROM a\n").instructions.is_empty() {
            return; // model not available yet
        }
        for rule in super::RULES {
            let bad = check_rule_with(rule, rule.bad, true, None);
            assert!(!bad.is_empty(), "{}: bad example does not trigger", rule.id);
            let good = check_rule_with(rule, rule.good, true, Some(""));
            assert!(
                good.is_empty(),
                "{}: good example triggers: {good:?}",
                rule.id
            );
            for f in &bad {
                assert_eq!(f.rule, rule.id);
                if let Some(fix) = &f.fix {
                    let fixed = apply(rule.bad, fix);
                    assert!(
                        crate::model::build(&fixed).errors.is_empty(),
                        "{}: fix breaks the file:\n{fixed}",
                        rule.id
                    );
                }
            }
        }
    }
}
