#!/usr/bin/env node
// Records what headless Chromium makes of every case in cases.jsonl and writes expected.jsonl.
//
// Each case is served from a local HTTP server on 127.0.0.1 with
// `Content-Type: text/html; charset=utf-8` and `Content-Security-Policy: script-src 'none'` (so the
// DOM is the parser's own: no page script runs), loaded in Debian's headless Chromium, and then
// inspected from the outside (Playwright's evaluate, which CSP does not block):
//
// - `main`: innerHTML of the first element in tree order (a TreeWalker over the document, which does
//   not enter template contents) whose namespace is XHTML and local name is `main`, or null;
// - `shell`: `<!DOCTYPE name>` (if the document has a doctype) + documentElement.outerHTML after
//   `main.replaceChildren()` and `main.setAttribute('data-djust-shell-placeholder', '1')`, or null;
// - `mode`: document.compatMode (informative: shows which quirks mode a doctype case reached).
//
// Usage: node record.js [--chromium /usr/bin/chromium] [--only id,id] [--cases f] [--expected f]
// (see README.md)
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { expand } = require('./cases-lib');

const HERE = __dirname;
function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const CASES = arg('--cases', path.join(HERE, 'cases.jsonl'));
const EXPECTED = arg('--expected', path.join(HERE, 'expected.jsonl'));

function inspectPage() {
  const XHTML = 'http://www.w3.org/1999/xhtml';
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_ELEMENT, {
    acceptNode: (n) =>
      n.namespaceURI === XHTML && n.localName === 'main' ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP,
  });
  const main = walker.nextNode();
  const mode = document.compatMode;
  if (!main) return { main: null, shell: null, mode };
  const inner = main.innerHTML;
  main.replaceChildren();
  main.setAttribute('data-djust-shell-placeholder', '1');
  const doctype = document.doctype ? '<!DOCTYPE ' + document.doctype.name + '>' : '';
  return { main: inner, shell: doctype + document.documentElement.outerHTML, mode };
}

async function main() {
  const cases = fs
    .readFileSync(CASES, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  const only = arg('--only', null);
  const wanted = only ? new Set(only.split(',')) : null;

  const bodies = new Map();
  cases.forEach((c, i) => bodies.set('/case/' + i, Buffer.from(expand(c), 'utf8')));
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url);
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "script-src 'none'",
      'Cache-Control': 'no-store',
      'Content-Length': body.length,
    });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveshell-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: arg('--chromium', '/usr/bin/chromium'),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const version = context.browser() ? context.browser().version() : 'unknown';
  const page = context.pages()[0] || (await context.newPage());

  const previous = new Map();
  if (wanted && fs.existsSync(EXPECTED)) {
    for (const l of fs.readFileSync(EXPECTED, 'utf8').split('\n')) {
      if (l.trim() !== '') previous.set(JSON.parse(l).id, l);
    }
  }
  const out = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    if (wanted && !wanted.has(c.id)) {
      if (!previous.has(c.id)) throw new Error('no previous expectation for ' + c.id);
      out.push(previous.get(c.id));
      continue;
    }
    await page.goto('http://127.0.0.1:' + port + '/case/' + i, { waitUntil: 'load', timeout: 30000 });
    const r = await page.evaluate(inspectPage);
    out.push(JSON.stringify({ id: c.id, main: r.main, shell: r.shell, mode: r.mode }));
  }
  await context.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.writeFileSync(EXPECTED, out.join('\n') + '\n');
  console.log('recorded ' + out.length + ' cases with Chromium ' + version + ' into ' + EXPECTED);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
