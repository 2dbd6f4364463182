// What Azure DevOps does on the wire when a push updates a branch that has branch policies: it
// answers the receive-pack request itself, rejecting the ref in the report-status with TF402455
// (`ng refs/heads/main TF402455: …`), which git shows as `! [remote rejected] main -> main
// (TF402455: …)` and isomorphic-git as the ref's `error`. Identities with "Bypass policies when
// pushing" are let through to git http-backend.

/** Azure DevOps' text for a direct push to a branch with required policies. */
export const TF402455 = 'TF402455: Pushes to this branch are not permitted; you must use a pull request to update this branch.';

const ZERO = '0'.repeat(40);

/**
 * The ref updates and capabilities of a receive-pack request: pkt-lines `<old> <new> <ref>`, the
 * first one carrying `\0<capabilities>`, up to the flush packet that precedes the pack.
 */
export function receivePackCommands(body) {
  const commands = [];
  let capabilities = new Set();
  let at = 0;
  while (at + 4 <= body.length) {
    const len = parseInt(body.subarray(at, at + 4).toString('ascii'), 16);
    if (!Number.isFinite(len) || len === 0) break;
    let line = body.subarray(at + 4, at + len).toString('utf8');
    at += len;
    const nul = line.indexOf('\0');
    if (nul >= 0) {
      capabilities = new Set(
        line
          .slice(nul + 1)
          .trim()
          .split(/\s+/),
      );
      line = line.slice(0, nul);
    }
    const [oldOid, newOid, ref] = line.trim().split(' ');
    if (ref) commands.push({ oldOid, newOid, ref, deletes: newOid === ZERO });
  }
  return { commands, capabilities };
}

function pktLine(text) {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'ascii'), payload]);
}

const FLUSH = Buffer.from('0000', 'ascii');

/**
 * The receive-pack result refusing every command: the policy-protected refs with TF402455, the
 * others as not attempted (Azure DevOps applies a push's ref updates together). Wrapped in
 * side-band channel 1 when the client asked for side-band(-64k), as git's own server does.
 */
export function policyRejection({ commands, capabilities }, isProtected) {
  const status = Buffer.concat([
    pktLine('unpack ok\n'),
    ...commands.map((c) => pktLine(`ng ${c.ref} ${isProtected(c.ref) ? TF402455 : 'TF402455: another ref of this push is protected'}\n`)),
    FLUSH,
  ]);
  if (!capabilities.has('side-band-64k') && !capabilities.has('side-band')) return status;
  const max = capabilities.has('side-band-64k') ? 65515 : 995;
  const packets = [];
  for (let i = 0; i < status.length; i += max) {
    const chunk = Buffer.concat([Buffer.from([1]), status.subarray(i, i + max)]);
    packets.push(Buffer.from((chunk.length + 4).toString(16).padStart(4, '0'), 'ascii'), chunk);
  }
  return Buffer.concat([...packets, FLUSH]);
}

/**
 * A pre-receive hook (as on-premises servers have) that declines every push with `reason` on
 * stderr: git http-backend then reports `ng <ref> pre-receive hook declined` and the reason only
 * as side-band output (`remote: …`).
 */
export function preReceiveHookScript(reason) {
  return `#!/bin/sh\n# flux-azdo test: decline every push\ncat >/dev/null\necho ${JSON.stringify(reason).replace(/\$/g, '\\$')} >&2\nexit 1\n`;
}
