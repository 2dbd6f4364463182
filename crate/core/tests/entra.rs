//! `--azure-credential`: the kinds, the combinations with the URL and the sync settings, and
//! what the host is told to fetch (scope, organisation URL, whether a PAT is still needed).
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

mod common;

use common::flux_bundle as bundle;
use flux_azdo_core::entra::{AzureCredentialKind, PushCredential};
use flux_azdo_core::plan::{plan, push_credentials, Options};
use flux_azdo_core::{Error, ErrorCode};

fn options(url: &str, credential: &str) -> Options {
    Options {
        url: url.to_owned(),
        path: "clusters/my-cluster".to_owned(),
        azure_credential: credential.to_owned(),
        ..Options::default()
    }
}

const SERVICES: &str = "https://dev.azure.com/my%20org/project/_git/repo";

#[test]
fn every_kind_is_accepted_by_its_name() {
    for (name, kind) in [
        ("default", AzureCredentialKind::Default),
        ("cli", AzureCredentialKind::Cli),
        ("workload-identity", AzureCredentialKind::WorkloadIdentity),
        ("managed-identity", AzureCredentialKind::ManagedIdentity),
        ("environment", AzureCredentialKind::Environment),
        ("pipelines", AzureCredentialKind::Pipelines),
        ("external", AzureCredentialKind::External),
    ] {
        let c = push_credentials(&options(SERVICES, name)).unwrap();
        assert_eq!(c.entra.unwrap().credential, kind, "{name}");
    }
}

#[test]
fn an_unknown_kind_names_the_flag() {
    let err = push_credentials(&options(SERVICES, "az")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidOption);
    assert!(matches!(err, Error::InvalidOption { ref option, .. } if option == "azure-credential"));
}

#[test]
fn an_entra_push_needs_no_pat_and_keeps_the_ssh_sync() {
    let p = plan(&options(SERVICES, "cli"), &bundle()).unwrap();
    assert_eq!(p.push_credential, PushCredential::Entra);
    assert!(!p.needs_pat);
    let entra = p.entra.unwrap();
    assert_eq!(entra.scope, "499b84ac-1321-427f-aa17-267ca6975798/.default");
    assert_eq!(entra.organization_url, "https://dev.azure.com/my%20org");
    // The cluster still reads with the deploy key.
    assert_eq!(p.sync_auth, flux_azdo_core::plan::SyncAuth::Ssh);
    assert!(p
        .sync_url
        .url
        .starts_with("ssh://git@ssh.dev.azure.com/v3/"));
}

#[test]
fn token_auth_with_an_entra_push_needs_the_pat_for_the_cluster_only() {
    let c = push_credentials(&Options {
        token_auth: true,
        ..options(SERVICES, "environment")
    })
    .unwrap();
    assert_eq!(c.push_credential, PushCredential::Entra);
    assert!(c.needs_pat);
}

#[test]
fn without_the_flag_nothing_changes() {
    let https = push_credentials(&options(SERVICES, "")).unwrap();
    assert_eq!(https.push_credential, PushCredential::Pat);
    assert!(https.needs_pat);
    assert!(https.entra.is_none());
    let ssh = push_credentials(&options("git@ssh.dev.azure.com:v3/org/project/repo", "")).unwrap();
    assert_eq!(ssh.push_credential, PushCredential::SshKey);
    assert!(!ssh.needs_pat);
}

#[test]
fn with_bearer_token_pushes_with_the_password_as_bearer_like_flux() {
    // Flux's `bootstrap git --with-bearer-token` sends the password as a bearer token on its own
    // pushes too, not only from the cluster's Secret.
    let c = push_credentials(&Options {
        with_bearer_token: true,
        ..options(SERVICES, "")
    })
    .unwrap();
    assert_eq!(c.push_credential, PushCredential::Bearer);
    assert!(c.needs_pat);
    let p = plan(
        &Options {
            with_bearer_token: true,
            ..options(SERVICES, "")
        },
        &bundle(),
    )
    .unwrap();
    assert_eq!(p.push_credential, PushCredential::Bearer);
}

#[test]
fn an_ssh_url_or_another_host_is_refused() {
    for url in [
        "git@ssh.dev.azure.com:v3/org/project/repo",
        "https://github.com/org/repo",
    ] {
        let err = plan(&options(url, "default"), &bundle()).unwrap_err();
        assert!(
            matches!(err, Error::InvalidOption { ref option, .. } if option == "azure-credential"),
            "{url}"
        );
    }
}

#[test]
fn the_organisation_of_a_server_is_its_collection() {
    let c = push_credentials(&options(
        "https://127.0.0.1:8443/tfs/Default%20Collection/project/_git/repo",
        "environment",
    ))
    .unwrap();
    assert_eq!(
        c.entra.unwrap().organization_url,
        "https://127.0.0.1:8443/tfs/Default%20Collection"
    );
}
