use serde::{Deserialize, Serialize};

/// One file that bootstrap writes to the repository, as Flux's `manifestgen.Manifest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Slash-separated path relative to the repository root, e.g. `clusters/my-cluster/flux-system/gotk-sync.yaml`.
    pub path: String,
    /// The exact bytes to write.
    pub content: String,
}

/// Joins repository path segments the way Go's `path.Join` does: empty segments vanish,
/// `.` segments are dropped and the result has no leading `./`.
pub fn join_path(parts: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in parts {
        for seg in part.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    out.pop();
                }
                s => out.push(s),
            }
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::join_path;

    #[test]
    fn join_path_behaves_like_go_path_join() {
        assert_eq!(
            join_path(&["", "flux-system", "gotk-sync.yaml"]),
            "flux-system/gotk-sync.yaml"
        );
        assert_eq!(
            join_path(&["./clusters/my/", "flux-system"]),
            "clusters/my/flux-system"
        );
        assert_eq!(join_path(&["a/../b", "c"]), "b/c");
    }
}
