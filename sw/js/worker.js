// liveshell's service worker, a drop-in for djust 1.2.6's service-worker.js.
//
// A classic script (djust's client registers it without `type: 'module'`). Every decision is
// liveshell's (`liveshell::worker`, compiled to WebAssembly); this file only performs I/O:
// fetch, Cache Storage, IndexedDB and postMessage. Protocol and differences: sw/README.md.
'use strict';

self.__liveshellColdStart = {
    evaluated: performance.now(),
    imported: null,
    decoded: null,
    wasmReady: null,
    restored: null,
    firstFetchAnswered: null,
};

importScripts('liveshell_sw.js', 'liveshell_sw_wasm.js');
self.__liveshellColdStart.imported = performance.now();

const SHELL_CACHE = 'liveshell-shell-v1';
const SHELL_KEY = '__liveshell_shell__';
const DB_NAME = 'liveshell-sw';
const DB_STORE = 'parts';
const PARTS = ['bridge', 'vdom', 'state', 'shell'];

function base64Bytes(text) {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
}

const wasmBytes = base64Bytes(self.__liveshellWasm);
self.__liveshellColdStart.decoded = performance.now();
wasm_bindgen.initSync({ module: wasmBytes });
self.__liveshellWasm = null;
self.__liveshellColdStart.wasmReady = performance.now();

const core = new wasm_bindgen.LiveshellWorker(self.registration.scope, self.location.search);

self.__liveshell = {
    split: (html) => JSON.parse(wasm_bindgen.split(html)),
    state: () => JSON.parse(core.summary()),
    restoreErrors: [],
};

// ---------------------------------------------------------------------------
// IndexedDB: one record per persisted part, written when a message changed it.
// ---------------------------------------------------------------------------

function openDb() {
    return new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(DB_STORE);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
    });
}

const dbPromise = openDb().catch(() => null);

function tx(mode, fn) {
    return dbPromise.then((db) => {
        if (!db) return null;
        return new Promise((resolve, reject) => {
            const t = db.transaction(DB_STORE, mode);
            const result = fn(t.objectStore(DB_STORE));
            t.oncomplete = () => resolve(result && result.result);
            t.onerror = () => reject(t.error);
            t.onabort = () => reject(t.error);
        });
    });
}

async function restoreAll() {
    try {
        const reads = {};
        await tx('readonly', (store) => {
            for (const p of PARTS) reads[p] = store.get(p);
        });
        for (const p of PARTS) {
            const json = reads[p] && reads[p].result;
            const error = typeof json === 'string' ? core.restore(Date.now(), p, json) : undefined;
            if (error) self.__liveshell.restoreErrors.push([p, error]);
        }
    } catch (_e) {
        // Storage unavailable: start empty, as djust's in-memory worker always does.
    }
    self.__liveshellColdStart.restored = performance.now();
}

function persist(parts) {
    if (!parts || parts.length === 0) return Promise.resolve();
    const now = Date.now();
    const records = parts.map((p) => [p, core.save(now, p)]);
    return tx('readwrite', (store) => {
        for (const [p, json] of records) if (json !== undefined) store.put(json, p);
    }).catch(() => {});
}

const ready = restoreAll();
let queue = ready;

// ---------------------------------------------------------------------------
// Install / activate: take control at once (as djust's worker does).
// ---------------------------------------------------------------------------

self.addEventListener('install', (event) => {
    event.waitUntil(self.skipWaiting());
});

self.addEventListener('activate', (event) => {
    event.waitUntil(self.clients.claim());
});

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function toResponse(stored) {
    const status = stored.status >= 200 && stored.status <= 599 ? stored.status : 200;
    return new Response(NULL_BODY.has(status) ? null : stored.body, {
        status: status,
        headers: stored.headers,
    });
}

async function readStored(response) {
    return { status: response.status, headers: [...response.headers], body: await response.text() };
}

function markAnswered() {
    if (self.__liveshellColdStart.firstFetchAnswered === null) {
        self.__liveshellColdStart.firstFetchAnswered = performance.now();
    }
}

// ---------------------------------------------------------------------------
// Fetch: navigations (shell or network) and main-only requests (coordinated with PREFETCH)
// ---------------------------------------------------------------------------

const waiters = new Map(); // waiter id -> resolve(stored | null)

function completeMainOnly(ticket, url, stored) {
    const out = JSON.parse(core.mainOnlyResponse(ticket, url, stored ? JSON.stringify(stored) : null));
    for (const id of out.waiters) {
        const resolve = waiters.get(id);
        waiters.delete(id);
        if (resolve) resolve(stored);
    }
    persist(['shell']);
}

async function fetchMainOnly(request, ticket) {
    let stored = null;
    try {
        stored = await readStored(await fetch(request));
    } catch (_e) {
        stored = null;
    }
    completeMainOnly(ticket, request.url, stored);
    return stored;
}

