//! A failing unwrap is a failing test here; the core itself keeps errors as values.
#![allow(clippy::unwrap_used)]

use flux_azdo_core::azure_url::{self, HostKind, Repo, SshHost, SyncUrlOptions};
use flux_azdo_core::{Error, ErrorCode};
use proptest::prelude::*;

const HTTPS: &str = "https://dev.azure.com/org/project/_git/repo";
const SSH: &str = "ssh://git@ssh.dev.azure.com/v3/org/project/repo";

fn parse(url: &str) -> Repo {
    azure_url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn every_services_form_is_the_same_repo() {
    for url in [
        HTTPS,
        "https://org@dev.azure.com/org/project/_git/repo",
        "https://org:FAKE-PAT-0000@dev.azure.com/org/project/_git/repo",
        "https://dev.azure.com/org/project/_git/repo/",
        "https://dev.azure.com/org/project/_git/repo.git",
        "  https://DEV.AZURE.COM/org/project/_git/repo\n",
        "dev.azure.com/org/project/_git/repo",
        "https://org.visualstudio.com/project/_git/repo",
        "https://org.visualstudio.com/DefaultCollection/project/_git/repo",
        "git@ssh.dev.azure.com:v3/org/project/repo",
        SSH,
        "ssh://git@ssh.dev.azure.com:22/v3/org/project/repo/",
        "org@vs-ssh.visualstudio.com:v3/org/project/repo",
    ] {
        let repo = parse(url);
        assert_eq!(repo.kind, HostKind::AzureDevOpsServices, "{url}");
        assert_eq!(
            (
                repo.organization.as_str(),
                repo.project.as_str(),
                repo.name.as_str()
            ),
            ("org", "project", "repo"),
            "{url}"
        );
        assert_eq!(repo.https_url, HTTPS, "{url}");
        assert_eq!(repo.ssh_url, SSH, "{url}");
        assert_eq!(repo.host, "dev.azure.com", "{url}");
        let expected_url = if url.contains("ssh") { SSH } else { HTTPS };
        assert_eq!(repo.url, expected_url, "{url}");
    }
}

#[test]
fn spaces_and_percent_encoding_are_the_same_name() {
    for url in [
        "https://dev.azure.com/org/My Project/_git/My Repo",
        "https://dev.azure.com/org/My%20Project/_git/My%20Repo",
        "git@ssh.dev.azure.com:v3/org/My%20Project/My%20Repo",
    ] {
        let repo = parse(url);
        assert_eq!(repo.project, "My Project", "{url}");
        assert_eq!(repo.name, "My Repo", "{url}");
        assert_eq!(
            repo.https_url,
            "https://dev.azure.com/org/My%20Project/_git/My%20Repo"
        );
        assert_eq!(
            repo.ssh_url,
            "ssh://git@ssh.dev.azure.com/v3/org/My%20Project/My%20Repo"
        );
    }
    // The project's default repository: /{org}/_git/{repo} means project == repo.
    let repo = parse("https://dev.azure.com/org/_git/Fabrikam");
    assert_eq!(
        (repo.project.as_str(), repo.name.as_str()),
        ("Fabrikam", "Fabrikam")
    );
}

#[test]
fn azure_devops_server_forms() {
    let repo = parse("https://tfs.example.com:8443/DefaultCollection/Project/_git/Repo");
    assert_eq!(repo.kind, HostKind::AzureDevOpsServer);
    assert_eq!(repo.organization, "DefaultCollection");
    assert_eq!(
        repo.https_url,
        "https://tfs.example.com:8443/DefaultCollection/Project/_git/Repo"
    );
    assert_eq!(
        repo.ssh_url,
        "ssh://tfs.example.com:22/DefaultCollection/Project/_git/Repo"
    );

    let repo = parse("ssh://tfs.example.com:22/tfs/DefaultCollection/Project/_git/Repo");
    assert_eq!(repo.kind, HostKind::AzureDevOpsServer);
    assert_eq!(repo.organization, "tfs/DefaultCollection");
    assert_eq!(repo.url, repo.ssh_url);
    assert_eq!(
        repo.https_url,
        "https://tfs.example.com/tfs/DefaultCollection/Project/_git/Repo"
    );

    let repo = parse("http://tfs:8080/tfs/DefaultCollection/My%20Project/_git/Repo");
    assert_eq!(repo.project, "My Project");
    assert_eq!(
        repo.https_url,
        "http://tfs:8080/tfs/DefaultCollection/My%20Project/_git/Repo"
    );
}

#[test]
fn other_git_hosts_stay_plain_git_urls() {
    let cases = [
        (
            "https://github.com/fluxcd/flux2.git",
            "https://github.com/fluxcd/flux2.git",
            "ssh://git@github.com/fluxcd/flux2.git",
            "flux2",
        ),
        (
            "https://user:FAKE-secret@gitlab.com/group/sub/project",
            "https://gitlab.com/group/sub/project",
            "ssh://git@gitlab.com/group/sub/project",
            "project",
        ),
        (
            "https://git.example.com/x/y.git",
            "https://git.example.com/x/y.git",
            "ssh://git@git.example.com/x/y.git",
            "y",
        ),
        (
            "ssh://git@host:2222/x/y.git",
            "https://host/x/y.git",
            "ssh://git@host:2222/x/y.git",
            "y",
        ),
        (
            "git@github.com:fluxcd/flux2.git",
            "https://github.com/fluxcd/flux2.git",
            "ssh://git@github.com/fluxcd/flux2.git",
            "flux2",
        ),
        (
            "deploy@git.example.com:repos/app",
            "https://git.example.com/repos/app",
            "ssh://deploy@git.example.com/repos/app",
            "app",
        ),
    ];
    for (url, https, ssh, name) in cases {
        let repo = parse(url);
        assert_eq!(repo.kind, HostKind::Generic, "{url}");
        assert_eq!(repo.https_url, https, "{url}");
        assert_eq!(repo.ssh_url, ssh, "{url}");
        assert_eq!(repo.name, name, "{url}");
        assert!(!repo.organization.is_empty() || repo.project.is_empty());
    }
    assert_eq!(
        parse("git@github.com:fluxcd/flux2.git").url,
        "ssh://git@github.com/fluxcd/flux2.git"
    );
    assert_eq!(
        parse("git@host:/srv/git/app.git").url,
        "ssh://git@host/srv/git/app.git"
    );
}

fn ssh_options(username: &str, hostname: &str) -> SyncUrlOptions {
    SyncUrlOptions {
        username: username.to_owned(),
        ssh_hostname: hostname.to_owned(),
        ..SyncUrlOptions::default()
    }
}

fn token_options() -> SyncUrlOptions {
    SyncUrlOptions {
        https: true,
        ..SyncUrlOptions::default()
    }
}

#[test]
fn sync_urls_follow_flux_rules() {
    let sync =
        |url: &str, o: &SyncUrlOptions| azure_url::parse(url).and_then(|r| r.sync_url(o)).unwrap();

    // Token auth: https, user info gone, whatever form was pasted.
    for url in ["https://org@dev.azure.com/org/project/_git/repo", SSH] {
        let s = sync(url, &token_options());
        assert_eq!(s.url, HTTPS);
        assert_eq!(s.ssh_host, None);
    }
    // SSH: ssh://git@..., the host key of ssh.dev.azure.com:22.
    let s = sync(HTTPS, &SyncUrlOptions::default());
    assert_eq!(s.url, SSH);
    assert_eq!(
        s.ssh_host,
        Some(SshHost {
            host: "ssh.dev.azure.com".into(),
            port: 22
        })
    );
    // --username other than git replaces the user; --ssh-hostname replaces host and port.
    assert_eq!(
        sync(HTTPS, &ssh_options("bot", "")).url,
        "ssh://bot@ssh.dev.azure.com/v3/org/project/repo"
    );
    let s = sync(HTTPS, &ssh_options("git", "ssh.example.com:2222"));
    assert_eq!(s.url, "ssh://git@ssh.example.com:2222/v3/org/project/repo");
    assert_eq!(
        s.ssh_host,
        Some(SshHost {
            host: "ssh.example.com".into(),
            port: 2222
        })
    );

    // Server: https keeps its port; SSH adds the git user.
    let server = "https://tfs.example.com:8443/Coll/Proj/_git/Repo";
    assert_eq!(sync(server, &token_options()).url, server);
    let s = sync(server, &SyncUrlOptions::default());
    assert_eq!(s.url, "ssh://git@tfs.example.com:22/Coll/Proj/_git/Repo");
    assert_eq!(
        s.ssh_host,
        Some(SshHost {
            host: "tfs.example.com".into(),
            port: 22
        })
    );

    // Generic: Flux's literal rules on the given URL.
    let generic_ssh = "ssh://git@host:2222/x/y.git";
    assert_eq!(
        sync(generic_ssh, &token_options()).url,
        "https://host/x/y.git"
    );
    assert_eq!(
        sync(generic_ssh, &SyncUrlOptions::default()).url,
        generic_ssh
    );
    assert_eq!(
        sync("https://host:8443/x/y.git", &SyncUrlOptions::default()).url,
        "ssh://git@host:8443/x/y.git"
    );
    assert_eq!(
        sync("ssh://deploy@host/x.git", &SyncUrlOptions::default()).url,
        "ssh://deploy@host/x.git"
    );
    assert_eq!(
        sync("ssh://deploy@host/x.git", &ssh_options("bot", "")).url,
        "ssh://bot@host/x.git"
    );

    // http only with --allow-insecure-http, and then it stays http.
    let http = "http://tfs:8080/tfs/Coll/Proj/_git/Repo";
    let err = azure_url::parse(http)
        .and_then(|r| r.sync_url(&token_options()))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidUrl);
    let insecure = SyncUrlOptions {
        allow_insecure_http: true,
        ..token_options()
    };
    assert_eq!(sync(http, &insecure).url, http);

    let err = azure_url::parse(HTTPS)
        .and_then(|r| r.sync_url(&ssh_options("git", "bad host")))
        .unwrap_err();
    assert_eq!(
        (err.code(), err.option()),
        (ErrorCode::InvalidOption, Some("ssh-hostname"))
    );
    let err = azure_url::parse(HTTPS)
        .and_then(|r| r.sync_url(&ssh_options("", "")))
        .unwrap_err();
    assert_eq!(
        (err.code(), err.option()),
        (ErrorCode::InvalidOption, Some("username"))
    );
}

