/**
 * The "Flux for Azure DevOps" output channel: one line per package event. Events never carry
 * secrets (the package's contract), and nothing else the extension writes here includes one.
 */
import * as vscode from 'vscode';

import type { FluxAzdoEvent } from 'flux-azdo' with { 'resolution-mode': 'import' };

export const OUTPUT_CHANNEL_NAME = 'Flux for Azure DevOps';

export function createLog(): vscode.OutputChannel {
  return vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
}

export function formatEvent(event: FluxAzdoEvent): string {
  switch (event.type) {
    case 'step':
      return `==> ${event.message}`;
    case 'progress':
      return event.current === undefined
        ? `    ${event.message}`
        : `    [${event.current}${event.total ? `/${event.total}` : ''}] ${event.message}`;
    case 'log':
      return `${event.level}: ${event.message}`;
    case 'done':
      return `✔ ${event.message}`;
    case 'error':
      return `✗ ${event.code}: ${event.message}`;
  }
}

/** The progress notification's text: steps and progress, not logs (they can be long). */
export function progressMessage(event: FluxAzdoEvent): string | undefined {
  return event.type === 'step' || event.type === 'progress' ? event.message : undefined;
}
