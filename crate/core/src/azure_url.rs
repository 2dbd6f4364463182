//! Azure DevOps repository URLs: every form users paste, one `Repo` value, and the HTTPS, SSH
//! and sync URLs derived from it. Other Git hosts pass through as plain Git URLs.
//!
//! Accepted forms (user info is dropped, a trailing `/` or `.git` is ignored, names may be
//! written with spaces or %-encoded):
//! - `https://dev.azure.com/{org}/{project}/_git/{repo}` (also `https://{org}@dev.azure.com/...`)
//! - `https://{org}.visualstudio.com/[DefaultCollection/]{project}/_git/{repo}`
//! - `git@ssh.dev.azure.com:v3/{org}/{project}/{repo}`, `ssh://git@ssh.dev.azure.com/v3/...`
//!   (and the older `vs-ssh.visualstudio.com`)
//! - Azure DevOps Server: `https://{host}[:port]/{collection}/{project}/_git/{repo}` and
//!   `ssh://{host}:22/{collection}/{project}/_git/{repo}`
//! - any other `https://`, `http://`, `ssh://` or `git@host:path` Git URL, as a generic host.

pub mod ado;
mod raw;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use raw::{encode_user, redact, split, split_host_port, RawUrl, Scheme};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum HostKind {
    /// dev.azure.com (and the older *.visualstudio.com).
    AzureDevOpsServices,
    /// Azure DevOps Server / TFS on its own host.
    AzureDevOpsServer,
    /// Any other Git host.
    Generic,
}

/// One repository, whichever form it was pasted in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Repo {
    pub kind: HostKind,
    /// Organization (Services) or collection path (Server, e.g. `DefaultCollection` or
    /// `tfs/DefaultCollection`); empty for a generic host. Decoded text.
    pub organization: String,
    /// Project name, decoded (`My Project`); empty for a generic host.
    pub project: String,
    /// Repository name, decoded; for a generic host the last path segment without `.git`.
    pub name: String,
    /// The URL in the transport it was given in, normalized: no password, no browser parts,
    /// scp-like syntax turned into `ssh://`, names %-encoded as Go writes them.
    pub url: String,
    /// Clone URL over HTTPS (over `http://` only for a Server given as `http://`).
    pub https_url: String,
    /// Clone URL over SSH (`ssh://git@ssh.dev.azure.com/v3/org/project/repo` for Services).
    pub ssh_url: String,
    /// The host of `httpsUrl` as a browser's `URL.host` writes it: lowercase, IPv6 in brackets
    /// and compressed, the port only when it is not the scheme's default (443, 80). So
    /// `dev.azure.com` for Services in every form (a `*.visualstudio.com` URL clones from
    /// dev.azure.com too), `host[:port]` of a Server or another Git host. Front ends key what
    /// they remember per host on it (the VS Code extension's stored PATs).
    pub host: String,
}

/// How the cluster authenticates, which decides the sync URL (Flux's `bootstrap git` rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SyncUrlOptions {
    /// The cluster syncs over HTTPS (`--token-auth`, `--with-bearer-token`, workload
    /// identity); otherwise over SSH.
    pub https: bool,
    /// `--username` (default `git`): the SSH user when the URL has none or it is not `git`.
    pub username: String,
    /// `--ssh-hostname`: replaces `host[:port]` of the SSH sync URL and of the host key scan.
    pub ssh_hostname: String,
    /// `--allow-insecure-http`.
    pub allow_insecure_http: bool,
}

impl Default for SyncUrlOptions {
    fn default() -> Self {
        Self {
            https: false,
            username: "git".to_owned(),
            ssh_hostname: String::new(),
            allow_insecure_http: false,
        }
    }
}

/// The host whose key goes into known_hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SshHost {
    /// The host name or address, IPv6 without brackets (as a socket or known_hosts takes it).
    pub host: String,
    /// 22 unless the URL names another port.
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncUrl {
    /// The GitRepository's `spec.url`.
    pub url: String,
    /// For SSH: the host to scan for known_hosts (Flux's `SSHHostname`); none for HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub ssh_host: Option<SshHost>,
}