#[test]
fn wrong_urls_are_invalid_url_errors_with_the_expected_form() {
    for url in [
        "",
        "   ",
        "https://dev.azure.com/org/project/_git/repo?path=/README.md",
        "https://dev.azure.com/org/project/_git/repo?version=GBmain",
        "https://dev.azure.com/org/project/_git/repo#readme",
        "https://dev.azure.com/org/project",
        "https://dev.azure.com/org/project/_git",
        "https://dev.azure.com/org/project/_git/",
        "https://dev.azure.com/org//_git/repo",
        "https://dev.azure.com/org/project/_git//repo",
        "https://dev.azure.com/",
        "https://dev.azure.com/org/project/_git/repo/commit/abc123",
        "https://dev.azure.com/org/a/b/_git/repo",
        "https://dev.azure.com/org/project/_git/.git",
        "https://dev.azure.com/org/pro%ZZject/_git/repo",
        "https://org.visualstudio.com/project",
        "https://a.b.visualstudio.com/project/_git/repo",
        "git@ssh.dev.azure.com:v3/org/project",
        "git@ssh.dev.azure.com:v2/org/project/repo",
        "git@ssh.dev.azure.com:v3/org/project/repo/extra",
        "ssh://git@ssh.dev.azure.com:2222/v3/org/project/repo",
        "https://ssh.dev.azure.com/v3/org/project/repo",
        "https://tfs.example.com/Project/_git/Repo",
        "https://tfs.example.com/Coll/Project/_git",
        "https://tfs.example.com/Coll/Project/_git/Repo?path=/x",
        "ftp://example.com/x.git",
        "file:///srv/git/x.git",
        "github.com/fluxcd/flux2",
        "https://github.com",
        "https://github.com/x/y?ref=main",
        "https://host:99999/x",
        "https://host:/x",
        "https://bad_host name/x",
        "https://dev.azure.com/org/project/_git/repo\nnext",
        "dev.azure.com:443/org/project/_git/repo",
        "ssh://git@dev.azure.com/org/project/_git/repo",
    ] {
        let err = azure_url::parse(url).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidUrl, "{url:?}: {err}");
        assert_eq!(err.option(), Some("url"));
        let Error::InvalidUrl {
            expected, reason, ..
        } = &err
        else {
            unreachable!()
        };
        assert!(!expected.is_empty() && !reason.is_empty(), "{url:?}");
    }
}

