/**
 * docs/api.md is generated from the build (dist/custom-elements.json and dist/types, made by `npm run build`
 * before the Node tests in `npm test`): regenerated here in memory, it must be byte for byte the page in git.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { API_DOCS_PATH, renderApiDocs } from '../../scripts/api-docs.js';

test('docs/api.md is what `npm run docs:api` makes from the current build', () => {
  const page = renderApiDocs();
  const committed = readFileSync(API_DOCS_PATH, 'utf8');
  if (page !== committed) {
    const lines = page.split('\n');
    const old = committed.split('\n');
    const at = lines.findIndex((line, i) => line !== old[i]);
    assert.fail(`docs/api.md is stale (first difference at line ${at + 1}: expected ${JSON.stringify(lines[at])}, found ${JSON.stringify(old[at])}); run \`npm run build && npm run docs:api\``);
  }
});

test('the reference covers every attribute, event, CSS property and part of the element', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../dist/custom-elements.json', import.meta.url), 'utf8'));
  const element = manifest.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []).find((d: { customElement?: boolean }) => d.customElement);
  const page = renderApiDocs();
  for (const list of ['attributes', 'events', 'cssProperties', 'cssParts']) {
    for (const { name } of element[list] as { name: string }[]) assert.ok(page.includes(`| \`${name}\` |`), `${list}: ${name}`);
  }
  for (const event of element.events as { type: { text: string } }[]) {
    const detail = event.type.text.match(/^CustomEvent<(\w+)>$/)![1]!;
    assert.ok(page.includes(`### \`${detail}\``), `the detail type ${detail} is described`);
  }
});
