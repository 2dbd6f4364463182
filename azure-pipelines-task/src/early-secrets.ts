/**
 * The secret inputs, taken from the environment before azure-pipelines-task-lib loads: on load
 * it moves every `INPUT_*` variable into its vault (and out of the environment), and its
 * getInput writes a `name=value` debug line, which would come before the value is masked. This
 * module is main.ts's first import, so it runs first; main.ts masks the values at once.
 */
function take(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export const earlySecrets = {
  personalAccessToken: take('INPUT_PERSONALACCESSTOKEN'),
  sshPassphrase: take('INPUT_SSHPASSPHRASE'),
  // Not an input: the agent maps it only when the step says env: SYSTEM_ACCESSTOKEN: $(System.AccessToken).
  systemAccessToken: take('SYSTEM_ACCESSTOKEN'),
};
