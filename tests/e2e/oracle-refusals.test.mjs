// Refusal parity: invalid option sets (one field of a random valid case made invalid, every field
// in turn) go to flux-azdo's plan and to Flux's side (its generators plus `flux bootstrap git`'s
// own checks as tests/oracle/validate.go models them: the CLI's flag types, bootstrapValidate,
// url.Parse, and the apiserver's rules for the Secret name and the GitRepository CRD read from
// the bundle). A set Flux refuses must be refused by flux-azdo with a typed code, and a set Flux
// accepts must be accepted, except where tests/e2e/support/refusal-parity.mjs lists a documented
// exception. Seeds as in oracle.test.mjs (ORACLE_SEED, ORACLE_CASES).
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';

import * as core from '../../npm/dist/core/node.js';
import { startOracle } from '../oracle/client.mjs';
import { readBundleFiles } from '../support/flux-reference.mjs';
import { oracleRequestOf, prng, randomCase } from './support/oracle-cases.mjs';
import { EXCEPTIONS, MUTATIONS, exceptionFor, mutate } from './support/refusal-parity.mjs';

function seedsFromEnv() {
  const raw = process.env.ORACLE_SEED;
  if (raw === undefined || raw === '') return [randomInt(2 ** 31)];
  return raw.split(',').map((part) => {
    if (part === 'fresh') return randomInt(2 ** 31);
    if (!/^[0-9]+$/.test(part)) throw new Error(`ORACLE_SEED=${JSON.stringify(raw)} is refused: whole numbers or 'fresh'`);
    return Number(part);
  });
}

const seeds = seedsFromEnv();
const raw = process.env.ORACLE_CASES;
if (raw !== undefined && raw !== '' && (!/^[0-9]+$/.test(raw) || Number(raw) < 1))
  throw new Error(`ORACLE_CASES=${JSON.stringify(raw)} is refused`);
// Every mutation at least a few times, whatever ORACLE_CASES says.
const cases = Math.max(MUTATIONS.length * 4, Math.ceil(Number(raw || 200) / 2));
console.log(`refusal-parity seeds: ${seeds.join(', ')}`);

let oracle;
let bundle;
before(() => {
  bundle = readBundleFiles();
  oracle = startOracle();
});
after(async () => {
  await oracle?.stop();
});

/** What Flux's side says: the first error of the modelled checks or of a generator. */
function fluxVerdict(answer) {
  assert.equal(answer.error, undefined, `oracle refused the request: ${answer.error}`);
  for (const part of ['bootstrap', 'install', 'sync', 'kustomization']) {
    if (answer[part]?.error) return `${part}: ${answer[part].error}`;
  }
  return undefined;
}

for (const seed of seeds) {
  test(`${cases} invalid option sets: refused by flux-azdo (typed) exactly where Flux refuses (seed ${seed})`, async () => {
    const r = prng(seed);
    const mismatches = [];
    const usedExceptions = new Set();
    const work = [];
    let bothRefused = 0;
    for (let index = 0; index < cases; index++) {
      const [field, draw] = MUTATIONS[index % MUTATIONS.length];
      const { existingKustomization: _existing, ...base } = randomCase(r);
      const value = draw(r);
      const option = mutate(base, field, value);
      let ours;
      let syncUrl = option.url;
      try {
        syncUrl = core.planRepository(option, bundle).syncUrl.url;
        ours = { refused: false };
      } catch (err) {
        ours = { refused: true, code: err.code, message: err.message };
      }
      const request = {
        ...oracleRequestOf(index, option, syncUrl),
        bootstrap: {
          url: option.url,
          allowInsecureHttp: option.allowInsecureHttp,
          namespace: option.namespace,
          components: [...option.components, ...option.componentsExtra],
          logLevel: option.logLevel,
          interval: option.interval,
          secretName: option.secretName,
          provider: option.provider,
          path: option.path,
        },
      };
      work.push(
        oracle.request(request).then((answer) => {
          const flux = fluxVerdict(answer);
          const fluxRefused = flux !== undefined;
          const shown = { field, value: String(value).slice(0, 80) };
          if (ours.refused && (typeof ours.code !== 'string' || ours.code === 'INTERNAL')) {
            mismatches.push({ index, ...shown, problem: `flux-azdo refused without a typed code: ${ours.code} ${ours.message}` });
          }
          if (fluxRefused === ours.refused) {
            if (fluxRefused) bothRefused++;
            return;
          }
          const exception = exceptionFor(field, value, fluxRefused);
          if (exception) {
            usedExceptions.add(exception.id);
            return;
          }
          mismatches.push({
            index,
            ...shown,
            problem: fluxRefused
              ? `Flux refuses (${flux}), flux-azdo accepts`
              : `flux-azdo refuses (${ours.code}: ${ours.message}), Flux accepts`,
          });
        }),
      );
    }
    await Promise.all(work);
    console.log(`both refused: ${bothRefused}; documented exceptions met: ${[...usedExceptions].join(', ')}`);
    assert.ok(bothRefused > cases / 3, `only ${bothRefused} of ${cases} cases refused by both: the drawn values are not invalid enough`);
    if (mismatches.length > 0) {
      const list = mismatches
        .slice(0, 8)
        .map((m) => `#${m.index} ${m.field}=${JSON.stringify(m.value)}: ${m.problem}`)
        .join('\n');
      assert.fail(
        `${mismatches.length} refusal mismatch(es) (seed ${seed}; replay: ORACLE_SEED=${seed} node --test tests/e2e/oracle-refusals.test.mjs)\n${list}`,
      );
    }
  });
}

test('every documented exception says what Flux does and why', () => {
  const ids = new Set();
  for (const e of EXCEPTIONS) {
    assert.ok(!ids.has(e.id), `duplicate ${e.id}`);
    ids.add(e.id);
    assert.ok(['accepts', 'refuses', 'output'].includes(e.flux), e.id);
    assert.ok(e.why.length > 20, e.id);
  }
});
