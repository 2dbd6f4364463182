//! `--provider=azure`: the flag rules, the patches in kustomization.yaml (fresh and appended to a
//! user's file), the components the cluster gets, and the sync file.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

mod common;

use common::{assert_golden, flux_bundle as bundle};
use flux_azdo_core::kustomization::{self, workload_identity_items};
use flux_azdo_core::kustomize::{cluster_objects, RepoFiles};
use flux_azdo_core::plan::{plan, Options, SyncAuth};
use flux_azdo_core::workload_identity::WorkloadIdentity;
use flux_azdo_core::yaml;
use flux_azdo_core::ErrorCode;

const URL: &str = "https://dev.azure.com/org/project/_git/repo";
const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
const TENANT: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

fn azure() -> Options {
    Options {
        url: URL.to_owned(),
        path: "clusters/my-cluster".to_owned(),
        provider: "azure".to_owned(),
        workload_identity_client_id: CLIENT.to_owned(),
        workload_identity_tenant_id: TENANT.to_owned(),
        ..Options::default()
    }
}

fn identity(controllers: &[&str]) -> WorkloadIdentity {
    WorkloadIdentity {
        client_id: CLIENT.to_owned(),
        tenant_id: TENANT.to_owned(),
        controllers: controllers.iter().map(|c| (*c).to_owned()).collect(),
    }
}

#[test]
fn the_first_commit_carries_the_patches_and_the_sync_has_no_secret() {
    let p = plan(&azure(), &bundle()).unwrap();
    assert_eq!(p.sync_auth, SyncAuth::WorkloadIdentity);
    assert!(p.kustomization_in_components_commit);
    assert_golden(
        "kustomization/workload-identity.yaml",
        &p.kustomization.content,
    );
    assert_golden("sync/provider-azure.yaml", &p.sync.content);
    assert!(!p.sync.content.contains("secretRef"));
    // Flux's key order (go-yaml sorted): interval, provider, ref, url.
    let spec = &p.sync.content;
    let at = |key: &str| spec.find(&format!("\n  {key}:")).unwrap();
    assert!(at("interval") < at("provider") && at("provider") < at("ref") && at("ref") < at("url"));

    let wi = p.workload_identity.unwrap();
    assert_eq!(wi.controllers, ["source-controller"]);
    assert_eq!(
        wi.subjects,
        ["system:serviceaccount:flux-system:source-controller"]
    );
    assert_eq!(wi.audience, "api://AzureADTokenExchange");
}

#[test]
fn image_controllers_get_the_identity_when_installed() {
    let p = plan(
        &Options {
            components_extra: vec![
                "image-reflector-controller".to_owned(),
                "image-automation-controller".to_owned(),
            ],
            namespace: "flux".to_owned(),
            ..azure()
        },
        &bundle(),
    )
    .unwrap();
    let wi = p.workload_identity.unwrap();
    assert_eq!(
        wi.controllers,
        [
            "source-controller",
            "image-reflector-controller",
            "image-automation-controller"
        ]
    );
    assert_eq!(
        wi.subjects[2],
        "system:serviceaccount:flux:image-automation-controller"
    );
    assert!(p.kustomization.content.contains(
        "name: (source-controller|image-reflector-controller|image-automation-controller)\n"
    ));
}

/// What the cluster gets at install: the build of the planned flux-system folder.
fn installed(p: &flux_azdo_core::plan::Plan) -> String {
    cluster_objects(p, &RepoFiles::default()).unwrap().install
}

