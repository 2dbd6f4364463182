/** How a failed command ends: an error message naming the code, with the log one click away. */
import * as vscode from 'vscode';

import type { ErrorCode } from 'flux-azdo' with { 'resolution-mode': 'import' };

import type { FluxAzdoApi } from './flux';

export const SHOW_LOG = 'Show Log';

export interface Failure {
  code: ErrorCode;
  message: string;
}

export function failureOf(api: FluxAzdoApi | undefined, err: unknown): Failure {
  if (api?.isFluxAzdoError(err)) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Shows the failure; `logged` says the package already wrote it to the channel as an `error`
 * event; `actions` are buttons offered besides the log, the one pressed is returned. Not awaited by callers beyond the button: the command is over either way.
 */
export async function reportFailure(
  log: vscode.OutputChannel,
  what: string,
  failure: Failure,
  logged: boolean,
  ...actions: string[]
): Promise<string | undefined> {
  if (!logged) log.appendLine(`✗ ${failure.code}: ${failure.message}`);
  const text = `${what} failed (${failure.code}): ${failure.message}`;
  const show =
    failure.code === 'CANCELLED'
      ? vscode.window.showWarningMessage(`${what} was cancelled (${failure.code}).`, SHOW_LOG)
      : vscode.window.showErrorMessage(text, ...actions, SHOW_LOG);
  const choice = await show;
  if (choice === SHOW_LOG) log.show(true);
  return choice;
}
