// Fault switches of the HTTPS Git server (git-https.mjs), by the kind of Git request:
// `info-refs` (the ref advertisement; `info-refs:upload-pack` / `info-refs:receive-pack` for one
// service), `upload-pack` (the fetch/clone POST), `receive-pack` (the push POST) or `any`.
//
// - failNext: answer the next N matching requests with a status (500, 503, 429, …) and, when
//   given, `Retry-After` in seconds, as Azure DevOps does on 429 and 503. The backend never runs,
//   so a failed push changes nothing.
//   With `afterBackend: true` the request runs (a push is applied) and only its answer is
//   replaced: a server that did the work and then failed to say so. `skip` lets that many
//   matching requests pass first (e.g. fail the second push of a bootstrap, not the first).
// - hangNext: accept the next N matching requests and never answer (the connection stays open,
//   no byte is written) until the server stops.
// - `answers`: every request a switch answered, with when (ms), so a test can see a client's waits.

/** The kind of a Git request: `info-refs:<service>` or the service of a POST, without `git-`. */
export function requestKind(method, repoPath, searchParams) {
  if (repoPath === '/info/refs') return `info-refs:${(searchParams.get('service') ?? '').replace(/^git-/, '')}`;
  return method === 'POST' ? repoPath.slice(1).replace(/^git-/, '') : repoPath.slice(1);
}

function matches(on, kind) {
  return on === 'any' || on === kind || (on === 'info-refs' && kind.startsWith('info-refs:'));
}

const BODIES = {
  429: 'The request was blocked: it exceeded the rate limit. Retry after the time in the Retry-After header.\n',
  500: 'An internal server error occurred.\n',
  503: 'The service is temporarily unavailable. Retry after the time in the Retry-After header.\n',
};

export function createHttpFaults() {
  /** Armed switches, first match wins: `{ type: 'status' | 'after' | 'hang', on, left, skip, status?, retryAfter? }`. */
  const armed = [];
  const answers = [];
  return {
    answers,
    /** The next `count` requests of kind `on` get `status` (and `Retry-After: retryAfter`, seconds or a date string). */
    failNext({ status, count = 1, on = 'any', retryAfter, afterBackend = false, skip = 0 } = {}) {
      armed.push({ type: afterBackend ? 'after' : 'status', on, left: count, skip, status, retryAfter });
    },
    /** The next `count` requests of kind `on` are accepted and never answered. */
    hangNext({ count = 1, on = 'any', skip = 0 } = {}) {
      armed.push({ type: 'hang', on, left: count, skip });
    },
    /** Disarms every switch. */
    clear() {
      armed.length = 0;
    },
    /** Switches still armed (a test checks that its faults were consumed). */
    pending: () => armed.reduce((n, f) => n + f.left, 0),
    /**
     * Called for each Git request before auth (Azure DevOps' front ends answer 429/503 before
     * anything else). Returns whether a switch took the request.
     */
    intercept(kind, req, res) {
      const fault = take(kind);
      if (!fault) return false;
      if (fault.type === 'after') {
        // Answered once the backend ran: see answerAfter.
        req.afterFault = fault;
        return false;
      }
      answers.push({ kind, type: fault.type, status: fault.status, at: Date.now() });
      if (fault.type === 'hang') {
        // Read what comes, answer nothing: the client sees an open, silent connection.
        req.resume();
        return true;
      }
      req.resume();
      const headers = { 'Content-Type': 'text/plain' };
      if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
      res.writeHead(fault.status, headers).end(BODIES[fault.status] ?? `HTTP ${fault.status}\n`);
      return true;
    },
    /** After the backend ran: answers the status of an `afterBackend` switch instead of the backend's answer. */
    answerAfter(kind, req, res) {
      const fault = req.afterFault;
      if (!fault) return false;
      answers.push({ kind, type: fault.type, status: fault.status, at: Date.now() });
      const headers = { 'Content-Type': 'text/plain' };
      if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
      res.writeHead(fault.status, headers).end(BODIES[fault.status] ?? `HTTP ${fault.status}\n`);
      return true;
    },
  };

  function take(kind) {
    const fault = armed.find((f) => f.left > 0 && matches(f.on, kind));
    if (!fault) return undefined;
    if (fault.skip > 0) {
      fault.skip -= 1;
      return undefined;
    }
    fault.left -= 1;
    if (fault.left === 0) armed.splice(armed.indexOf(fault), 1);
    return fault;
  }
}

/**
 * The upload-pack ref advertisement without the capabilities of shallow clones (`shallow`,
 * `deepen-since`, `deepen-not`, `deepen-relative`): a server that cannot serve depth-limited
 * fetches, as some proxies and older servers are.
 */
export function withoutShallow(body) {
  const out = [];
  let at = 0;
  let first = true;
  while (at + 4 <= body.length) {
    const len = parseInt(body.subarray(at, at + 4).toString('ascii'), 16);
    if (len === 0) {
      out.push(Buffer.from('0000'));
      at += 4;
      continue;
    }
    let payload = body.subarray(at + 4, at + len);
    const nul = payload.indexOf(0);
    if (first && nul >= 0) {
      first = false;
      const caps = payload
        .subarray(nul + 1)
        .toString('utf8')
        .replace(/\n$/, '')
        .split(' ')
        .filter((c) => !['shallow', 'deepen-since', 'deepen-not', 'deepen-relative'].includes(c));
      payload = Buffer.concat([payload.subarray(0, nul + 1), Buffer.from(`${caps.join(' ')}\n`)]);
    }
    out.push(Buffer.from((payload.length + 4).toString(16).padStart(4, '0')), payload);
    at += len;
  }
  return Buffer.concat([...out, body.subarray(at)]);
}

/** Whether an upload-pack request asks for a depth-limited fetch (`deepen …` lines). */
export function asksForDepth(body) {
  return /(^|[0-9a-f]{4})deepen(-since|-not)? /m.test(body.toString('latin1'));
}
