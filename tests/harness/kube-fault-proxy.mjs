// A fault proxy in front of the test kube-apiserver: TLS with the harness PKI (the apiserver's own
// serving certificate, so a kubeconfig with the cluster CA trusts it), client certificates checked
// against the cluster CA, every request forwarded to the real apiserver as the harness admin.
// Tests hook requests to make faults the apiserver itself answers: hold a write until the test
// has killed the apiserver (so the write meets a dead server, never a live one), or write the
// same object first so the apiserver answers a genuine 409. Nothing is answered by the proxy
// itself: every status a client sees comes from kube-apiserver, or is a dropped connection when
// the apiserver is gone.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import { join } from 'node:path';

import { kubeconfigText } from './cluster.mjs';

/**
 * Starts the proxy for `cluster` (from startCluster). `hooks` run in order for each request
 * (`{ method, path, headers, body }`, body as a string): a hook may await (holding the request)
 * and returns nothing to forward it, or 'drop' to close the connection unanswered.
 * Returns `{ server, kubeconfigPath, addHook(fn) → remove(), requests, stop() }`.
 */
export async function startKubeFaultProxy(cluster) {
  const [cert, key] = await Promise.all([
    readFile(join(cluster.dir, 'apiserver.crt'), 'utf8'),
    readFile(join(cluster.dir, 'apiserver.key'), 'utf8'),
  ]);
  const upstream = new URL(cluster.server);
  const hooks = [];
  /** Every request seen: `{ method, path, contentType, status }` (status: the apiserver's answer), for tests that check what was attempted. */
  const requests = [];
  const sockets = new Set();

  const server = createServer({ cert, key, ca: cluster.admin.ca, requestCert: true, rejectUnauthorized: true }, async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const seen = { method: req.method, path: req.url, headers: req.headers, body };
    const entry = { method: req.method, path: req.url, contentType: req.headers['content-type'], status: undefined };
    requests.push(entry);
    for (const hook of [...hooks]) {
      if ((await hook(seen)) === 'drop') {
        req.socket.destroy();
        return;
      }
    }
    forward(seen, res, req.socket, entry);
  });

  function forward(seen, res, clientSocket, entry) {
    const headers = { ...seen.headers, host: upstream.host };
    delete headers.connection;
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: seen.method,
        path: seen.path,
        headers,
        ca: cluster.admin.ca,
        cert: cluster.admin.cert,
        key: cluster.admin.key,
        agent: false,
      },
      (upRes) => {
        entry.status = upRes.statusCode;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('error', () => clientSocket.destroy());
      },
    );
    // The apiserver is gone (refused, reset): the client sees its connection drop, as it would
    // talking to the dead apiserver directly.
    up.on('error', () => clientSocket.destroy());
    if (seen.body.length > 0) up.write(seen.body);
    up.end();
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `https://127.0.0.1:${server.address().port}`;
  const kubeconfigPath = join(cluster.dir, `fault-proxy-${server.address().port}.kubeconfig`);
  await writeFile(
    kubeconfigPath,
    kubeconfigText({
      server: proxyUrl,
      ca: cluster.admin.ca,
      cert: cluster.admin.cert,
      key: cluster.admin.key,
      user: 'flux-azdo-test-admin',
    }),
    { mode: 0o600 },
  );

  return {
    server: proxyUrl,
    kubeconfigPath,
    requests,
    /** Adds a hook; returns the function that removes it. */
    addHook(fn) {
      hooks.push(fn);
      return () => {
        const i = hooks.indexOf(fn);
        if (i >= 0) hooks.splice(i, 1);
      };
    },
    async stop() {
      hooks.length = 0;
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Whether a request changes something (access reviews only ask a question). */
export function isWrite({ method, path }) {
  return method !== 'GET' && method !== 'HEAD' && !path.startsWith('/apis/authorization.k8s.io/');
}
