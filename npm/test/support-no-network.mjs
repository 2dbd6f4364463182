// Preloaded with `node --import` (through NODE_OPTIONS) into every process of an "offline" run:
// any attempt to open a TCP connection is written to $NO_NETWORK_LOG and fails at once, as on a
// machine with no network route. The test then asserts the log is empty: nothing even tried.
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const log = process.env.NO_NETWORK_LOG;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const [first] = args;
  const target = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  // A Unix socket or a named pipe is local IPC, not the network.
  if (target.path !== undefined || (typeof first === 'string' && Number.isNaN(Number(first)))) return connect.apply(this, args);
  if (log) appendFileSync(log, `${process.pid} ${process.argv.slice(1).join(' ')} → ${target.host ?? 'localhost'}:${target.port}\n`);
  process.nextTick(() => this.destroy(Object.assign(new Error('no network route (test)'), { code: 'ENETUNREACH' })));
  return this;
};
