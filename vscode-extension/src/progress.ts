/**
 * A long package call under a cancellable progress notification: its events go to the output
 * channel and (steps and progress only) to the notification; Cancel aborts its signal.
 */
import * as vscode from 'vscode';

import type { EventHandler } from 'flux-azdo' with { 'resolution-mode': 'import' };

import { formatEvent, progressMessage } from './log';

export function withEventProgress<T>(
  title: string,
  log: vscode.OutputChannel,
  task: (onEvent: EventHandler, signal: AbortSignal) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      const onEvent: EventHandler = (event) => {
        log.appendLine(formatEvent(event));
        const message = progressMessage(event);
        if (message) progress.report({ message });
      };
      try {
        return await task(onEvent, controller.signal);
      } finally {
        cancel.dispose();
      }
    },
  );
}
