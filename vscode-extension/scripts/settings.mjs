// Writes the defaults of the extension's settings into package.json from the core's defaults()
// (Flux's, as the CLI's flags show them), so no default is typed by hand:
//   node scripts/settings.mjs          rewrites package.json when they differ
//   node scripts/settings.mjs --check  exits 1 naming the settings that differ (the tests run it)
// Needs the built package (npm run build -w flux-azdo).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgPath = join(root, 'package.json');
const { defaults } = await import(join(root, '..', 'npm', 'dist', 'index.js'));

/** What each generated setting's schema takes from the core. */
export function fromCore(d = defaults()) {
  return {
    'fluxAzdo.components': {
      default: d.options.components,
      items: { type: 'string', enum: [...d.options.components, ...d.componentsExtra] },
    },
    'fluxAzdo.componentsExtra': { items: { type: 'string', enum: d.componentsExtra } },
    'fluxAzdo.registry': { default: d.options.registry },
    'fluxAzdo.version': { default: d.options.version },
    'fluxAzdo.timeout': { default: d.timeout },
  };
}

const text = readFileSync(pkgPath, 'utf8');
const pkg = JSON.parse(text);
const properties = pkg.contributes.configuration.properties;
const differing = [];
for (const [key, fields] of Object.entries(fromCore())) {
  const setting = properties[key];
  if (!setting) throw new Error(`package.json has no setting ${key}: add it to contributes.configuration.properties`);
  for (const [field, value] of Object.entries(fields)) {
    if (JSON.stringify(setting[field]) !== JSON.stringify(value)) {
      differing.push(`${key}.${field}`);
      setting[field] = value;
    }
  }
}
if (process.argv.includes('--check')) {
  if (differing.length > 0) {
    console.error(
      `package.json's settings differ from the core's defaults(): ${differing.join(', ')}; run node vscode-extension/scripts/settings.mjs`,
    );
    process.exit(1);
  }
} else if (differing.length > 0) {
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  console.log(`package.json: ${differing.join(', ')} written from defaults()`);
}
