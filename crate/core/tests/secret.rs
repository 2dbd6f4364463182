//! A failing unwrap is a failing test here; the core itself keeps errors as values.
#![allow(clippy::unwrap_used)]

mod common;

use common::assert_golden;
use flux_azdo_core::secret::{self, Auth, Options};
use flux_azdo_core::secret_string::SecretString;
use flux_azdo_core::yaml::{self, Node};
use flux_azdo_core::ErrorCode;

// Obviously fake credentials, made up here; nothing real ever goes into a golden file.
const FAKE_PAT: &str = "FAKE-PAT-for-tests-0000";
const FAKE_PASSPHRASE: &str = "FAKE-passphrase-for-tests";
const FAKE_KEY: &str =
    "-----BEGIN PRIVATE KEY-----\nFAKE-KEY-FOR-TESTS-ONLY\n-----END PRIVATE KEY-----\n";
const FAKE_PUB: &str = "ssh-rsa AAAAFAKEPUBLICKEYFORTESTS\n";
const KNOWN_HOSTS: &str = "ssh.dev.azure.com ssh-rsa AAAAFAKEHOSTKEYFORTESTS";
const FAKE_CA: &str = "-----BEGIN CERTIFICATE-----\nFAKE-CA-FOR-TESTS\n-----END CERTIFICATE-----\n";

fn options(auth: Auth) -> Options {
    Options {
        name: "flux-system".to_owned(),
        namespace: "flux-system".to_owned(),
        auth,
    }
}

fn token(ca: Option<&str>) -> Options {
    options(Auth::Token {
        username: "git".to_owned(),
        password: SecretString::new(FAKE_PAT),
        ca_crt: ca.map(str::to_owned),
    })
}

fn ssh(passphrase: Option<&str>) -> Options {
    options(Auth::Ssh {
        identity: SecretString::new(FAKE_KEY),
        identity_pub: FAKE_PUB.to_owned(),
        known_hosts: KNOWN_HOSTS.to_owned(),
        passphrase: passphrase.map(SecretString::new),
    })
}

/// The Secret and its YAML as Flux writes it (`---` then the object): the core hands the host
/// only the object, which it applies; the YAML shows the object is the one Flux makes.
#[derive(Debug)]
struct Output {
    secret: secret::Secret,
    yaml: SecretString,
}

fn generate(options: &Options) -> Result<Output, flux_azdo_core::Error> {
    let secret = secret::generate(options)?;
    let object = Node::map_of([
        ("apiVersion", Node::str("v1")),
        ("kind", Node::str("Secret")),
        (
            "metadata",
            Node::map_of([
                ("name", Node::str(&secret.name)),
                ("namespace", Node::str(&secret.namespace)),
            ]),
        ),
        (
            "stringData",
            Node::Map(
                secret
                    .string_data
                    .iter()
                    .map(|(k, v)| (k.clone(), Node::str(v)))
                    .collect(),
            ),
        ),
    ]);
    let yaml = SecretString::new(format!("---\n{}", yaml::documents_to_string(&[object])));
    Ok(Output { secret, yaml })
}

fn keys(out: &Output) -> Vec<&str> {
    out.secret.string_data.keys().map(String::as_str).collect()
}

/// The §6 example of the reference with the fake PAT: Flux's exact bytes for token auth.
const FLUX_TOKEN_SECRET: &str = "---
apiVersion: v1
kind: Secret
metadata:
  name: flux-system
  namespace: flux-system
stringData:
  password: FAKE-PAT-for-tests-0000
  username: git
";

#[test]
fn token_secret_matches_flux() {
    let out = generate(&token(None)).unwrap();
    assert_eq!(out.yaml.expose(), FLUX_TOKEN_SECRET);
    assert_eq!(keys(&out), ["password", "username"]);
    assert_golden("secret/token.yaml", out.yaml.expose());
}

#[test]
fn bearer_secret_has_only_the_token() {
    let out = generate(&options(Auth::Bearer {
        token: SecretString::new(FAKE_PAT),
        ca_crt: None,
    }))
    .unwrap();
    assert_eq!(keys(&out), ["bearerToken"]);
    assert_golden("secret/bearer.yaml", out.yaml.expose());
}

#[test]
fn ca_file_is_added_as_ca_crt() {
    let out = generate(&token(Some(FAKE_CA))).unwrap();
    assert_eq!(keys(&out), ["ca.crt", "password", "username"]);
    assert_eq!(out.secret.string_data["ca.crt"], FAKE_CA);
    assert_golden("secret/token-ca.yaml", out.yaml.expose());
}