#[test]
fn pasted_passwords_never_reach_the_repo_or_errors() {
    let password = "FAKE-PAT-abcdefghijklmnopqrstuvwxyz0123456789";
    for url in [
        format!("https://org:{password}@dev.azure.com/org/project/_git/repo"),
        format!("https://{password}@dev.azure.com/org/project/_git/repo"),
        format!("https://user:{password}@github.com/x/y.git"),
        format!("ssh://git:{password}@host/x/y.git"),
    ] {
        let repo = parse(&url);
        assert!(!format!("{repo:?}").contains(password), "{repo:?}");
        let s = repo.sync_url(&SyncUrlOptions::default()).unwrap();
        assert!(!s.url.contains(password));
    }
    for url in [
        format!("https://org:{password}@dev.azure.com/org/project?path=/x"),
        format!("https://{password}@dev.azure.com/org/project"),
        format!("https://user:{password}@host:bad/x"),
        format!("https://user:pa/ss{password}@host/x"),
        format!("ftp://user:{password}@host/x"),
        format!("user:{password}@dev.azure.com/org/project/_git/repo"),
        format!("x:{password}@host/y://z"),
    ] {
        let err = azure_url::parse(&url).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidUrl);
        assert!(!err.to_string().contains(password), "{err}");
        assert!(!format!("{err:?}").contains(password), "{err:?}");
    }
}

