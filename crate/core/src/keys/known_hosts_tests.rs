use base64::Engine;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use sha1::Sha1;

use super::{check_host_key, HostKeyVerdict};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A blob shaped like an SSH public key (type string, then bytes).
fn blob(kind: &str, body: &[u8]) -> Vec<u8> {
    let mut b = (kind.len() as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind.as_bytes());
    b.extend_from_slice(body);
    b
}

/// What `ssh-keygen -H` writes for `name` with `salt`.
fn hashed(name: &str, salt: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(salt) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(name.as_bytes());
    format!(
        "|1|{}|{}",
        B64.encode(salt),
        B64.encode(mac.finalize().into_bytes())
    )
}

fn line(hosts: &str, key: &[u8]) -> String {
    format!("{hosts} ssh-rsa {}", B64.encode(key))
}

fn verdict(text: &str, host: &str, port: u16, key: &[u8]) -> HostKeyVerdict {
    match check_host_key(text, host, port, key) {
        Ok(check) => check.verdict,
        Err(err) => panic!("{err}"),
    }
}

#[test]
fn openssh_rules() {
    let a = blob("ssh-rsa", b"a");
    let b = blob("ssh-rsa", b"b");
    let c = blob("ssh-rsa", b"c");
    let host = "ssh.dev.azure.com";
    let several = format!("# comment\n\n{}\n{}\n", line(host, &a), line(host, &b));
    assert_eq!(verdict(&several, host, 22, &a), HostKeyVerdict::Pinned);
    assert_eq!(verdict(&several, host, 22, &b), HostKeyVerdict::Pinned);
    assert_eq!(verdict(&several, host, 22, &c), HostKeyVerdict::Mismatch);
    assert_eq!(
        verdict(&several, "other.example", 22, &a),
        HostKeyVerdict::Unlisted
    );
    // Ports: `[host]:port` only names that port.
    assert_eq!(verdict(&several, host, 2222, &a), HostKeyVerdict::Unlisted);
    let ported = line(&format!("[{host}]:2222"), &a);
    assert_eq!(verdict(&ported, host, 2222, &a), HostKeyVerdict::Pinned);
    assert_eq!(verdict(&ported, host, 22, &a), HostKeyVerdict::Unlisted);
    // Hashed names, case-sensitive as OpenSSH hashes them.
    let h = line(&hashed(host, b"0123456789abcdef0123"), &a);
    assert_eq!(verdict(&h, host, 22, &a), HostKeyVerdict::Pinned);
    assert_eq!(verdict(&h, host, 22, &b), HostKeyVerdict::Mismatch);
    assert_eq!(
        verdict(&h, "ssh.dev.azure.org", 22, &a),
        HostKeyVerdict::Unlisted
    );
    // Patterns, lists and negation.
    let pats = line("*.azure.com,!evil.azure.com,git?.example", &a);
    assert_eq!(verdict(&pats, host, 22, &a), HostKeyVerdict::Pinned);
    assert_eq!(
        verdict(&pats, "evil.azure.com", 22, &a),
        HostKeyVerdict::Unlisted
    );
    assert_eq!(
        verdict(&pats, "git1.example", 22, &a),
        HostKeyVerdict::Pinned
    );
    assert_eq!(
        verdict(&pats, "SSH.DEV.AZURE.COM", 22, &a),
        HostKeyVerdict::Pinned
    );
    // @revoked wins over a pin, for that key only; @cert-authority pins nothing.
    let revoked = format!(
        "{}\n@revoked * ssh-rsa {}\n",
        line(host, &a),
        B64.encode(&a)
    );
    assert_eq!(verdict(&revoked, host, 22, &a), HostKeyVerdict::Revoked);
    let revoked_b = format!(
        "{}\n@revoked {host} ssh-rsa {}\n",
        line(host, &a),
        B64.encode(&b)
    );
    assert_eq!(verdict(&revoked_b, host, 22, &a), HostKeyVerdict::Pinned);
    assert_eq!(verdict(&revoked_b, host, 22, &b), HostKeyVerdict::Revoked);
    let ca = format!("@cert-authority * ssh-rsa {}\n", B64.encode(&a));
    assert_eq!(verdict(&ca, host, 22, &a), HostKeyVerdict::Unlisted);
    // Unreadable lines are skipped, not fatal.
    let junk = format!(
        "{host} ssh-rsa !!!notbase64\n{host}\n@bogus {host} ssh-rsa AAAA\n{}",
        line(host, &a)
    );
    assert_eq!(verdict(&junk, host, 22, &a), HostKeyVerdict::Pinned);
}

fn host_name() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9.-]{0,30}"
}

proptest! {
    #[test]
    fn never_panics(text in "\\PC*", host in host_name(), port in 1u16.., key in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = check_host_key(&text, &host, port, &key);
    }

    #[test]
    fn a_listed_key_is_pinned_plain_or_hashed_among_others(
        host in host_name(),
        port in prop_oneof![Just(22u16), 1u16..],
        key in proptest::collection::vec(any::<u8>(), 1..64),
        others in proptest::collection::vec((host_name(), proptest::collection::vec(any::<u8>(), 1..64)), 0..6),
        salt in proptest::collection::vec(any::<u8>(), 1..32),
        hash in any::<bool>(),
        at in any::<prop::sample::Index>(),
    ) {
        let name = if port == 22 { host.clone() } else { format!("[{host}]:{port}") };
        let mut lines: Vec<String> = others.iter().map(|(h, k)| line(h, &blob("ssh-rsa", k))).collect();
        let mine = blob("ssh-rsa", &key);
        let field = if hash { hashed(&name, &salt) } else { name.clone() };
        lines.insert(at.index(lines.len() + 1), line(&field, &mine));
        let text = lines.join("\n");
        prop_assert_eq!(verdict(&text, &host, port, &mine), HostKeyVerdict::Pinned);
        // Another key for the same host is a mismatch, and revoking ours refuses it.
        let mut other = mine.clone();
        other.push(0);
        let listed_other = others.iter().any(|(h, k)| (h == &name) && blob("ssh-rsa", k) == other);
        if !listed_other {
            prop_assert_eq!(verdict(&text, &host, port, &other), HostKeyVerdict::Mismatch);
        }
        let revoked = format!("{text}\n@revoked {field} ssh-rsa {}", B64.encode(&mine));
        prop_assert_eq!(verdict(&revoked, &host, port, &mine), HostKeyVerdict::Revoked);
    }
}
