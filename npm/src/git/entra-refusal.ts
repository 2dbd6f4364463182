/**
 * Azure DevOps' refusals of an Entra token as typed errors: a 401 with TF400813 means the token
 * is fine but its identity is not in the organisation; any other 401, or the 203 sign-in page,
 * means the token itself is not accepted (another tenant, another audience, expired).
 */
import type * as http from 'node:http';

import type { AzureDevOpsTokenProvider } from '../azure/token-provider.js';
import { FluxAzdoError } from '../errors.js';

const BODY_LIMIT = 16_384;

async function readSmallBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size <= BODY_LIMIT) chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The organisation's people settings, where an administrator adds an identity. */
function usersPage(url: URL): string {
  const org = url.pathname.split('/').find((s) => s !== '') ?? '';
  return `${url.protocol}//${url.host}/${org}/_settings/users`;
}

export async function entraRefusal(res: http.IncomingMessage, status: number, url: URL, tokens: AzureDevOpsTokenProvider): Promise<never> {
  const body = await readSmallBody(res).catch(() => '');
  const host = url.host;
  if (status === 401 && /\bTF400813\b/.test(body)) {
    throw new FluxAzdoError(
      'AUTH_NO_ORG_ACCESS',
      `${host} accepted the Entra token but its identity has no access to the organisation (TF400813): an organisation administrator adds it under Organization settings → Users (${usersPage(url)}) with Basic access and Contributor rights on the project (for a service principal or managed identity: "Add users", then search its name)`,
      { option: 'azure-credential' },
    );
  }
  const tenant = tokens.tenantId
    ? ` (the token is from tenant ${tokens.tenantId}, ${tokens.tenantSource === 'given' ? 'given with --azure-tenant-id' : "the organisation's as its server named it"})`
    : '';
  const page = status === 203 ? ' with its sign-in page (HTTP 203)' : ' (HTTP 401)';
  throw new FluxAzdoError(
    'AUTH_TOKEN_REJECTED',
    `${host} refused the Entra token${page}${tenant}: the token must be issued by the organisation's Microsoft Entra tenant for Azure DevOps (audience 499b84ac-1321-427f-aa17-267ca6975798) and be unexpired; check --azure-tenant-id and the credential's tenant`,
    { option: 'azure-credential' },
  );
}
