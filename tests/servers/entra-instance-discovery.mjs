// Microsoft Entra's instance discovery endpoint, as MSAL calls it, for Go clients in tests.
//
// Why it exists: source-controller v1.9.4 gets its token through fluxcd/pkg/auth v0.54.2
// (azure.Provider.NewControllerToken → azidentity.NewWorkloadIdentityCredential), which leaves
// DisableInstanceDiscovery false. MSAL for Go v1.7.2 then validates any authority host that is not
// one of Microsoft's clouds (apps/internal/oauth/resolvers.go openIDConfigurationEndpoint →
// ops/authority/authority.go AADInstanceDiscovery) by calling
//   GET https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=<authority>/<tenant>/oauth2/v2.0/authorize
// whatever AZURE_AUTHORITY_HOST says. The test machine cannot reach Microsoft, and Microsoft would
// not vouch for a test authority. So the controller process gets HTTPS_PROXY pointing at the
// CONNECT proxy below, which routes only login.microsoftonline.com:443 to this server (a
// certificate for that name from a test CA the process trusts through SSL_CERT_FILE). It answers
// the documented response shape: `tenant_discovery_endpoint` (the authority's own v2.0 discovery
// document) and `metadata` aliases. Go does not proxy loopback addresses, so the apiserver, the
// Git server and the token service itself are reached directly.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { serverCertificate } from '../support/test-pki.mjs';

export const INSTANCE_DISCOVERY_HOST = 'login.microsoftonline.com';

function certificateFor(dir, host) {
  return serverCertificate(dir, { caSubject: '/CN=flux-azdo test instance discovery CA', subject: `/CN=${host}`, names: [`DNS:${host}`] });
}

/**
 * Starts the discovery server and its CONNECT proxy. `authorities`: the authority hosts
 * (`https://127.0.0.1:<port>`) it vouches for; any other is `invalid_instance`, as Entra answers.
 */
export async function startInstanceDiscovery({ authorities }) {
  const dir = mkdtempSync(join(tmpdir(), 'flux-azdo-instance-discovery-'));
  const tls = certificateFor(dir, INSTANCE_DISCOVERY_HOST);
  const known = new Set(authorities.map((a) => new URL(a).host));
  const requests = [];
  const discovery = createHttpsServer({ key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) }, (req, res) => {
    const url = new URL(req.url, `https://${INSTANCE_DISCOVERY_HOST}`);
    requests.push(`${req.method} ${url.pathname}`);
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/common/discovery/instance') return send(404, { error: 'not_found' });
    let endpoint;
    try {
      endpoint = new URL(url.searchParams.get('authorization_endpoint') ?? '');
    } catch {
      return send(400, { error: 'invalid_request', error_description: 'AADSTS90002: authorization_endpoint is missing or malformed.' });
    }
    // `/<tenant>/oauth2/v2.0/authorize` on the authority host.
    const tenant = endpoint.pathname.split('/')[1] ?? '';
    if (!known.has(endpoint.host) || !tenant) {
      return send(400, { error: 'invalid_instance', error_description: 'AADSTS50049: Unknown or invalid instance.', error_codes: [50049] });
    }
    const host = endpoint.host;
    send(200, {
      tenant_discovery_endpoint: `https://${host}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });
  await new Promise((r) => discovery.listen(0, '127.0.0.1', r));
  const discoveryPort = discovery.address().port;

  // Only the discovery host goes through; anything else a controller tried would be refused.
  const proxy = createHttpServer((req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on('connect', (req, socket, head) => {
    if (req.url !== `${INSTANCE_DISCOVERY_HOST}:443`) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(discoveryPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));

  return {
    caFile: tls.caFile,
    proxyUrl: `http://127.0.0.1:${proxy.address().port}`,
    requests,
    async stop() {
      await Promise.all([new Promise((r) => discovery.close(r)), new Promise((r) => proxy.close(r))]);
      discovery.closeAllConnections?.();
      proxy.closeAllConnections?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