#[test]
fn host_is_the_https_url_host_as_a_browser_writes_it() {
    for (url, host) in [
        (
            "https://tfs.example.com:8443/Coll/Project/_git/Repo",
            "tfs.example.com:8443",
        ),
        (
            "https://TFS.example.com:443/Coll/Project/_git/Repo",
            "tfs.example.com",
        ),
        ("http://tfs:8080/tfs/Coll/Project/_git/Repo", "tfs:8080"),
        ("http://tfs:80/tfs/Coll/Project/_git/Repo", "tfs"),
        ("http://tfs:443/tfs/Coll/Project/_git/Repo", "tfs:443"),
        (
            "ssh://tfs.example.com:22/Coll/Project/_git/Repo",
            "tfs.example.com",
        ),
        ("https://[::1]:8443/Coll/Project/_git/Repo", "[::1]:8443"),
        ("https://[0:0:0:0:0:0:0:1]/Coll/Project/_git/Repo", "[::1]"),
        (
            "https://[2001:DB8:0:0:1:0:0:1]/Coll/P/_git/R",
            "[2001:db8::1:0:0:1]",
        ),
        (
            "https://[::ffff:192.0.2.1]/Coll/P/_git/R",
            "[::ffff:c000:201]",
        ),
        (
            "https://[1:2:3:4:5:6:7:8]/Coll/P/_git/R",
            "[1:2:3:4:5:6:7:8]",
        ),
        (
            "https://[1:0:3:4:5:6:7:8]/Coll/P/_git/R",
            "[1:0:3:4:5:6:7:8]",
        ),
        ("https://github.com/fluxcd/flux2.git", "github.com"),
        ("ssh://git@host:2222/x/y.git", "host"),
        ("https://git.example.com:444/x/y.git", "git.example.com:444"),
    ] {
        assert_eq!(parse(url).host, host, "{url}");
    }
}

