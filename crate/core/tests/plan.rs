//! The repository plan: which files, which sync URL and which SSH decisions follow from the
//! bootstrap options, for both flows of the Azure DevOps guide and for other hosts.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

use flux_azdo_core::bundle::Bundle;
use flux_azdo_core::keys::KeyAlgorithm;
use flux_azdo_core::plan::{plan, Options, SyncAuth};
use flux_azdo_core::ErrorCode;

fn bundle() -> Bundle {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/flux/v2.9.4/manifests");
    let files = std::fs::read_dir(&dir).unwrap().map(|e| {
        let path = e.unwrap().path();
        (
            path.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read_to_string(&path).unwrap(),
        )
    });
    Bundle::from_files(files).unwrap()
}

fn options(url: &str) -> Options {
    Options {
        url: url.to_owned(),
        path: "clusters/my-cluster".to_owned(),
        ..Options::default()
    }
}

const HOSTKEY_PATCH: &str = "--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256";

#[test]
fn token_flow_syncs_over_https_without_the_ssh_patch() {
    let p = plan(
        &Options {
            token_auth: true,
            ..options("https://dev.azure.com/org/project/_git/repo")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(p.sync_auth, SyncAuth::Token);
    assert_eq!(
        p.sync_url.url,
        "https://dev.azure.com/org/project/_git/repo"
    );
    assert_eq!(
        p.components.path,
        "clusters/my-cluster/flux-system/gotk-components.yaml"
    );
    assert_eq!(
        p.sync.path,
        "clusters/my-cluster/flux-system/gotk-sync.yaml"
    );
    assert!(p
        .sync
        .content
        .contains("url: https://dev.azure.com/org/project/_git/repo\n"));
    assert_eq!(
        p.kustomization.path,
        "clusters/my-cluster/flux-system/kustomization.yaml"
    );
    assert!(!p.kustomization.content.contains(HOSTKEY_PATCH));
    assert!(p.ssh_hostkey_algos.is_empty());
    assert!(!p.kustomization_in_components_commit);
}

#[test]
fn ssh_flow_to_azure_devops_defaults_to_rsa_and_patches_the_controllers_from_the_first_commit() {
    let p = plan(
        &options("git@ssh.dev.azure.com:v3/org/project/repo"),
        &bundle(),
    )
    .unwrap();
    assert_eq!(p.sync_auth, SyncAuth::Ssh);
    assert_eq!(
        p.sync_url.url,
        "ssh://git@ssh.dev.azure.com/v3/org/project/repo"
    );
    let host = p.sync_url.ssh_host.as_ref().unwrap();
    assert_eq!((host.host.as_str(), host.port), ("ssh.dev.azure.com", 22));
    assert!(p.requires_rsa);
    assert_eq!(p.deploy_key.algorithm, KeyAlgorithm::Rsa);
    assert_eq!(p.ssh_hostkey_algos, ["rsa-sha2-512", "rsa-sha2-256"]);
    assert!(p.kustomization.content.contains(HOSTKEY_PATCH));
    assert!(p
        .kustomization
        .content
        .contains("name: (source-controller|image-automation-controller)"));
    assert!(p.kustomization_in_components_commit);
    // The cluster gets the same flag on exactly the two patched Deployments.
    assert_eq!(
        p.cluster_components.matches(HOSTKEY_PATCH).count(),
        1,
        "source-controller only: image-automation is an extra"
    );
    assert!(
        !p.components.content.contains(HOSTKEY_PATCH),
        "the committed components stay Flux's bytes"
    );
}

#[test]
fn the_cluster_components_carry_the_flag_for_image_automation_too() {
    let p = plan(
        &Options {
            components_extra: vec![
                "image-reflector-controller".into(),
                "image-automation-controller".into(),
            ],
            ..options("git@ssh.dev.azure.com:v3/org/project/repo")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(p.cluster_components.matches(HOSTKEY_PATCH).count(), 2);
    let token = plan(
        &Options {
            token_auth: true,
            ..options("https://dev.azure.com/o/p/_git/r")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(token.cluster_components, token.components.content);
}

#[test]
fn https_url_without_token_auth_pushes_over_https_and_syncs_over_ssh() {
    let p = plan(
        &options("https://dev.azure.com/org/My%20Project/_git/repo"),
        &bundle(),
    )
    .unwrap();
    assert_eq!(p.sync_auth, SyncAuth::Ssh);
    assert_eq!(
        p.sync_url.url,
        "ssh://git@ssh.dev.azure.com/v3/org/My%20Project/repo"
    );
    assert!(p.kustomization.content.contains(HOSTKEY_PATCH));
}

#[test]
fn other_hosts_keep_flux_defaults_unless_asked() {
    let p = plan(
        &options("ssh://git@git.example.com:2222/team/fleet.git"),
        &bundle(),
    )
    .unwrap();
    assert!(!p.requires_rsa);
    assert_eq!(p.deploy_key.algorithm, KeyAlgorithm::Ecdsa);
    assert!(p.ssh_hostkey_algos.is_empty());
    assert!(!p.kustomization.content.contains("patches"));
    let asked = plan(
        &Options {
            ssh_hostkey_algos: vec!["rsa-sha2-512".into()],
            ..options("ssh://git@git.example.com:2222/team/fleet.git")
        },
        &bundle(),
    )
    .unwrap();
    assert!(asked
        .kustomization
        .content
        .contains("--ssh-hostkey-algos=rsa-sha2-512\n"));
}

#[test]
fn an_existing_kustomization_with_the_patch_is_kept_byte_for_byte() {
    let first = plan(
        &options("git@ssh.dev.azure.com:v3/org/project/repo"),
        &bundle(),
    )
    .unwrap();
    let again = plan(
        &Options {
            existing_kustomization: Some(first.kustomization.content.clone()),
            ..options("git@ssh.dev.azure.com:v3/org/project/repo")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(again.kustomization.content, first.kustomization.content);
    assert!(!again.kustomization_changed);
}

#[test]
fn workload_identity_needs_no_secret_and_no_patch() {
    let p = plan(
        &Options {
            provider: "azure".into(),
            ..options("https://dev.azure.com/org/project/_git/repo")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(p.sync_auth, SyncAuth::WorkloadIdentity);
    assert!(p.sync.content.contains("provider: azure"));
    assert!(!p.sync.content.contains("secretRef"));
}

#[test]
fn bad_options_fail_with_codes_before_anything_is_generated() {
    let b = bundle();
    let code = |o: Options| plan(&o, &b).unwrap_err().code();
    assert_eq!(
        code(options("https://dev.azure.com/org/project/repo")),
        ErrorCode::InvalidUrl
    );
    assert_eq!(
        code(Options {
            namespace: "Flux".into(),
            ..options("https://dev.azure.com/o/p/_git/r")
        }),
        ErrorCode::InvalidOption
    );
    assert_eq!(
        code(Options {
            interval: "soon".into(),
            ..options("https://dev.azure.com/o/p/_git/r")
        }),
        ErrorCode::InvalidOption
    );
    assert_eq!(
        code(Options {
            path: "/abs".into(),
            ..options("https://dev.azure.com/o/p/_git/r")
        }),
        ErrorCode::InvalidOption
    );
}
