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
  // What the click waited for, from the new document's timings (ms after the click).
  const timing = await b.page.evaluate((path) => {
    const n = performance.getEntriesByType('navigation')[0];
    const click = Number(sessionStorage.getItem('e2e.clickAt')) - performance.timeOrigin;
    const main = performance.getEntriesByType('resource').find((e) => e.name.includes(path));
    return {
      navigationAnswered: n.responseEnd - click,
      domContentLoaded: n.domContentLoadedEventStart - click,
      mainOnly: main ? { start: main.startTime - click, end: main.responseEnd - click } : null,
    };
  }, href.pathname);
  outcome = {
    timing,
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
  assert.equal(outcome.seen[0].main_only, '1', 'the one request is not the main-only variant');
});

test(`hover then click paints main without waiting for the server (${LATENCY} ms latency)`, () => {
  const t = outcome.timing;
  const story = `click to main painted ${outcome.clickToMain.toFixed(0)} ms; navigation answered ` +
    `+${t.navigationAnswered.toFixed(0)}, DOMContentLoaded +${t.domContentLoaded.toFixed(0)}, ` +
    (t.mainOnly ? `main-only fetch +${t.mainOnly.start.toFixed(0)}..+${t.mainOnly.end.toFixed(0)}` : 'no main-only fetch');
  assert.equal(outcome.kind, 'swap', story);
  assert.ok(t.mainOnly, story);
  // The server holds every answer for LATENCY ms: a main-only fetch answered in under half of
  // it did not wait for the server. (The rest of click-to-main is djust's client booting in the
  // shell, CPU time that the measurements report.)
  assert.ok(t.mainOnly.end - t.mainOnly.start < LATENCY / 2, story);
  assert.ok(t.navigationAnswered < LATENCY / 2, `the shell waited for the server: ${story}`);
});
