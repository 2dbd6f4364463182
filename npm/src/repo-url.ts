import { callCore, wasm } from './core.js';
import type { Repo } from './generated/core-types.js';

/**
 * Parses a repository URL in any form users paste (Azure DevOps Services, the older
 * visualstudio.com, Azure DevOps Server, SSH v3, scp-like, or any Git URL) into one `Repo`
 * with its HTTPS and SSH clone URLs. Throws `INVALID_URL` naming the expected form; a password
 * pasted into the URL is never echoed.
 */
export function parseRepoUrl(url: string): Repo {
  return callCore(() => wasm.parseRepoUrl(url) as Repo);
}
