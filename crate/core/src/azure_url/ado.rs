//! Recognizing Azure DevOps Services and Server URLs, strictly: a URL on an Azure DevOps host
//! (or with a `_git` segment) that is not a clone URL is an error saying which form to use.
//! Also what Azure DevOps' SSH hosts are known by: their names, key and algorithms.

use super::raw::{decode, encode_segment, RawUrl, Scheme};
use super::{web_host, HostKind, Repo};

const SERVICES_HTTPS: &str = "https://dev.azure.com/<organization>/<project>/_git/<repository>";
const SERVICES_SSH: &str = "git@ssh.dev.azure.com:v3/<organization>/<project>/<repository>";
const VISUALSTUDIO_HTTPS: &str =
    "https://<organization>.visualstudio.com/<project>/_git/<repository>";
const SERVER_HTTPS: &str = "https://<server>/<collection>/<project>/_git/<repository>";
const SERVER_SSH: &str = "ssh://<server>:22/<collection>/<project>/_git/<repository>";

/// Azure DevOps Services' SSH hosts.
pub const SSH_HOSTS: [&str; 2] = ["ssh.dev.azure.com", "vs-ssh.visualstudio.com"];

/// The SHA-256 fingerprint Microsoft publishes for the RSA host key of [`SSH_HOSTS`].
pub const HOST_KEY_FINGERPRINTS: [&str; 1] = ["SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og"];

/// The host key algorithms Azure DevOps SSH accepts (it refuses SHA-1 `ssh-rsa`).
pub const HOST_KEY_ALGORITHMS: [&str; 2] = ["rsa-sha2-512", "rsa-sha2-256"];

