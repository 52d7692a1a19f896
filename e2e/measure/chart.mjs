// Renders the click-to-main figures of a run as a PNG: an SVG bar chart (median bars, every
// run as a dot) drawn in a page and screenshotted by the same headless Chromium, so no
// charting dependency.
//
//   node measure/chart.mjs <results dir> <out.png>

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [dir, out] = process.argv.slice(2);
const series = [];
let latency = 300;
for (const w of ['djust', 'liveshell']) {
  const m = JSON.parse(await readFile(join(dir, `measure-${w}.json`), 'utf8'));
  latency = m.latencyMs;
  series.push(...m.clickToMain);
}

const W = 900;
const rowH = 70;
const left = 290;
const right = 60;
const top = 90;
const H = top + rowH * series.length + 60;
// The axis ends at 1 s or the slowest run, whichever is less; slower runs sit at its end with
// their value written.
const max = Math.min(1000, Math.ceil(Math.max(...series.flatMap((s) => s.runs), latency) / 100) * 100 + 100);
const x = (ms) => left + ((W - left - right) * ms) / max;
const colors = ['#8a8f98', '#c0504d', '#4f81bd', '#2e7d32'];
const esc = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll("'", '&#39;');

let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">`;
svg += `<rect width="${W}" height="${H}" fill="#fff"/>`;
svg += `<text x="20" y="32" font-size="19" font-weight="bold">Click to main painted, ${latency} ms server latency (median of ${series[0].runs.length})</text>`;
svg += `<text x="20" y="54" font-size="13" fill="#555">djust 1.2.6 client in headless Chromium; bar = median, dots = runs</text>`;
for (let t = 0; t <= max; t += 100) {
  svg += `<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${H - 45}" stroke="#e4e6ea"/>`;
  svg += `<text x="${x(t)}" y="${H - 28}" font-size="12" text-anchor="middle" fill="#555">${t}</text>`;
}
svg += `<text x="${(left + W - right) / 2}" y="${H - 8}" font-size="13" text-anchor="middle" fill="#333">ms</text>`;
svg += `<line x1="${x(latency)}" y1="${top - 6}" x2="${x(latency)}" y2="${H - 45}" stroke="#999" stroke-dasharray="5 4"/>`;
svg += `<text x="${x(latency) + 4}" y="${top - 10}" font-size="11" fill="#777">server latency</text>`;
series.forEach((s, i) => {
  const y = top + i * rowH + 12;
  svg += `<text x="${left - 12}" y="${y + 21}" font-size="14" text-anchor="end">${esc(s.label)}</text>`;
  svg += `<rect x="${left}" y="${y}" width="${x(s.median) - left}" height="30" fill="${colors[i % colors.length]}" opacity="0.9"/>`;
  const inside = x(s.median) - left > 90;
  svg += `<text x="${inside ? x(s.median) - 8 : x(s.median) + 8}" y="${y + 21}" font-size="14" font-weight="bold" fill="${inside ? '#fff' : '#111'}" text-anchor="${inside ? 'end' : 'start'}">${s.median.toFixed(0)} ms</text>`;
  for (const r of s.runs) {
    svg += `<circle cx="${x(Math.min(r, max))}" cy="${y + 40}" r="3.5" fill="#111" opacity="0.5"/>`;
    if (r > max) svg += `<text x="${x(max) - 6}" y="${y + 56}" font-size="11" text-anchor="end" fill="#555">one run ${r.toFixed(0)} ms</text>`;
  }
});
svg += '</svg>';

const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: W, height: H }, deviceScaleFactor: 1 });
  await page.setContent(`<!DOCTYPE html><body style="margin:0">${svg}</body>`);
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: W, height: H } });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