async function answerMainOnly(request, decision) {
    let stored = null;
    if (decision.action === 'answer') stored = decision.response;
    else if (decision.action === 'join') stored = await new Promise((resolve) => waiters.set(decision.waiter, resolve));
    else stored = await fetchMainOnly(request, decision.ticket);
    // A failed shared fetch: this request tries on its own, so the browser sees its own error.
    return stored ? toResponse(stored) : fetch(request);
}

async function learn(url, response) {
    try {
        const headers = [...response.headers];
        const body = wasm_bindgen.LiveshellWorker.wantsBody(response.status, response.headers.get('content-type'))
            ? await response.text()
            : undefined;
        const out = JSON.parse(core.navigationResponse(url, response.status, JSON.stringify(headers), body));
        if (out.store) {
            const cache = await caches.open(SHELL_CACHE);
            await cache.put(SHELL_KEY, new Response(out.store.html, { status: 200, headers: out.store.headers }));
        }
    } catch (_e) {
        // A failed shell write leaves the page as it was served.
    }
    await persist(['shell']);
}

async function revalidate(url) {
    try {
        await learn(url, await fetch(url, { credentials: 'same-origin' }));
    } catch (_e) {
        // Offline: keep the shell.
    }
}

async function answerNavigation(event, decision) {
    const request = event.request;
    if (decision.action === 'shell') {
        let cached = null;
        try {
            cached = await (await caches.open(SHELL_CACHE)).match(SHELL_KEY);
        } catch (_e) {
            cached = null;
        }
        if (cached) {
            if (decision.revalidate) event.waitUntil(revalidate(request.url));
            return cached;
        }
        core.shellMissing();
    }
    const response = await fetch(request);
    event.waitUntil(learn(request.url, response.clone()));
    return response;
}

function decide(request) {
    return JSON.parse(core.fetch(request.url, request.method, request.mode, JSON.stringify([...request.headers])));
}

function answer(event, decision) {
    if (decision.action === 'ignore') return fetch(event.request);
    if (decision.action === 'shell' || decision.action === 'network') return answerNavigation(event, decision);
    return answerMainOnly(event.request, decision);
}

self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.method !== 'GET') return;
    let promise;
    if (self.__liveshellColdStart.restored === null) {
        // Still reading the persisted state: decide once it is back.
        promise = ready.then(() => answer(event, decide(request)));
    } else {
        const decision = decide(request);
        if (decision.action === 'ignore') return;
        promise = answer(event, decision);
    }
    event.respondWith(promise.finally(markAnswered));
});

// ---------------------------------------------------------------------------
// Messages: decoded, gated and answered by the core, in order, after the restore.
// ---------------------------------------------------------------------------

function postReply(event, reply) {
    if (event.source && typeof event.source.postMessage === 'function') {
        try {
            event.source.postMessage(reply);
            return;
        } catch (_e) {
            // Fall through to broadcast.
        }
    }
    self.clients
        .matchAll({ includeUncontrolled: false })
        .then((clients) => {
            for (const client of clients) {
                try {
                    client.postMessage(reply);
                } catch (_e) {
                    // Best effort per client.
                }
            }
        })
        .catch(() => {});
}

function prefetch(ticket, url) {
    return fetchMainOnly(new Request(url, { headers: { 'X-Djust-Main-Only': '1' }, credentials: 'same-origin' }), ticket);
}

async function onMessage(event) {
    let data;
    try {
        data = JSON.stringify(event.data);
    } catch (_e) {
        return; // not serialisable (a cycle, a BigInt): ignored, as a bad message
    }
    if (data === undefined) return;
    const source = event.source;
    const out = JSON.parse(
        core.message(
            Date.now(),
            event.origin || undefined,
            source && typeof source.type === 'string' ? source.type : source ? 'other' : undefined,
            source && typeof source.url === 'string' ? source.url : undefined,
            data
        )
    );
    if (out.refused) return;
    if (out.reply) {
        // Echo the request id as it came (undefined, or a value JSON cannot carry).
        if ('requestId' in out.reply) out.reply.requestId = event.data.requestId;
        postReply(event, out.reply);
    }
    // The prefetch runs beside the queue: later messages must not wait for the network.
    if (out.prefetch && typeof event.waitUntil === 'function') {
        event.waitUntil(prefetch(out.prefetch.ticket, out.prefetch.url).catch(() => {}));
    } else if (out.prefetch) {
        prefetch(out.prefetch.ticket, out.prefetch.url).catch(() => {});
    }
    const work = [persist(out.dirty)];
    if (out.clearShell) work.push(caches.open(SHELL_CACHE).then((c) => c.delete(SHELL_KEY)).catch(() => {}));
    await Promise.all(work);
}

self.addEventListener('message', (event) => {
    const done = queue.then(() => onMessage(event)).catch(() => {});
    queue = done;
    if (typeof event.waitUntil === 'function') event.waitUntil(done);
});
