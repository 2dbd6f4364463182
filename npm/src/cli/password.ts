/**
 * Where the PAT (or key passphrase) comes from, in Flux's order: `--password`, else
 * `GIT_PASSWORD`, else a hidden prompt on a terminal, else one line piped on stdin
 * (`echo "$PAT" | flux-azdo bootstrap git ...`). The value is wrapped at once in `SecretValue`.
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

export async function resolvePassword(
  sources: PasswordSources,
  { required, what }: { required: boolean; what: string },
): Promise<SecretValue | undefined> {
  if (sources.flag) return new SecretValue(sources.flag);
  const env = sources.env.GIT_PASSWORD;
  if (env) return new SecretValue(env);
  if (!required) return undefined;
  const value = sources.stdin.isTTY ? await promptHidden(sources.stdin, sources.prompt, what) : await readLine(sources.stdin);
  if (!value) {
    throw new FluxAzdoError('USAGE', `no ${what} given: pass --password, set GIT_PASSWORD, type it at the prompt, or pipe it on stdin`, {
      option: 'password',
    });
  }
  return new SecretValue(value);
}

function readLine(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer | string) => {
      data += chunk.toString();
      const nl = data.indexOf('\n');
      if (nl >= 0) finish(data.slice(0, nl));
    };
    const finish = (line: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', reject);
      stdin.pause();
      resolve(line.replace(/\r$/, '').trim());
    };
    const onEnd = () => finish(data);
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
