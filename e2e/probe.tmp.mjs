import { open, BASE, warm, painted, mainOf, requests, clearRequests, sleep, requestsFor } from './tests/lib.mjs';
async function preload(b) {
  const cdp = await b.context.newCDPSession(b.page);
  const ev = [];
  cdp.on('Preload.prefetchStatusUpdated', e => ev.push(`${e.prefetchUrl} ${e.status} ${e.prefetchStatus||''}`));
  cdp.on('Preload.preloadingAttemptSourcesUpdated', e => {});
  await cdp.send('Preload.enable');
  return ev;
}
{
  const b = await open({ block: true });
  const ev = await preload(b);
  await clearRequests();
  await b.page.goto(BASE + '/docs/1/'); await painted(b.page); await sleep(1000);
  console.log('A seen docs/2', JSON.stringify(await requestsFor('/docs/2/')));
  await clearRequests();
  await b.page.locator('aside a[href="/docs/2/"]').click(); const p = await painted(b.page);
  console.log('A after click', p.kind, JSON.stringify(await requestsFor('/docs/2/')), ev);
  await b.close();
}
{
  const b = await open();
  b.context.on('request', r => { if (r.serviceWorker()) console.log('  sw request', r.url(), r.headers()['sec-purpose']); });
  const ev = await preload(b);
  await warm(b.page, '/docs/1/', '?spec=doc');
  await clearRequests();
  await b.page.goto(BASE + '/docs/3/?spec=doc'); const p0 = await painted(b.page); await sleep(1500);
  console.log('B', p0.kind, 'docs/4 rule in main:', JSON.stringify(await requestsFor('/docs/4/')));
  const link = b.page.locator('main a.next').first(); const href = await link.getAttribute('href');
  await clearRequests();
  await link.hover(); await sleep(1500);
  console.log('B hover', href, JSON.stringify(await requestsFor(href.split('?')[0])));
  await clearRequests();
  await link.click(); const p = await painted(b.page);
  console.log('B click', p.kind, JSON.stringify(await requestsFor(href.split('?')[0])), ev);
  await b.close();
}