#[test]
fn repo_serializes_in_camel_case() {
    let json = serde_json::to_value(parse(HTTPS)).unwrap();
    assert_eq!(json["kind"], "azureDevOpsServices");
    assert_eq!(json["httpsUrl"], HTTPS);
    assert_eq!(json["sshUrl"], SSH);
    assert_eq!(json["host"], "dev.azure.com");
}

/// Names as Azure DevOps allows them, spaces and non-ASCII included.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 ._()+&'é-]{0,14}".prop_filter("not a .git suffix or blank end", |s| {
        !s.ends_with(".git") && !s.ends_with(' ')
    })
}

fn org() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{0,10}"
}

fn same_repo(a: &Repo, b: &Repo) -> bool {
    (
        a.kind,
        &a.organization,
        &a.project,
        &a.name,
        &a.https_url,
        &a.ssh_url,
    ) == (
        b.kind,
        &b.organization,
        &b.project,
        &b.name,
        &b.https_url,
        &b.ssh_url,
    )
}

proptest! {
    #[test]
    fn no_input_panics(input in any::<String>()) {
        if let Ok(repo) = azure_url::parse(&input) {
            let _ = repo.sync_url(&SyncUrlOptions::default());
            let _ = repo.sync_url(&token_options());
        }
    }

    #[test]
    fn no_url_shaped_input_panics(input in "(https?://|ssh://|git@)?[a-z@:.%/_ ?#0-9A-F-]{0,40}") {
        if let Ok(repo) = azure_url::parse(&input) {
            let _ = repo.sync_url(&SyncUrlOptions::default());
            let _ = repo.sync_url(&token_options());
        }
    }

    #[test]
    fn services_urls_round_trip(org in org(), project in name(), repo in name(), form in 0usize..4) {
        let enc = |s: &str| s.replace('%', "%25").replace(' ', "%20");
        let url = match form {
            0 => format!("https://dev.azure.com/{org}/{}/_git/{}", enc(&project), enc(&repo)),
            1 => format!("https://{org}@dev.azure.com/{org}/{project}/_git/{repo}/"),
            2 => format!("https://{org}.visualstudio.com/DefaultCollection/{}/_git/{}.git", enc(&project), enc(&repo)),
            _ => format!("git@ssh.dev.azure.com:v3/{org}/{}/{}", enc(&project), enc(&repo)),
        };
        let parsed = azure_url::parse(&url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
        prop_assert_eq!(&parsed.project, &project);
        prop_assert_eq!(&parsed.name, &repo);
        for again in [&parsed.https_url, &parsed.ssh_url, &parsed.url] {
            let reparsed = azure_url::parse(again).map_err(|e| TestCaseError::fail(format!("{again}: {e}")))?;
            prop_assert!(same_repo(&parsed, &reparsed), "{:?} vs {:?}", parsed, reparsed);
        }
    }

    #[test]
    fn server_and_generic_urls_round_trip(host in "[a-z][a-z0-9-]{0,8}(\\.[a-z]{2,5})?", port in proptest::option::of(1u16..), a in name(), b in name(), server in any::<bool>()) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let enc = |s: &str| s.replace('%', "%25").replace(' ', "%20");
        let url = if server {
            format!("https://{host}{port}/Coll/{}/_git/{}", enc(&a), enc(&b))
        } else {
            format!("https://{host}{port}/{}/{}.git", enc(&a), enc(&b))
        };
        let parsed = azure_url::parse(&url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
        for again in [&parsed.https_url, &parsed.ssh_url, &parsed.url] {
            let reparsed = azure_url::parse(again).map_err(|e| TestCaseError::fail(format!("{again}: {e}")))?;
            prop_assert_eq!(&reparsed.name, &parsed.name);
            prop_assert_eq!(reparsed.kind, parsed.kind);
            prop_assert_eq!(&reparsed.project, &parsed.project);
            let twice = azure_url::parse(&reparsed.https_url).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&twice.https_url, &reparsed.https_url);
        }
    }
}

