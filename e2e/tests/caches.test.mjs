// The VDOM cache and the state-snapshot cache through djust's client API (djust._sw), across
// a worker stop.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, open, controlled, sleep, workerControl } from './lib.mjs';

test('a state snapshot and a VDOM entry survive the worker being stopped', async () => {
  const b = await open();
  try {
    await b.page.goto(BASE + '/');
    await controlled(b.page);
    const url = BASE + '/docs/5/';
    await b.page.evaluate((u) => {
      djust._sw.initStateSnapshot();
      djust._sw.initVdomCache();
      djust._sw.captureState(u, 'e2e.views.Page', JSON.stringify({ count: 7, name: 'ünïcode' }));
      djust._sw.cacheVdom(u, '<p>cached view</p>', 3);
    }, url);
    await sleep(500);
    const before = await b.page.evaluate(async (u) => [await djust._sw.lookupState(u), await djust._sw.lookupVdom(u)], url);
    assert.equal(before[0].hit, true, 'state not found before the stop');
    assert.equal(before[1].hit, true, 'VDOM not found before the stop');
    const control = await workerControl(b.context, b.page);
    await control.stop();
    const after = await b.page.evaluate(async (u) => [await djust._sw.lookupState(u), await djust._sw.lookupVdom(u)], url);
    assert.equal(after[0].hit, true, 'state lost in the stop');
    assert.equal(after[0].state_json, JSON.stringify({ count: 7, name: 'ünïcode' }));
    assert.equal(after[0].view_slug, 'e2e.views.Page');
    assert.equal(after[1].hit, true, 'VDOM lost in the stop');
    assert.equal(after[1].html, '<p>cached view</p>');
    assert.equal(after[1].version, 3);
  } finally {
    await b.close();
  }
});