pub const EXPECTED_FORMS: &str = "https://dev.azure.com/<organization>/<project>/_git/<repository>, git@ssh.dev.azure.com:v3/<organization>/<project>/<repository>, or for Azure DevOps Server https://<server>/<collection>/<project>/_git/<repository>";

/// The URL as messages show it: exactly as the user gave it, with a password (or a user name
/// long enough to be a token) masked. One rule for every message, core and host alike: no
/// decoding (`Platform Team` stays `Platform%20Team` if so typed) and no encoding (a typed
/// space stays a space), so the URL in an error is the one the user can find in their command.
pub fn shown_url(input: &str) -> String {
    redact(input.trim())
}

/// Parses a repository URL in any accepted form.
pub fn parse(input: &str) -> Result<Repo> {
    let input = input.trim();
    let fail = |reason: &str, expected: &str| Error::InvalidUrl {
        url: shown_url(input),
        reason: reason.to_owned(),
        expected: expected.to_owned(),
    };
    if input.is_empty() {
        return Err(fail("the repository URL is empty", EXPECTED_FORMS));
    }
    let raw = split(input).map_err(|reason| fail(&reason, EXPECTED_FORMS))?;
    match ado::classify(&raw) {
        Ok(Some(repo)) => Ok(repo),
        Ok(None) => generic(&raw)
            .map_err(|reason| fail(&reason, "https://<host>/<path> or ssh://git@<host>/<path>")),
        Err((reason, expected)) => Err(fail(&reason, expected)),
    }
}

impl Repo {
    /// The GitRepository URL, by Flux's `bootstrap git` rules. Token auth: `https` (unless
    /// `--allow-insecure-http` and an `http://` URL), no user info, the port kept only if the
    /// URL was http(s). SSH: `ssh://`, the user set to `--username` when the URL has none or
    /// `--username` is not `git`, the host replaced by `--ssh-hostname`. For Azure DevOps the
    /// rules apply to the clone URL of the chosen transport, so an SSH URL with token auth
    /// gives the HTTPS clone URL (Flux would only swap the scheme and break it).
    pub fn sync_url(&self, options: &SyncUrlOptions) -> Result<SyncUrl> {
        let fail = |reason: String| Error::InvalidUrl {
            url: redact(&self.url),
            reason,
            expected: EXPECTED_FORMS.to_owned(),
        };
        let given = split(&self.url).map_err(&fail)?;
        if given.scheme == Scheme::Http && !options.allow_insecure_http {
            return Err(fail(
                "scheme http is insecure; use https:// or pass --allow-insecure-http=true".into(),
            ));
        }
        let generic = self.kind == HostKind::Generic;
        if options.https {
            let base = if generic {
                given
            } else {
                split(&self.https_url).map_err(&fail)?
            };
            let keep_http = base.scheme == Scheme::Http && options.allow_insecure_http;
            let scheme = if keep_http { "http" } else { "https" };
            let port = base.port.filter(|_| base.scheme.is_http());
            return Ok(SyncUrl {
                url: format!("{scheme}://{}{}", host_port(&base.host, port), base.path),
                ssh_host: None,
            });
        }

        let base = if generic {
            given
        } else {
            split(&self.ssh_url).map_err(&fail)?
        };
        if options.username.is_empty() {
            return Err(Error::invalid_option(
                "username",
                "",
                "the SSH user name must not be empty (Flux's default is git)",
            ));
        }
        let user = match &base.user {
            Some(user) if options.username == "git" => user.clone(),
            _ => options.username.clone(),
        };
        let (host, port) = if options.ssh_hostname.is_empty() {
            (base.host, base.port)
        } else {
            split_host_port(&options.ssh_hostname).map_err(|reason| {
                Error::invalid_option(
                    "ssh-hostname",
                    &options.ssh_hostname,
                    format!("{reason}; give host or host:port"),
                )
            })?
        };
        Ok(SyncUrl {
            url: format!(
                "ssh://{}@{}{}",
                encode_user(&user),
                host_port(&host, port),
                base.path
            ),
            ssh_host: Some(SshHost {
                host: bare_host(&host).to_owned(),
                port: port.unwrap_or(22),
            }),
        })
    }
}

