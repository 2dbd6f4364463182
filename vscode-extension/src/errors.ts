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
 * event. Not awaited by callers beyond the button: the command is over either way.
 */
export async function reportFailure(log: vscode.OutputChannel, what: string, failure: Failure, logged: boolean): Promise<void> {
  if (!logged) log.appendLine(`✗ ${failure.code}: ${failure.message}`);
  const text = `${what} failed (${failure.code}): ${failure.message}`;
  const show =
    failure.code === 'CANCELLED'
      ? vscode.window.showWarningMessage(`${what} was cancelled (${failure.code}).`, SHOW_LOG)
      : vscode.window.showErrorMessage(text, SHOW_LOG);
  if ((await show) === SHOW_LOG) log.show(true);
}
