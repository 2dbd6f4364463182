//! OpenSSH as the judge of our keys: scratch files and `ssh-keygen` runs for the keys tests.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// A scratch directory removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "flux-azdo-keys-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// Writes a file with mode 0600: ssh-keygen refuses private keys others can read.
    pub(crate) fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, content).expect("write temp file");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn ssh_keygen(args: &[&str]) -> Output {
    Command::new("ssh-keygen")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ssh-keygen (apt-get install openssh-client)")
}

pub(crate) fn ssh_keygen_ok(args: &[&str]) -> String {
    let out = ssh_keygen(args);
    assert!(
        out.status.success(),
        "ssh-keygen {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

pub(crate) fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// `ssh-keygen -y`: the public key OpenSSH derives from a private key file.
pub(crate) fn openssh_public(key: &Path, passphrase: &str) -> String {
    ssh_keygen_ok(&["-y", "-P", passphrase, "-f", p(key)])
}

/// The `SHA256:...` field of `ssh-keygen -l -f`.
pub(crate) fn openssh_fingerprint(file: &Path) -> String {
    let line = ssh_keygen_ok(&["-l", "-E", "sha256", "-f", p(file)]);
    line.split_whitespace()
        .nth(1)
        .expect("fingerprint")
        .to_owned()
}

/// The key type and base64 blob of an authorized_keys line, without comment.
pub(crate) fn type_and_blob(line: &str) -> String {
    let fields: Vec<&str> = line.split_whitespace().collect();
    format!("{} {}\n", fields[0], fields[1])
}

/// Signs with `key` via `ssh-keygen -Y sign` and verifies with `-Y verify` against `public`.
pub(crate) fn assert_signature_verifies(dir: &TempDir, key: &Path, public: &str) {
    let data = dir.write("data", "flux-azdo signature test data\n");
    let sig = dir.path("data.sig");
    let _ = fs::remove_file(&sig);
    // ssh-keygen -Y sign looks for `<key>.pub` next to a PEM key; it then signs with the
    // private key, so the verification below still proves the private key matches.
    let pub_file = PathBuf::from(format!("{}.pub", p(key)));
    if !pub_file.exists() {
        fs::write(&pub_file, public).expect("write pub");
    }
    ssh_keygen_ok(&["-Y", "sign", "-f", p(key), "-n", "file", p(&data)]);
    let allowed = dir.write(
        "allowed_signers",
        &format!("signer@example.invalid {public}"),
    );
    let out = Command::new("ssh-keygen")
        .args([
            "-Y",
            "verify",
            "-f",
            p(&allowed),
            "-I",
            "signer@example.invalid",
            "-n",
            "file",
            "-s",
            p(&sig),
        ])
        .stdin(fs::File::open(&data).expect("open data"))
        .output()
        .expect("run ssh-keygen -Y verify");
    assert!(
        out.status.success(),
        "signature did not verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