/// How the CLI's own Git connection goes, from the URL as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "transport",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PushTarget {
    /// Smart HTTP(S) with the PAT.
    Https {
        /// The clone URL.
        url: String,
    },
    /// SSH with the deploy key.
    Ssh {
        /// The `ssh://` URL.
        url: String,
        /// Host name or address; IPv6 without brackets.
        host: String,
        /// 22 unless the URL names another port.
        port: u16,
        /// The SSH user (`git` when the URL names none).
        username: String,
        /// The repository path as the server sees it (%-decoded), e.g. `/v3/org/project/repo`.
        path: String,
        /// Host key algorithms to offer (empty: the SSH client's own list).
        host_key_algorithms: Vec<String>,
    },
}

impl PushTarget {
    pub fn url(&self) -> &str {
        match self {
            Self::Https { url } | Self::Ssh { url, .. } => url,
        }
    }
}

/// What an SSH host must show: the host key fingerprints its operator publishes (empty: scan
/// and trust on first use) and the host key algorithms to offer (empty: the client's list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SshHostPolicy {
    pub published_fingerprints: Vec<String>,
    pub host_key_algorithms: Vec<String>,
}

/// The policy for `host`: Azure DevOps' published key and RSA SHA-2 algorithms for its SSH
/// hosts, nothing for any other host.
pub fn ssh_host_policy(host: &str) -> SshHostPolicy {
    if ado::is_ssh_host(host) {
        SshHostPolicy {
            published_fingerprints: ado::HOST_KEY_FINGERPRINTS.map(str::to_owned).to_vec(),
            host_key_algorithms: ado::HOST_KEY_ALGORITHMS.map(str::to_owned).to_vec(),
        }
    } else {
        SshHostPolicy {
            published_fingerprints: Vec::new(),
            host_key_algorithms: Vec::new(),
        }
    }
}

impl Repo {
    /// Whether the repository is on Azure DevOps (Services or Server).
    pub fn is_azure_devops(&self) -> bool {
        matches!(
            self.kind,
            HostKind::AzureDevOpsServices | HostKind::AzureDevOpsServer
        )
    }

    /// The organisation's URL (`https://dev.azure.com/{org}`, or `https://{server}/{collection}`
    /// for Azure DevOps Server): the clone URL without `/{project}/_git/{repo}`.
    pub fn organization_url(&self) -> Option<String> {
        if !self.is_azure_devops() {
            return None;
        }
        let (before_git, _) = self.https_url.split_once("/_git/")?;
        let (organization, _project) = before_git.rsplit_once('/')?;
        Some(organization.to_owned())
    }

    /// Azure DevOps' page where a user adds an SSH public key (Services only).
    pub fn deploy_key_page(&self) -> Option<String> {
        (self.kind == HostKind::AzureDevOpsServices).then(|| {
            format!(
                "https://dev.azure.com/{}/_usersSettings/keys",
                raw::encode_component(&self.organization)
            )
        })
    }

    /// The host key algorithms an SSH connection to `host` offers: `requested`
    /// (`--ssh-hostkey-algos`) when given, else Azure DevOps' for a repository there.
    pub fn host_key_algorithms(&self, host: &str, requested: &[String]) -> Vec<String> {
        if !requested.is_empty() {
            requested.to_vec()
        } else if self.is_azure_devops() || ado::is_ssh_host(host) {
            ado::HOST_KEY_ALGORITHMS.map(str::to_owned).to_vec()
        } else {
            Vec::new()
        }
    }

    /// How the CLI pushes: over the transport of the URL as given.
    pub fn push_target(&self, requested_algorithms: &[String]) -> Result<PushTarget> {
        let fail = |reason: String| Error::InvalidUrl {
            url: redact(&self.url),
            reason,
            expected: EXPECTED_FORMS.to_owned(),
        };
        let given = split(&self.url).map_err(&fail)?;
        if given.scheme.is_http() {
            return Ok(PushTarget::Https {
                url: self.url.clone(),
            });
        }
        let path = raw::decode(&given.path)
            .map_err(|()| fail("the path has an invalid %-escape".into()))?;
        let host = bare_host(&given.host).to_owned();
        Ok(PushTarget::Ssh {
            url: self.url.clone(),
            host_key_algorithms: self.host_key_algorithms(&host, requested_algorithms),
            host,
            port: given.port.unwrap_or(22),
            username: given.user.unwrap_or_else(|| "git".to_owned()),
            path,
        })
    }
}

