use super::Options;
use crate::ErrorCode;

fn rejected(options: Options) -> String {
    let err = options.validate().expect_err("must be rejected");
    assert_eq!(err.code(), ErrorCode::InvalidOption);
    err.option().unwrap_or_default().to_owned()
}

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn defaults_are_valid() {
    assert_eq!(Options::default().validate(), Ok(()));
}

#[test]
fn unknown_and_duplicate_components_are_rejected() {
    let base = Options::default;
    let unknown = Options {
        components: list(&["source-controller", "kustomize-controller", "flagger"]),
        ..base()
    };
    assert_eq!(rejected(unknown), "components");
    let extra = Options {
        components_extra: list(&["flagger"]),
        ..base()
    };
    assert_eq!(rejected(extra), "components-extra");
    let default_as_extra = Options {
        components: list(&["source-controller", "kustomize-controller"]),
        components_extra: list(&["helm-controller"]),
        ..base()
    };
    assert_eq!(default_as_extra.validate(), Ok(()));
    let twice = Options {
        components_extra: list(&["source-watcher", "source-watcher"]),
        ..base()
    };
    assert_eq!(rejected(twice), "components");
}

#[test]
fn source_and_kustomize_controllers_are_required() {
    for missing in ["source-controller", "kustomize-controller"] {
        let options = Options {
            components: list(&[
                "source-controller",
                "kustomize-controller",
                "helm-controller",
            ])
            .into_iter()
            .filter(|c| c != missing)
            .collect(),
            ..Options::default()
        };
        assert_eq!(rejected(options), "components");
    }
}

#[test]
fn log_level_must_be_debug_info_or_error() {
    for level in ["debug", "info", "error"] {
        let options = Options {
            log_level: level.into(),
            ..Options::default()
        };
        assert_eq!(options.validate(), Ok(()));
    }
    for level in ["warn", "INFO", ""] {
        let options = Options {
            log_level: level.into(),
            ..Options::default()
        };
        assert_eq!(rejected(options), "log-level");
    }
}

#[test]
fn namespace_must_be_a_dns1123_label() {
    let long = "a".repeat(64);
    let bare_non_strings = [
        "123",
        "0123",
        "1e5",
        "yes",
        "n",
        "off",
        "true",
        "null",
        "2001-12-14",
    ];
    for ns in ["Flux", "-flux", "flux-", "flux.system", "", long.as_str()]
        .into_iter()
        .chain(bare_non_strings)
    {
        let options = Options {
            namespace: ns.into(),
            ..Options::default()
        };
        assert_eq!(rejected(options), "namespace", "{ns:?}");
    }
}

#[test]
fn template_values_must_be_single_words() {
    let cases = [
        Options {
            registry: "my registry".into(),
            ..Options::default()
        },
        Options {
            image_pull_secret: "a#b".into(),
            ..Options::default()
        },
        Options {
            image_pull_secret: "*regcred".into(),
            ..Options::default()
        },
        Options {
            cluster_domain: String::new(),
            ..Options::default()
        },
        Options {
            toleration_keys: list(&["key\"quoted"]),
            ..Options::default()
        },
    ];
    let flags: Vec<String> = cases.into_iter().map(rejected).collect();
    assert_eq!(
        flags,
        [
            "registry",
            "image-pull-secret",
            "image-pull-secret",
            "cluster-domain",
            "toleration-keys"
        ]
    );
}
