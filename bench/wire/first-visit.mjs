// Bytes on the wire for a citizen's first visit of the map viewer: every
// request a fresh browser (empty cache) makes from opening the page until
// the map is drawn, with the bytes each one took on the wire (headers and
// body as transferred, i.e. after any compression).
//
//   node bench/wire/first-visit.mjs [URL]      default http://127.0.0.1:8080/karte
//
// Uses playwright-core from web/e2e (scripts/e2e.sh installs it) and Debian's
// Chromium (CHROMIUM overrides /usr/bin/chromium). "Drawn" means the map's
// canvas is on the page, no request is in flight and none started for
// 1.5 s. Prints one line per request and a total, by content type.

import { createRequire } from 'node:module';

const require = createRequire(new URL('../../web/e2e/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const url = process.argv[2] ?? 'http://127.0.0.1:8080/karte';
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });

const requests = new Map();
let lastActivity = Date.now();
cdp.on('Network.requestWillBeSent', (e) => {
    requests.set(e.requestId, { url: e.request.url, type: '', encoding: '', bytes: 0, done: false });
    lastActivity = Date.now();
});
cdp.on('Network.responseReceived', (e) => {
    const r = requests.get(e.requestId);
    if (!r) return;
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    r.type = (headers['content-type'] ?? '').split(';')[0];
    r.encoding = headers['content-encoding'] ?? '';
});
const finish = (e) => {
    const r = requests.get(e.requestId);
    if (!r) return;
    r.bytes = e.encodedDataLength ?? 0;
    r.done = true;
    lastActivity = Date.now();
};
cdp.on('Network.loadingFinished', finish);
cdp.on('Network.loadingFailed', (e) => { const r = requests.get(e.requestId); if (r) r.done = true; });

await page.goto(url, { waitUntil: 'load' });
await page.waitForSelector('canvas', { timeout: 60_000 });
for (;;) {
    const busy = [...requests.values()].some((r) => !r.done);
    if (!busy && Date.now() - lastActivity > 1500) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
}
await browser.close();

const byType = new Map();
let total = 0;
for (const r of requests.values()) {
    const path = new URL(r.url).pathname + (r.url.includes('?') ? '?…' : '');
    console.log(`${String(r.bytes).padStart(9)}  ${(r.encoding || '-').padEnd(4)}  ${r.type.padEnd(24)}  ${path}`);
    byType.set(r.type, (byType.get(r.type) ?? 0) + r.bytes);
    total += r.bytes;
}
for (const [type, bytes] of [...byType].sort((a, b) => b[1] - a[1])) {
    console.log(`${String(bytes).padStart(9)}  ${type || '(none)'}`);
}
console.log(`${requests.size} requests, ${total} bytes on the wire`);
