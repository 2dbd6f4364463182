/**
 * The run's Entra token source (`--azure-credential`): one provider per bootstrap, made from
 * the core's `plan.entra`, its first token fetched at pre-flight so a missing or refused
 * credential stops the run before anything changes.
 */
import { readFile } from 'node:fs/promises';

import { createAzureDevOpsTokenProvider, type AzureDevOpsTokenProvider } from '../azure/token-provider.js';
import type { Plan } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import type { BootstrapOptions } from './options.js';

export async function entraTokens(options: BootstrapOptions, plan: Plan): Promise<AzureDevOpsTokenProvider | undefined> {
  if (!plan.entra) return undefined;
  let ca: string | undefined;
  if (options.caFile) {
    try {
      ca = await readFile(options.caFile, 'utf8');
    } catch {
      throw new FluxAzdoError('USAGE', `cannot read --ca-file ${options.caFile}`, { option: 'ca-file' });
    }
  }
  return createAzureDevOpsTokenProvider({
    entra: plan.entra,
    ...(options.azureTenantId ? { tenantId: options.azureTenantId } : {}),
    ...(ca === undefined ? {} : { ca }),
    ...(options.azureTokenCredential ? { tokenCredential: options.azureTokenCredential } : {}),
  });
}
