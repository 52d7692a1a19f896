// Shared by the suite and the measurements: the browser, the host's endpoints, and the waits.
//
// The host's base URL comes from E2E_BASE (set by e2e/run); a missing host or browser is a
// failure, never a skip.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.E2E_BASE;
if (!BASE) throw new Error('E2E_BASE is not set: run the suite through e2e/run');
export const WORKER = process.env.E2E_WORKER || 'unknown';

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/// A fresh browser with a new temporary profile. `block` keeps service workers out (the
/// full-load reference and the no-worker runs).
export async function open({ block = false } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'liveshell-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    serviceWorkers: block ? 'block' : 'allow',
  });
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function host(path, init) {
  const res = await fetch(BASE + path, init);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.status === 204 ? null : res.json();
}

export const requests = () => host('/__e2e/requests');
export const clearRequests = () => host('/__e2e/requests', { method: 'DELETE' });

/// The requests the host saw for `path` (query ignored), optionally filtered.
export async function requestsFor(path, filter = () => true) {
  return (await requests()).filter((r) => r.path.split('?')[0] === path && filter(r));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// Waits until the page is controlled by a service worker.
export async function controlled(page) {
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 10_000 });
}

/// Waits for the page's main to be painted; answers how ('full' or 'swap') and when.
export async function painted(page, timeout = 10_000) {
  await page.waitForFunction(() => window.__e2e && window.__e2e.painted, null, { timeout });
  return page.evaluate(() => window.__e2e.painted);
}

/// The main element as the browser sees it: its attributes (without the placeholder marker)
/// and its inner HTML.
export async function mainOf(page) {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    if (!main) return null;
    const attrs = {};
    for (const name of main.getAttributeNames()) {
      if (name !== 'data-djust-shell-placeholder') attrs[name] = main.getAttribute(name);
    }
    // djust's client stamps these on every [dj-view] it initialises at load; a swapped main
    // is not re-stamped. They are the client's run-time marks, not the page's markup.
    const copy = main.cloneNode(true);
    copy.querySelectorAll('[dj-view]').forEach((e) => {
      e.removeAttribute('dj-root');
      e.removeAttribute('dj-liveview-root');
    });
    return { attrs, html: copy.innerHTML, placeholder: main.hasAttribute('data-djust-shell-placeholder') };
  });
}

/// The page around main: the body's markup with main emptied, the body's own attributes and the
/// elements djust's client adds at run time left out.
export async function aroundMain(page) {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    for (const name of body.getAttributeNames()) body.removeAttribute(name);
    body.querySelectorAll('[class^="djust-"], [id^="djust-"]:not(main)').forEach((e) => e.remove());
    body.querySelectorAll('[dj-view]').forEach((e) => {
      e.removeAttribute('dj-root');
      e.removeAttribute('dj-liveview-root');
    });
    const main = body.querySelector('main');
    if (main) {
      main.innerHTML = '';
      main.removeAttribute('data-djust-shell-placeholder');
    }
    return body.outerHTML;
  });
}

/// Warms a fresh browser: a visit to `/` registers the worker, then a visit to `path` is the
/// first navigation the worker sees (its shell is cut from that page).
export async function warm(page, path, query = '') {
  await page.goto(BASE + '/' + query);
  await controlled(page);
  await painted(page);
  await page.goto(BASE + path + query);
  await painted(page);
  await sleep(300); // the worker stores the shell after it answers
}

/// A first visit in a fresh browser: the page loads from the network and the worker takes
/// control (djust's client registers it; `clients.claim` makes it the controller).
export async function firstVisit(page, path) {
  await page.goto(BASE + path);
  await controlled(page);
  await painted(page);
}

const references = new Map();

/// Loads `path` in a browser without a worker and answers its main (the full-load reference).
/// The site's pages are deterministic, so each path is loaded once per test file.
export async function fullLoadMain(path) {
  if (!references.has(path)) references.set(path, loadReference(path));
  return references.get(path);
}

async function loadReference(path) {
  const b = await open({ block: true });
  try {
    await b.page.goto(BASE + path);
    await painted(b.page);
    return { main: await mainOf(b.page), around: await aroundMain(b.page) };
  } finally {
    await b.close();
  }
}

/// The CDP session of the page with the ServiceWorker domain on, and a stop that waits until
/// every version reports `stopped`.
export async function workerControl(context, page) {
  const cdp = await context.newCDPSession(page);
  const running = new Map();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) running.set(v.versionId, v.runningStatus);
  });
  await cdp.send('ServiceWorker.enable');
  return {
    cdp,
    async stop() {
      await cdp.send('ServiceWorker.stopAllWorkers');
      const deadline = Date.now() + 5_000;
      while ([...running.values()].some((s) => s !== 'stopped')) {
        if (Date.now() > deadline) throw new Error(`worker did not stop: ${JSON.stringify([...running])}`);
        await sleep(20);
      }
    },
    status: () => [...running.values()],
  };
}
