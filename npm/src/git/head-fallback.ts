/**
 * A fetch of one named branch must not depend on the remote's HEAD. isomorphic-git's fetch (and
 * so its clone) always works out the remote's default branch from the ref advertisement, and
 * throws `Could not find HEAD` when the advertisement has neither a `HEAD` line nor a
 * `symref=HEAD:` capability — what Git sends when HEAD names a branch that no longer exists (a
 * default-branch rename or an import leaves that behind). `git clone --branch main` ignores it.
 *
 * We never use that default branch (every fetch names its ref), so when HEAD is missing from the
 * upload-pack advertisement this wrapper adds a `symref=HEAD:refs/heads/<branch>` capability for
 * the branch being fetched. Nothing else in the advertisement changes, and nothing is sent to the
 * server differently: capabilities the client sends back are chosen from a fixed list.
 */
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

type Packet = Buffer | 'flush';

function parsePackets(data: Buffer): Packet[] | null {
  const packets: Packet[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 4 > data.length) return null;
    const length = Number.parseInt(data.subarray(at, at + 4).toString('latin1'), 16);
    if (Number.isNaN(length) || (length > 0 && length < 4) || at + Math.max(length, 4) > data.length) return null;
    if (length === 0) {
      packets.push('flush');
      at += 4;
    } else {
      packets.push(data.subarray(at + 4, at + length));
      at += length;
    }
  }
  return packets;
}

function encodePackets(packets: Packet[]): Buffer {
  return Buffer.concat(
    packets.map((p) =>
      p === 'flush' ? Buffer.from('0000') : Buffer.concat([Buffer.from((p.length + 4).toString(16).padStart(4, '0')), p]),
    ),
  );
}

/**
 * The advertisement with `symref=HEAD:<ref>` added to the first ref line's capabilities, when it
 * has no HEAD of its own and does advertise `ref`; otherwise the same bytes.
 */
export function addHeadSymref(advertisement: Buffer, ref: string): Buffer {
  const packets = parsePackets(advertisement);
  if (packets === null) return advertisement;
  // Smart HTTP: `# service=…` and a flush come first (the SSH transport answers in the same form).
  const start = packets.findIndex((p) => p !== 'flush' && !p.toString('latin1').startsWith('#'));
  const first = packets[start];
  if (start < 0 || first === undefined || first === 'flush') return advertisement;
  const nul = first.indexOf(0);
  if (nul < 0) return advertisement;
  const refLines: string[] = [];
  for (let i = start; i < packets.length; i += 1) {
    const p = packets[i];
    if (p === undefined || p === 'flush') break;
    const line = (i === start ? p.subarray(0, nul) : p).toString('utf8').replace(/\n$/, '');
    refLines.push(line.slice(line.indexOf(' ') + 1));
  }
  const capabilities = first.subarray(nul + 1).toString('utf8');
  if (refLines.includes('HEAD') || /(^| )symref=HEAD:/.test(capabilities) || !refLines.includes(ref)) return advertisement;
  packets[start] = Buffer.concat([first.subarray(0, nul + 1), Buffer.from(`symref=HEAD:${ref} `, 'utf8'), first.subarray(nul + 1)]);
  return encodePackets(packets);
}

async function collect(body: GitHttpResponse['body']): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  if (body !== undefined) for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* once(data: Uint8Array): AsyncIterableIterator<Uint8Array> {
  yield data;
}

/** `http` with HEAD made up for `branch` in upload-pack advertisements that lack it (see above). */
export function withHeadFallback(http: HttpClient, branch: string): HttpClient {
  const ref = `refs/heads/${branch}`;
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const res = await http.request(req);
      const url = new URL(req.url);
      const advertisement = url.pathname.endsWith('/info/refs') && url.searchParams.get('service') === 'git-upload-pack';
      if (!advertisement || res.statusCode !== 200) return res;
      return { ...res, body: once(addHeadSymref(await collect(res.body), ref)) };
    },
  };
}
