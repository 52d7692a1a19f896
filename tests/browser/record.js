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
// A second pass loads every case that has a `noscript` tag with JavaScript disabled (so the parser
// runs with scripting off) and writes expected-scripting-off.jsonl, for `ShellOptions::scripting(false)`.
//
// Usage: node record.js [--chromium /usr/bin/chromium] [--only id,id] [--cases f] [--expected f]
//        [--expected-scripting-off f]
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
const EXPECTED_SCRIPTING_OFF = arg('--expected-scripting-off', path.join(HERE, 'expected-scripting-off.jsonl'));

function inspectPage() {
  const XHTML = 'http://www.w3.org/1999/xhtml';
  // No filter callback: with JavaScript disabled (the scripting-off pass) it could not run.
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_ELEMENT);
  let main = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.namespaceURI === XHTML && n.localName === 'main') {
      main = n;
      break;
    }
  }
  const mode = document.compatMode;
  if (!main) return { main: null, shell: null, mode };
  const inner = main.innerHTML;
  main.replaceChildren();
  main.setAttribute('data-djust-shell-placeholder', '1');
  const doctype = document.doctype ? '<!DOCTYPE ' + document.doctype.name + '>' : '';
  return { main: inner, shell: doctype + document.documentElement.outerHTML, mode };
}

// Chromium's arguments; each pass also gets a fresh user-data-dir.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Whether a case also gets the scripting-off pass: it has a `noscript` tag, the only thing the
// parser's scripting flag changes.
const hasNoscript = (html) => /<noscript/i.test(html);

// One recording pass: loads the cases `selected` picks in a fresh Chromium and writes their lines
// to `file`. With `--only`, the other cases keep their previous line from `file`.
async function recordPass({ cases, port, file, javaScriptEnabled, selected, wanted }) {
  const previous = new Map();
  if (wanted && fs.existsSync(file)) {
    for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
      if (l.trim() !== '') previous.set(JSON.parse(l).id, l);
    }
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveshell-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: arg('--chromium', '/usr/bin/chromium'),
    headless: true,
    javaScriptEnabled,
    args: ARGS,
  });
  const version = context.browser() ? context.browser().version() : 'unknown';
  const page = context.pages()[0] || (await context.newPage());
  const out = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    if (!selected(c)) continue;
    if (wanted && !wanted.has(c.id)) {
      if (!previous.has(c.id)) throw new Error('no previous expectation for ' + c.id + ' in ' + file);
      out.push(previous.get(c.id));
      continue;
    }
    await page.goto('http://127.0.0.1:' + port + '/case/' + i, { waitUntil: 'load', timeout: 30000 });
    const r = await page.evaluate(inspectPage);
    out.push(JSON.stringify({ id: c.id, main: r.main, shell: r.shell, mode: r.mode }));
  }
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.writeFileSync(file, out.join('\n') + '\n');
  console.log('recorded ' + out.length + ' cases with Chromium ' + version + ' into ' + file);
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

  // Scripting on (the default): JavaScript enabled, page scripts blocked by the CSP.
  await recordPass({ cases, port, file: EXPECTED, javaScriptEnabled: true, selected: () => true, wanted });
  // Scripting off, for `ShellOptions::scripting(false)`: JavaScript disabled in the browser.
  await recordPass({
    cases,
    port,
    file: EXPECTED_SCRIPTING_OFF,
    javaScriptEnabled: false,
    selected: (c) => hasNoscript(expand(c)),
    wanted,
  });
  server.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
