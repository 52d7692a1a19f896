#!/usr/bin/env node
// Writes cases.jsonl: the hand-written cases (hand-cases.js), the smaller real pages of
// benches/data, then the generated ones (generate.js, seed SEED). Run it after editing either file, then re-record (README.md).
'use strict';

const fs = require('fs');
const path = require('path');
const hand = require('./hand-cases');
const { generate } = require('./generate');

const SEED = 20261121;
const GENERATED = 200;

const out = [];
const seen = new Set();
for (const [id, body] of hand) {
  if (seen.has(id)) throw new Error('duplicate id ' + id);
  seen.add(id);
  out.push(typeof body === 'string' ? { id, html: body } : { id, recipe: body.recipe });
}
// The real pages of benches/data up to MAX_PAGE bytes (their recordings are about twice their
// size; the larger ones would make the committed files too big).
const MAX_PAGE = 300 * 1024;
const data = path.join(__dirname, '..', '..', 'benches', 'data');
let pages = 0;
for (const name of fs.readdirSync(data).sort()) {
  if (!name.endsWith('.html') || fs.statSync(path.join(data, name)).size > MAX_PAGE) continue;
  out.push({ id: 'page-' + name.replace(/\.html$/, ''), file: 'benches/data/' + name });
  pages += 1;
}
for (const c of generate(SEED, GENERATED)) out.push(c);
fs.writeFileSync(path.join(__dirname, 'cases.jsonl'), out.map((c) => JSON.stringify(c)).join('\n') + '\n');
console.log(
  'wrote ' + hand.length + ' hand-written, ' + pages + ' page and ' + GENERATED + ' generated cases (seed ' + SEED + ')',
);
