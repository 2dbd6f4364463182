// A Microsoft-Entra-ID-shaped token service for tests: HTTPS on 127.0.0.1 with its own test CA,
// serving per tenant what a confidential client (MSAL, through @azure/identity) reads —
//   GET  /{tenant}/v2.0/.well-known/openid-configuration   (v2.0 discovery)
//   GET  /{tenant}/.well-known/openid-configuration        (v1.0 discovery: the access tokens' issuer)
//   GET  /{tenant}/discovery/v2.0/keys, /{tenant}/discovery/keys, /common/discovery/keys (JWKS)
//   POST /{tenant}/oauth2/v2.0/token                        (client credentials: secret or federated assertion)
// and issuing RS256 access tokens for Azure DevOps' resource. `{tenant}` is the tenant id or
// one of its domain names. See README.md beside this file for how tests start and use it.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

import { makeTestCa } from '../git-https.mjs';
import { httpsJwks } from './jwks.mjs';
import { AadError, AZURE_DEVOPS_RESOURCE, grantToken, MICROSOFT_GRAPH_RESOURCE, TOKEN_EXCHANGE_AUDIENCE } from './token-endpoint.mjs';

export { AZURE_DEVOPS_RESOURCE, MICROSOFT_GRAPH_RESOURCE, TOKEN_EXCHANGE_AUDIENCE } from './token-endpoint.mjs';

const TENANT_PATH = /^\/([^/]+)(\/.*)$/;

function collectBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  res
    .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' })
    .end(JSON.stringify(body));
}

/**
 * Starts the service on 127.0.0.1 and a free port.
 * @param {{ tenantId?: string, domains?: string[], lifetimeSeconds?: number }} [options]
 */