/// `[::1]` → `::1`: sockets and known_hosts take IPv6 addresses without brackets.
fn bare_host(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

fn host_port(host: &str, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// A plain Git URL of any other host: kept as given, minus the password, with a best-guess
/// URL for the other transport (`https://host/path` ⇄ `ssh://git@host/path`).
fn generic(raw: &RawUrl) -> std::result::Result<Repo, String> {
    if raw.query.is_some() || raw.fragment.is_some() {
        return Err("a Git clone URL has no query (?…) or fragment (#…)".into());
    }
    let segments: Vec<String> = raw
        .path
        .split('/')
        .map(|s| raw::decode(s).map_err(|_| "the path has an invalid %-escape".to_owned()))
        .collect::<std::result::Result<_, _>>()?;
    if segments.iter().all(String::is_empty) {
        return Err("the repository path is missing".into());
    }
    let path: Vec<String> = segments.iter().map(|s| raw::encode_segment(s)).collect();
    let path = path.join("/");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let name = segments
        .iter()
        .rev()
        .find(|s| !s.is_empty())
        .map(|s| s.strip_suffix(".git").unwrap_or(s).to_owned())
        .unwrap_or_default();
    let http_scheme = if raw.scheme == Scheme::Http {
        "http"
    } else {
        "https"
    };
    let http_port = raw.port.filter(|_| raw.scheme.is_http());
    let ssh_port = raw.port.filter(|_| raw.scheme == Scheme::Ssh);
    let ssh_user = match (&raw.user, raw.scheme) {
        (Some(user), Scheme::Ssh) => user.clone(),
        _ => "git".to_owned(),
    };
    let https_url = format!("{http_scheme}://{}{path}", host_port(&raw.host, http_port));
    let ssh_url = format!(
        "ssh://{}@{}{path}",
        encode_user(&ssh_user),
        host_port(&raw.host, ssh_port)
    );
    let host = web_host(
        if raw.scheme == Scheme::Http {
            Scheme::Http
        } else {
            Scheme::Https
        },
        &raw.host,
        http_port,
    );
    Ok(Repo {
        kind: HostKind::Generic,
        organization: String::new(),
        project: String::new(),
        name,
        url: if raw.scheme.is_http() {
            https_url.clone()
        } else {
            ssh_url.clone()
        },
        https_url,
        ssh_url,
        host,
    })
}

/// `host[:port]` as the WHATWG URL parser writes an http(s) URL's host (see [`Repo::host`]).
pub(crate) fn web_host(scheme: Scheme, host: &str, port: Option<u16>) -> String {
    let default_port = if scheme == Scheme::Http { 80 } else { 443 };
    let host = match bare_host(host).parse::<std::net::Ipv6Addr>() {
        Ok(ip) if host.starts_with('[') => format!("[{}]", whatwg_ipv6(ip)),
        _ => host.to_owned(),
    };
    host_port(&host, port.filter(|&p| p != default_port))
}

/// The WHATWG URL serialization of an IPv6 address: hex pieces, the first longest run of two
/// or more zero pieces as `::`, no dotted IPv4 tail (unlike Rust's `Display`).
fn whatwg_ipv6(ip: std::net::Ipv6Addr) -> String {
    let pieces = ip.segments();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < pieces.len() {
        let run = pieces[i..].iter().take_while(|&&p| p == 0).count();
        if run >= 2 && best.is_none_or(|(_, len)| run > len) {
            best = Some((i, run));
        }
        i += run.max(1);
    }
    let hex = |ps: &[u16]| {
        ps.iter()
            .map(|p| format!("{p:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    match best {
        Some((at, len)) => format!("{}::{}", hex(&pieces[..at]), hex(&pieces[at + len..])),
        None => hex(&pieces),
    }
}
