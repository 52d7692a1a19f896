// djust's client posts PREFETCH {url} on hover: one request for hover then click, and main
// painted without waiting for the server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, open, warm, painted, requestsFor, clearRequests, sleep } from './lib.mjs';

const LATENCY = 300;
const Q = `?latency_ms=${LATENCY}`;
let b;
let outcome;

before(async () => {
  b = await open();
  await warm(b.page, '/docs/1/', Q);
  await b.page.goto(BASE + '/docs/2/' + Q);
  await painted(b.page);
  const link = b.page.locator('main a.next').first();
  const href = new URL(await link.getAttribute('href'), BASE);
  await clearRequests();
  await link.hover();
  await sleep(LATENCY * 2 + 300); // the worker's prefetch has had time to finish
  await link.click();
  const p = await painted(b.page);
  const clickAt = Number(await b.page.evaluate(() => sessionStorage.getItem('e2e.clickAt')));
  outcome = {
    kind: p.kind,
    clickToMain: p.at - clickAt,
    seen: await requestsFor(href.pathname),
    url: b.page.url(),
    href: href.href,
  };
});

after(async () => b && b.close());

test('hover then click makes one request', () => {
  assert.equal(outcome.url, outcome.href);
  const lines = outcome.seen.map((r) => `${r.method} ${r.path} main_only=${r.main_only}`);
  assert.equal(outcome.seen.length, 1, `requests for the link: ${lines.join(', ') || 'none'}`);
  assert.equal(outcome.seen[0].main_only, '1', 'the one request is the main-only variant');
});

test(`hover then click paints main without waiting for the server (${LATENCY} ms latency)`, () => {
  assert.equal(outcome.kind, 'swap');
  assert.ok(
    outcome.clickToMain < LATENCY,
    `click to main painted took ${outcome.clickToMain.toFixed(0)} ms`,
  );
});
