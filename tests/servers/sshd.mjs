// A real OpenSSH sshd for tests, configured like Azure DevOps' SSH endpoint: one RSA host key,
// RSA SHA-2 only (host key and user signatures), public-key auth only, and Git via git-shell with
// repos at `v3/{org}/{project}/{repo}` under a temp root.
//
// It logs in as the user running the tests (sshd can only switch to other users as root, and a
// `git` account may not exist), so clone URLs are `ssh://<that user>@127.0.0.1:<port>/v3/...`.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';

async function freePort(address) {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, address, resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function shellQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Starts sshd -D on 127.0.0.1 (or `address`, e.g. `::1`) and a free port.
 * @param {{ authorizedKeys?: string[], address?: string, hostKeyAlgorithms?: string }} options
 *   public key lines (`ssh-rsa AAAA... comment`), the address to listen on, and the host key
 *   signatures sshd offers (Azure DevOps': RSA SHA-2; `ssh-rsa` makes a SHA-1-only server)
 */
export async function startSshd({ authorizedKeys = [], address = '127.0.0.1', hostKeyAlgorithms = 'rsa-sha2-512,rsa-sha2-256' } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'flux-azdo-sshd-'));
  const repoRoot = join(work, 'repos');
  mkdirSync(repoRoot);
  const hostKey = join(work, 'ssh_host_rsa_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'flux-azdo-test-host', '-f', hostKey]);
  const authorizedKeysFile = join(work, 'authorized_keys');
  writeFileSync(authorizedKeysFile, authorizedKeys.map((line) => `${line.trim()}\n`).join(''));

  // Azure DevOps' repo paths are virtual: '/v3/org/project/repo' names <repoRoot>/v3/org/project/repo.
  const wrapper = join(work, 'git-wrapper.sh');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      `cd ${shellQuote(repoRoot)} || exit 1`,
      'cmd="$SSH_ORIGINAL_COMMAND"',
      'case "$cmd" in',
      `  "git-upload-pack '/"*|"git-receive-pack '/"*) cmd="$(printf '%s' "$cmd" | sed "s#'/#'#")" ;;`,
      'esac',
      'exec git-shell -c "$cmd"',
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);

  const port = await freePort(address);
  const config = join(work, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${hostKey}`,
      `HostKeyAlgorithms ${hostKeyAlgorithms}`,
      'PubkeyAcceptedAlgorithms rsa-sha2-512,rsa-sha2-256',
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      `PidFile ${join(work, 'sshd.pid')}`,
      `ForceCommand ${wrapper}`,
      'AllowTcpForwarding no',
      'AllowAgentForwarding no',
      'X11Forwarding no',
      'PermitTTY no',
      'PrintMotd no',
      // DEBUG1 makes sshd log the signature algorithm of each publickey attempt; tests assert on it.
      'LogLevel DEBUG1',
      '',
    ].join('\n'),
  );
  // sshd run as root insists on its privilege-separation directory (as another user it has none).
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch (err) {
    if (process.getuid?.() === 0) throw err;
  }

  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${log}`)), 10_000);
    const check = () => {
      if (log.includes(`Server listening on ${address} port ${port}`)) {
        clearTimeout(timer);
        child.stderr.off('data', check);
        resolve();
      }
    };
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited (${code}):\n${log}`));
    });
  });

  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
  const host = address;
  /** The host as a URL writes it: IPv6 addresses in brackets. */
  const urlHost = address.includes(':') ? `[${address}]` : address;
  const user = userInfo().username;
  const repoDir = (org, project, repo) => join(repoRoot, 'v3', org, project, repo);
  return {
    host,
    port,
    user,
    /** known_hosts line of the server's key, as Flux writes it for a non-22 port. */
    hostKeyLine: `[${host}]:${port} ${hostPub[0]} ${hostPub[1]}`,
    hostKeyFile: hostKey,
    repoRoot,
    repoDir,
    repoUrl: (org, project, repo) => `ssh://${user}@${urlHost}:${port}/v3/${org}/${project}/${repo}`,
    /** sshd's own log so far (LogLevel DEBUG1). */
    log: () => log,
    addAuthorizedKey(line) {
      writeFileSync(authorizedKeysFile, `${line.trim()}\n`, { flag: 'a' });
    },
    /** Removes a key (matched by its type and blob, comments ignored): sshd reads the file per login. */
    removeAuthorizedKey(line) {
      const blob = line.trim().split(/\s+/).slice(0, 2).join(' ');
      const kept = readFileSync(authorizedKeysFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && l.trim().split(/\s+/).slice(0, 2).join(' ') !== blob);
      writeFileSync(authorizedKeysFile, kept.map((l) => `${l}\n`).join(''));
    },
    /**
     * Creates the bare repo an SSH path names as git-shell sees it (decoded, e.g. Azure DevOps
     * Server's `/tfs/DefaultCollection/Platform Team/_git/flux`); returns its directory.
     */
    createRepoAt(path, { branch = 'main' } = {}) {
      const dir = join(repoRoot, ...path.split('/').filter(Boolean));
      mkdirSync(dir, { recursive: true });
      execFileSync('git', ['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
      return dir;
    },
    /** The ssh:// URL of a path (`%20` and all, as the user would paste it). */
    urlOf: (path) => `ssh://${user}@${urlHost}:${port}${path}`,
    createRepo(org, project, repo, { branch = 'main' } = {}) {
      const dir = repoDir(org, project, repo);
      mkdirSync(dir, { recursive: true });
      execFileSync('git', ['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
      return dir;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}
