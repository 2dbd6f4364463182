//! Proves the keys module against OpenSSH itself: every key we encode must be read by
//! `ssh-keygen`, give the same public key and fingerprint, and sign data that verifies against
//! our public key; every key `ssh-keygen` writes must load with the same results.

// Only the library must stay free of I/O; this test's job is to run OpenSSH on temp files.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod common;

use std::fs;
use std::path::PathBuf;

use common::openssh::{
    assert_signature_verifies, openssh_fingerprint, openssh_public, p, ssh_keygen, ssh_keygen_ok,
    type_and_blob, TempDir,
};
use flux_azdo_core::keys::{self, KeyPair};
use flux_azdo_core::secret_string::SecretString;
use flux_azdo_core::ErrorCode;
use rand_core::OsRng;

/// Everything OpenSSH must agree on for a generated RSA pair.
fn assert_generated_rsa_pair(pair: &KeyPair, bits: u32) {
    let dir = TempDir::new("gen");
    assert_eq!(pair.algorithm, "ssh-rsa");
    assert_eq!(pair.bits, bits);
    assert!(pair.public_key.starts_with("ssh-rsa AAAA"));
    assert!(pair.public_key.ends_with('\n'));
    assert_eq!(pair.public_key.split_whitespace().count(), 2, "no comment");
    let pkcs8 = pair.private_key_pkcs8.as_ref().expect("RSA has PKCS#8");
    assert!(pkcs8.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(pkcs8.expose().ends_with("-----END PRIVATE KEY-----\n"));
    assert_eq!(
        &pair.identity, pkcs8,
        "identity is the PKCS#8 key, as Flux writes it"
    );
    assert!(!pair.identity_encrypted);
    assert!(
        !format!("{pair:?}").contains("PRIVATE KEY"),
        "Debug hides secrets"
    );
    assert!(pair
        .private_key_openssh
        .expose()
        .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));

    let pkcs8_file = dir.write("id_pkcs8", pkcs8.expose());
    let openssh_file = dir.write("id_openssh", pair.private_key_openssh.expose());
    let pub_file = dir.write("id.pub", &pair.public_key);
    assert_eq!(openssh_public(&pkcs8_file, ""), pair.public_key);
    if !pair.openssh_encrypted {
        assert_eq!(openssh_public(&openssh_file, ""), pair.public_key);
        assert_eq!(openssh_fingerprint(&openssh_file), pair.fingerprint);
        assert_signature_verifies(&dir, &openssh_file, &pair.public_key);
    }
    assert_eq!(openssh_fingerprint(&pub_file), pair.fingerprint);
    assert_eq!(openssh_fingerprint(&pkcs8_file), pair.fingerprint);
    let listed = ssh_keygen_ok(&["-l", "-f", p(&pub_file)]);
    assert!(listed.starts_with(&format!("{bits} SHA256:")), "{listed}");
    assert_signature_verifies(&dir, &pkcs8_file, &pair.public_key);
}

#[test]
fn generated_rsa_2048_is_accepted_by_openssh() {
    let pair = keys::generate_rsa(2048, &mut OsRng).expect("generate");
    assert_generated_rsa_pair(&pair, 2048);
}

#[test]
fn generated_rsa_4096_is_accepted_by_openssh() {
    let pair = keys::generate_rsa(4096, &mut OsRng).expect("generate");
    assert_generated_rsa_pair(&pair, 4096);
}

#[test]
fn generation_refuses_bits_out_of_range() {
    for bits in [1024, 2047, 2050, 8200] {
        let err = keys::generate_rsa(bits, &mut OsRng).expect_err("must fail");
        assert_eq!(err.code(), ErrorCode::InvalidOption, "{bits}");
    }
}

/// The WebCrypto path: the core gets PKCS#8 DER. Here the DER comes from an OpenSSH-made key.
#[test]
fn pkcs8_der_from_another_generator_encodes_the_same_key() {
    let dir = TempDir::new("der");
    let key = dir.path("id_rsa");
    ssh_keygen_ok(&[
        "-q",
        "-t",
        "rsa",
        "-b",
        "2048",
        "-m",
        "PKCS8",
        "-N",
        "",
        "-C",
        "",
        "-f",
        p(&key),
    ]);
    let pem = fs::read_to_string(&key).expect("read key");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64_decode(&body);
    let pair = keys::from_pkcs8_der(&der).expect("from_pkcs8_der");
    let expected = fs::read_to_string(dir.path("id_rsa.pub")).expect("read pub");
    assert_eq!(pair.public_key, type_and_blob(&expected));
    assert_generated_rsa_pair(&pair, 2048);

    let err = keys::from_pkcs8_der(&der[..der.len() / 2]).expect_err("must fail");
    assert_eq!(err.code(), ErrorCode::InvalidKey);
}

