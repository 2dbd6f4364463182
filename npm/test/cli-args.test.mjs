// The flag parser follows Go pflag's conventions so `flux` command lines work unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parseArgs } from '../dist/cli/args.js';
import { FluxAzdoError } from '../dist/errors.js';

const SPECS = [
  { name: 'token-auth', type: 'bool', default: false, help: '' },
  { name: 'network-policy', type: 'bool', default: true, help: '' },
  { name: 'branch', type: 'string', default: 'main', help: '' },
  { name: 'namespace', short: 'n', type: 'string', default: 'flux-system', help: '' },
  { name: 'components-extra', type: 'list', default: [], help: '' },
  { name: 'ssh-rsa-bits', type: 'int', default: 4096, help: '' },
  { name: 'gpg-key-ring', type: 'string', help: '', unsupported: 'not yet' },
];

test('booleans take no value, =true or =false', () => {
  const a = parseArgs(['--token-auth', '--network-policy=false'], SPECS);
  assert.equal(a.values.get('token-auth'), true);
  assert.equal(a.values.get('network-policy'), false);
  assert.deepEqual([...a.given].sort(), ['network-policy', 'token-auth']);
  assert.equal(parseArgs(['--token-auth=true'], SPECS).values.get('token-auth'), true);
});

test('strings take =value or the next argument; shorthands work', () => {
  const a = parseArgs(['--branch', 'dev', '-n', 'gitops'], SPECS);
  assert.equal(a.values.get('branch'), 'dev');
  assert.equal(a.values.get('namespace'), 'gitops');
  assert.equal(parseArgs(['-ngitops'], SPECS).values.get('namespace'), 'gitops');
  assert.equal(parseArgs([], SPECS).values.get('branch'), 'main');
});

test('lists split on commas and accumulate when repeated', () => {
  const a = parseArgs(['--components-extra=a,b', '--components-extra', 'c'], SPECS);
  assert.deepEqual(a.values.get('components-extra'), ['a', 'b', 'c']);
});

test('bad input is a USAGE error naming the flag', () => {
  for (const argv of [['--nope'], ['--branch'], ['--token-auth=maybe'], ['--ssh-rsa-bits=lots'], ['--gpg-key-ring=x'], ['-x']]) {
    assert.throws(
      () => parseArgs(argv, SPECS),
      (err) => err instanceof FluxAzdoError && err.code === 'USAGE',
      argv.join(' '),
    );
  }
});

test('a value after -- is positional', () => {
  const a = parseArgs(['git', '--', '--branch'], SPECS);
  assert.deepEqual(a.positionals, ['git', '--branch']);
});