#[test]
fn ssh_secret_has_key_pair_known_hosts_and_passphrase() {
    let out = generate(&ssh(Some(FAKE_PASSPHRASE))).unwrap();
    assert_eq!(
        keys(&out),
        ["identity", "identity.pub", "known_hosts", "password"]
    );
    assert_eq!(out.secret.string_data["password"], FAKE_PASSPHRASE);
    assert_golden("secret/ssh-passphrase.yaml", out.yaml.expose());

    let without = generate(&ssh(None)).unwrap();
    assert_eq!(keys(&without), ["identity", "identity.pub", "known_hosts"]);
}

#[test]
fn names_come_from_the_options() {
    let out = generate(&Options {
        name: "azure-devops".to_owned(),
        namespace: "gitops".to_owned(),
        ..token(None)
    })
    .unwrap();
    assert_eq!(out.secret.name, "azure-devops");
    assert!(out
        .yaml
        .expose()
        .contains("  name: azure-devops\n  namespace: gitops\n"));
}

/// Parses the YAML back; the Secret's values must survive (multi-line PEM included).
fn assert_yaml_holds_string_data(out: &Output) {
    let value: serde_yaml::Value = serde_yaml::from_str(out.yaml.expose()).expect("YAML parses");
    for (key, expected) in &out.secret.string_data {
        assert_eq!(
            value["stringData"][key.as_str()].as_str(),
            Some(expected.as_str()),
            "{key}"
        );
    }
}

#[test]
fn single_line_secret_yaml_parses_back() {
    assert_yaml_holds_string_data(&generate(&token(None)).unwrap());
}

#[test]
fn multi_line_secret_yaml_parses_back() {
    assert_yaml_holds_string_data(&generate(&token(Some(FAKE_CA))).unwrap());
    assert_yaml_holds_string_data(&generate(&ssh(Some(FAKE_PASSPHRASE))).unwrap());
}

#[test]
fn debug_never_prints_credentials() {
    for opts in [token(Some(FAKE_CA)), ssh(Some(FAKE_PASSPHRASE))] {
        let out = generate(&opts).unwrap();
        for printed in [
            format!("{opts:?}"),
            format!("{out:?}"),
            format!("{:?}", out.secret),
        ] {
            for secret in [FAKE_PAT, FAKE_PASSPHRASE, "FAKE-KEY-FOR-TESTS-ONLY"] {
                assert!(
                    !printed.contains(secret),
                    "Debug leaks a credential: {printed}"
                );
            }
            assert!(printed.contains("***"));
        }
    }
}

#[test]
fn missing_credentials_are_typed_errors_without_values() {
    let cases = [
        (
            "password",
            options(Auth::Token {
                username: "git".to_owned(),
                password: SecretString::new(""),
                ca_crt: None,
            }),
        ),
        (
            "username",
            options(Auth::Token {
                username: String::new(),
                password: SecretString::new(FAKE_PAT),
                ca_crt: None,
            }),
        ),
        (
            "password",
            options(Auth::Bearer {
                token: SecretString::new(""),
                ca_crt: None,
            }),
        ),
        ("ca-file", token(Some(" \n"))),
        (
            "private-key-file",
            options(Auth::Ssh {
                identity: SecretString::new(""),
                identity_pub: FAKE_PUB.to_owned(),
                known_hosts: KNOWN_HOSTS.to_owned(),
                passphrase: None,
            }),
        ),
        (
            "ssh-hostname",
            options(Auth::Ssh {
                identity: SecretString::new(FAKE_KEY),
                identity_pub: FAKE_PUB.to_owned(),
                known_hosts: String::new(),
                passphrase: Some(SecretString::new(FAKE_PASSPHRASE)),
            }),
        ),
        (
            "secret-name",
            Options {
                name: "Flux System".to_owned(),
                ..token(None)
            },
        ),
        (
            "namespace",
            Options {
                namespace: "flux.system".to_owned(),
                ..token(None)
            },
        ),
    ];
    for (option, opts) in cases {
        let err = generate(&opts).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidOption, "{err}");
        assert_eq!(err.option(), Some(option), "{err}");
        let message = err.to_string();
        for secret in [FAKE_PAT, FAKE_PASSPHRASE, "FAKE-KEY-FOR-TESTS-ONLY"] {
            assert!(
                !message.contains(secret),
                "error leaks a credential: {message}"
            );
        }
    }
}

#[test]
fn options_read_from_camel_case_json() {
    let opts: Options = serde_json::from_str(
        r#"{"auth":{"type":"ssh","identity":"k","identityPub":"p","knownHosts":"h","passphrase":"x"}}"#,
    )
    .unwrap();
    assert_eq!(opts.name, "flux-system");
    assert!(matches!(opts.auth, Auth::Ssh { .. }));
    let out = generate(&opts).unwrap();
    let json = serde_json::to_value(&out.secret).unwrap();
    assert_eq!(json["stringData"]["identity.pub"], "p");
}
