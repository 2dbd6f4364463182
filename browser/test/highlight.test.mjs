// The YAML highlighter must never change a byte: the preview's text is what users copy and what
// the end-to-end test compares with the Node output.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { fluxDir as flux } from '../../tests/support/flux-reference.mjs';
import { loadPageModule } from './load-ts.mjs';

const { highlightYaml } = await loadPageModule('highlight.ts');

/** What a browser shows for the HTML: the text nodes, entities decoded. */
function textOf(html) {
  return html
    .replace(/<\/?span[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function assertFaithful(source, label) {
  for (const linesPerChunk of [0, 1, 3, 200])
    assertFaithfulHtml(highlightYaml(source, linesPerChunk), source, `${label} (chunks of ${linesPerChunk})`);
}

function assertFaithfulHtml(html, source, label) {
  assert.ok(textOf(html) === source, `${label}: the highlighted text differs from the source`);
  assert.equal((html.match(/<span /g) ?? []).length, (html.match(/<\/span>/g) ?? []).length, label);
  assert.ok(!/<(?!\/?span)/.test(html), `${label}: markup other than spans`);
}

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

test("Flux's manifests and expected outputs come out byte for byte", () => {
  const files = yamlFiles(flux);
  assert.ok(files.length >= 9, `found ${files.length} YAML files under ${flux}`);
  for (const file of files) assertFaithful(readFileSync(file, 'utf8'), file);
});

test('random YAML-like text comes out byte for byte', () => {
  // A small deterministic generator (no dependency): xorshift32.
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const pieces = [
    'key',
    ': ',
    '- ',
    '  ',
    '#',
    ' #',
    '|',
    '>-',
    '"',
    "'",
    '&',
    '<',
    '>',
    '&amp;',
    '---',
    '\n',
    'é',
    '\t',
    '{',
    '[',
    '*a',
    '!t',
    '42',
    'true',
    ':',
  ];
  for (let run = 0; run < 2000; run++) {
    let source = '';
    const length = Math.floor(next() * 40);
    for (let i = 0; i < length; i++) source += pieces[Math.floor(next() * pieces.length)];
    assertFaithful(source, JSON.stringify(source));
  }
});

test('keys, comments, literals and block scalars get their classes', () => {
  const html = highlightYaml('# c\nmetadata:\n  name: x # trailing\n  replicas: 1\n  script: |\n    a: b\n  - "q"\n');
  assert.match(html, /<span class="y-comment"># c<\/span>/);
  assert.match(html, /<span class="y-key">metadata<\/span>/);
  assert.match(html, /<span class="y-comment"> # trailing<\/span>/);
  assert.match(html, /<span class="y-literal">1<\/span>/);
  // Inside the block scalar `a: b` is text, not a key.
  assert.match(html, /<span class="y-string"> {4}a: b<\/span>/);
  assert.match(html, /<span class="y-string">"q"<\/span>/);
});
