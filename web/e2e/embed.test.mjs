// Framing: any site may frame /embed; /karte refuses to be framed by
// another origin.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import {
    BASE,
    assertNotBlank,
    launchBrowser,
    mapImage,
    onScreen,
    openSession,
    settledMap,
    until,
    waitReady,
} from './helpers.mjs';

let browser;
let host;
let hostOrigin;
const embedSrc = `${BASE}/embed?x=550000&y=5802000&scale=250000&tree=1&wheel=ctrl`;
const plainSrc = `${BASE}/embed`;

before(async () => {
    browser = await launchBrowser();
    // A host page on another origin (another port) that frames both pages.
    host = createServer((req, res) => {
        if (req.url !== '/') {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html>
<html><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head>
<body>
<h1>A page on another site</h1>
<iframe id="embed" name="embed" src="${embedSrc}" width="960" height="640"></iframe>
<iframe id="plain" name="plain" src="${plainSrc}" width="640" height="480"></iframe>
<iframe id="karte" name="karte" src="${BASE}/karte" width="640" height="480"></iframe>
</body></html>`);
    });
    await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostOrigin = `http://127.0.0.1:${host.address().port}`;
    assert.notEqual(hostOrigin, BASE);
});
after(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve) ?? resolve());
});

test('CSP: /embed may be framed by anyone, /karte only by itself', async () => {
    const embed = await fetch(`${BASE}/embed`);
    assert.equal(embed.status, 200);
    const embedCsp = embed.headers.get('content-security-policy') ?? '';
    assert.match(embedCsp, /(^|;)\s*frame-ancestors \*\s*(;|$)/, `/embed CSP: ${embedCsp}`);

    const karte = await fetch(`${BASE}/karte`);
    assert.equal(karte.status, 200);
    const karteCsp = karte.headers.get('content-security-policy') ?? '';
    assert.match(karteCsp, /(^|;)\s*frame-ancestors 'self'\s*(;|$)/, `/karte CSP: ${karteCsp}`);
});

test('/embed sends no X-Frame-Options that forbids what its CSP allows', async () => {
    // Browsers without CSP frame-ancestors obey X-Frame-Options alone.
    const embed = await fetch(`${BASE}/embed`);
    const xfo = embed.headers.get('x-frame-options');
    assert.equal(xfo, null, `/embed X-Frame-Options: ${xfo}`);
});

test('a page on another origin shows /embed in a frame, and /karte is refused', async () => {
    const s = await openSession(browser, { allowedOrigins: [] });
    try {
        const page = await s.context.newPage();
        await page.goto(`${hostOrigin}/`);

        const embedFrame = await until(() => page.frame({ name: 'embed' }), 'the embed frame');
        await waitReady(embedFrame);
        assert.equal(await embedFrame.getAttribute('body', 'data-mode'), 'embed');
        assert.ok(await embedFrame.locator('#map').isVisible(), 'the embedded map is visible');
        const img = await settledMap(s, embedFrame);
        assertNotBlank(img, 'the embedded map', { minColours: 16 });
        // tree=1 shows the layer list in the embed (a large embed, 960×640,
        // as the embed dialog offers it).
        const firstSwitch = embedFrame.locator('#layer-tree input[type=checkbox][data-layer]').first();
        assert.ok(await onScreen(firstSwitch), 'tree=1 shows the layer switches of #layer-tree');

        // Without tree=1 the embed shows no layer list.
        const plainFrame = await until(() => page.frame({ name: 'plain' }), 'the plain embed frame');
        await waitReady(plainFrame);
        assert.equal(await plainFrame.getAttribute('body', 'data-mode'), 'embed');
        assertNotBlank(await settledMap(s, plainFrame), 'the plain embedded map', { minColours: 16 });
        const plainSwitches = plainFrame.locator('input[type=checkbox][data-layer]');
        for (let i = 0; i < (await plainSwitches.count()); i++) {
            assert.equal(await onScreen(plainSwitches.nth(i)), false, 'no layer switch on screen in an embed without tree=1');
        }

        // The embed links to the full viewer on the portal.
        const full = await embedFrame.getAttribute('#open-full', 'href');
        assert.ok(full, '#open-full has a link');
        assert.equal(new URL(full, BASE).origin, BASE);
        assert.match(new URL(full, BASE).pathname, /\/karte$/);

        // The /karte frame: Chromium refuses to render it here. Whatever it
        // shows instead has none of the viewer.
        const karteFrame = page.frame({ name: 'karte' });
        assert.ok(karteFrame, 'the karte frame exists');
        await until(async () => s.log.consoleErrors.some((m) => /frame-ancestors/.test(m)),
            'Chromium to report the frame-ancestors refusal').catch(() => {});
        const viewer = await karteFrame.evaluate(() => ({
            url: location.href,
            map: !!document.querySelector('#map'),
            mode: document.body?.dataset.mode ?? null,
        })).catch((e) => ({ error: String(e) }));
        assert.ok(!viewer.map && !viewer.mode, `the framed /karte shows no viewer: ${JSON.stringify(viewer)}`);
        assert.ok(s.log.consoleErrors.some((m) => /frame-ancestors/.test(m)),
            `Chromium reports the refusal: ${JSON.stringify(s.log.consoleErrors)}`);
        // The embed's map really is there, seen through the frame too.
        assertNotBlank(await mapImage(embedFrame), 'the embedded map, again', { minColours: 16 });

        // Requests: only the host page and the portal.
        const foreign = s.log.requests.filter((u) => {
            if (u.startsWith('data:') || u.startsWith('blob:')) return false;
            const o = new URL(u).origin;
            return o !== BASE && o !== hostOrigin;
        });
        assert.deepEqual(foreign, [], 'requests to neither the host nor the portal');
        const fromHost = s.log.requests.filter((u) => u.startsWith(hostOrigin));
        assert.deepEqual(fromHost, [`${hostOrigin}/`], 'the only request to the host is its page');
        s.log.foreignRequests = s.log.foreignRequests.filter((u) => !u.startsWith(`${hostOrigin}/`));
        s.check({ expectedConsole: [/frame-ancestors/] });
    } finally {
        await s.close();
    }
});