#[test]
fn encrypted_openssh_output_opens_with_the_passphrase_only() {
    let dir = TempDir::new("enc");
    let passphrase = SecretString::new("fake-test-passphrase-1");
    let pair = keys::generate_rsa(2048, &mut OsRng).expect("generate");
    let encrypted = keys::encrypt_openssh(pair.clone(), &passphrase, &mut OsRng).expect("encrypt");
    assert!(encrypted.openssh_encrypted);
    assert_eq!(
        encrypted.identity, pair.identity,
        "identity stays plain PKCS#8"
    );
    assert_eq!(encrypted.public_key, pair.public_key);
    assert_ne!(encrypted.private_key_openssh, pair.private_key_openssh);
    assert_generated_rsa_pair(&encrypted, 2048);

    let file = dir.write("id_enc", encrypted.private_key_openssh.expose());
    assert_eq!(openssh_public(&file, passphrase.expose()), pair.public_key);
    assert!(!ssh_keygen(&["-y", "-P", "wrong", "-f", p(&file)])
        .status
        .success());

    let loaded = keys::load_private_key(
        encrypted.private_key_openssh.expose().as_bytes(),
        Some(&passphrase),
    )
    .expect("load our encrypted key");
    assert_eq!(loaded.fingerprint, pair.fingerprint);
    assert!(loaded.identity_encrypted);
}

/// A key file `ssh-keygen` makes, how to load it and what it must give.
struct Made {
    dir: TempDir,
    key: PathBuf,
    passphrase: &'static str,
}

fn make(args: &[&str], passphrase: &'static str) -> Made {
    let dir = TempDir::new("made");
    let key = dir.path("id");
    let mut all = vec![
        "-q",
        "-N",
        passphrase,
        "-C",
        "user@example.invalid",
        "-f",
        p(&key),
    ];
    all.extend_from_slice(args);
    ssh_keygen_ok(&all);
    Made {
        dir,
        key,
        passphrase,
    }
}

fn load(made: &Made, passphrase: Option<&str>) -> Result<KeyPair, flux_azdo_core::Error> {
    let bytes = fs::read(&made.key).expect("read key");
    keys::load_private_key(&bytes, passphrase.map(SecretString::new).as_ref())
}

