// Speculation rules (seed 002) built by liveshell::prefetch::speculation, in the real browser,
// with and without the worker. CDP's Preload domain says what Chromium prefetched and used;
// the host's log says what reached the network.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, open, warm, painted, requestsFor, clearRequests, sleep } from './lib.mjs';

/// Collects Preload.prefetchStatusUpdated as {url, status, reason, at}.
async function preloads(b) {
  const cdp = await b.context.newCDPSession(b.page);
  const events = [];
  cdp.on('Preload.prefetchStatusUpdated', (e) =>
    events.push({ url: e.prefetchUrl, status: e.status, reason: e.prefetchStatus, at: Date.now() }));
  await cdp.send('Preload.enable');
  return events;
}

const pathOf = (url) => new URL(url, BASE).pathname;

test('without a worker, a list rule prefetches with Sec-Purpose: prefetch and is_speculative', async () => {
  const b = await open({ block: true });
  try {
    const events = await preloads(b);
    await clearRequests();
    await b.page.goto(BASE + '/docs/1/');
    await painted(b.page);
    await sleep(1000);
    const seen = await requestsFor('/docs/2/');
    assert.equal(seen.length, 1, 'the rule in docs/1 did not prefetch docs/2 once');
    assert.equal(seen[0].sec_purpose, 'prefetch');
    assert.equal(seen[0].is_speculative, true, "the host's is_speculative");
    assert.ok(events.some((e) => pathOf(e.url) === '/docs/2/' && e.status === 'Ready'));
  } finally {
    await b.close();
  }
});

test('without a worker, the click uses the prefetched response (no second request)', async () => {
  const b = await open({ block: true });
  try {
    const events = await preloads(b);
    await b.page.goto(BASE + '/docs/1/');
    await painted(b.page);
    await sleep(1000);
    await clearRequests();
    await b.page.locator('aside a[href="/docs/2/"]').click();
    await painted(b.page);
    assert.equal((await requestsFor('/docs/2/')).length, 0);
    assert.ok(events.some((e) => pathOf(e.url) === '/docs/2/' && e.reason === 'PrefetchResponseUsed'));
  } finally {
    await b.close();
  }
});

test('under the worker, rules inside a swapped main never run (innerHTML)', async () => {
  const b = await open();
  try {
    await warm(b.page, '/blog/1/');
    const events = await preloads(b);
    await clearRequests();
    await b.page.goto(BASE + '/docs/3/');
    const p = await painted(b.page);
    assert.equal(p.kind, 'swap');
    await sleep(1500);
    const html = await b.page.evaluate(() => document.querySelector('main').innerHTML);
    assert.match(html, /speculationrules/, 'the rule is missing from the swapped main');
    assert.deepEqual(events.filter((e) => pathOf(e.url) === '/docs/4/'), [], 'Chromium acted on a rule inside a swapped main');
    assert.equal((await requestsFor('/docs/4/')).length, 0);
  } finally {
    await b.close();
  }
});

/// Shell with document rules (href_matches "/*", moderate), a swapped page, a hover on a link
/// that arrived with main, then the click.
async function documentRulesUnderWorker() {
  const b = await open();
  try {
    await warm(b.page, '/blog/1/', '?spec=doc');
    const events = await preloads(b);
    await b.page.goto(BASE + '/docs/3/?spec=doc');
    await painted(b.page);
    await sleep(300);
    const link = b.page.locator('main a.next').first();
    const href = new URL(await link.getAttribute('href'), BASE);
    await clearRequests();
    const hoverAt = Date.now();
    await link.hover();
    await sleep(1500);
    const onHover = await requestsFor(href.pathname);
    await clearRequests();
    await link.click();
    const p = await painted(b.page);
    const onClick = await requestsFor(href.pathname);
    const mine = events.filter((e) => e.url === href.href && e.at >= hoverAt);
    return { href, onHover, onClick, kind: p.kind, events: mine };
  } finally {
    await b.close();
  }
}

let doc;
async function docResult() {
  doc ??= await documentRulesUnderWorker();
  return doc;
}

test('under the worker, document rules in the shell prefetch links that arrived with main', async () => {
  const r = await docResult();
  assert.ok(r.events.some((e) => e.status === 'Ready'), `Preload: ${JSON.stringify(r.events)}`);
});

test('Chromium routes speculation prefetches of controlled pages through the worker', async () => {
  const r = await docResult();
  // Either the worker answered it (prefetched, yet nothing reached the host) or the worker
  // fetched it (a navigation the worker re-fetches reaches the host with Sec-Fetch-Dest empty,
  // where a direct one says document).
  const answeredInWorker = r.onHover.length === 0 && r.events.some((e) => e.status === 'Ready');
  const fetchedByWorker = r.onHover.some((x) => x.sec_fetch_dest === 'empty');
  assert.ok(answeredInWorker || fetchedByWorker, JSON.stringify({ onHover: r.onHover, events: r.events }));
});

test('under the worker, a speculation prefetch reaches the host with Sec-Purpose (not the shell)', async () => {
  const r = await docResult();
  const lines = r.onHover.map((x) => `${x.path} sec_purpose=${x.sec_purpose} main_only=${x.main_only}`);
  // The hover also makes djust's client post PREFETCH: a worker that honours it fetches the
  // main-only variant too (see the README: document rules and hover prefetch overlap).
  const speculative = r.onHover.filter((x) => x.sec_purpose === 'prefetch');
  assert.equal(speculative.length, 1, `host saw on hover: ${lines.join(', ') || 'nothing (the worker answered the prefetch itself)'}`);
  assert.equal(speculative[0].is_speculative, true);
  assert.notEqual(speculative[0].main_only, '1', 'the prefetch asked for the main-only variant');
});

test('under the worker, the click uses the prefetched page: main at once, no second request', async () => {
  const r = await docResult();
  assert.ok(r.events.some((e) => e.reason === 'PrefetchResponseUsed'), 'the click did not use the prefetch');
  assert.equal(r.kind, 'full', 'the prefetched response was the shell: main came by a swap');
  assert.equal(r.onClick.length, 0, `requests after the click: ${r.onClick.map((x) => x.path).join(', ')}`);
});
