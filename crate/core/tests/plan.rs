//! The repository plan: which files, which sync URL and which SSH decisions follow from the
//! bootstrap options, for both flows of the Azure DevOps guide and for other hosts.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

mod common;

use common::flux_bundle as bundle;
use flux_azdo_core::azure_url::{self, PushTarget};
use flux_azdo_core::keys::{self, EcdsaCurve, KeyAlgorithm};
use flux_azdo_core::kustomize::{cluster_objects, RepoFiles};
use flux_azdo_core::plan::{plan, Options, SyncAuth};
use flux_azdo_core::{sync, yaml, Error, ErrorCode};

/// What the cluster gets at install: the build of the planned flux-system folder.
fn cluster_components(p: &flux_azdo_core::plan::Plan) -> String {
    cluster_objects(p, &RepoFiles::default()).unwrap().install
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
        cluster_components(&p).matches(HOSTKEY_PATCH).count(),
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
    assert_eq!(cluster_components(&p).matches(HOSTKEY_PATCH).count(), 2);
    let token = plan(
        &Options {
            token_auth: true,
            ..options("https://dev.azure.com/o/p/_git/r")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(
        yaml::parse_documents("cluster", &cluster_components(&token)).unwrap(),
        yaml::parse_documents("components", &token.components.content).unwrap()
    );
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
fn workload_identity_needs_no_secret() {
    let p = plan(
        &Options {
            provider: "azure".into(),
            workload_identity_client_id: "11111111-2222-3333-4444-555555555555".into(),
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

#[test]
fn the_plan_carries_the_resolved_names_and_the_commits() {
    let p = plan(
        &options("https://dev.azure.com/org/project/_git/repo"),
        &bundle(),
    )
    .unwrap();
    assert_eq!(
        (
            p.namespace.as_str(),
            p.branch.as_str(),
            p.secret_name.as_str()
        ),
        ("flux-system", "main", "flux-system")
    );
    assert_eq!(p.installed_components.len(), 4);
    assert_eq!(p.sync_path, "./clusters/my-cluster");
    assert_eq!(
        p.commit.components_message,
        format!(
            "Add Flux {} component manifests",
            flux_azdo_core::FLUX_VERSION
        )
    );
    assert_eq!(p.commit.sync_message, "Add Flux sync manifests");
    assert_eq!(
        (
            p.commit.author.name.as_str(),
            p.commit.author.email.as_str()
        ),
        ("Flux", "")
    );
    let files: Vec<&str> = p.files().iter().map(|m| m.path.as_str()).collect();
    assert_eq!(
        files,
        [
            "clusters/my-cluster/flux-system/gotk-components.yaml",
            "clusters/my-cluster/flux-system/gotk-sync.yaml",
            "clusters/my-cluster/flux-system/kustomization.yaml"
        ]
    );

    let extra = plan(
        &Options {
            commit_message_appendix: "[ci skip]".into(),
            author_name: "Bot".into(),
            components_extra: vec!["source-watcher".into()],
            ..options("https://dev.azure.com/org/project/_git/repo")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(
        extra.commit.sync_message,
        "Add Flux sync manifests\n\n[ci skip]"
    );
    assert_eq!(extra.commit.author.name, "Bot");
    assert_eq!(
        extra.installed_components.last().map(String::as_str),
        Some("source-watcher")
    );
}

#[test]
fn the_push_goes_over_the_transport_of_the_url_given() {
    let b = bundle();
    let https = plan(&options("https://dev.azure.com/org/project/_git/repo"), &b).unwrap();
    assert_eq!(
        https.push,
        PushTarget::Https {
            url: "https://dev.azure.com/org/project/_git/repo".into()
        }
    );
    let ssh = plan(
        &options("git@ssh.dev.azure.com:v3/org/My%20Project/repo"),
        &b,
    )
    .unwrap();
    let PushTarget::Ssh {
        host,
        port,
        username,
        path,
        host_key_algorithms,
        ..
    } = ssh.push
    else {
        panic!("an SSH URL pushes over SSH");
    };
    assert_eq!(
        (host.as_str(), port, username.as_str()),
        ("ssh.dev.azure.com", 22, "git")
    );
    assert_eq!(path, "/v3/org/My Project/repo");
    assert_eq!(host_key_algorithms, ["rsa-sha2-512", "rsa-sha2-256"]);
    assert_eq!(
        ssh.deploy_key_page.as_deref(),
        Some("https://dev.azure.com/org/_usersSettings/keys")
    );
}

#[test]
fn an_ipv6_ssh_host_on_another_port_is_bare_everywhere_and_bracketed_once_in_known_hosts() {
    let p = plan(&options("ssh://git@[::1]:2222/srv/git/repo.git"), &bundle()).unwrap();
    let PushTarget::Ssh { host, port, .. } = &p.push else {
        panic!("an SSH URL pushes over SSH");
    };
    assert_eq!((host.as_str(), *port), ("::1", 2222));
    let sync_host = p.sync_url.ssh_host.clone().unwrap();
    assert_eq!((sync_host.host.as_str(), sync_host.port), ("::1", 2222));
    assert!(p.sync_url.url.starts_with("ssh://git@[::1]:2222/"));
    // A real ssh-ed25519 blob is not needed for the host part: the core checks the key type only.
    let blob = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    let line =
        keys::known_hosts_line(&sync_host.host, sync_host.port, "ssh-ed25519", blob).unwrap();
    assert_eq!(line, format!("[::1]:2222 ssh-ed25519 {blob}"));
    assert!(p.deploy_key_page.is_none());
}

#[test]
fn the_deploy_key_follows_the_host() {
    let b = bundle();
    let azure = |o: Options| plan(&o, &b);
    let ssh = options("git@ssh.dev.azure.com:v3/org/project/repo");
    let err = azure(Options {
        ssh_key_algorithm: Some(KeyAlgorithm::Ecdsa),
        ..ssh.clone()
    })
    .unwrap_err();
    assert_eq!(
        (err.code(), err.option()),
        (ErrorCode::KeyNotRsa, Some("ssh-key-algorithm"))
    );
    // HTTPS push and token sync need no key: the algorithm is not looked at.
    assert!(azure(Options {
        ssh_key_algorithm: Some(KeyAlgorithm::Ecdsa),
        token_auth: true,
        ..options("https://dev.azure.com/org/project/_git/repo")
    })
    .is_ok());
    let other = azure(Options {
        ssh_key_algorithm: Some(KeyAlgorithm::Ed25519),
        ..options("ssh://git@example.com/repo.git")
    })
    .unwrap();
    assert!(!other.requires_rsa);
    assert_eq!(other.deploy_key.algorithm, KeyAlgorithm::Ed25519);
    assert_eq!(other.deploy_key.ecdsa_curve, EcdsaCurve::P384);
    let bits = azure(Options {
        ssh_rsa_bits: 1000,
        ..ssh
    })
    .unwrap_err();
    assert_eq!(bits.option(), Some("ssh-rsa-bits"));
}

#[test]
fn an_existing_install_keeps_its_path() {
    assert!(sync::check_sync_path("./clusters/a", "clusters/a/").is_ok());
    assert!(sync::check_sync_path("./", "").is_ok());
    let err = sync::check_sync_path("./clusters/my cluster", "clusters/b").unwrap_err();
    assert_eq!(
        (err.code(), err.option()),
        (ErrorCode::PathConflict, Some("path"))
    );
    let Error::PathConflict { hint, wanted, .. } = err else {
        panic!("a PATH_CONFLICT");
    };
    assert_eq!(wanted, "./clusters/b");
    assert_eq!(hint, "'--path=clusters/my cluster'");
}

/// The PATH_CONFLICT hint is pasted into a shell: bash's word splitting must give back exactly
/// one word, the flag with the cluster's path, whatever characters the path holds.
#[test]
fn the_path_hint_survives_a_shell() {
    for path in [
        "clusters/my cluster",
        "clusters/it's $HOME",
        "clusters/a;b*",
        "clusters/plain",
    ] {
        let err = sync::check_sync_path(&format!("./{path}"), "clusters/other").unwrap_err();
        let Error::PathConflict { hint, .. } = err else {
            panic!("a PATH_CONFLICT");
        };
        let out = std::process::Command::new("bash")
            .args(["-c", &format!("printf '%s\\0' {hint}")])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("--path={path}\0"),
            "{hint}"
        );
    }
}

#[test]
fn defaults_are_fluxs() {
    let d = flux_azdo_core::defaults();
    assert_eq!(d.options.namespace, "flux-system");
    assert_eq!(d.options.branch, "main");
    assert_eq!(d.options.interval, "1m0s");
    assert_eq!(d.options.components.len(), 4);
    assert_eq!(d.components_extra.len(), 3);
    assert_eq!((d.rsa_bits, d.options.ssh_rsa_bits), (4096, 4096));
    assert_eq!(
        (d.timeout.as_str(), d.min_kubernetes_version.as_str()),
        ("5m0s", "1.33")
    );
    let policy = azure_url::ssh_host_policy("SSH.dev.azure.com");
    assert_eq!(policy.host_key_algorithms, ["rsa-sha2-512", "rsa-sha2-256"]);
    assert_eq!(policy.published_fingerprints.len(), 1);
    assert!(azure_url::ssh_host_policy("example.com")
        .published_fingerprints
        .is_empty());
}