#[test]
fn the_cluster_gets_the_annotations_and_the_label_at_install_and_nothing_else_changes() {
    let p = plan(&azure(), &bundle()).unwrap();
    let plain = plan(
        &Options {
            token_auth: true,
            provider: String::new(),
            workload_identity_client_id: String::new(),
            workload_identity_tenant_id: String::new(),
            ..azure()
        },
        &bundle(),
    )
    .unwrap();
    assert!(
        p.components == plain.components,
        "the repository's file is Flux's"
    );

    // kustomize's build of the patches equals setting the annotations and the label directly.
    let mut expected = yaml::parse_documents("c", &installed(&plain)).unwrap();
    let cluster_text = installed(&p);
    let cluster = yaml::parse_documents("c", &cluster_text).unwrap();
    assert!(expected != cluster);
    identity(&["source-controller"]).apply(&mut expected);
    assert!(cluster_text == yaml::documents_to_string(&expected));

    let sa = cluster
        .iter()
        .find(|d| d.kind() == "ServiceAccount" && d.name() == "source-controller")
        .unwrap();
    let annotations = sa.at(&["metadata", "annotations"]).unwrap();
    assert_eq!(
        annotations
            .get("azure.workload.identity/client-id")
            .and_then(|n| n.as_str()),
        Some(CLIENT)
    );
    assert_eq!(
        annotations
            .get("azure.workload.identity/tenant-id")
            .and_then(|n| n.as_str()),
        Some(TENANT)
    );
    let deployment = cluster
        .iter()
        .find(|d| d.kind() == "Deployment" && d.name() == "source-controller")
        .unwrap();
    let label = deployment.at(&[
        "spec",
        "template",
        "metadata",
        "labels",
        "azure.workload.identity/use",
    ]);
    assert_eq!(label.and_then(|n| n.as_str()), Some("true"));
    // Other controllers are left alone.
    let kc = cluster
        .iter()
        .find(|d| d.kind() == "ServiceAccount" && d.name() == "kustomize-controller")
        .unwrap();
    assert!(kc.at(&["metadata", "annotations"]).is_none());
}

#[test]
fn an_existing_kustomization_keeps_every_byte_and_gets_the_patches_once() {
    let existing = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\npatches:\n  # limits, as the user wants them\n  - patch: |\n      - op: add\n        path: /spec/template/spec/containers/0/resources/limits/memory\n        value: 2Gi\n    target:\n      kind: Deployment\n      name: kustomize-controller\n";
    let p = plan(
        &Options {
            existing_kustomization: Some(existing.to_owned()),
            ..azure()
        },
        &bundle(),
    )
    .unwrap();
    let content = &p.kustomization.content;
    assert!(p.kustomization_changed);
    assert!(
        content.starts_with(existing),
        "the user's bytes come first, unchanged"
    );
    let added: String = workload_identity_items(&identity(&["source-controller"]))
        .iter()
        .map(|i| i.block(2, "\n"))
        .collect();
    assert_eq!(&content[existing.len()..], added);
    assert_golden("kustomization/workload-identity-existing.yaml", content);

    let again = plan(
        &Options {
            existing_kustomization: Some(content.clone()),
            ..azure()
        },
        &bundle(),
    )
    .unwrap();
    assert!(!again.kustomization_changed, "a re-run adds nothing");
    assert_eq!(&again.kustomization.content, content);

    // A flow list gets flow items; the parsed result is the old list plus the two patches.
    let flow =
        "resources: [gotk-components.yaml, gotk-sync.yaml]\npatches: [{path: limits.yaml}]\n";
    let out = plan(
        &Options {
            existing_kustomization: Some(flow.to_owned()),
            ..azure()
        },
        &bundle(),
    )
    .unwrap();
    let doc = yaml::parse_documents("k", &out.kustomization.content).unwrap();
    let patches = doc[0].get("patches").unwrap();
    let yaml::Node::Seq(items) = patches else {
        panic!("patches is a list")
    };
    assert_eq!(items.len(), 3);
    assert!(out.kustomization.content.starts_with("resources: [gotk-components.yaml, gotk-sync.yaml]\npatches: [{path: limits.yaml}, {patch: "));
}

