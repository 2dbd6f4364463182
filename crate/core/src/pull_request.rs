//! Bootstrap through a pull request (`--pull-request`): the branch the two bootstrap commits go
//! to, and the pull request's title, description and completion options. The host pushes, calls
//! the Azure DevOps REST API and waits; every name and text it uses comes from here.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::sync::validate_branch;

/// The prefix of the branches bootstrap opens pull requests from.
pub const BRANCH_PREFIX: &str = "flux-bootstrap";

/// The pull request of a bootstrap into a protected branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PullRequestPlan {
    /// The branch the bootstrap commits are pushed to: `flux-bootstrap/<path>` (`root` for the
    /// repository root), one per cluster folder, so a re-run finds its own pull request.
    pub source_branch: String,
    /// The branch the pull request merges into (`--branch`, which the cluster syncs from).
    pub target_branch: String,
    pub title: String,
    /// Lists the files and the cluster; Azure DevOps allows 4000 characters.
    pub description: String,
    /// `--pull-request-auto-complete`: the creator sets auto-complete, so Azure DevOps merges as
    /// soon as the branch policies pass.
    pub auto_complete: bool,
    /// The merge strategy on completion (Azure DevOps' `GitPullRequestMergeStrategy`):
    /// `noFastForward`, a merge commit, like a reviewer's default "Merge (no fast forward)".
    pub merge_strategy: String,
    /// The merge commit's message on auto-complete.
    pub merge_commit_message: String,
}

/// What the pull request is about: the plan's facts the texts name.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub path: &'a str,
    pub namespace: &'a str,
    pub branch: &'a str,
    pub version: &'a str,
    /// The cluster the host bootstraps (its kubeconfig context), or empty.
    pub cluster: &'a str,
    pub files: [&'a str; 3],
    pub commit_subjects: [&'a str; 2],
    pub auto_complete: bool,
}

const MAX_DESCRIPTION: usize = 4000;

pub fn plan(inputs: &Inputs<'_>) -> Result<PullRequestPlan> {
    let folder = if inputs.path.is_empty() {
        "root"
    } else {
        inputs.path
    };
    let source_branch = format!("{BRANCH_PREFIX}/{folder}");
    validate_branch(&source_branch)?;
    let place = if inputs.path.is_empty() {
        "the repository root".to_owned()
    } else {
        format!("`{}`", inputs.path)
    };
    let title = format!(
        "Bootstrap Flux {} in {} ({})",
        inputs.version, folder, inputs.namespace
    );
    let cluster = if inputs.cluster.is_empty() {
        String::new()
    } else {
        format!(" `{}`", inputs.cluster)
    };
    let files: String = inputs.files.iter().map(|f| format!("- `{f}`\n")).collect();
    let commits: String = inputs
        .commit_subjects
        .iter()
        .map(|c| format!("- {}\n", c.lines().next().unwrap_or_default()))
        .collect();
    let mut description = format!(
        "flux-azdo bootstraps Flux {version} for the cluster{cluster}, which syncs {place} of `{branch}` \
         in the namespace `{namespace}`.\n\n\
         Files:\n{files}\nCommits:\n{commits}\n\
         Nothing is changed in the cluster until this pull request is merged; then flux-azdo \
         installs Flux, writes the Git credential Secret and applies `gotk-sync.yaml`, which \
         syncs from `{branch}`.\n",
        version = inputs.version,
        branch = inputs.branch,
        namespace = inputs.namespace,
    );
    if description.len() > MAX_DESCRIPTION {
        let mut end = MAX_DESCRIPTION;
        while !description.is_char_boundary(end) {
            end -= 1;
        }
        description.truncate(end);
    }
    Ok(PullRequestPlan {
        merge_commit_message: format!("Merge {source_branch} into {}: {title}", inputs.branch),
        source_branch,
        target_branch: inputs.branch.to_owned(),
        title,
        description,
        auto_complete: inputs.auto_complete,
        merge_strategy: "noFastForward".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(path: &str) -> Inputs<'_> {
        Inputs {
            path,
            namespace: "flux-system",
            branch: "main",
            version: "v2.9.4",
            cluster: "kind-dev",
            files: [
                "a/gotk-components.yaml",
                "a/gotk-sync.yaml",
                "a/kustomization.yaml",
            ],
            commit_subjects: [
                "Add Flux v2.9.4 component manifests",
                "Add Flux sync manifests",
            ],
            auto_complete: false,
        }
    }

    #[test]
    fn names_the_branch_after_the_path_and_lists_files_and_cluster() {
        let pr = plan(&inputs("clusters/my-cluster")).expect("a valid path plans");
        assert_eq!(pr.source_branch, "flux-bootstrap/clusters/my-cluster");
        assert_eq!(pr.target_branch, "main");
        assert_eq!(
            pr.title,
            "Bootstrap Flux v2.9.4 in clusters/my-cluster (flux-system)"
        );
        for needle in [
            "`a/gotk-sync.yaml`",
            "`kind-dev`",
            "- Add Flux sync manifests",
        ] {
            assert!(
                pr.description.contains(needle),
                "{needle} in {}",
                pr.description
            );
        }
        assert_eq!(pr.merge_strategy, "noFastForward");
    }

    #[test]
    fn the_root_path_is_named_root() {
        assert_eq!(
            plan(&inputs("")).expect("the root plans").source_branch,
            "flux-bootstrap/root"
        );
    }

    #[test]
    fn a_path_git_refuses_as_a_branch_is_an_error() {
        assert!(plan(&inputs("clusters/a..b")).is_err());
    }
}
