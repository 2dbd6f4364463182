/**
 * One transport per operation: the right `http` plugin for the URL's scheme, the URL to hand
 * isomorphic-git, and the URL to show the user and store in `.git/config` (never with credentials).
 */
import { readFile } from 'node:fs/promises';

import type { HttpClient } from 'isomorphic-git';

import { pushTarget } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { createHttpsTransport } from './https-transport.js';
import { retryContext, type RetryContext } from './server-retry.js';
import { createSshTransport } from './ssh-transport.js';
import type { GitRemote } from './types.js';

export interface Transport {
  http: HttpClient;
  /** What isomorphic-git is given. */
  url: string;
  /** What `.git/config` keeps (never with credentials). */
  displayUrl: string;
  /** What messages show: the URL as the user gave it (`GitRemote.shownUrl`), else `displayUrl`. */
  shownUrl: string;
  /** The operation's time limit, signal and retry callback (pushes retry through it: push-ref.ts). */
  retry: RetryContext;
  close(): Promise<void>;
}

/** An https URL without its userinfo (Azure DevOps' clone button puts `org@` there); a password in it is refused. */
export function httpsDisplayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FluxAzdoError('INVALID_URL', `${url} is not a URL`, { option: 'url' });
  }
  if (parsed.password !== '') {
    throw new FluxAzdoError('INVALID_URL', 'the repository URL must not carry a password or token; give the token with --password', {
      option: 'url',
    });
  }
  parsed.username = '';
  return parsed.toString().replace(/\/$/, '');
}

export async function openTransport(remote: GitRemote): Promise<Transport> {
  // The core decides the transport (and refuses what is neither HTTP(S) nor SSH); for SSH it
  // gives host, port, user and path too (IPv6 hosts bare, the path decoded).
  const target = pushTarget({ url: remote.url });
  // The time limit starts when the operation opens its transport.
  const retry = retryContext(remote);
  if (target.transport === 'https') {
    if (remote.auth.kind === 'ssh') {
      throw new FluxAzdoError('INVALID_OPTION', `${remote.url} is an HTTP(S) URL: give a token, or an ssh:// URL for the SSH key`, {
        option: 'url',
      });
    }
    const displayUrl = httpsDisplayUrl(remote.url);
    let ca: string | undefined = remote.caPem;
    if (remote.caFile !== undefined) {
      try {
        ca = await readFile(remote.caFile, 'utf8');
      } catch {
        throw new FluxAzdoError('IO', `--ca-file ${remote.caFile} cannot be read`, { option: 'ca-file' });
      }
    }
    const transport = createHttpsTransport({ auth: remote.auth, retry, ...(ca === undefined ? {} : { ca }) });
    return {
      http: transport.http,
      url: displayUrl,
      displayUrl,
      shownUrl: remote.shownUrl ?? displayUrl,
      retry,
      close: async () => transport.close(),
    };
  }
  if (remote.auth.kind !== 'ssh') {
    throw new FluxAzdoError('INVALID_OPTION', `${remote.url} is an SSH URL: give an SSH private key, or an https:// URL for the token`, {
      option: 'url',
    });
  }
  const transport = createSshTransport({
    target,
    auth: remote.auth,
    retry,
    ...(remote.sshKeepalive === undefined ? {} : { keepalive: remote.sshKeepalive }),
    ...(remote.shownUrl === undefined ? {} : { shownUrl: remote.shownUrl }),
  });
  return {
    http: transport.http,
    url: transport.url,
    displayUrl: target.url,
    shownUrl: remote.shownUrl ?? target.url,
    retry,
    close: () => transport.close(),
  };
}

/** Runs `fn` with a transport open, closing it afterwards whatever happens. */
export async function withTransport<T>(remote: GitRemote, fn: (t: Transport) => Promise<T>): Promise<T> {
  const transport = await openTransport(remote);
  try {
    return await fn(transport);
  } finally {
    await transport.close();
  }
}
