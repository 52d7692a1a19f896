// The measurements, against the host in E2E_BASE, whose worker is E2E_WORKER:
//
// - click to main painted (a mark on djust:shell-swapped, or on main parsed for a full load),
//   300 ms server latency, median of 10: with djust's host, no worker and djust's worker; with
//   liveshell's host, its worker without and after a hover;
// - the worker's cold start: stop every worker (CDP), navigate, and read the navigation's
//   workerStart, fetchStart and responseStart (startup = fetchStart - workerStart), 10 times;
//   with liveshell's worker also its own marks (__liveshellColdStart);
// - with liveshell's worker, the split of each corpus page in the worker: liveshell's wasm
//   split beside djust 1.2.6's regex, in the same worker.
//
// Writes the figures as JSON to argv[2] and prints them.

import { writeFile } from 'node:fs/promises';
import {
  BASE, WORKER, open, warm, painted, controlled, sleep, workerControl, host,
} from '../tests/lib.mjs';

const LATENCY = 300;
const RUNS = 10;
const Q = `?latency_ms=${LATENCY}`;
const TARGETS = [...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `/blog/${n}/`), '/news/2/', '/news/3/'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/// One click on the aside's link to `target` (no pointer movement, so no hover unless asked),
/// and the time from the click event to main painted.
async function clickToMain(page, target, { hover }) {
  const selector = `aside a[href="${target}${Q}"]`;
  if (hover) {
    await page.locator(selector).hover();
    await sleep(LATENCY * 2 + 300);
  }
  await page.evaluate((s) => document.querySelector(s).click(), selector);
  await page.waitForURL(BASE + target + Q);
  const p = await painted(page);
  const clickAt = Number(await page.evaluate(() => sessionStorage.getItem('e2e.clickAt')));
  return { ms: p.at - clickAt, kind: p.kind };
}

async function clickSeries(label, { block, hover }) {
  const b = await open({ block });
  try {
    if (block) {
      await b.page.goto(BASE + '/news/1/' + Q);
      await painted(b.page);
    } else {
      await warm(b.page, '/news/1/', Q);
      await b.page.goto(BASE + '/news/4/' + Q);
      await painted(b.page);
    }
    const runs = [];
    for (const target of TARGETS.slice(0, RUNS)) {
      runs.push(await clickToMain(b.page, target, { hover }));
    }
    const want = block ? 'full' : 'swap';
    const wrong = runs.filter((r) => r.kind !== want);
    if (wrong.length) throw new Error(`${label}: ${wrong.length} runs painted ${wrong[0].kind}, not ${want}`);
    const ms = runs.map((r) => r.ms);
    return { label, median: median(ms), runs: ms };
  } finally {
    await b.close();
  }
}

async function coldStart() {
  const b = await open();
  try {
    await warm(b.page, '/news/1/');
    const control = await workerControl(b.context, b.page);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      await control.stop();
      await b.page.goto(BASE + TARGETS[i]);
      await painted(b.page);
      const nav = await b.page.evaluate(() => {
        const e = performance.getEntriesByType('navigation')[0];
        return { workerStart: e.workerStart, fetchStart: e.fetchStart, responseStart: e.responseStart };
      });
      let own = null;
      if (WORKER === 'liveshell') {
        // The restarted worker is the newest one Playwright knows; a stopped one never answers.
        const sw = b.context.serviceWorkers().at(-1);
        own = sw
          ? await Promise.race([
            sw.evaluate(() => self.__liveshellColdStart ?? null).catch(() => null),
            sleep(2000).then(() => null),
          ])
          : null;
      }
      runs.push({
        startup: nav.fetchStart - nav.workerStart,
        toResponse: nav.responseStart - nav.workerStart,
        own,
      });
    }
    const out = {
      startupMedian: median(runs.map((r) => r.startup)),
      toResponseMedian: median(runs.map((r) => r.toResponse)),
      runs,
    };
    const own = runs.map((r) => r.own).filter((o) => o && o.firstFetchAnswered != null);
    if (own.length) {
      out.own = {
        evaluatedToWasmReady: median(own.map((o) => o.wasmReady - o.evaluated)),
        evaluatedToRestored: own.every((o) => o.restored != null)
          ? median(own.map((o) => o.restored - o.evaluated))
          : null,
        evaluatedToFirstFetchAnswered: median(own.map((o) => o.firstFetchAnswered - o.evaluated)),
        samples: own.length,
      };
    }
    return out;
  } finally {
    await b.close();
  }
}

