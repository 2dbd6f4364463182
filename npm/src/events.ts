/**
 * The one event type every long operation emits. The CLI renders it (progress view, plain
 * lines or `--json`), the VS Code command shows it, the browser page uses it. Events never carry
 * secret values.
 */
export type BootstrapStep =
  | 'preflight'
  | 'clone'
  | 'components'
  | 'install'
  | 'secret'
  | 'sync'
  | 'apply'
  | 'health'
  | 'export'
  | 'plan'
  | 'uninstall';

export type FluxAzdoEvent =
  | { type: 'step'; step: BootstrapStep; message: string }
  | { type: 'progress'; step: BootstrapStep; message: string; current?: number; total?: number }
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; message: string }
  | { type: 'done'; step: BootstrapStep; message: string }
  | { type: 'error'; step?: BootstrapStep; code: string; message: string };

export type EventHandler = (event: FluxAzdoEvent) => void;

export const ignoreEvents: EventHandler = () => {};