/// Whether `host` is one of Azure DevOps Services' SSH hosts (any case).
pub fn is_ssh_host(host: &str) -> bool {
    SSH_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// A reason and the form the user should have given.
pub(super) type Failure = (String, &'static str);

/// `Ok(None)` when the URL is not Azure DevOps at all.
pub(super) fn classify(raw: &RawUrl) -> Result<Option<Repo>, Failure> {
    let host = raw.host.as_str();
    if is_ssh_host(host) {
        return services_ssh(raw).map(Some);
    }
    if (host == "dev.azure.com" || host.ends_with(".visualstudio.com")) && raw.scheme == Scheme::Ssh
    {
        return Err((
            "this host serves HTTPS only; Azure DevOps SSH is ssh.dev.azure.com".into(),
            SERVICES_SSH,
        ));
    }
    if host == "dev.azure.com" {
        let expected = SERVICES_HTTPS;
        let segments = segments(raw, expected)?;
        let (org, rest) = segments
            .split_first()
            .ok_or(("the organization is missing".to_owned(), expected))?;
        let (project, repo) = project_and_repo(rest, expected)?;
        return Ok(Some(services(org, &project, &repo)));
    }
    if let Some(org) = host.strip_suffix(".visualstudio.com") {
        let expected = VISUALSTUDIO_HTTPS;
        if org.contains('.') {
            return Err((
                "the host must be <organization>.visualstudio.com".into(),
                expected,
            ));
        }
        let segments = segments(raw, expected)?;
        let rest = match segments.split_first() {
            Some((first, rest)) if first.eq_ignore_ascii_case("DefaultCollection") => rest,
            _ => &segments[..],
        };
        let (project, repo) = project_and_repo(rest, expected)?;
        return Ok(Some(services(org, &project, &repo)));
    }
    if raw.path.split('/').any(|s| s == "_git") {
        let expected = if raw.scheme == Scheme::Ssh {
            SERVER_SSH
        } else {
            SERVER_HTTPS
        };
        return server(raw, expected).map(Some);
    }
    Ok(None)
}

/// The decoded path segments, after refusing browser URLs, empty segments and bad escapes.
fn segments(raw: &RawUrl, expected: &'static str) -> Result<Vec<String>, Failure> {
    if let Some(query) = &raw.query {
        let reason = if query.contains("path=") || query.contains("version=") {
            "this is the browser address of a file or branch (?path=/?version=), not the clone URL; copy the URL from the Clone button"
        } else {
            "a clone URL has no query (?…)"
        };
        return Err((reason.into(), expected));
    }
    if raw.fragment.is_some() {
        return Err(("a clone URL has no fragment (#…)".into(), expected));
    }
    let mut path = raw.path.strip_prefix('/').unwrap_or(&raw.path);
    path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() {
        return Err(("the path to the repository is missing".into(), expected));
    }
    path.split('/')
        .map(|segment| {
            if segment.is_empty() {
                return Err(("the path has an empty segment (//)".to_owned(), expected));
            }
            let name = decode(segment)
                .map_err(|_| ("the path has an invalid %-escape".to_owned(), expected))?;
            if name.trim().is_empty()
                || name.contains(['/', '\\'])
                || name.chars().any(char::is_control)
            {
                return Err((
                    "a name in the path is blank or contains '/', '\\' or control characters"
                        .to_owned(),
                    expected,
                ));
            }
            Ok(name)
        })
        .collect()
}

/// `{project}/_git/{repo}` or `_git/{repo}` (the project's default repository, same name).
fn project_and_repo(rest: &[String], expected: &'static str) -> Result<(String, String), Failure> {
    let Some(git) = rest.iter().position(|s| s == "_git") else {
        return Err((
            "the path lacks /_git/<repository>; this looks like a project or browser page, not a clone URL".into(),
            expected,
        ));
    };
    let project = match git {
        0 => None,
        1 => Some(rest[0].clone()),
        _ => {
            return Err((
                "there is more than one path segment between the organization and /_git/".into(),
                expected,
            ))
        }
    };
    let repo = repository(&rest[git + 1..], expected)?;
    Ok((project.unwrap_or_else(|| repo.clone()), repo))
}

/// The one segment after `_git` (or `v3/org/project`), without `.git`.
fn repository(after: &[String], expected: &'static str) -> Result<String, Failure> {
    match after {
        [] => Err(("the repository name after /_git/ is missing".into(), expected)),
        [repo] => {
            let name = repo.strip_suffix(".git").unwrap_or(repo);
            if name.is_empty() {
                return Err(("the repository name is empty".into(), expected));
            }
            Ok(name.to_owned())
        }
        [_, ..] => Err((
            "there is more after the repository name (a browser URL such as …/commit/… or …/pullrequest/…?); use the clone URL".into(),
            expected,
        )),
    }
}

fn services_ssh(raw: &RawUrl) -> Result<Repo, Failure> {
    if raw.scheme != Scheme::Ssh {
        return Err(("ssh.dev.azure.com only serves SSH".into(), SERVICES_SSH));
    }
    if raw.port.is_some_and(|p| p != 22) {
        return Err((
            "Azure DevOps SSH listens on port 22 only".into(),
            SERVICES_SSH,
        ));
    }
    let segments = segments(raw, SERVICES_SSH)?;
    match segments.as_slice() {
        [v3, org, project, rest @ ..] if v3 == "v3" && !rest.is_empty() => {
            if org == "_git" || project == "_git" || rest.iter().any(|s| s == "_git") {
                return Err(("the SSH form has no _git segment".into(), SERVICES_SSH));
            }
            let repo = repository(rest, SERVICES_SSH)?;
            let mut repo = services(org, project, &repo);
            repo.url = repo.ssh_url.clone();
            Ok(repo)
        }
        [v3, ..] if v3 == "v3" => Err((
            "the SSH path needs v3/<organization>/<project>/<repository>".into(),
            SERVICES_SSH,
        )),
        _ => Err(("the SSH path must start with v3/".into(), SERVICES_SSH)),
    }
}

fn services(org: &str, project: &str, repo: &str) -> Repo {
    let (org_e, project_e, repo_e) = (
        encode_segment(org),
        encode_segment(project),
        encode_segment(repo),
    );
    let https_url = format!("https://dev.azure.com/{org_e}/{project_e}/_git/{repo_e}");
    Repo {
        kind: HostKind::AzureDevOpsServices,
        organization: org.to_owned(),
        project: project.to_owned(),
        name: repo.to_owned(),
        url: https_url.clone(),
        ssh_url: format!("ssh://git@ssh.dev.azure.com/v3/{org_e}/{project_e}/{repo_e}"),
        https_url,
        host: "dev.azure.com".to_owned(),
    }
}

/// `{collection...}/{project}/_git/{repo}` on a Server's own host.
fn server(raw: &RawUrl, expected: &'static str) -> Result<Repo, Failure> {
    let segments = segments(raw, expected)?;
    let git = segments.iter().position(|s| s == "_git").unwrap_or(0);
    if git < 2 {
        return Err((
            "Azure DevOps Server URLs need <collection>/<project> before /_git/".into(),
            expected,
        ));
    }
    let repo = repository(&segments[git + 1..], expected)?;
    let collection = &segments[..git - 1];
    let project = &segments[git - 1];
    let encoded: Vec<String> = collection
        .iter()
        .chain([project, &"_git".to_owned(), &repo])
        .map(|s| encode_segment(s))
        .collect();
    let path = encoded.join("/");
    let host = match raw.scheme {
        Scheme::Ssh => web_host(Scheme::Https, &raw.host, None),
        scheme => web_host(scheme, &raw.host, raw.port),
    };
    let (https_url, ssh_url) = match raw.scheme {
        Scheme::Ssh => (
            format!("https://{}/{path}", raw.host),
            format!("ssh://{}:{}/{path}", raw.host, raw.port.unwrap_or(22)),
        ),
        scheme => (
            match raw.port {
                Some(port) => format!("{}://{}:{port}/{path}", scheme.as_str(), raw.host),
                None => format!("{}://{}/{path}", scheme.as_str(), raw.host),
            },
            format!("ssh://{}:22/{path}", raw.host),
        ),
    };
    Ok(Repo {
        kind: HostKind::AzureDevOpsServer,
        organization: collection.join("/"),
        project: project.clone(),
        name: repo,
        url: if raw.scheme == Scheme::Ssh {
            ssh_url.clone()
        } else {
            https_url.clone()
        },
        https_url,
        ssh_url,
        host,
    })
}