proptest! {
    #[test]
    fn a_pasted_password_never_survives(
        password in "FAKE[A-Za-z0-9._~-]{12,30}",
        rest in "(dev\\.azure\\.com/org/p/_git/r|dev\\.azure\\.com/org/p|host:bad/x|host/x\\?q|github\\.com/a/b\\.git|[a-z/:.?#]{0,20})",
        scheme in "(https://|ssh://|http://|ftp://|)",
        user in "(git|org|)",
    ) {
        let url = format!("{scheme}{user}:{password}@{rest}");
        match azure_url::parse(&url) {
            Ok(repo) => {
                prop_assert!(!format!("{repo:?}").contains(&password), "{:?}", repo);
                for options in [SyncUrlOptions::default(), token_options()] {
                    if let Ok(sync) = repo.sync_url(&options) {
                        prop_assert!(!sync.url.contains(&password));
                    }
                }
            }
            Err(err) => {
                prop_assert!(!err.to_string().contains(&password), "{}", err);
            }
        }
    }
}

/// Messages show the URL as the user gave it: neither decoded nor encoded, only a password
/// (or a token-long user name) masked, for HTTPS and SSH alike.
#[test]
fn messages_show_the_url_as_given() {
    for url in [
        "https://dev.azure.com/org/Platform%20Team/_git/repo",
        "https://dev.azure.com/org/Platform Team/_git/repo",
        "ssh://git@ssh.dev.azure.com/v3/org/Platform%20Team/repo",
        "ssh://git@ssh.dev.azure.com/v3/org/Platform Team/repo",
        "git@ssh.dev.azure.com:v3/org/Platform%20Team/repo",
    ] {
        assert_eq!(azure_url::shown_url(url), url);
    }
    assert_eq!(
        azure_url::shown_url(
            "https://org:FAKE-PAT-0000@dev.azure.com/org/Platform%20Team/_git/repo"
        ),
        "https://org:***@dev.azure.com/org/Platform%20Team/_git/repo"
    );
    let Err(Error::InvalidUrl { url, .. }) =
        azure_url::parse("https://dev.azure.com/org/Platform%20Team")
    else {
        panic!("an incomplete URL is INVALID_URL");
    };
    assert_eq!(url, "https://dev.azure.com/org/Platform%20Team");
}

/// The REST API's and the tenant probe's starting point, one rule for every URL form (the host
/// once built it itself, unencoded, from `organization`).
#[test]
fn organization_url_of_every_form() {
    for (url, expected) in [
        (HTTPS, Some("https://dev.azure.com/org")),
        (SSH, Some("https://dev.azure.com/org")),
        (
            "https://org.visualstudio.com/DefaultCollection/project/_git/repo",
            Some("https://dev.azure.com/org"),
        ),
        (
            "ssh://git@ssh.dev.azure.com/v3/my%20org/project/repo",
            Some("https://dev.azure.com/my%20org"),
        ),
        (
            "https://tfs.example.com:8443/tfs/Default Collection/Project/_git/repo",
            Some("https://tfs.example.com:8443/tfs/Default%20Collection"),
        ),
        ("https://git.example.com/team/repo.git", None),
        ("git@github.com:team/repo.git", None),
    ] {
        assert_eq!(parse(url).organization_url().as_deref(), expected, "{url}");
    }
}
