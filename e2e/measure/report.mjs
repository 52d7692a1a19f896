// Prints the suite's results against both workers side by side (where one fails, the check it
// failed), then the measurements, and writes the same as Markdown to <results>/summary.md.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.argv[2];

async function lines(file) {
  try {
    return (await readFile(join(dir, file), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

async function json(file) {
  try {
    return JSON.parse(await readFile(join(dir, file), 'utf8'));
  } catch {
    return null;
  }
}

const cell = (r) => (!r ? 'not run' : r.pass ? 'pass' : `FAIL: ${r.why ?? ''}`);
const djust = await lines('djust.jsonl');
const live = await lines('liveshell.jsonl');
const names = [...new Set([...djust, ...live].map((r) => `${r.file}\t${r.name}`))];
const md = ['| check | djust 1.2.6 worker | liveshell worker |', '|---|---|---|'];
const count = (rs) => `${rs.filter((r) => r.pass).length}/${rs.length}`;
for (const key of names) {
  const [file, name] = key.split('\t');
  const d = djust.find((r) => r.file === file && r.name === name);
  const l = live.find((r) => r.file === file && r.name === name);
  md.push(`| ${name} | ${cell(d).replaceAll('|', '\\|')} | ${cell(l).replaceAll('|', '\\|')} |`);
}
md.push(`| **passed** | **${count(djust)}** | **${count(live)}** |`);

const mDjust = await json('measure-djust.json');
const mLive = await json('measure-liveshell.json');
const series = [...(mDjust?.clickToMain ?? []), ...(mLive?.clickToMain ?? [])];
if (series.length) {
  md.push('', `Click to main painted, ${mDjust?.latencyMs ?? mLive?.latencyMs} ms server latency, median of ${series[0].runs.length}:`, '');
  md.push('| case | median (ms) | runs (ms) |', '|---|---:|---|');
  for (const s of series) md.push(`| ${s.label} | ${s.median.toFixed(0)} | ${s.runs.map((x) => x.toFixed(0)).join(' ')} |`);
}
const colds = [['djust', mDjust], ['liveshell', mLive]].filter(([, m]) => m?.coldStart);
if (colds.length) {
  md.push('', 'Worker cold start after `ServiceWorker.stopAllWorkers`, a navigation answered from the shell (Navigation Timing, median of 10):', '');
  md.push('| worker | workerStart to fetchStart (ms) | workerStart to responseStart (ms) | own marks |', '|---|---:|---:|---|');
  for (const [w, m] of colds) {
    const own = m.coldStart.own
      ? `evaluation to wasm ready ${m.coldStart.own.evaluatedToWasmReady.toFixed(1)} ms` +
        (m.coldStart.own.evaluatedToRestored != null ? `, to state restored ${m.coldStart.own.evaluatedToRestored.toFixed(1)} ms` : '') +
        `, to first fetch answered ${m.coldStart.own.evaluatedToFirstFetchAnswered.toFixed(1)} ms`
      : '';
    md.push(`| ${w} | ${m.coldStart.startupMedian.toFixed(1)} | ${m.coldStart.toResponseMedian.toFixed(1)} | ${own} |`);
  }
}
if (mLive?.split) {
  md.push('', "Split of each corpus page inside liveshell's worker: liveshell's `shell::split` (wasm) beside djust 1.2.6's regex, same worker, median per call:", '');
  md.push('| page | bytes | wasm split (ms) | MiB/s | regex (ms) | MiB/s | wasm / regex |', '|---|---:|---:|---:|---:|---:|---:|');
  const mibs = (bytes, ms) => (bytes / 1048576 / (ms / 1000)).toFixed(0);
  let tb = 0; let tw = 0; let tr = 0;
  for (const r of mLive.split) {
    tb += r.bytes; tw += r.wasmMs; tr += r.regexMs;
    md.push(`| ${r.name} | ${r.bytes} | ${r.wasmMs.toFixed(3)} | ${mibs(r.bytes, r.wasmMs)} | ${r.regexMs.toFixed(3)} | ${mibs(r.bytes, r.regexMs)} | ${(r.wasmMs / r.regexMs).toFixed(1)}x |`);
  }
  md.push(`| all | ${tb} | ${tw.toFixed(3)} | ${mibs(tb, tw)} | ${tr.toFixed(3)} | ${mibs(tb, tr)} | ${(tw / tr).toFixed(1)}x |`);
}
const text = md.join('\n') + '\n';
await writeFile(join(dir, 'summary.md'), text);
console.log(text);