#[test]
fn another_identity_in_the_file_is_refused_not_doubled() {
    let first = plan(&azure(), &bundle()).unwrap().kustomization.content;
    let err = plan(
        &Options {
            existing_kustomization: Some(first),
            workload_identity_client_id: "99999999-2222-3333-4444-555555555555".to_owned(),
            ..azure()
        },
        &bundle(),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OptionConflict);
    assert_eq!(err.option(), Some("workload-identity-client-id"));
}

#[test]
fn the_patches_are_what_kustomize_reads() {
    // Parsed back, each patch is a strategic-merge document naming its kind.
    let items = workload_identity_items(&identity(&["source-controller"]));
    let sa = yaml::parse_documents("p", &items[0].patch).unwrap();
    assert_eq!(sa[0].kind(), "ServiceAccount");
    assert_eq!(
        sa[0]
            .at(&[
                "metadata",
                "annotations",
                "azure.workload.identity/client-id"
            ])
            .and_then(|n| n.as_str()),
        Some(CLIENT)
    );
    let deployment = yaml::parse_documents("p", &items[1].patch).unwrap();
    let label = deployment[0].at(&[
        "spec",
        "template",
        "metadata",
        "labels",
        "azure.workload.identity/use",
    ]);
    assert_eq!(
        label,
        Some(&yaml::Node::str("true")),
        "a string, as a label must be"
    );
    // Without a tenant the annotation is left out (the webhook's default tenant applies).
    let no_tenant = WorkloadIdentity {
        tenant_id: String::new(),
        ..identity(&["source-controller"])
    };
    assert!(!workload_identity_items(&no_tenant)[0]
        .patch
        .contains("tenant-id"));
    let out = kustomization::generate(&kustomization::Options {
        workload_identity: Some(no_tenant),
        ..kustomization::Options::default()
    })
    .unwrap();
    assert!(out.manifest.content.starts_with(&kustomization::fresh()));
}

#[test]
fn flag_combinations_are_checked_with_typed_errors() {
    let cases: [(Options, ErrorCode, &str); 7] = [
        (
            Options {
                workload_identity_client_id: String::new(),
                ..azure()
            },
            ErrorCode::OptionRequired,
            "workload-identity-client-id",
        ),
        (
            Options {
                workload_identity_client_id: "not-a-guid".to_owned(),
                ..azure()
            },
            ErrorCode::InvalidOption,
            "workload-identity-client-id",
        ),
        (
            Options {
                workload_identity_tenant_id: "contoso.onmicrosoft.com".to_owned(),
                ..azure()
            },
            ErrorCode::InvalidOption,
            "workload-identity-tenant-id",
        ),
        (
            Options {
                provider: String::new(),
                ..azure()
            },
            ErrorCode::OptionConflict,
            "workload-identity-client-id",
        ),
        (
            Options {
                provider: String::new(),
                workload_identity_client_id: String::new(),
                ..azure()
            },
            ErrorCode::OptionConflict,
            "workload-identity-tenant-id",
        ),
        (
            Options {
                with_bearer_token: true,
                ..azure()
            },
            ErrorCode::OptionConflict,
            "with-bearer-token",
        ),
        (
            Options {
                url: "https://git.example.com/org/repo.git".to_owned(),
                ..azure()
            },
            ErrorCode::OptionConflict,
            "provider",
        ),
    ];
    for (options, code, option) in cases {
        let err = plan(&options, &bundle()).unwrap_err();
        assert_eq!(
            (err.code(), err.option()),
            (code, Some(option)),
            "{options:?}"
        );
    }
    // An SSH URL of Azure DevOps syncs over HTTPS with the identity (the push stays SSH).
    let p = plan(
        &Options {
            url: "git@ssh.dev.azure.com:v3/org/project/repo".to_owned(),
            ..azure()
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(p.sync_url.url, URL);
    assert!(
        p.ssh_hostkey_algos.is_empty(),
        "no SSH sync, no host key patch"
    );
}
