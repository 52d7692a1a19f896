// Shared by build-cases.js and record.js: how a case's HTML is produced, and the generator's PRNG.
// tests/browser.rs implements `expand` the same way (see its `Case::html`).
'use strict';

const fs = require('fs');
const path = require('path');

// A case is `{id, html}`; or, for large inputs, `{id, recipe: [[text, count], ...]}`: the HTML is
// each `text` repeated `count` times, concatenated in order; or `{id, file}`: a page of the
// repository (a path from its root, e.g. benches/data/01-profpc-hugo.html), read as UTF-8.
function expand(c) {
  if (typeof c.html === 'string') return c.html;
  if (typeof c.file === 'string') return fs.readFileSync(path.join(__dirname, '..', '..', c.file), 'utf8');
  return c.recipe.map(([text, count]) => text.repeat(count)).join('');
}

// mulberry32: a tiny, well-known 32-bit PRNG, so that the generated cases depend only on the seed.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { expand, mulberry32 };
