// The reconnection bridge with djust's real client: messages sent while the socket is down go
// to the worker (DJUST_BUFFER) and are replayed on reconnect (DJUST_DRAIN), to the host's
// WebSocket, which records them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, open, controlled, host, sleep, workerControl } from './lib.mjs';

const N = 20;

async function bufferAndDrain({ stopWorker }) {
  const b = await open();
  try {
    await b.page.goto(BASE + '/');
    await controlled(b.page);
    await b.page.waitForFunction(
      () => window.djust?.ws?._djustBridgePatched && djust.ws.ws?.readyState === WebSocket.OPEN,
      null,
      { timeout: 10_000 },
    );
    const control = await workerControl(b.context, b.page);
    await host('/__e2e/ws?accept=0', { method: 'POST' });
    await b.page.waitForFunction(() => djust.ws.ws?.readyState !== WebSocket.OPEN);
    await b.page.evaluate((n) => {
      for (let i = 0; i < n; i++) djust.ws.sendMessage({ type: 'e2e_probe', n: i });
    }, N);
    const buffered = await b.page.evaluate(() => djust._reconnectBridge.bufferedCount);
    assert.ok(buffered >= N, `the client handed ${buffered} messages to the worker`);
    await sleep(300);
    if (stopWorker) {
      await control.stop();
      assert.ok(control.status().every((s) => s === 'stopped'));
    }
    await host('/__e2e/ws/frames', { method: 'DELETE' });
    await host('/__e2e/ws?accept=1', { method: 'POST' });
    // Reconnect now rather than after the client's backoff; its onopen dispatches
    // djust:ws-reconnected, which the page turns into djust:ws-open (the drain).
    await b.page.evaluate(() => djust.ws.connect());
    const deadline = Date.now() + 8_000;
    let probes = [];
    while (Date.now() < deadline) {
      const frames = await host('/__e2e/ws/frames');
      probes = frames.map((f) => JSON.parse(f)).filter((m) => m.type === 'e2e_probe').map((m) => m.n);
      if (probes.length >= N) break;
      await sleep(100);
    }
    return probes;
  } finally {
    await host('/__e2e/ws?accept=1', { method: 'POST' });
    await b.close();
  }
}

const inOrder = [...Array(N).keys()];

test('buffered messages are drained, all and in order (worker kept running)', async () => {
  const probes = await bufferAndDrain({ stopWorker: false });
  assert.deepEqual(probes, inOrder, `drained ${probes.length} of ${N}`);
});

test('buffered messages survive the worker being stopped, all and in order', async () => {
  const probes = await bufferAndDrain({ stopWorker: true });
  assert.deepEqual(probes, inOrder, `drained ${probes.length} of ${N} after a stop`);
});
