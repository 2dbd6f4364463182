// What a resource server (Azure DevOps, here tests/servers/git-https.mjs) checks on
// `Authorization: Bearer <jwt>`: the signature against the organisation's tenant's keys, the
// issuer of that tenant, Azure DevOps' audience and the time window; then whether the identity
// (`oid`) belongs to the organisation.
import { errors as joseErrors, jwtVerify } from 'jose';

import { httpsJwks } from './jwks.mjs';
import { AZURE_DEVOPS_RESOURCE } from './token-endpoint.mjs';

/**
 * @param {{ issuer: string, jwksUri: string, ca?: string, audience?: string, members?: string[] | (() => string[]|undefined) }} options
 *   members: the object ids with access to the organisation (all identities of the tenant when
 *   omitted), read at each request so a test may add or remove one
 * @returns {(authorization: string|undefined) => Promise<{ kind: 'none'|'valid'|'invalid'|'expired'|'not-member', oid?: string }>}
 */
export function bearerVerifier({ issuer, jwksUri, ca, audience = AZURE_DEVOPS_RESOURCE, members }) {
  const keys = httpsJwks(jwksUri, ca ? { ca } : {});
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return { kind: 'none' };
    try {
      // No clock tolerance: the tests make tokens expire on purpose.
      const { payload } = await jwtVerify(match[1], keys, { issuer, audience, algorithms: ['RS256'], requiredClaims: ['exp', 'oid'] });
      const oid = String(payload.oid);
      const allowed = typeof members === 'function' ? members() : members;
      if (allowed !== undefined && !allowed.includes(oid)) return { kind: 'not-member', oid };
      return { kind: 'valid', oid };
    } catch (error) {
      return { kind: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  };
}

/** The verifier for an organisation backed by a tenant of tests/servers/entra's service. */
export function bearerVerifierFor(service, { tenantId = service.tenantId, members } = {}) {
  return bearerVerifier({ issuer: service.issuer(tenantId), jwksUri: service.jwksUri(tenantId), ca: service.caPem, members });
}
