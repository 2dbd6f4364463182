// A JWKS read over HTTPS from a server with a private CA (the test CA of the token service, the
// kube-apiserver's CA) and, where the server wants it, a credential (the apiserver's
// /openid/v1/jwks needs an authenticated client unless anonymous access is bound to it).
//
// jose's createRemoteJWKSet reads through the global fetch, which cannot be given a CA per
// call, so the document is fetched with node:https here and handed to jose's
// createLocalJWKSet; an unknown `kid` refetches once (the issuer may have rotated its keys).
import { request } from 'node:https';
import { createLocalJWKSet } from 'jose';

/**
 * GETs `url` and parses the JSON body; rejects on a non-2xx status. The Accept header names
 * `application/jwk-set+json` too: the kube-apiserver answers /openid/v1/jwks with 406 otherwise.
 */
export function getJson(url, { ca, headers = {}, cert, key } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', ca, cert, key, headers: { accept: 'application/json, application/jwk-set+json', ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
            reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`GET ${url}: the body is not JSON`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * A key lookup for jose's jwtVerify over the JWKS at `url`.
 * @param {string} url
 * @param {{ ca?: string|Buffer, headers?: Record<string,string>, cert?: string, key?: string }} [options]
 */
export function httpsJwks(url, options = {}) {
  let local;
  const load = async () => {
    local = createLocalJWKSet(await getJson(url, options));
    return local;
  };
  return async (protectedHeader, token) => {
    const keys = local ?? (await load());
    try {
      return await keys(protectedHeader, token);
    } catch (error) {
      if (error?.code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      return (await load())(protectedHeader, token);
    }
  };
}
