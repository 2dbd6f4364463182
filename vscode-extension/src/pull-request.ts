/**
 * The pull request a bootstrap proposes (`pullRequest: true`): its link, heard from the
 * package's `pull-request` events, is offered once as soon as the pull request is open (the
 * progress notification cannot carry a button, and the run then waits for the merge) and again
 * with the result. A run refused with BRANCH_PROTECTED offers to propose the same commits as a
 * pull request instead.
 */
import * as vscode from 'vscode';

import type { FluxAzdoEvent } from 'flux-azdo' with { 'resolution-mode': 'import' };

export const OPEN_PULL_REQUEST = 'Open Pull Request';
export const PULL_REQUEST_INSTEAD = 'Open a Pull Request Instead';

export interface PullRequestLink {
  id: number;
  url: string;
}

/** Tracks the pull request of one run; `onEvent` sees every event, `link` is the latest. */
export class PullRequestWatch {
  link: PullRequestLink | undefined;
  #offered = false;

  onEvent(event: FluxAzdoEvent): void {
    if ((event.type !== 'done' && event.type !== 'progress') || event.step !== 'pull-request') return;
    if (event.url === undefined || event.pullRequestId === undefined) return;
    this.link = { id: event.pullRequestId, url: event.url };
    if (this.#offered) return;
    this.#offered = true;
    // Not awaited: the run goes on waiting for the merge while the notification is up.
    void offerPullRequest(`Pull request ${this.link.id} is open: ${this.link.url} — the bootstrap finishes once it is merged.`, this.link);
  }
}

/** An information message with the link and a button opening it in the browser. */
export async function offerPullRequest(text: string, link: PullRequestLink, ...more: string[]): Promise<string | undefined> {
  const choice = await vscode.window.showInformationMessage(text, OPEN_PULL_REQUEST, ...more);
  if (choice === OPEN_PULL_REQUEST) await vscode.env.openExternal(vscode.Uri.parse(link.url));
  return choice;
}
