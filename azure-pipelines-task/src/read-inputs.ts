/**
 * The task's inputs → flux-azdo's `BootstrapOptions`, through the one input table. Values the
 * agent leaves empty are left out, so flux-azdo's own defaults (the core's) apply.
 */
import { existsSync } from 'node:fs';

import * as tl from 'azure-pipelines-task-lib/task.js';
import { FluxAzdoError, type BootstrapOptions } from 'flux-azdo';

import { earlySecrets } from './early-secrets.js';
import { AUTHENTICATION, INPUTS, type Authentication, type TaskInput } from './inputs.js';

export interface TaskAuthentication {
  kind: Authentication;
  /** The secret values read, to be masked before anything else happens. */
  secrets: string[];
  /** The options the credential sets. */
  options: Partial<BootstrapOptions>;
  /** Warnings about the combination with other options. */
  warnings: (options: BootstrapOptions) => string[];
}

function isAuthentication(value: string): value is Authentication {
  return Object.hasOwn(AUTHENTICATION, value);
}

function usage(input: string, message: string): FluxAzdoError {
  return new FluxAzdoError('USAGE', `input ${input}: ${message}`, { option: input });
}

/** Reads the credential inputs (and only those): the first thing the task does. */
export function readAuthentication(): TaskAuthentication {
  const kind = tl.getInput('authentication', false) || 'systemAccessToken';
  if (!isAuthentication(kind)) {
    throw usage('authentication', `${JSON.stringify(kind)} is not one of ${Object.keys(AUTHENTICATION).join(', ')}`);
  }
  const none = (): string[] => [];
  switch (kind) {
    case 'systemAccessToken': {
      const token = earlySecrets.systemAccessToken;
      if (!token) {
        throw usage(
          'authentication',
          'System.AccessToken is not available to the task: map it on the step with `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }`, or choose personalAccessToken',
        );
      }
      return {
        kind,
        secrets: [token],
        options: { password: token },
        warnings: (o) =>
          o.tokenAuth
            ? [
                'tokenAuth with System.AccessToken puts a token that expires with this job into the cluster’s Secret; the cluster will stop syncing: use a PAT, an SSH deploy key or workload identity for the cluster',
              ]
            : [],
      };
    }
    case 'personalAccessToken': {
      const pat = earlySecrets.personalAccessToken;
      if (!pat) throw usage('personalAccessToken', 'is empty: give the secret variable holding the PAT, e.g. $(FLUX_PAT)');
      return { kind, secrets: [pat], options: { password: pat }, warnings: none };
    }
    case 'sshKey': {
      const passphrase = earlySecrets.sshPassphrase;
      const options: Partial<BootstrapOptions> = passphrase ? { password: passphrase } : {};
      return { kind, secrets: passphrase ? [passphrase] : [], options, warnings: none };
    }
    case 'azurePipelines':
      return pipelinesCredential();
  }
}

/**
 * The workload identity service connection → what flux-azdo's `--azure-credential=pipelines`
 * (@azure/identity's AzurePipelinesCredential) reads: the connection's id, its service
 * principal and tenant, and the job token that asks the pipeline for the federated token. These
 * are the variables AzureCLI@2 sets for its own script; a task gets the connection from its
 * input, so it sets them for flux-azdo itself.
 */
function pipelinesCredential(): TaskAuthentication {
  const connection = tl.getInput('azureSubscription', false);
  if (!connection)
    throw usage('azureSubscription', 'is required with authentication azurePipelines: an Azure Resource Manager service connection');
  const scheme = tl.getEndpointAuthorizationScheme(connection, true);
  if (scheme === undefined || scheme.toLowerCase() !== 'workloadidentityfederation') {
    throw usage(
      'azureSubscription',
      `the service connection uses ${scheme ? `the ${scheme} scheme` : 'no scheme the task can read'}, not workload identity federation; convert it, or use personalAccessToken`,
    );
  }
  const clientId = tl.getEndpointAuthorizationParameter(connection, 'serviceprincipalid', true);
  const tenantId = tl.getEndpointAuthorizationParameter(connection, 'tenantid', true);
  const token = earlySecrets.systemAccessToken;
  if (!clientId || !tenantId) throw usage('azureSubscription', 'the service connection has no service principal or tenant id');
  if (!token) {
    throw usage(
      'authentication',
      'azurePipelines needs System.AccessToken: map it on the step with `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }`',
    );
  }
  process.env['AZURESUBSCRIPTION_SERVICE_CONNECTION_ID'] = connection;
  process.env['AZURESUBSCRIPTION_CLIENT_ID'] = clientId;
  process.env['AZURESUBSCRIPTION_TENANT_ID'] = tenantId;
  process.env['SYSTEM_ACCESSTOKEN'] = token;
  return { kind: 'azurePipelines', secrets: [token], options: { azureCredential: 'pipelines' }, warnings: () => [] };
}

function value(input: TaskInput): string | undefined {
  if (input.kind === 'filePath') {
    // The agent fills an empty file path input with the sources folder: that is "not given".
    if (!tl.filePathSupplied(input.name)) return undefined;
    const path = tl.getPathInput(input.name, false, false);
    if (path === undefined) return undefined;
    if (!existsSync(path)) throw usage(input.name, `${path} does not exist; check the step that writes it`);
    return path;
  }
  const raw = tl.getInput(input.name, false);
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function parse(input: TaskInput, raw: string): string | number | boolean | string[] {
  switch (input.kind) {
    case 'boolean':
      if (!/^(true|false)$/i.test(raw)) throw usage(input.name, `${JSON.stringify(raw)} is not true or false`);
      return raw.toLowerCase() === 'true';
    case 'int': {
      if (!/^\d+$/.test(raw)) throw usage(input.name, `${JSON.stringify(raw)} is not a whole number`);
      return Number(raw);
    }
    case 'list':
      return raw
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

/** Every flag input → its option; `dryRun` apart. Bad values fail here, before any connection. */
export function optionsFromInputs(auth: TaskAuthentication): { options: BootstrapOptions; dryRun: boolean } {
  // Never asks: a pipeline has no terminal, and a generated deploy key is printed in the log.
  const options: BootstrapOptions = { url: '', silent: true };
  let isDryRun = false;
  for (const input of INPUTS) {
    // Task-only inputs (the credentials) are read by readAuthentication.
    if (!input.option && input.name !== 'dryRun') continue;
    const raw = value(input);
    if (raw === undefined) continue;
    const parsed = parse(input, raw);
    if (input.name === 'dryRun') isDryRun = parsed === true;
    else if (input.option) Object.assign(options, { [input.option]: parsed });
  }
  if (auth.kind === 'sshKey' && !options.privateKeyFile) {
    throw usage('privateKeyFile', 'is required with authentication sshKey: the path from a DownloadSecureFile@1 step');
  }
  if (auth.kind !== 'sshKey' && options.privateKeyFile) {
    throw usage('privateKeyFile', `is an SSH key; it cannot be used with authentication ${auth.kind}`);
  }
  if (!options.url) throw usage('url', 'is required: https://dev.azure.com/<org>/<project>/_git/<repo>');
  if (!options.kubeconfig) throw usage('kubeconfig', 'is required: the cluster’s kubeconfig file, e.g. from az aks get-credentials --file');
  // withBearerToken implies token auth, as on the command line.
  if (options.withBearerToken) options.tokenAuth = true;
  Object.assign(options, auth.options);
  return { options, dryRun: isDryRun };
}
