/**
 * Renders the event stream: a progress view on a terminal (symbols like Flux's: ► ✔ ✗ ◎, a
 * spinner for progress, colours unless NO_COLOR), plain lines when not a terminal, or one JSON
 * object per line with --json (every field of the event, so scripts need not parse messages).
 * Debug log events are left out unless --verbose or FLUX_AZDO_DEBUG asks for them.
 */
import type { FluxAzdoEvent, EventHandler } from '../events.js';

export type OutputMode = 'tty' | 'plain' | 'json';

/** Errors the renderer already printed (as an `error` event), so main.ts prints each error once. */
const reported = new WeakSet<object>();

export function markReported(err: unknown): void {
  if (typeof err === 'object' && err !== null) reported.add(err);
}

export function wasReported(err: unknown): boolean {
  return typeof err === 'object' && err !== null && reported.has(err);
}

export function chooseMode(json: boolean, stream: NodeJS.WriteStream): OutputMode {
  if (json) return 'json';
  return stream.isTTY ? 'tty' : 'plain';
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Whether debug log events are shown: `--verbose`, or FLUX_AZDO_DEBUG set to anything but empty. */
export function wantsDebug(verbose: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return verbose || Boolean(env.FLUX_AZDO_DEBUG);
}

export interface RendererOptions {
  /** Show debug log events (see `wantsDebug`). */
  debug?: boolean;
}

export function createRenderer(
  mode: OutputMode,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  options: RendererOptions = {},
): EventHandler {
  const debug = options.debug ?? wantsDebug(false);
  if (mode === 'json') {
    return (event) => {
      if (event.type === 'log' && event.level === 'debug' && !debug) return;
      out.write(JSON.stringify(event) + '\n');
    };
  }
  const colour = mode === 'tty' && !process.env.NO_COLOR;
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  let spinnerFrame = 0;
  let progressLine = false;
  const clearProgress = () => {
    if (progressLine) {
      err.write('\r\u001b[2K');
      progressLine = false;
    }
  };
  const line = (text: string) => {
    clearProgress();
    err.write(text + '\n');
  };
  return (event: FluxAzdoEvent) => {
    switch (event.type) {
      case 'step':
        line(`${paint(36, '►')} ${event.message}`);
        break;
      case 'progress': {
        const count = event.total ? ` (${event.current ?? 0}/${event.total})` : '';
        if (mode === 'tty') {
          clearProgress();
          const frame = SPINNER[spinnerFrame++ % SPINNER.length] as string;
          err.write(`${paint(33, frame)} ${event.message}${count}`);
          progressLine = true;
        } else {
          line(`◎ ${event.message}${count}`);
        }
        break;
      }
      case 'log':
        if (event.level === 'debug' && !debug) break;
        line(event.level === 'warn' ? `${paint(33, '!')} ${event.message}` : `  ${event.message}`);
        break;
      case 'done':
        line(`${paint(32, '✔')} ${event.message}`);
        break;
      case 'error':
        line(`${paint(31, '✗')} ${event.message}${event.code ? paint(2, ` [${event.code}]`) : ''}`);
        break;
    }
  };
}
