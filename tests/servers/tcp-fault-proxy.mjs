// A TCP proxy for tests, put in front of a real server (sshd) to make the network faults a
// client must survive. Each switch applies to the next N connections; others pass through.
//
// - dropAfterClientBytes(n): forward until a connection's client has sent n bytes, then reset both sides
//   (an SSH push cut off mid-upload: the handshake and authentication are a few KiB, the pack
//   that follows is far more, so an n between the two cuts the pack).
// - freezeAfterClientBytes(n): forward until the client has sent n bytes, then forward nothing
//   either way while keeping both connections open (a silent peer: only keepalives notice).
// - hangBeforeBanner(): accept, never connect upstream, never send a byte (an SSH handshake that
//   never starts).
// `connections` records each connection's bytes (up: client→server, down: server→client) and
// what the proxy did with it.
import { connect, createServer } from 'node:net';

export async function startTcpFaultProxy({ targetHost, targetPort, host = '127.0.0.1' }) {
  /** Armed switches in order: `{ type: 'drop' | 'freeze' | 'hang', bytes?, left }`. */
  const armed = [];
  const connections = [];
  const sockets = new Set();
  const track = (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    return socket;
  };

  const take = (fault) => {
    fault.left -= 1;
    if (fault.left === 0) armed.splice(armed.indexOf(fault), 1);
  };

  const server = createServer((client) => {
    track(client);
    // A hang takes the next connection; a byte switch takes the first connection that crosses
    // its count (so short connections before it, a host key scan or a clone, pass untouched).
    const hang = armed.find((f) => f.type === 'hang' && f.left > 0);
    if (hang) take(hang);
    const record = { up: 0, down: 0, fate: hang ? 'hang' : 'forwarded', faultAt: undefined };
    connections.push(record);
    if (hang) {
      // Read and drop whatever the client sends; answer nothing, ever.
      client.on('data', (chunk) => (record.up += chunk.length));
      return;
    }
    const upstream = track(connect(targetPort, targetHost));
    let frozen = false;
    client.on('data', (chunk) => {
      if (frozen) return;
      const fault = armed.find((f) => f.type !== 'hang' && f.left > 0 && record.up + chunk.length >= f.bytes);
      if (fault) {
        take(fault);
        const head = chunk.subarray(0, Math.max(0, fault.bytes - record.up));
        record.up += head.length;
        record.faultAt = record.up;
        record.fate = fault.type;
        if (head.length > 0) upstream.write(head);
        if (fault.type === 'drop') {
          client.resetAndDestroy();
          upstream.destroy();
        } else frozen = true;
        return;
      }
      record.up += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (frozen) return;
      record.down += chunk.length;
      client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => {
      if (!frozen) client.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address();
  return {
    host,
    port,
    connections,
    dropAfterClientBytes(bytes, { count = 1 } = {}) {
      armed.push({ type: 'drop', bytes, left: count });
    },
    freezeAfterClientBytes(bytes, { count = 1 } = {}) {
      armed.push({ type: 'freeze', bytes, left: count });
    },
    hangBeforeBanner({ count = 1 } = {}) {
      armed.push({ type: 'hang', left: count });
    },
    /** Disarms every switch. */
    clear() {
      armed.length = 0;
    },
    /** Switches still armed. */
    pending: () => armed.reduce((n, f) => n + f.left, 0),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