/// Loads `made` with its passphrase and checks every output against OpenSSH.
fn assert_loads(made: &Made, algorithm: &str, bits: u32) -> KeyPair {
    let passphrase = (!made.passphrase.is_empty()).then_some(made.passphrase);
    let pair = load(made, passphrase).expect("load");
    let expected_pub = fs::read_to_string(made.key.with_extension("pub")).expect("read pub");
    assert_eq!(pair.algorithm, algorithm);
    assert_eq!(pair.bits, bits);
    assert_eq!(pair.public_key, type_and_blob(&expected_pub));
    assert_eq!(
        pair.fingerprint,
        openssh_fingerprint(&made.key.with_extension("pub"))
    );
    assert!(!pair.openssh_encrypted);

    let original = fs::read_to_string(&made.key).expect("read key");
    if original.contains("ENCRYPTED PRIVATE KEY") {
        // Flux cannot read encrypted PKCS#8: identity is the decrypted key.
        assert!(pair
            .identity
            .expose()
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(!pair.identity_encrypted);
        let file = made.dir.write("identity", pair.identity.expose());
        assert_eq!(openssh_public(&file, ""), pair.public_key);
    } else {
        assert_eq!(
            pair.identity.expose(),
            original,
            "identity is the file as-is"
        );
        assert_eq!(pair.identity_encrypted, passphrase.is_some());
    }

    let openssh = made
        .dir
        .write("reencoded", pair.private_key_openssh.expose());
    assert_eq!(openssh_public(&openssh, ""), pair.public_key);
    if let Some(pkcs8) = &pair.private_key_pkcs8 {
        let file = made.dir.write("pkcs8", pkcs8.expose());
        assert_eq!(openssh_public(&file, ""), pair.public_key);
        assert_signature_verifies(&made.dir, &file, &pair.public_key);
    }
    assert_signature_verifies(&made.dir, &openssh, &pair.public_key);

    if let Some(pass) = passphrase {
        assert_eq!(
            load(made, None).expect_err("must fail").code(),
            ErrorCode::KeyPassphraseRequired
        );
        let wrong = format!("{pass}-wrong");
        let err = load(made, Some(&wrong)).expect_err("must fail");
        assert_eq!(err.code(), ErrorCode::WrongPassphrase, "{err}");
    } else {
        let err = load(made, Some("fake-unneeded-passphrase")).expect_err("must fail");
        assert_eq!(err.code(), ErrorCode::InvalidOption);
        assert_eq!(err.option(), Some("password"));
    }
    let azure = keys::require_rsa_for_azure(&pair);
    if algorithm == "ssh-rsa" {
        assert!(azure.is_ok());
    } else {
        assert_eq!(azure.expect_err("must fail").code(), ErrorCode::KeyNotRsa);
    }
    pair
}

const PASS: &str = "fake-test-passphrase-2";

#[test]
fn loads_rsa_openssh_keys() {
    assert_loads(&make(&["-t", "rsa", "-b", "2048"], ""), "ssh-rsa", 2048);
    assert_loads(&make(&["-t", "rsa", "-b", "2048"], PASS), "ssh-rsa", 2048);
}

#[test]
fn loads_rsa_pkcs1_keys() {
    let made = make(&["-t", "rsa", "-b", "2048", "-m", "PEM"], "");
    assert!(fs::read_to_string(&made.key)
        .expect("read")
        .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert_loads(&made, "ssh-rsa", 2048);
    let made = make(&["-t", "rsa", "-b", "2048", "-m", "PEM"], PASS);
    assert!(fs::read_to_string(&made.key)
        .expect("read")
        .contains("Proc-Type: 4,ENCRYPTED"));
    assert_loads(&made, "ssh-rsa", 2048);
}

#[test]
fn loads_rsa_pkcs8_keys() {
    let made = make(&["-t", "rsa", "-b", "2048", "-m", "PKCS8"], "");
    assert!(fs::read_to_string(&made.key)
        .expect("read")
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_loads(&made, "ssh-rsa", 2048);
    let made = make(&["-t", "rsa", "-b", "2048", "-m", "PKCS8"], PASS);
    assert!(fs::read_to_string(&made.key)
        .expect("read")
        .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert_loads(&made, "ssh-rsa", 2048);
}

#[test]
fn loads_ed25519_keys() {
    assert_loads(&make(&["-t", "ed25519"], ""), "ssh-ed25519", 256);
    assert_loads(&make(&["-t", "ed25519"], PASS), "ssh-ed25519", 256);
}

#[test]
fn loads_ecdsa_keys_in_every_format() {
    for (bits, algorithm) in [
        ("256", "ecdsa-sha2-nistp256"),
        ("384", "ecdsa-sha2-nistp384"),
        ("521", "ecdsa-sha2-nistp521"),
    ] {
        let n: u32 = bits.parse().expect("bits");
        assert_loads(&make(&["-t", "ecdsa", "-b", bits], ""), algorithm, n);
        assert_loads(&make(&["-t", "ecdsa", "-b", bits], PASS), algorithm, n);
        assert_loads(
            &make(&["-t", "ecdsa", "-b", bits, "-m", "PEM"], ""),
            algorithm,
            n,
        );
        assert_loads(
            &make(&["-t", "ecdsa", "-b", bits, "-m", "PEM"], PASS),
            algorithm,
            n,
        );
        assert_loads(
            &make(&["-t", "ecdsa", "-b", bits, "-m", "PKCS8"], ""),
            algorithm,
            n,
        );
    }
}

/// OpenSSH writes ECDSA scalars as minimal mpints: about half of all P-521 keys have a short
/// one, which ssh-key 0.6.7 alone cannot read. Makes keys until both an unencrypted and an
/// encrypted one with a short scalar have loaded.
#[test]
fn loads_openssh_p521_keys_with_short_scalars() {
    let (mut plain_short, mut encrypted_short) = (0, 0);
    for i in 0..64 {
        if plain_short > 0 && encrypted_short > 0 {
            break;
        }
        let pass = if i % 2 == 0 { "" } else { PASS };
        let made = make(&["-t", "ecdsa", "-b", "521"], pass);
        let text = fs::read_to_string(&made.key).expect("read key");
        let plain_ssh_key = ssh_key::PrivateKey::from_openssh(&text).and_then(|k| {
            if k.is_encrypted() {
                k.decrypt(pass)
            } else {
                Ok(k)
            }
        });
        if plain_ssh_key.is_ok() {
            continue;
        }
        if pass.is_empty() {
            plain_short += 1;
        } else {
            encrypted_short += 1;
        }
        assert_loads(&made, "ecdsa-sha2-nistp521", 521);
    }
    assert!(
        plain_short > 0 && encrypted_short > 0,
        "no short scalars in 64 keys"
    );
}

/// Flux writes Ed25519 keys as PKCS#8 (Go's `x509.MarshalPKCS8PrivateKey`), which OpenSSH 9.2
/// cannot read; OpenSSL makes one, and its public key is the judge.
#[test]
fn loads_ed25519_pkcs8_keys() {
    let dir = TempDir::new("ed-pkcs8");
    let key = dir.path("ed.pem");
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("run openssl");
        assert!(out.status.success(), "openssl {args:?} failed");
        out.stdout
    };
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", p(&key)]);
    let spki = openssl(&["pkey", "-in", p(&key), "-pubout", "-outform", "DER"]);
    let raw = &spki[spki.len() - 32..];
    let mut blob = Vec::new();
    for field in [b"ssh-ed25519".as_slice(), raw] {
        blob.extend_from_slice(&(field.len() as u32).to_be_bytes());
        blob.extend_from_slice(field);
    }
    use base64::Engine;
    let expected = format!(
        "ssh-ed25519 {}\n",
        base64::engine::general_purpose::STANDARD.encode(&blob)
    );

    let text = fs::read_to_string(&key).expect("read key");
    let pair = keys::load_private_key(text.as_bytes(), None).expect("load");
    assert_eq!(pair.algorithm, "ssh-ed25519");
    assert_eq!(pair.public_key, expected);
    assert_eq!(pair.identity.expose(), text);
    let openssh = dir.write("ed_openssh", pair.private_key_openssh.expose());
    assert_eq!(openssh_public(&openssh, ""), expected);
    assert_signature_verifies(&dir, &openssh, &expected);
}

#[test]
fn garbage_is_an_invalid_key() {
    let made = make(&["-t", "ed25519"], "");
    let text = fs::read_to_string(&made.key).expect("read");
    let truncated = &text[..text.len() / 2];
    let mut flipped = text.clone().into_bytes();
    flipped[100] = if flipped[100] == b'A' { b'B' } else { b'A' };
    for bad in [
        b"".as_slice(),
        b"hello".as_slice(),
        &[0xff, 0xfe, 0x00, 0x01],
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        truncated.as_bytes(),
        made.key
            .with_extension("pub")
            .to_str()
            .expect("path")
            .as_bytes(),
        &fs::read(made.key.with_extension("pub")).expect("read pub"),
    ] {
        let err = keys::load_private_key(bad, None).expect_err("must fail");
        assert_eq!(
            err.code(),
            ErrorCode::InvalidKey,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // A flipped byte inside the key material must not load as some other key.
    if let Ok(pair) = keys::load_private_key(&flipped, None) {
        assert_ne!(
            pair.public_key,
            type_and_blob(&fs::read_to_string(made.key.with_extension("pub")).expect("pub"))
        );
    }
}

#[test]
fn known_hosts_lines_are_found_by_openssh() {
    let made = make(&["-t", "rsa", "-b", "2048"], "");
    let pub_line = fs::read_to_string(made.key.with_extension("pub")).expect("read pub");
    let fields: Vec<&str> = pub_line.split_whitespace().collect();
    let (key_type, blob) = (fields[0], fields[1]);

    let line22 = keys::known_hosts_line("ssh.dev.azure.com", 22, key_type, blob).expect("line");
    assert_eq!(line22, format!("ssh.dev.azure.com ssh-rsa {blob}"));
    let line2222 = keys::known_hosts_line("127.0.0.1", 2222, key_type, blob).expect("line");
    assert_eq!(line2222, format!("[127.0.0.1]:2222 ssh-rsa {blob}"));

    let known_hosts = made
        .dir
        .write("known_hosts", &format!("{line22}\n{line2222}\n"));
    for host in ["ssh.dev.azure.com", "[127.0.0.1]:2222"] {
        let found = ssh_keygen_ok(&["-F", host, "-f", p(&known_hosts)]);
        assert!(found.contains(blob), "{host} not found: {found}");
    }
    assert!(!ssh_keygen(&["-F", "127.0.0.1", "-f", p(&known_hosts)])
        .status
        .success());

    assert_eq!(
        keys::fingerprint_of_blob(blob).expect("fingerprint"),
        openssh_fingerprint(&made.key.with_extension("pub"))
    );
    let err = keys::known_hosts_line("h", 22, "ssh-ed25519", blob).expect_err("must fail");
    assert_eq!(err.code(), ErrorCode::InvalidHostKey);
    assert_eq!(
        keys::fingerprint_of_blob("not base64!")
            .expect_err("must fail")
            .code(),
        ErrorCode::InvalidHostKey
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}