export async function startEntraTokenService({ tenantId = randomUUID(), domains = [], lifetimeSeconds = 3600 } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'flux-azdo-entra-'));
  const tls = makeTestCa(work);
  const caPem = readFileSync(tls.caFile, 'utf8');

  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const signingKey = { privateKey, kid };
  const jwks = { keys: [{ ...publicJwk, kid, use: 'sig', alg: 'RS256', x5t: kid }] };

  /** Tenants by id and domain; each holds its service principals (apps) by client id. */
  const tenants = new Map();
  const directory = {
    tenants,
    /** Resources a client-credentials scope may name (`<resource>/.default`). */
    resources: new Set([AZURE_DEVOPS_RESOURCE, MICROSOFT_GRAPH_RESOURCE]),
    /** Every client secret and assertion presented, for leak scans. */
    seen: new Set(),
  };
  /** Test switches, read at each token request. */
  const switches = {
    /** `expires_in` and `exp - iat` of issued tokens. */
    lifetimeSeconds,
    /** Issue tokens for Microsoft Graph instead of the requested resource (a token for the wrong audience). */
    wrongAudience: false,
  };
  const stats = { tokenRequests: 0, issued: 0, refused: 0, discovery: 0, jwks: 0 };
  /** `{ token, clientId, tenantId, grant, expiresOn }` of every issued token, in order. */
  const issued = [];
  const log = [];

  let base = '';
  const tenantOf = (segment) => tenants.get(segment.toLowerCase());
  const v2Discovery = (tid) => ({
    token_endpoint: `${base}/${tid}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${tid}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${tid}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/${tid}/openid/userinfo`,
    authorization_endpoint: `${base}/${tid}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${tid}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${tid}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'ver'],
    tenant_region_scope: 'EU',
    cloud_instance_name: new URL(base).host,
    cloud_graph_host_name: 'graph.invalid',
    msgraph_host: 'graph.invalid',
  });
  const v1Discovery = (tid) => ({
    ...v2Discovery(tid),
    token_endpoint: `${base}/${tid}/oauth2/token`,
    authorization_endpoint: `${base}/${tid}/oauth2/authorize`,
    jwks_uri: `${base}/common/discovery/keys`,
    issuer: `${base}/${tid}/`,
  });

  const server = createServer({ key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) }, async (req, res) => {
    try {
      const url = new URL(req.url, 'https://127.0.0.1');
      log.push(`${req.method} ${url.pathname}`);
      const match = TENANT_PATH.exec(url.pathname);
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      const [, segment, rest] = match;
      if (req.method === 'GET' && rest.endsWith('/keys') && (segment === 'common' || tenantOf(segment))) {
        stats.jwks += 1;
        sendJson(res, 200, jwks);
        return;
      }
      if (req.method === 'GET' && (rest === '/v2.0/.well-known/openid-configuration' || rest === '/.well-known/openid-configuration')) {
        const tenant = tenantOf(segment);
        stats.discovery += 1;
        if (!tenant) {
          sendJson(res, 400, new AadError(400, 'invalid_tenant', 90002, `Tenant '${segment}' not found.`).body(base));
          return;
        }
        sendJson(res, 200, rest.startsWith('/v2.0') ? v2Discovery(tenant.id) : v1Discovery(tenant.id));
        return;
      }
      if (rest === '/oauth2/v2.0/token') {
        stats.tokenRequests += 1;
        if (req.method !== 'POST') {
          res.writeHead(405, { Allow: 'POST' }).end();
          return;
        }
        const form = new URLSearchParams(await collectBody(req));
        try {
          const tenant = tenantOf(segment);
          if (!tenant) throw new AadError(400, 'invalid_tenant', 90002, `Tenant '${segment}' not found.`);
          const granted = await grantToken({
            directory,
            tenant,
            form,
            authorization: req.headers.authorization,
            base,
            signingKey,
            switches,
          });
          stats.issued += 1;
          issued.push({
            token: granted.accessToken,
            clientId: granted.app.clientId,
            tenantId: tenant.id,
            grant: granted.grant,
            expiresOn: Date.now() + granted.expiresIn * 1000,
          });
          sendJson(res, 200, {
            token_type: 'Bearer',
            expires_in: granted.expiresIn,
            ext_expires_in: granted.expiresIn,
            access_token: granted.accessToken,
          });
        } catch (error) {
          if (!(error instanceof AadError)) throw error;
          stats.refused += 1;
          sendJson(res, error.status, error.body(base));
        }
        return;
      }
      res.writeHead(404).end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  base = `https://127.0.0.1:${server.address().port}`;

  const service = {
    /** What AZURE_AUTHORITY_HOST / `authorityHost` is set to. */
    authorityHost: base,
    /** The service's test CA: trust it with NODE_EXTRA_CA_CERTS (a child process) or `ca` (node:https). */
    caFile: tls.caFile,
    caPem,
    /** The first tenant. */
    tenantId,
    switches,
    stats,
    issued,
    log,
    /** The `iss` of the access tokens a tenant issues (the v1.0 issuer, as Azure DevOps' tokens carry). */
    issuer: (tid = tenantId) => `${base}/${tid}/`,
    /** The JWKS URL that verifies those tokens. */
    jwksUri: (tid = tenantId) => `${base}/${tid}/discovery/v2.0/keys`,
    /** `https://<host>/<tenant>`: the `authorization_uri` Azure DevOps names for an organisation of that tenant. */
    authorizationUri: (tid = tenantId) => `${base}/${tid}`,
    /** Adds a tenant (directory); returns its id. */
    addTenant({ id = randomUUID(), domains: names = [] } = {}) {
      const tenant = { id, apps: new Map() };
      for (const key of [id, ...names]) tenants.set(key.toLowerCase(), tenant);
      return id;
    },
    /**
     * Registers an application with its service principal in a tenant.
     * `clientSecret: true` makes a random secret; `federated` adds federated identity
     * credentials: `{ issuer, subject, audiences?, jwksUri, ca?, headers?, cert?, key? }` where
     * jwksUri (e.g. the kube-apiserver's `/openid/v1/jwks`) is where the issuer's keys are read.
     * @returns {{ tenantId: string, clientId: string, objectId: string, clientSecret?: string }}
     */
    addServicePrincipal({ tenantId: tid = tenantId, clientId = randomUUID(), objectId = randomUUID(), clientSecret, federated = [] } = {}) {
      const tenant = tenantOf(tid);
      if (!tenant) throw new Error(`addServicePrincipal: no tenant ${tid}`);
      const secret = clientSecret === true ? `${randomUUID().slice(0, 3)}8Q~${randomUUID().replaceAll('-', '')}` : clientSecret;
      const app = { clientId, objectId, secrets: new Set(secret ? [secret] : []), federated: [] };
      for (const f of federated) {
        const { issuer, subject, audiences = [TOKEN_EXCHANGE_AUDIENCE], jwksUri, ...fetchOptions } = f;
        if (!issuer || !subject || !jwksUri)
          throw new Error('addServicePrincipal: a federated credential needs issuer, subject and jwksUri');
        app.federated.push({ issuer, subject, audiences, keys: httpsJwks(jwksUri, fetchOptions) });
      }
      tenant.apps.set(clientId, app);
      return { tenantId: tenant.id, clientId, objectId, ...(secret ? { clientSecret: secret } : {}) };
    },
    /** Every secret value the service handled (client secrets, assertions, tokens): for leak scans. */
    secretValues() {
      const secrets = [...tenants.values()].flatMap((t) => [...t.apps.values()].flatMap((a) => [...a.secrets]));
      return [...new Set([...secrets, ...directory.seen, ...issued.map((i) => i.token)])];
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(work, { recursive: true, force: true });
    },
  };
  service.addTenant({ id: tenantId, domains });
  return service;
}
