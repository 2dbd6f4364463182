// task.json from the input table (src/inputs.ts) and the core's defaults(): the task's inputs are
// the CLI's flags, with the CLI's defaults, by construction. `node scripts/task-json.mjs` checks
// FluxBootstrap/task.json against it (the build fails when they differ); UPDATE=1 rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';
import { defaults } from 'flux-azdo';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TASK_JSON = join(root, 'FluxBootstrap', 'task.json');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The input table, compiled on the fly (it is TypeScript, shared with the entry). */
async function loadInputs() {
  const dir = await mkdtemp(join(tmpdir(), 'flux-azdo-task-json-'));
  try {
    const out = join(dir, 'inputs.mjs');
    await build({
      entryPoints: [join(root, 'src', 'inputs.ts')],
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'warning',
    });
    return await import(pathToFileURL(out).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const GROUPS = {
  repository: 'Repository',
  credentials: 'Credentials',
  cluster: 'Cluster',
  components: 'Components',
  sync: 'Sync',
  advanced: 'Advanced',
};

export async function taskJson() {
  const { INPUTS, OUTPUT_VARIABLES } = await loadInputs();
  const d = defaults();
  const [major, minor, patch] = pkg.version.split('.').map(Number);
  const inputs = INPUTS.map((input) => {
    const type = input.kind === 'list' || input.kind === 'secureString' ? 'string' : input.kind;
    return {
      name: input.name,
      type,
      label: input.label,
      ...(input.default ? { defaultValue: input.default(d) } : {}),
      required: input.required ?? false,
      ...(input.group === 'repository' || input.group === 'credentials' || input.group === 'cluster' ? {} : { groupName: input.group }),
      helpMarkDown: input.help,
      ...(input.options ? { options: input.options } : {}),
      ...(input.visibleRule ? { visibleRule: input.visibleRule } : {}),
    };
  });
  return {
    $schema: 'https://raw.githubusercontent.com/Microsoft/azure-pipelines-task-lib/master/tasks.schema.json',
    id: '55c92f0d-ac60-4c14-a9fc-f8243f86700f',
    name: 'FluxBootstrap',
    friendlyName: 'Flux bootstrap (Azure DevOps)',
    description: `Bootstraps Flux ${d.fluxVersion} on a Kubernetes cluster from an Azure DevOps repository, as flux bootstrap git does; many jobs may bootstrap into one repository at once.`,
    helpMarkDown: 'flux-azdo bootstrap git as a task: the inputs are its flags (camelCase). See the flux-azdo README, “Azure Pipelines”.',
    category: 'Deploy',
    author: 'flux-azdo',
    version: { Major: major, Minor: minor, Patch: patch },
    // The first agent with the Node20_1 handler.
    minimumAgentVersion: '3.232.1',
    instanceNameFormat: 'Flux bootstrap $(path)',
    groups: ['components', 'sync', 'advanced'].map((name) => ({ name, displayName: GROUPS[name], isExpanded: false })),
    inputs,
    outputVariables: OUTPUT_VARIABLES.map((v) => ({ name: v.name, description: v.description })),
    execution: { Node20_1: { target: 'js/main.js' } },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = `${JSON.stringify(await taskJson(), null, 2)}\n`;
  let current = '';
  try {
    current = readFileSync(TASK_JSON, 'utf8');
  } catch {
    // missing: written below with UPDATE=1
  }
  if (process.env.UPDATE === '1') {
    writeFileSync(TASK_JSON, text);
    console.log(`wrote ${TASK_JSON}`);
  } else if (current !== text) {
    console.error(`${TASK_JSON} is not what src/inputs.ts and defaults() give; run UPDATE=1 node scripts/task-json.mjs`);
    process.exit(1);
  }
}
