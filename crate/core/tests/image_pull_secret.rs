//! The image pull Secret (`--registry-creds`): Flux's bytes, the plan's decision, typed refusals.
#![allow(clippy::unwrap_used)]

mod common;

use common::{assert_golden, flux_bundle as bundle};
use flux_azdo_core::image_pull_secret::{self, Options};
use flux_azdo_core::plan;
use flux_azdo_core::secret_string::SecretString;
use flux_azdo_core::yaml::{self, Node};
use flux_azdo_core::ErrorCode;

// Made up here; nothing real ever goes into a golden file.
const FAKE_USER: &str = "FAKE-registry-user";
const FAKE_PASSWORD: &str = "FAKE-registry-pass";

fn options(credentials: &str) -> Options {
    Options {
        name: "regcred".to_owned(),
        namespace: "flux-system".to_owned(),
        registry: "registry.example.com/fluxcd".to_owned(),
        credentials: SecretString::new(credentials),
    }
}

/// What Go's `json.Marshal` of Flux's `DockerConfigJSON` prints for the same values (printed
/// by a Go 1.26 program on the same inputs).
const FLUX_DOCKER_CONFIG: &str = r#"{"auths":{"registry.example.com/fluxcd":{"username":"FAKE-registry-user","password":"FAKE-registry-pass","auth":"RkFLRS1yZWdpc3RyeS11c2VyOkZBS0UtcmVnaXN0cnktcGFzcw=="}}}"#;

#[test]
fn docker_config_json_is_fluxs_bytes() {
    let secret =
        image_pull_secret::generate(&options(&format!("{FAKE_USER}:{FAKE_PASSWORD}"))).unwrap();
    assert_eq!(
        secret.secret_type.as_deref(),
        Some("kubernetes.io/dockerconfigjson")
    );
    assert_eq!(secret.name, "regcred");
    assert_eq!(secret.namespace, "flux-system");
    assert_eq!(
        secret.string_data.keys().collect::<Vec<_>>(),
        [".dockerconfigjson"]
    );
    assert_eq!(secret.string_data[".dockerconfigjson"], FLUX_DOCKER_CONFIG);

    // The object as YAML, for review: what the cluster gets (never the repository).
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
        ("type", Node::str(secret.secret_type.as_deref().unwrap())),
    ]);
    assert_golden(
        "secret/image-pull-secret.yaml",
        &format!("---\n{}", yaml::documents_to_string(&[object])),
    );
}

#[test]
fn unusual_passwords_are_escaped_as_go_does() {
    let mut opts = options("FAKE-user:FAKE<&>:\"pass\\\n");
    opts.registry = "ghcr.io/fluxcd".to_owned();
    let secret = image_pull_secret::generate(&opts).unwrap();
    // Go's output for the same struct; the password keeps its colon (split at the first one).
    assert_eq!(
        secret.string_data[".dockerconfigjson"],
        r#"{"auths":{"ghcr.io/fluxcd":{"username":"FAKE-user","password":"FAKE\u003c\u0026\u003e:\"pass\\\n","auth":"RkFLRS11c2VyOkZBS0U8Jj46InBhc3NcCg=="}}}"#
    );
}

#[test]
fn bad_credentials_are_typed_errors_without_the_value() {
    for bad in [
        "FAKE-registry-user",
        ":FAKE-registry-pass",
        "FAKE-registry-user:",
    ] {
        let err = image_pull_secret::generate(&options(bad)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidOption, "{bad}");
        assert_eq!(err.option(), Some("registry-creds"));
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("FAKE-registry"),
            "the error shows the value: {text}"
        );
    }
    let mut bad_name = options("u:p");
    bad_name.name = "Not_A_Name".to_owned();
    let err = image_pull_secret::generate(&bad_name).unwrap_err();
    assert_eq!(err.option(), Some("image-pull-secret"));
}

fn plan_options(image_pull_secret: &str, creds: &str) -> plan::Options {
    plan::Options {
        url: "https://dev.azure.com/org/project/_git/repo".to_owned(),
        token_auth: true,
        image_pull_secret: image_pull_secret.to_owned(),
        registry: "registry.example.com/fluxcd".to_owned(),
        registry_creds: SecretString::new(creds),
        ..plan::Options::default()
    }
}

#[test]
fn the_plan_says_when_and_the_files_never_change() {
    let bundle = bundle();
    let without = plan::plan(&plan_options("regcred", ""), &bundle).unwrap();
    assert_eq!(without.image_pull_secret, None);
    let with = plan::plan(
        &plan_options("regcred", &format!("{FAKE_USER}:{FAKE_PASSWORD}")),
        &bundle,
    )
    .unwrap();
    let wanted = with.image_pull_secret.clone().unwrap();
    assert_eq!(
        (
            wanted.name.as_str(),
            wanted.namespace.as_str(),
            wanted.registry.as_str(),
            wanted.username.as_str()
        ),
        (
            "regcred",
            "flux-system",
            "registry.example.com/fluxcd",
            FAKE_USER
        )
    );
    // The credential shapes the cluster only: the three files are byte for byte the same.
    assert_eq!(with.files(), without.files());
    let printed = format!("{with:?} {:?}", plan_options("regcred", FAKE_PASSWORD));
    assert!(!printed.contains(FAKE_PASSWORD));
}

#[test]
fn the_plan_refuses_creds_without_a_secret_name_or_in_the_wrong_form() {
    let bundle = bundle();
    let err = plan::plan(&plan_options("", "u:p"), &bundle).unwrap_err();
    assert_eq!(err.code(), ErrorCode::OptionRequired);
    assert_eq!(err.option(), Some("image-pull-secret"));
    let err = plan::plan(&plan_options("regcred", "just-a-user"), &bundle).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidOption);
    assert_eq!(err.option(), Some("registry-creds"));
}
