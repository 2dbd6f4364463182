//! One error type for the whole core. Every variant has a stable code (`ErrorCode`) that the
//! host and its users can match on; the message says what is wrong and how to fix it.

use serde::Serialize;

/// Declares `ErrorCode` with each code's text written once: serde, ts-rs and `as_str` all
/// read the same literal.
macro_rules! error_codes {
    ($($variant:ident = $code:literal,)*) => {
        /// Stable, UPPER_SNAKE codes. Tests and users match on these, never on messages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(
                #[serde(rename = $code)]
                #[cfg_attr(feature = "ts", ts(rename = $code))]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, for hosts that check a code they receive.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    InvalidOption = "INVALID_OPTION",
    InvalidUrl = "INVALID_URL",
    InvalidBundle = "INVALID_BUNDLE",
    InvalidYaml = "INVALID_YAML",
    InvalidKey = "INVALID_KEY",
    KeyPassphraseRequired = "KEY_PASSPHRASE_REQUIRED",
    WrongPassphrase = "WRONG_PASSPHRASE",
    KeyNotRsa = "KEY_NOT_RSA",
    KustomizationNotPatchable = "KUSTOMIZATION_NOT_PATCHABLE",
    InvalidHostKey = "INVALID_HOST_KEY",
    PathConflict = "PATH_CONFLICT",
    InvalidInput = "INVALID_INPUT",
    Internal = "INTERNAL",
    OptionRequired = "OPTION_REQUIRED",
    OptionConflict = "OPTION_CONFLICT",
    KustomizationUnsupported = "KUSTOMIZATION_UNSUPPORTED",
    KustomizationInvalid = "KUSTOMIZATION_INVALID",
    CredentialNotRotatable = "CREDENTIAL_NOT_ROTATABLE",
    CredentialKindSwitch = "CREDENTIAL_KIND_SWITCH",
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An option has a value Flux would refuse. `option` is the CLI flag name without dashes.
    #[error("invalid --{option} {value:?}: {reason}")]
    InvalidOption {
        option: String,
        value: String,
        reason: String,
    },

    /// A repository URL that is not one of the accepted forms; `expected` shows the right form.
    #[error("invalid repository URL {url:?}: {reason}; expected {expected}")]
    InvalidUrl {
        url: String,
        reason: String,
        expected: String,
    },

    /// The manifests bundle (manifests.tar.gz or its 9 files) is incomplete or unreadable.
    #[error("invalid manifests bundle: {reason}")]
    InvalidBundle { reason: String },

    /// A YAML document could not be parsed; `source_name` names the file.
    #[error("invalid YAML in {source_name}: {reason}")]
    InvalidYaml { source_name: String, reason: String },

    /// Key material that cannot be read.
    #[error("invalid private key: {reason}")]
    InvalidKey { reason: String },

    /// The key is encrypted and no passphrase was given (the CLI asks on a terminal; elsewhere
    /// the message names both ways to give it).
    #[error("the private key is encrypted: pass its passphrase with --password or GIT_PASSWORD")]
    KeyPassphraseRequired,

    /// The passphrase does not decrypt the key.
    #[error("the passphrase does not decrypt the private key")]
    WrongPassphrase,

    /// Azure DevOps SSH accepts only RSA keys (signed with rsa-sha2-256/512).
    /// `option` is `private-key-file` for a key given, `ssh-key-algorithm` for a key to generate.
    #[error("Azure DevOps SSH accepts only RSA keys (signed with rsa-sha2-512 or rsa-sha2-256), got {algorithm}; use --ssh-key-algorithm=rsa or an RSA --private-key-file")]
    KeyNotRsa {
        algorithm: String,
        option: &'static str,
    },

    /// An existing kustomization.yaml is valid but laid out so that the host key patch cannot be
    /// added without rewriting the user's text.
    /// `option` is the flag whose patch it is.
    #[error("cannot add the --{option} patch to {path}: {reason}")]
    KustomizationNotPatchable {
        path: String,
        reason: String,
        option: &'static str,
    },
    /// A scanned SSH host key that cannot be used for `known_hosts`.
    #[error("invalid SSH host key: {reason}")]
    InvalidHostKey { reason: String },

    /// Flux is installed with another `--path`; bootstrap would move it. `hint` is the flag to
    /// bootstrap again with, quoted for a shell.
    #[error("sync path configuration ({wanted:?}) would overwrite path ({existing:?}) of existing Kustomization; bootstrap again with {hint}, or uninstall first")]
    PathConflict {
        wanted: String,
        existing: String,
        hint: String,
    },

    /// A call's argument does not have the shape its type declares (a host bug or an untyped
    /// caller). `input` names the argument's type, `field` the field at fault when known.
    #[error("invalid {input}: {reason}")]
    InvalidInput {
        input: String,
        field: Option<String>,
        reason: String,
    },

    /// A bug: the core reached a state it should not.
    #[error("internal error: {0}")]
    Internal(String),

    /// An option the others make necessary is missing; `option` names it.
    #[error("--{option} is required: {reason}")]
    OptionRequired { option: String, reason: String },

    /// Two options that cannot go together; `option` is the one to drop or change.
    #[error("--{option} cannot be used here: {reason}")]
    OptionConflict { option: String, reason: String },
    /// The flux-system `kustomization.yaml` uses a kustomize feature the core does not build
    /// (remote resources, generators, components, ...). `field` names it; `fix` says what to do.
    #[error("{path}: `{field}` is not supported by flux-azdo's kustomize build: {fix}")]
    KustomizationUnsupported {
        path: String,
        field: String,
        fix: String,
    },

    /// The flux-system kustomization cannot be built as kustomize would refuse it too (a named
    /// file missing, a patch that matches nothing or names a path that is not there, ...).
    #[error("{path}: {reason}")]
    KustomizationInvalid { path: String, reason: String },
    /// `rotate` has nothing to replace (workload identity); `reason` says why.
    #[error("nothing to rotate: {reason}")]
    CredentialNotRotatable { reason: String },

    /// `rotate` was asked for a credential the GitRepository's URL cannot use. The URL lives in
    /// Git and `rotate` commits nothing: bootstrap again with the other URL form instead.
    #[error("the GitRepository syncs from {url} with {from}; {to} needs the other URL form, which lives in Git: run `flux-azdo bootstrap git` with that --url (and --token-auth for a PAT) to switch")]
    CredentialKindSwitch {
        from: String,
        to: String,
        url: String,
    },
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidOption { .. } => ErrorCode::InvalidOption,
            Self::InvalidUrl { .. } => ErrorCode::InvalidUrl,
            Self::InvalidBundle { .. } => ErrorCode::InvalidBundle,
            Self::InvalidYaml { .. } => ErrorCode::InvalidYaml,
            Self::InvalidKey { .. } => ErrorCode::InvalidKey,
            Self::KeyPassphraseRequired => ErrorCode::KeyPassphraseRequired,
            Self::WrongPassphrase => ErrorCode::WrongPassphrase,
            Self::KeyNotRsa { .. } => ErrorCode::KeyNotRsa,
            Self::KustomizationNotPatchable { .. } => ErrorCode::KustomizationNotPatchable,
            Self::InvalidHostKey { .. } => ErrorCode::InvalidHostKey,
            Self::PathConflict { .. } => ErrorCode::PathConflict,
            Self::InvalidInput { .. } => ErrorCode::InvalidInput,
            Self::Internal(_) => ErrorCode::Internal,
            Self::OptionRequired { .. } => ErrorCode::OptionRequired,
            Self::OptionConflict { .. } => ErrorCode::OptionConflict,
            Self::KustomizationUnsupported { .. } => ErrorCode::KustomizationUnsupported,
            Self::KustomizationInvalid { .. } => ErrorCode::KustomizationInvalid,
            Self::CredentialNotRotatable { .. } => ErrorCode::CredentialNotRotatable,
            Self::CredentialKindSwitch { .. } => ErrorCode::CredentialKindSwitch,
        }
    }

    /// The option (CLI flag name) the error is about, when there is one.
    pub fn option(&self) -> Option<&str> {
        match self {
            Self::InvalidOption { option, .. } => Some(option),
            Self::InvalidUrl { .. } => Some("url"),
            Self::KeyPassphraseRequired | Self::WrongPassphrase => Some("password"),
            Self::KeyNotRsa { option, .. } => Some(option),
            Self::InvalidKey { .. } => Some("private-key-file"),
            Self::PathConflict { .. } => Some("path"),
            Self::InvalidInput { field, .. } => field.as_deref(),
            Self::InvalidBundle { .. } => Some("manifests"),
            Self::KustomizationNotPatchable { option, .. } => Some(option),
            Self::OptionRequired { option, .. } | Self::OptionConflict { option, .. } => {
                Some(option)
            }
            _ => None,
        }
    }

    pub(crate) fn invalid_option(
        option: &str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidOption {
            option: option.to_owned(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
