// Who may use tests/servers/git-https.mjs, decided as Azure DevOps decides it: Basic with a PAT
// (any non-empty username), or `Authorization: Bearer <Entra access token>` for the
// organisation's tenant (signature against the tenant's keys, issuer, Azure DevOps' audience,
// expiry), then whether the identity is a member of the organisation. Also the organisation
// probe: an unauthenticated `HEAD /{org}` names the tenant in `WWW-Authenticate` and
// `X-VSS-ResourceTenant`, which is how Git Credential Manager (and flux-azdo) find it.
import { randomUUID } from 'node:crypto';

import { bearerVerifierFor } from './entra/bearer.mjs';

const ORG_PATH = /^\/([^/]+)\/?$/;

function basicPassword(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const username = decoded.slice(0, colon);
  // Azure DevOps accepts any non-empty username with a PAT.
  return username.length > 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * identities: the PAT users (`{ pat, id, displayName, uniqueName, bypassPolicy }`);
 * readOnlyIdentity: who the read-only PAT and the PATs in `pats.accepted` are (the main user);
 * pats: the rotation switches (`accepted`, `revoked`, `restricted`; see git-https.mjs).
 * @param {{ identities: object[], readOnlyPat?: string, readOnlyIdentity: object,
 *   entra?: { service: object, tenantId?: string, members?: string[], readers?: string[] },
 *   faults: { signInPageFor401: boolean }, stats: object,
 *   pats?: { accepted: Set<string>, revoked: Set<string>, restricted: Map<string, RegExp> } }} options
 *   pats: rotation switches (git-https.mjs) — more accepted PATs, revoked ones, and ones a
 *   conditional access policy allows only from clients whose User-Agent matches.
 *   entra.members: object ids that may read and write (every identity of the tenant when omitted);
 *   entra.readers: object ids that may only read. Both are read at each request.
 */
export function createGitAuth({ identities, readOnlyPat, readOnlyIdentity, entra, faults, stats, pats }) {
  const tenantId = entra ? (entra.tenantId ?? entra.service.tenantId) : undefined;
  // Read at each request: a test may change `entra.members` / `entra.readers` while the server runs.
  const members = () => (entra?.members === undefined ? undefined : [...entra.members, ...(entra.readers ?? [])]);
  const verify = entra ? bearerVerifierFor(entra.service, { tenantId, members }) : undefined;
  const tenantHeaders = () =>
    entra
      ? {
          'WWW-Authenticate': [
            `Bearer authorization_uri=${entra.service.authorizationUri(tenantId)}`,
            'Basic realm="https://127.0.0.1/"',
            'TFS-Federated',
          ],
          'X-VSS-ResourceTenant': tenantId,
        }
      : { 'WWW-Authenticate': 'Basic realm="https://127.0.0.1/"' };

  const refuse = (req, res, { status = 401, body } = {}) => {
    stats.unauthorized += 1;
    // Azure DevOps answers bad credentials with its sign-in page unless told not to.
    if (faults.signInPageFor401 && status === 401 && req.headers['x-tfs-fedauthredirect'] !== 'Suppress') {
      res.writeHead(203, { 'Content-Type': 'text/html' }).end('<html><title>Azure DevOps Services | Sign In</title></html>\n');
      return undefined;
    }
    res.writeHead(status, { ...tenantHeaders(), ...(body ? { 'Content-Type': 'text/plain' } : {}) }).end(body);
    return undefined;
  };

  return {
    /**
     * Answers `HEAD /{org}` (and GET) like Azure DevOps does for an anonymous client: 401 with
     * the tenant headers. Returns whether it answered.
     */
    answerOrgProbe(req, res, url) {
      if (req.method !== 'HEAD' && req.method !== 'GET') return false;
      if (!ORG_PATH.test(url.pathname)) return false;
      req.resume();
      res.writeHead(401, tenantHeaders()).end();
      return true;
    },
    /**
     * Authenticates a Git or REST request. Returns who it is (`{ id, displayName, uniqueName,
     * bypassPolicy, readOnly }`), or undefined after answering 401 (or 203 with the sign-in page
     * when `faults.signInPageFor401` is set).
     */
    async authorize(req, res) {
      const header = req.headers.authorization;
      if (verify && /^Bearer\s/i.test(header ?? '')) {
        const result = await verify(header);
        if (result.kind === 'valid') {
          const readOnly = (entra.readers ?? []).includes(result.oid);
          return {
            id: result.oid,
            displayName: `Entra ${result.oid}`,
            uniqueName: `${result.oid}@entra.invalid`,
            bypassPolicy: false,
            readOnly,
          };
        }
        req.resume();
        if (result.kind === 'not-member') {
          return refuse(req, res, { body: `TF400813: The user '${result.oid}' is not authorized to access this resource.\n` });
        }
        stats.bearerRefused = (stats.bearerRefused ?? 0) + 1;
        return refuse(req, res);
      }
      const password = basicPassword(header);
      if (password !== undefined) {
        if (pats?.revoked.has(password)) return (req.resume(), refuse(req, res));
        const allowedClients = pats?.restricted.get(password);
        if (allowedClients && !allowedClients.test(req.headers['user-agent'] ?? '')) {
          req.resume();
          return refuse(req, res, { body: 'VS403463: The conditional access policy defined by your Azure AD administrator has failed.\n' });
        }
        if (readOnlyPat !== undefined && password === readOnlyPat)
          return { ...readOnlyIdentity, id: randomUUID(), readOnly: true, bypassPolicy: false };
        const user = identities.find((u) => u.pat === password);
        if (user) {
          const { pat: _pat, ...identity } = user;
          return { ...identity, readOnly: false };
        }
        // A PAT added by a test (a newly created one of the main user).
        if (pats?.accepted.has(password)) return { ...readOnlyIdentity, readOnly: false, bypassPolicy: false };
      }
      req.resume();
      return refuse(req, res);
    },
  };
}
