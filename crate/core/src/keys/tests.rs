use super::*;

#[test]
fn rsa_bits_accepts_multiples_of_8_in_range() {
    for bits in [2048, 2056, 3072, 4096, 8192] {
        assert!(validate_rsa_bits(bits).is_ok(), "{bits}");
    }
    for bits in [0, 1024, 2047, 2049, 2052, 8200, u32::MAX] {
        let err = validate_rsa_bits(bits).expect_err("must fail");
        assert_eq!(err.code(), crate::ErrorCode::InvalidOption, "{bits}");
        assert_eq!(err.option(), Some("ssh-rsa-bits"));
    }
}

use proptest::prelude::*;

const LABELS: [&str; 6] = [
    "OPENSSH PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "CERTIFICATE",
];

proptest! {
    #[test]
    fn validate_rsa_bits_is_the_documented_rule(bits in any::<u32>()) {
        let ok = (2048..=8192).contains(&bits) && bits.is_multiple_of(8);
        prop_assert_eq!(validate_rsa_bits(bits).is_ok(), ok);
    }

    /// Whatever the bytes, loading returns an error value, never panics, never "succeeds".
    #[test]
    fn arbitrary_bytes_are_an_invalid_key(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let err = load_private_key(&bytes, None).expect_err("garbage must not load");
        prop_assert_eq!(err.code(), crate::ErrorCode::InvalidKey);
    }

    /// Garbage inside each PEM armor is an invalid key (not a passphrase question), with or
    /// without headers.
    #[test]
    fn garbage_in_pem_armor_is_an_invalid_key(
        label in proptest::sample::select(LABELS.as_slice()),
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&body);
        let text = format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n");
        let err = load_private_key(text.as_bytes(), None).expect_err("garbage must not load");
        prop_assert_eq!(err.code(), crate::ErrorCode::InvalidKey, "{}", err);
    }

    #[test]
    fn known_hosts_line_normalises_like_go(
        host in "[a-z0-9][a-z0-9.-]{0,30}",
        port in any::<u16>(),
        blob in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        use base64::Engine;
        let mut wire = (7u32).to_be_bytes().to_vec();
        wire.extend_from_slice(b"ssh-rsa");
        wire.extend_from_slice(&blob);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&wire);
        let line = known_hosts_line(&host, port, "ssh-rsa", &b64).expect("valid blob");
        let entry = if port == 22 { host.clone() } else { format!("[{host}]:{port}") };
        prop_assert_eq!(line, format!("{entry} ssh-rsa {b64}"));
        let fingerprint = fingerprint_of_blob(&b64).expect("fingerprint");
        prop_assert!(fingerprint.starts_with("SHA256:"));
        prop_assert_eq!(fingerprint.len(), "SHA256:".len() + 43);
    }
}

#[test]
fn bracketed_hosts_are_unwrapped_on_port_22() {
    use base64::Engine;
    let mut wire = (11u32).to_be_bytes().to_vec();
    wire.extend_from_slice(b"ssh-ed25519");
    wire.extend_from_slice(&[7; 32]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&wire);
    assert_eq!(
        known_hosts_line("[::1]", 22, "ssh-ed25519", &b64).expect("line"),
        format!("::1 ssh-ed25519 {b64}")
    );
    assert_eq!(
        known_hosts_line("::1", 2222, "ssh-ed25519", &b64).expect("line"),
        format!("[::1]:2222 ssh-ed25519 {b64}")
    );
    for bad_host in ["", "a b"] {
        let err = known_hosts_line(bad_host, 22, "ssh-ed25519", &b64).expect_err("bad host");
        assert_eq!(err.code(), crate::ErrorCode::InvalidOption);
    }
}
