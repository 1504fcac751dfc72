/**
 * The README states the exact Content-Security-Policy the standalone page needs; the browser test
 * (test/integration/security.test.ts) serves the built page under the policy test/support/deployments.ts
 * writes. This keeps the two the same text.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { strictCsp } from '../support/deployments.js';

test('the README states the policy the strict-CSP page test serves', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```\n(Content-Security-Policy: [\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'a Content-Security-Policy block in the README');
  assert.equal(block.replace(/\s+/g, ' ').trim(), `Content-Security-Policy: ${strictCsp('https://pacs.hospital.example')}`);
  assert.doesNotMatch(block, /'unsafe-eval'|'unsafe-inline'/);
});
