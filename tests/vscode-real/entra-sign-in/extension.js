// TEST ONLY: VS Code's 'microsoft' authentication provider for the real-VS-Code suite. The
// built-in microsoft-authentication extension signs a user in interactively at
// login.microsoftonline.com, which these machines cannot reach (and tests/servers/entra has no
// user flows). code-server has no --disable-extension, so this provider takes the 'microsoft' id
// first: it activates at startup ("*"), and the built-in one, activated by the first request for a
// Microsoft session, finds the id taken and does not register. VS Code itself still asks
// the user to allow the sign-in and hands the session to the calling extension; the session's
// access token is a real one, issued by the Entra-shaped token service for the scopes asked
// (client credentials of a service principal stand in for the user's interactive sign-in).
// Sessions live in memory only, as the token must (the leak scan reads every file).
const https = require('node:https');
const { readFileSync } = require('node:fs');
const vscode = require('vscode');

function tokenFor(scopes) {
  const cfg = JSON.parse(process.env.FLUX_AZDO_TEST_ENTRA ?? '{}');
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: cfg.clientId,
    client_secret: cfg.clientSecret,
    scope: scopes.join(' '),
  }).toString();
  const url = new URL(`${cfg.authorityHost}/${cfg.tenantId}/oauth2/v2.0/token`);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', ca: readFileSync(cfg.caFile), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200) reject(new Error(`the token service refused: ${answer.error}`));
          else resolve({ token: answer.access_token, account: { id: cfg.objectId, label: cfg.accountLabel } });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function activate(context) {
  const sessions = [];
  const changed = new vscode.EventEmitter();
  const sameScopes = (a, b) => a.length === b.length && a.every((s) => b.includes(s));
  context.subscriptions.push(
    changed,
    vscode.authentication.registerAuthenticationProvider(
      'microsoft',
      'Microsoft',
      {
        onDidChangeSessions: changed.event,
        async getSessions(scopes) {
          return scopes ? sessions.filter((s) => sameScopes(s.scopes, scopes)) : [...sessions];
        },
        async createSession(scopes) {
          const { token, account } = await tokenFor(scopes);
          const session = { id: `session-${sessions.length + 1}`, accessToken: token, account, scopes: [...scopes] };
          sessions.push(session);
          changed.fire({ added: [session], removed: [], changed: [] });
          return session;
        },
        async removeSession(id) {
          const at = sessions.findIndex((s) => s.id === id);
          if (at < 0) return;
          const [removed] = sessions.splice(at, 1);
          changed.fire({ added: [], removed: [removed], changed: [] });
        },
      },
      { supportsMultipleAccounts: false },
    ),
  );
}

module.exports = { activate, deactivate() {} };