/// Liveshell's split and djust's regex, timed in the same worker over the corpus.
async function splitInWorker() {
  const b = await open();
  try {
    await b.page.goto(BASE + '/');
    await controlled(b.page);
    const names = await host('/__e2e/corpus');
    if (!names.length) throw new Error('no corpus pages: pass --corpus to the host');
    const sw = b.context.serviceWorkers().at(-1);
    if (!sw) throw new Error('no service worker to evaluate in');
    return await sw.evaluate(async (list) => {
      if (!self.__liveshell || typeof self.__liveshell.split !== 'function') {
        throw new Error('the worker has no __liveshell.split hook');
      }
      // The split djust 1.2.6's worker does (its service-worker.js): the first regex match of
      // main, replaced by a placeholder.
      const regexSplit = (html) => {
        const re = /<main\b[^>]*>([\s\S]*?)<\/main>/i;
        const m = html.match(re);
        if (!m) return { shell: null, main: null };
        return {
          shell: html.replace(re, '<main id="djust-main" data-djust-shell-placeholder="1"></main>'),
          main: m[1],
        };
      };
      // performance.now() is coarsened to 0.1 ms in a worker that is not cross-origin
      // isolated: time batches of calls (at least 20 ms each), median of 7 batches per call.
      const time = (f, html) => {
        f(html); // warm
        let n = 1;
        for (;;) {
          const t = performance.now();
          for (let i = 0; i < n; i++) f(html);
          if (performance.now() - t >= 20) break;
          n *= 2;
        }
        const samples = [];
        for (let k = 0; k < 7; k++) {
          const t = performance.now();
          for (let i = 0; i < n; i++) f(html);
          samples.push((performance.now() - t) / n);
        }
        samples.sort((a, b) => a - b);
        return samples[3];
      };
      const rows = [];
      for (const name of list) {
        const html = await (await fetch('/corpus/' + name)).text();
        const bytes = new TextEncoder().encode(html).length;
        const wasm = time((h) => self.__liveshell.split(h), html);
        const regex = time(regexSplit, html);
        rows.push({ name, bytes, wasmMs: wasm, regexMs: regex });
      }
      return rows;
    }, names);
  } finally {
    await b.close();
  }
}

const out = { worker: WORKER, latencyMs: LATENCY, runs: RUNS, clickToMain: [] };
if (WORKER === 'djust') {
  out.clickToMain.push(await clickSeries('no worker', { block: true, hover: false }));
  out.clickToMain.push(await clickSeries("djust's worker", { block: false, hover: false }));
} else {
  out.clickToMain.push(await clickSeries("liveshell's worker, no hover", { block: false, hover: false }));
  out.clickToMain.push(await clickSeries("liveshell's worker, after hover", { block: false, hover: true }));
  out.split = await splitInWorker();
}
out.coldStart = await coldStart();
await writeFile(process.argv[2], JSON.stringify(out, null, 2));
for (const c of out.clickToMain) {
  console.log(`click to main, ${c.label}: median ${c.median.toFixed(0)} ms (${c.runs.map((x) => x.toFixed(0)).join(' ')})`);
}
console.log(`cold start (${WORKER}): startup ${out.coldStart.startupMedian.toFixed(1)} ms, to response ${out.coldStart.toResponseMedian.toFixed(1)} ms`);
if (out.split) {
  for (const r of out.split) {
    console.log(`split ${r.name} ${r.bytes} B: wasm ${r.wasmMs.toFixed(3)} ms, regex ${r.regexMs.toFixed(3)} ms`);
  }
}
