//! A failing unwrap is a failing test here; the core itself keeps errors as values.
#![allow(clippy::unwrap_used)]

mod common;

use common::assert_golden;
use flux_azdo_core::kustomization::{self, Options};
use flux_azdo_core::{Error, ErrorCode};

/// Flux's fresh kustomization.yaml (reference §3), written out so the golden cannot drift.
const FLUX_FRESH: &str = "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- gotk-components.yaml
- gotk-sync.yaml
";

fn ado_algos() -> Vec<String> {
    vec!["rsa-sha2-512".to_owned(), "rsa-sha2-256".to_owned()]
}

fn with_existing(existing: &str) -> Options {
    Options {
        target_path: "clusters/my-cluster".to_owned(),
        existing: Some(existing.to_owned()),
        ssh_hostkey_algos: ado_algos(),
        ..Options::default()
    }
}

#[test]
fn fresh_matches_flux_byte_for_byte() {
    let out = kustomization::generate(&Options {
        target_path: "clusters/my-cluster".to_owned(),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(
        out.manifest.path,
        "clusters/my-cluster/flux-system/kustomization.yaml"
    );
    assert_eq!(out.manifest.content, FLUX_FRESH);
    assert!(out.changed);
    assert_golden("kustomization/fresh.yaml", &out.manifest.content);
}

#[test]
fn ssh_variant_is_the_fresh_file_plus_one_patch() {
    let out = kustomization::generate(&Options {
        ssh_hostkey_algos: ado_algos(),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(out.manifest.path, "flux-system/kustomization.yaml");
    assert!(out.manifest.content.starts_with(FLUX_FRESH));
    assert!(out.changed);
    assert_golden("kustomization/ssh.yaml", &out.manifest.content);

    // Adding the patch to Flux's fresh file gives the same bytes as generating it fresh.
    let onto_fresh = kustomization::generate(&with_existing(FLUX_FRESH)).unwrap();
    assert_eq!(onto_fresh.manifest.content, out.manifest.content);
    assert!(onto_fresh.changed);
}

#[test]
fn existing_without_algos_is_kept_unchanged() {
    let existing = "# mine\nresources: [gotk-components.yaml,   gotk-sync.yaml]\n";
    let out = kustomization::generate(&Options {
        ssh_hostkey_algos: Vec::new(),
        ..with_existing(existing)
    })
    .unwrap();
    assert_eq!(out.manifest.content, existing);
    assert!(!out.changed);
}

const USER_PATCHES: &str = "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - gotk-components.yaml
  - gotk-sync.yaml
# Scale the kustomize-controller.
patches:
  - patch: |
      - op: replace
        path: /spec/template/spec/containers/0/resources/limits/memory
        value: 2Gi
      # keep this comment inside the patch
    target:
      kind: Deployment
      name: kustomize-controller

  # another one
  - path: node-selector.yaml   # trailing comment
    target: {kind: Deployment}
# images are pinned below
images:
  - name: fluxcd/source-controller
    newTag: v1.9.4
";

#[test]
fn existing_with_user_patches_gets_only_an_appended_item() {
    let out = kustomization::generate(&with_existing(USER_PATCHES)).unwrap();
    assert!(out.changed);
    let content = &out.manifest.content;
    let item = kustomization::hostkey_patch_item(&ado_algos(), 2, "\n");
    let insert_at = USER_PATCHES.find("# images").unwrap();
    // Every original byte is kept; the new item sits right after the last patch.
    assert_eq!(
        content.as_str(),
        format!(
            "{}{item}{}",
            &USER_PATCHES[..insert_at],
            &USER_PATCHES[insert_at..]
        )
    );
    assert_golden("kustomization/existing-user-patches.yaml", content);
}

#[test]
fn existing_without_patches_gets_a_block_appended() {
    let existing = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n- apps.yaml";
    let out = kustomization::generate(&with_existing(existing)).unwrap();
    assert!(out.manifest.content.starts_with(existing));
    assert!(out.manifest.content[existing.len()..].starts_with("\npatches:\n- patch: |\n"));
}

#[test]
fn compact_patches_list_and_crlf_files_are_extended_in_their_own_style() {
    let existing = "resources:\r\n- gotk-components.yaml\r\npatches:\r\n- path: a.yaml\r\n  target:\r\n    kind: Deployment\r\nimages: []\r\n";
    let out = kustomization::generate(&with_existing(existing)).unwrap();
    let item = kustomization::hostkey_patch_item(&ado_algos(), 0, "\r\n");
    let at = existing.find("images").unwrap();
    assert_eq!(
        out.manifest.content,
        format!("{}{item}{}", &existing[..at], &existing[at..])
    );

    let empty_flow = "resources:\n- a.yaml\npatches: []\n";
    let out = kustomization::generate(&with_existing(empty_flow)).unwrap();
    assert_eq!(
        out.manifest.content,
        format!(
            "resources:\n- a.yaml\npatches:\n{}",
            kustomization::hostkey_patch_item(&ado_algos(), 0, "\n")
        )
    );
}

#[test]
fn comments_inside_an_indented_patches_list_are_kept_and_the_item_joins_the_list() {
    let existing = "resources:\n  - gotk-components.yaml\npatches:\n  # ours\n  - path: a.yaml\n    # the target\n    target:\n      kind: Deployment\n  # more to come\n\n# images\nimages: []\n";
    let out = kustomization::generate(&with_existing(existing)).unwrap();
    let item = kustomization::hostkey_patch_item(&ado_algos(), 2, "\n");
    let at = existing.find("  # more to come").unwrap();
    assert_eq!(
        out.manifest.content,
        format!("{}{item}{}", &existing[..at], &existing[at..])
    );
    assert_golden(
        "kustomization/existing-commented-patches.yaml",
        &out.manifest.content,
    );

    // A column-0 list with a comment before its first item, and one at column 0 between items.
    let existing = "patches:\n# first\n- path: a.yaml\n# second\n- path: b.yaml\n";
    let out = kustomization::generate(&with_existing(existing)).unwrap();
    let item = kustomization::hostkey_patch_item(&ado_algos(), 0, "\n");
    assert_eq!(out.manifest.content, format!("{existing}{item}"));
}

#[test]
fn flow_patches_lists_get_the_item_before_their_closing_bracket() {
    let flow = kustomization::hostkey_patch_flow_item(&ado_algos());
    for (existing, expected) in [
        (
            "patches: [{path: a.yaml}]\n".to_owned(),
            format!("patches: [{{path: a.yaml}}, {flow}]\n"),
        ),
        (
            "patches: [ {path: a.yaml}, ]  # mine\nimages: []\n".to_owned(),
            format!("patches: [ {{path: a.yaml}}, {flow} ]  # mine\nimages: []\n"),
        ),
        (
            "patches: [\n  {path: \"a].yaml\"},  # a comment ]\n  {path: b.yaml}\n]\n".to_owned(),
            format!("patches: [\n  {{path: \"a].yaml\"}},  # a comment ]\n  {{path: b.yaml}}, {flow}\n]\n"),
        ),
    ] {
        let out = kustomization::generate(&with_existing(&existing)).unwrap();
        assert_eq!(out.manifest.content, expected, "{existing:?}");
        let again = kustomization::generate(&with_existing(&out.manifest.content)).unwrap();
        assert!(!again.changed, "{existing:?}");
    }
    let out = kustomization::generate(&with_existing("patches: [{path: a.yaml}]\n")).unwrap();
    assert_golden(
        "kustomization/existing-flow-patches.yaml",
        &out.manifest.content,
    );
}

#[test]
fn patches_strategic_merge_beside_the_new_patches_block() {
    let existing = "resources:\n- a.yaml\npatchesStrategicMerge:\n  # keep\n  - replicas.yaml\n";
    let out = kustomization::generate(&with_existing(existing)).unwrap();
    assert_eq!(
        out.manifest.content,
        format!(
            "{existing}patches:\n{}",
            kustomization::hostkey_patch_item(&ado_algos(), 0, "\n")
        )
    );
}

#[test]
fn a_refusal_names_the_line_and_carries_the_patch_to_paste() {
    let err = kustomization::generate(&with_existing(
        "resources:\n- a.yaml\n\"patches\":\n- path: a.yaml\n",
    ))
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KustomizationNotPatchable);
    // The reason is what the user reads: where, and the item to paste.
    let Error::KustomizationNotPatchable { reason, .. } = err else {
        panic!("{err:?}");
    };
    assert!(reason.contains("(line 3)"), "{reason}");
    assert!(
        reason.contains(&kustomization::hostkey_patch_item(&ado_algos(), 0, "\n")),
        "{reason}"
    );
}

#[test]
fn already_patched_file_is_unchanged() {
    let patched = kustomization::generate(&with_existing(USER_PATCHES))
        .unwrap()
        .manifest
        .content;
    let again = kustomization::generate(&with_existing(&patched)).unwrap();
    assert_eq!(again.manifest.content, patched);
    assert!(!again.changed);
    assert_golden(
        "kustomization/existing-already-patched.yaml",
        &again.manifest.content,
    );

    // The seed's hand-written form (flow target, other indentation) counts as the same patch.
    let seed_style = "resources:\n  - gotk-components.yaml\npatches:\n  - patch: |\n      - op: add\n        path: /spec/template/spec/containers/0/args/-\n        value: --ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256\n    target:\n      kind: Deployment\n      name: (source-controller|image-automation-controller)\n";
    let out = kustomization::generate(&with_existing(seed_style)).unwrap();
    assert!(!out.changed);
}

#[test]
fn bad_input_is_a_typed_error() {
    let cases: Vec<(ErrorCode, Options)> = vec![
        (ErrorCode::InvalidYaml, with_existing("resources: [a\n")),
        (ErrorCode::InvalidYaml, with_existing("- a\n- b\n")),
        (ErrorCode::InvalidYaml, with_existing("")),
        (ErrorCode::InvalidYaml, with_existing("patches: nope\n")),
        (
            ErrorCode::InvalidOption,
            with_existing(&format!(
                "patches:\n{}",
                kustomization::hostkey_patch_item(&["ssh-rsa".to_owned()], 0, "\n")
            )),
        ),
        (
            ErrorCode::InvalidOption,
            Options {
                ssh_hostkey_algos: vec!["rsa-sha2-512,rsa-sha2-256".to_owned()],
                ..Options::default()
            },
        ),
        (
            ErrorCode::InvalidOption,
            Options {
                namespace: "Flux".to_owned(),
                ..Options::default()
            },
        ),
        (
            ErrorCode::InvalidOption,
            Options {
                target_path: "../x".to_owned(),
                ..Options::default()
            },
        ),
    ];
    for (code, options) in cases {
        let err = kustomization::generate(&options).unwrap_err();
        assert_eq!(err.code(), code, "{options:?}: {err}");
    }
}

#[test]
fn layouts_the_text_edit_cannot_follow_are_refused_not_corrupted() {
    for existing in [
        "\"patches\":\n- path: a.yaml\n",
        "patches: &shared\n- path: a.yaml\n",
        "resources:\n- a.yaml\n...\n",
    ] {
        let err = kustomization::generate(&with_existing(existing)).unwrap_err();
        assert!(
            matches!(
                err.code(),
                ErrorCode::KustomizationNotPatchable | ErrorCode::InvalidYaml
            ),
            "{existing:?}: {err}"
        );
    }
}

mod generated_layouts {
    use super::*;
    use proptest::prelude::*;

    /// One user patch, as text, with its `-` at `indent`.
    fn patch_item(index: usize, inline: bool, indent: usize) -> Vec<String> {
        let pad = " ".repeat(indent);
        if inline {
            vec![
                format!("{pad}- patch: |"),
                format!("{pad}    - op: replace"),
                format!("{pad}      path: /spec/replicas"),
                format!("{pad}      value: {index}"),
                format!("{pad}  target:"),
                format!("{pad}    kind: Deployment"),
            ]
        } else {
            vec![format!("{pad}- path: patch-{index}.yaml   # mine")]
        }
    }

    prop_compose! {
        fn layout()(
            resource_indent in prop_oneof![Just(0usize), Just(2)],
            patch_indent in prop_oneof![Just(0usize), Just(2), Just(4)],
            patches in proptest::option::of(proptest::collection::vec(any::<bool>(), 0..4)),
            images_after in any::<bool>(),
            comments in any::<bool>(),
            crlf in any::<bool>(),
            final_newline in any::<bool>(),
        ) -> String {
            let mut lines = vec![
                "apiVersion: kustomize.config.k8s.io/v1beta1".to_owned(),
                "kind: Kustomization".to_owned(),
                "resources:".to_owned(),
            ];
            for r in ["gotk-components.yaml", "gotk-sync.yaml"] {
                lines.push(format!("{}- {r}", " ".repeat(resource_indent)));
            }
            if let Some(items) = patches {
                if comments {
                    lines.push("# my patches".to_owned());
                }
                lines.push("patches:".to_owned());
                for (i, inline) in items.iter().enumerate() {
                    if comments {
                        // At the items' own indentation, before the first one too.
                        lines.push(format!("{}# patch {i}", " ".repeat(patch_indent)));
                    }
                    lines.extend(patch_item(i, *inline, patch_indent));
                    if comments {
                        lines.push(String::new());
                        lines.push("# between items".to_owned());
                    }
                }
            }
            if images_after {
                lines.push("images:".to_owned());
                lines.push("- name: fluxcd/source-controller".to_owned());
                lines.push("  newTag: v1.9.4".to_owned());
            }
            let newline = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(newline);
            if final_newline {
                text.push_str(newline);
            }
            text
        }
    }

    proptest! {
        #[test]
        fn only_one_item_is_added_and_a_second_run_changes_nothing(existing in layout()) {
            let out = kustomization::generate(&with_existing(&existing)).unwrap();
            let content = &out.manifest.content;
            let newline = if existing.contains("\r\n") { "\r\n" } else { "\n" };
            let item = [0usize, 2, 4]
                .iter()
                .map(|i| kustomization::hostkey_patch_item(&ado_algos(), *i, newline))
                .find(|item| content.contains(item.as_str()))
                .expect("the patch item is in the output");
            // Without a `patches:` key the item comes with one.
            let added = if existing.contains("patches:") {
                item
            } else {
                format!("patches:{newline}{item}")
            };
            let without = content.replacen(&added, "", 1);
            // All original bytes, in order; at most one line break added before the item.
            prop_assert!(
                without == existing || without == format!("{existing}{newline}"),
                "{:?}\n=>\n{:?}", existing, content
            );
            let again = kustomization::generate(&with_existing(content)).unwrap();
            prop_assert!(!again.changed);
        }
    }
}
