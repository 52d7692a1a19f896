// The shell does not stay stale: after the layout changes, a later navigation shows it.
// The worker's options come from its script URL (`sw_opts`, see site.rs): revalidate after 1 s.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, open, warm, painted, host, sleep } from './lib.mjs';

const Q = '?sw_opts=revalidate%3D1';
after(() => host('/__e2e/layout?v=1', { method: 'POST' }));

test('the shell is revalidated in the background and replaced when the layout changed', async () => {
  const b = await open();
  try {
    await warm(b.page, '/docs/1/', Q);
    const layout = () => b.page.evaluate(() => document.getElementById('layout-version').textContent);
    assert.equal(await layout(), 'v1');
    await host('/__e2e/layout?v=2', { method: 'POST' });
    const shown = [];
    for (const path of ['/blog/1/', '/blog/2/', '/blog/3/', '/blog/4/']) {
      await sleep(1200); // past the 1 s revalidation age
      await b.page.goto(BASE + path + Q);
      const p = await painted(b.page);
      shown.push(`${p.kind}:${await layout()}`);
    }
    assert.equal(shown.at(-1).split(':')[1], 'v2', `navigations showed ${shown.join(', ')}`);
    assert.ok(shown.every((s) => s.startsWith('swap')), `all from the shell: ${shown.join(', ')}`);
  } finally {
    await b.close();
  }
});
