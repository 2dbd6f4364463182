// A stand-in for Azure DevOps' PAT Lifecycle Management API (host vssps.dev.azure.com), the
// read half of `specification/tokens/7.1/tokens.json`: `GET /{org}/_apis/tokens/pats` (Pats_List:
// displayFilterOption active|revoked|expired|all, sortByOption displayName|displayDate|status,
// isSortAscending, continuationToken, $top ≤ 100 → PagedPatTokens `{continuationToken, patTokens}`)
// and `GET …?authorizationId=` (Pats_Get → PatTokenResult `{patToken, patTokenError}`), api-version
// 7.1-preview.1 only. PatToken fields: authorizationId, displayName, scope, targetAccounts,
// token (null), validFrom, validTo. HTTPS with its own test CA.
//
// Auth as Microsoft documents it: a Microsoft Entra token (`Authorization: Bearer`), checked by
// `verify` (tests pass tests/servers/entra's bearer verifier); a PAT (Basic) gets
// `InvalidAccessException`. Only a *user's* token is valid; an app-only token (`idtyp: app`, what
// the client-credentials grant gives) is refused the same way — unless `acceptAppTokens`, the one
// deviation: the Entra stand-in issues app tokens only (it has no user sign-in flows), so tests of
// the successful lookup let the service principal stand for the signed-in user.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { makeTestCa } from './git-https.mjs';

const PATS_PATH = /^\/([^/]+)\/_apis\/tokens\/pats\/?$/;
const API_VERSION = '7.1-preview.1';
const PAGE_MAX = 100;
const PAGE_DEFAULT = 20;

function claims(authorization) {
  const jwt = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const payload = jwt?.split('.')[1];
  return payload ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) : {};
}

/**
 * @param {{ verify: (authorization: string|undefined) => Promise<{ kind: string, oid?: string }>,
 *   acceptAppTokens?: boolean }} options
 */
export async function startPatLifecycleService({ verify, acceptAppTokens = false }) {
  if (typeof verify !== 'function') throw new Error('startPatLifecycleService: verify is required');
  const work = mkdtempSync(join(tmpdir(), 'flux-azdo-vssps-'));
  const tls = makeTestCa(work);
  /** PATs by organization → owner object id → authorizationId. */
  const orgs = new Map();
  const stats = { requests: 0, refused: 0 };
  const log = [];

  const send = (res, status, body) =>
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  const vssError = (res, status, message, typeKey) =>
    send(res, status, {
      $id: '1',
      innerException: null,
      message,
      typeName: `Microsoft.VisualStudio.Services.${typeKey}`,
      typeKey,
      errorCode: 0,
      eventId: 3000,
    });
  const notAllowed = (res) => {
    stats.refused += 1;
    vssError(res, 401, 'The requested operation is not allowed.', 'InvalidAccessException');
  };
  const statusOf = (pat, now) => (pat.revoked ? 'revoked' : Date.parse(pat.validTo) <= now ? 'expired' : 'active');
  const shown = ({ revoked: _r, owner: _o, ...pat }) => ({ ...pat, token: null });

  const server = createServer({ key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) }, async (req, res) => {
    stats.requests += 1;
    try {
      const url = new URL(req.url, 'https://127.0.0.1');
      log.push(`${req.method} ${url.pathname}${url.search}`);
      req.resume();
      const match = PATS_PATH.exec(url.pathname);
      if (!match) return vssError(res, 404, `The resource ${url.pathname} does not exist.`, 'VssResourceNotFoundException');
      if (req.method !== 'GET') return vssError(res, 405, 'Only GET is emulated.', 'VssMethodNotAllowedException');
      if (url.searchParams.get('api-version') !== API_VERSION) {
        return vssError(
          res,
          400,
          `The requested REST API version of ${url.searchParams.get('api-version') ?? '(none)'} is not supported; use ${API_VERSION}.`,
          'VssVersionNotSupportedException',
        );
      }
      const who = await verify(req.headers.authorization);
      if (who.kind !== 'valid') return notAllowed(res);
      if (claims(req.headers.authorization).idtyp === 'app' && !acceptAppTokens) return notAllowed(res);
      const mine = [...(orgs.get(match[1].toLowerCase())?.values() ?? [])].filter((p) => p.owner === who.oid);
      const now = Date.now();

      const authorizationId = url.searchParams.get('authorizationId');
      if (authorizationId !== null) {
        const pat = mine.find((p) => p.authorizationId === authorizationId);
        return send(
          res,
          200,
          pat ? { patToken: shown(pat), patTokenError: 'none' } : { patToken: null, patTokenError: 'authorizationNotFound' },
        );
      }
      const filter = url.searchParams.get('displayFilterOption') ?? 'active';
      const sortBy = url.searchParams.get('sortByOption') ?? 'displayName';
      const ascending = url.searchParams.get('isSortAscending') !== 'false';
      const top = Math.min(PAGE_MAX, Number(url.searchParams.get('$top') ?? PAGE_DEFAULT) || PAGE_DEFAULT);
      const start = Number(Buffer.from(url.searchParams.get('continuationToken') ?? '', 'base64').toString('utf8') || '0');
      const key =
        { displayName: (p) => p.displayName, displayDate: (p) => p.validFrom, status: (p) => statusOf(p, now) }[sortBy] ??
        ((p) => p.displayName);
      const listed = mine
        .filter((p) => filter === 'all' || statusOf(p, now) === filter)
        .sort((a, b) => (ascending ? 1 : -1) * String(key(a)).localeCompare(String(key(b))));
      const page = listed.slice(start, start + top);
      const next = start + top < listed.length ? Buffer.from(String(start + top)).toString('base64') : '';
      return send(res, 200, { continuationToken: next, patTokens: page.map(shown) });
    } catch (error) {
      if (!res.headersSent) vssError(res, 500, String(error), 'VssServiceException');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const baseUrl = `https://127.0.0.1:${server.address().port}`;
  return {
    baseUrl,
    caFile: tls.caFile,
    caPem: readFileSync(tls.caFile, 'utf8'),
    stats,
    log,
    /**
     * A PAT of `owner` (an Entra object id) in `organization`, as Azure DevOps lists it; returns
     * its `authorizationId`.
     */
    addPat({ organization, owner, displayName, validTo, validFrom = new Date().toISOString(), scope = 'vso.code', revoked = false }) {
      const byId = orgs.get(organization.toLowerCase()) ?? new Map();
      orgs.set(organization.toLowerCase(), byId);
      const authorizationId = randomUUID();
      byId.set(authorizationId, { authorizationId, displayName, scope, targetAccounts: null, validFrom, validTo, owner, revoked });
      return authorizationId;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(work, { recursive: true, force: true });
    },
  };
}
