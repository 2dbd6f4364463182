/**
 * `--registry-creds` with `--image-pull-secret`: the `kubernetes.io/dockerconfigjson` Secret the
 * controllers pull their images with, reconciled as `flux bootstrap` does (created, or its
 * `.dockerconfigjson` written onto the existing Secret on every run). The plan says whether;
 * the core builds the Secret; only the cluster receives it and no value is ever shown.
 */
import { imagePullSecret, type Plan, type Secret } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import type { EventHandler } from '../events.js';
import { applyGitSecret, previewGitSecret, type KubeClient, type SecretAction } from '../kube/index.js';
import { secretOf, type BootstrapOptions } from './options.js';

function wanted(options: BootstrapOptions, plan: Plan): Secret | undefined {
  const target = plan.imagePullSecret;
  if (!target) return undefined;
  const credentials = secretOf(options.registryCreds);
  if (!credentials) throw new FluxAzdoError('INTERNAL', 'the plan has an image pull Secret but the options no --registry-creds');
  return imagePullSecret({ name: target.name, namespace: target.namespace, registry: target.registry, credentials: credentials.expose() });
}

/** Creates or updates the Secret; emits one `done` event on the `secret` step with its ref and action. */
export async function reconcileImagePullSecret(
  client: KubeClient,
  options: BootstrapOptions,
  plan: Plan,
  emit: EventHandler,
  signal: AbortSignal | undefined,
): Promise<void> {
  const secret = wanted(options, plan);
  if (!secret) return;
  const result = await applyGitSecret(client, secret, { auth: 'token', ...(signal ? { signal } : {}) });
  emit({
    type: 'done',
    step: 'secret',
    message: `${result.ref} ${result.action} (image pull Secret for ${plan.imagePullSecret?.registry ?? ''})`,
    ref: result.ref,
    action: result.action,
  });
}

/** What `reconcileImagePullSecret` would do (`--dry-run`); undefined without `--registry-creds`. */
export async function previewImagePullSecret(
  client: KubeClient,
  options: BootstrapOptions,
  plan: Plan,
  signal: AbortSignal | undefined,
): Promise<{ ref: string; action: SecretAction } | undefined> {
  const secret = wanted(options, plan);
  if (!secret) return undefined;
  return previewGitSecret(client, secret, { auth: 'token', ...(signal ? { signal } : {}) });
}
