/**
 * The Git half of bootstrap: clone, commit, push (with retry on a racing pusher) over HTTPS with a
 * PAT or over SSH with an RSA SHA-2 key, and SSH host key scanning.
 */
export {
  cloneForBootstrap,
  commitFiles,
  push,
  commitAndPush,
  readRepoFile,
  listRepoFiles,
  type CloneForBootstrapOptions,
  type ClonedRepo,
  type CommitFilesOptions,
  type PushOptions,
  type CommitAndPushOptions,
  type CommitAndPushResult,
} from './repo.js';
export {
  scanHostKey,
  fingerprintSha256,
  knownHostsVerdict,
  isAzureDevOpsSshHost,
  type ScannedHostKey,
  type ScanHostKeyOptions,
} from './hostkey.js';
export { lsRemote, type LsRemoteResult } from './ls-remote.js';
export { RSA_SIGNATURE_ALGORITHM, parsePrivateKey, signingKey, type RsaSignatureAlgorithm } from './ssh-key.js';
export type { GitAuth, TokenAuth, SshAuth, EntraAuth, GitRemote, GitAuthor, RepoFile } from './types.js';
export type { ServerRetry } from './server-retry.js';
// The credentials in GitAuth are SecretValues; errors come from the package's front door.
export { SecretValue } from '../secret-value.js';
