/**
 * Where the PAT (or key passphrase) comes from, in Flux's order: `--password`, else
 * `GIT_PASSWORD`, else a hidden prompt on a terminal, else one line piped on stdin
 * (`echo "$PAT" | flux-azdo bootstrap git ...`). The value is wrapped at once in `SecretValue`.
 * The registry password of `--registry-creds` is read the same way, from its own variable.
 */
import { FluxAzdoError } from '../errors.js';
import { SecretValue } from '../secret-value.js';

export interface PasswordSources {
  flag: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  /** Where the prompt is written (stderr, so stdout stays clean for --json). */
  prompt: NodeJS.WriteStream;
}

/** Which flag and environment variable a secret comes from: the PAT's by default. */
export interface PasswordNames {
  /** The flag the error names (without dashes). */
  option: string;
  /** How the flag is given, for the error (`--password`). */
  flagHint: string;
  env: string;
}

const PAT_NAMES: PasswordNames = { option: 'password', flagHint: '--password', env: 'GIT_PASSWORD' };

export async function resolvePassword(
  sources: PasswordSources,
  { required, what, names = PAT_NAMES }: { required: boolean; what: string; names?: PasswordNames },
): Promise<SecretValue | undefined> {
  if (sources.flag) return new SecretValue(sources.flag);
  const env = sources.env[names.env];
  if (env) return new SecretValue(env);
  if (!required) return undefined;
  const value = sources.stdin.isTTY ? await promptHidden(sources.stdin, sources.prompt, what) : await readLine(sources.stdin);
  if (!value) {
    throw new FluxAzdoError(
      'USAGE',
      `no ${what} given: pass ${names.flagHint}, set ${names.env}, type it at the prompt, or pipe it on stdin`,
      { option: names.option },
    );
  }
  return new SecretValue(value);
}

/**
 * `--registry-creds`: `user:password` as Flux takes it, or the user alone with the password
 * read as the PAT is (`FLUX_REGISTRY_PASSWORD`, a hidden prompt, one line on stdin), so it need
 * not sit in the command line. The core checks the form; undefined when the flag is not given.
 */
export async function resolveRegistryCreds(value: string, sources: Omit<PasswordSources, 'flag'>): Promise<SecretValue | undefined> {
  if (!value) return undefined;
  if (value.includes(':')) return new SecretValue(value);
  const password = await resolvePassword(
    { ...sources, flag: '' },
    {
      required: true,
      what: `registry password of ${value}`,
      names: { option: 'registry-creds', flagHint: '--registry-creds=user:password', env: 'FLUX_REGISTRY_PASSWORD' },
    },
  );
  return password ? new SecretValue(`${value}:${password.expose()}`) : undefined;
}

/**
 * What a read took past its line: with the PAT and the registry password both piped
 * (`printf '%s\n%s\n' "$PAT" "$REGISTRY_PASSWORD" |`), the second line is the next read's.
 */
const unread = new WeakMap<NodeJS.ReadStream, string>();

function readLine(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = unread.get(stdin) ?? '';
    unread.delete(stdin);
    const clean = (line: string) => line.replace(/\r$/, '').trim();
    const onData = (chunk: Buffer | string) => {
      data += chunk.toString();
      const nl = data.indexOf('\n');
      if (nl >= 0) finish(data.slice(0, nl), data.slice(nl + 1));
    };
    const finish = (line: string, rest: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', reject);
      stdin.pause();
      if (rest) unread.set(stdin, rest);
      resolve(clean(line));
    };
    const onEnd = () => finish(data, '');
    const nl = data.indexOf('\n');
    if (nl >= 0) {
      unread.set(stdin, data.slice(nl + 1));
      resolve(clean(data.slice(0, nl)));
      return;
    }
    // A stream that already ended emits no second 'end': waiting would hang.
    if (stdin.readableEnded) {
      resolve(clean(data));
      return;
    }
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', reject);
    stdin.resume();
  });
}

/**
 * The passphrase of an encrypted key, asked on a terminal with echo off (as the PAT is);
 * undefined off a terminal, where KEY_PASSPHRASE_REQUIRED stands and names --password and GIT_PASSWORD.
 */
export async function askPassphrase(stdin: NodeJS.ReadStream, prompt: NodeJS.WriteStream): Promise<SecretValue | undefined> {
  if (!stdin.isTTY) return undefined;
  const value = await promptHidden(stdin, prompt, 'SSH private key passphrase');
  return value ? new SecretValue(value) : undefined;
}

/** Reads a line with echo off; Ctrl-C cancels. */
function promptHidden(stdin: NodeJS.ReadStream, prompt: NodeJS.WriteStream, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Echo goes off before the prompt shows, so nothing typed after it can be echoed.
    stdin.setRawMode(true);
    prompt.write(`Please enter your ${what}: `);
    stdin.resume();
    let value = '';
    const done = (err?: FluxAzdoError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      prompt.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new FluxAzdoError('CANCELLED', 'cancelled at the prompt'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Asks a yes/no question on a terminal; false when there is no terminal. */
export async function confirm(stdin: NodeJS.ReadStream, prompt: NodeJS.WriteStream, question: string): Promise<boolean> {
  if (!stdin.isTTY) return false;
  prompt.write(`${question} [y/N]: `);
  const answer = await readLine(stdin);
  return /^y(es)?$/i.test(answer);
}
