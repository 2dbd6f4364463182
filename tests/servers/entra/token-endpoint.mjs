// The token endpoint's grant: OAuth 2.0 client credentials (RFC 6749 §4.4) as Microsoft Entra
// ID's v2.0 endpoint implements it — a client secret (client_secret_post or _basic), or a
// client assertion (RFC 7523 jwt-bearer) issued by another identity provider and accepted
// through a federated identity credential (issuer + subject + audience, the assertion's
// signature checked against that issuer's keys). Errors are Entra's: `error`, an AADSTS code in
// `error_description` and `error_codes`, trace and correlation ids.
import { randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from 'jose';

export const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798';
/** Microsoft Graph's resource id: what a token for "another resource" carries (the wrong-audience switch). */
export const MICROSOFT_GRAPH_RESOURCE = '00000003-0000-0000-c000-000000000000';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** Scopes Entra ignores on a client-credentials request (MSAL may add them). */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/** An Entra error answer: status, OAuth error, AADSTS code and text. */
export class AadError extends Error {
  constructor(status, error, code, description) {
    super(`AADSTS${code}: ${description}`);
    this.status = status;
    this.error = error;
    this.code = code;
  }

  body(base) {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    return {
      error: this.error,
      error_description: `${this.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [this.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${base}/error?code=${this.code}`,
    };
  }
}

/** client_id and client_secret from `Authorization: Basic` (client_secret_basic), if sent. */
function basicClient(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return {};
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** The resource of a client-credentials scope (`<resource>/.default`), as Entra requires it. */
function resourceOf(scope) {
  const scopes = (scope ?? '').split(/\s+/).filter((s) => s !== '' && !OIDC_SCOPES.has(s));
  if (scopes.length === 0) {
    throw new AadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
  }
  if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
    throw new AadError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  return scopes[0].slice(0, -'/.default'.length);
}

/**
 * Checks the federated assertion the way Entra does: a federated identity credential of the
 * app whose issuer, subject and audience match the assertion's claims, then the signature
 * against that issuer's keys and the assertion's time window.
 */
async function checkAssertion(app, assertion) {
  let claims;
  try {
    claims = decodeJwt(assertion);
  } catch {
    throw new AadError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
  }
  const byIssuer = app.federated.filter((f) => f.issuer === claims.iss);
  if (byIssuer.length === 0) {
    throw new AadError(
      400,
      'invalid_request',
      700211,
      `No matching federated identity record found for presented assertion issuer '${claims.iss}'.`,
    );
  }
  const bySubject = byIssuer.filter((f) => f.subject === claims.sub);
  if (bySubject.length === 0) {
    throw new AadError(
      400,
      'invalid_request',
      700213,
      `No matching federated identity record found for presented assertion subject '${claims.sub}'.`,
    );
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const credential = bySubject.find((f) => f.audiences.some((a) => audiences.includes(a)));
  if (!credential) {
    throw new AadError(
      400,
      'invalid_request',
      700212,
      `No matching federated identity record found for presented assertion audience '${audiences.join(', ')}'.`,
    );
  }
  try {
    await jwtVerify(assertion, credential.keys, { issuer: credential.issuer, subject: credential.subject, audience: credential.audiences });
  } catch (error) {
    if (!(error instanceof joseErrors.JOSEError)) {
      // The issuer's keys could not be read (its JWKS endpoint refused or is down).
      throw new AadError(400, 'invalid_request', 50166, `Request to External OIDC endpoint failed: ${error.message}`);
    }
    if (error instanceof joseErrors.JWTExpired || (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf')) {
      throw new AadError(400, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }
    throw new AadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
}

/**
 * Handles one POST to `/{tenant}/oauth2/v2.0/token`.
 * @returns {Promise<{ accessToken: string, expiresIn: number, app: object, grant: string }>}
 */
export async function grantToken({ directory, tenant, form, authorization, base, signingKey, switches }) {
  if (!tenant) throw new AadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
  const grantType = form.get('grant_type');
  if (!grantType)
    throw new AadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
  if (grantType !== 'client_credentials') {
    throw new AadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }
  const basic = basicClient(authorization);
  const clientId = form.get('client_id') ?? basic.clientId;
  if (!clientId) throw new AadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  const app = tenant.apps.get(clientId);
  if (!app) {
    throw new AadError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  }
  const secret = form.get('client_secret') ?? basic.clientSecret;
  const assertion = form.get('client_assertion');
  let acr;
  if (secret !== undefined && secret !== null) {
    directory.seen.add(secret);
    if (!app.secrets.has(secret)) {
      throw new AadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    acr = '1';
  } else if (assertion) {
    directory.seen.add(assertion);
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      throw new AadError(400, 'invalid_request', 700025, `Client assertion type must be '${JWT_BEARER}'.`);
    }
    await checkAssertion(app, assertion);
    acr = '2';
  } else {
    throw new AadError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const resource = resourceOf(form.get('scope'));
  if (!directory.resources.has(resource)) {
    throw new AadError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant.id}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = switches.lifetimeSeconds;
  const issuer = `${base}/${tenant.id}/`;
  // A v1.0 access token, as Entra issues for Azure DevOps (its API accepts v1 tokens):
  // `aud` is the resource id, `appid`/`appidacr` the client and how it authenticated.
  const accessToken = await new SignJWT({
    aud: switches.wrongAudience ? MICROSOFT_GRAPH_RESOURCE : resource,
    iss: issuer,
    idp: issuer,
    appid: clientId,
    appidacr: acr,
    idtyp: 'app',
    oid: app.objectId,
    sub: app.objectId,
    tid: tenant.id,
    uti: randomUUID().replaceAll('-', ''),
    ver: '1.0',
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: signingKey.kid, x5t: signingKey.kid })
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + expiresIn)
    .sign(signingKey.privateKey);
  return { accessToken, expiresIn, app, grant: acr === '1' ? 'client_secret' : 'client_assertion' };
}
