// Privacy: the viewer talks to its own origin only, logs no error, and
// nothing sets a cookie. (Every other test file checks the same for its
// own pages; this one walks through the viewer's dialogs and tools.)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, apiLayers, audit, launchBrowser, openSession, settledMap, until, waitReady } from './helpers.mjs';

let browser;
before(async () => {
    browser = await launchBrowser();
});
after(async () => {
    await browser?.close();
});

test('a walk through the viewer: own origin only, no console error, no cookie', async () => {
    const api = await apiLayers();
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        await settledMap(s, page);

        // Legends of the visible layers are images from the portal.
        await until(() => page.locator('#legend img').count(), 'a legend image');

        // Layer info dialog.
        const infoId = Object.keys(api.layers).find((id) => api.layers[id].visible) ?? Object.keys(api.layers)[0];
        await page.click(`button[data-info="${infoId}"]`);
        await page.locator('#layer-info').waitFor({ state: 'visible' });
        assert.ok((await page.locator('#layer-info').innerText()).includes(api.layers[infoId].title), '#layer-info names the layer');
        await audit(page, 'layer info dialog');
        await page.keyboard.press('Escape');

        // Share dialog with its QR code.
        await page.click('#share-button');
        await page.locator('#share-dialog').waitFor({ state: 'visible' });
        await page.locator('#share-qr').waitFor({ state: 'visible' });
        await audit(page, 'share dialog');
        const link = await page.locator('#share-link').evaluate((el) => ('value' in el ? el.value : el.textContent));
        assert.equal(new URL(link).origin, BASE, `#share-link is a link to the portal: ${link}`);
        await page.keyboard.press('Escape');

        // Embed dialog with its preview and snippet.
        await page.click('#embed-button');
        await page.locator('#embed-dialog').waitFor({ state: 'visible' });
        const snippet = await page.locator('#embed-snippet').evaluate((el) => ('value' in el ? el.value : el.textContent));
        assert.match(snippet, /<iframe[^>]+src="[^"]*\/embed/, `#embed-snippet is an iframe of /embed: ${snippet}`);
        await audit(page, 'embed dialog');
        await page.keyboard.press('Escape');

        // Base map: none, then back.
        const base = await page.locator('#basemap').inputValue();
        await page.selectOption('#basemap', 'none');
        await settledMap(s, page);
        await page.selectOption('#basemap', base);

        // Scale selector, measuring, search, zoom and home.
        const scales = await page.locator('#scale option').evaluateAll((os) => os.map((o) => o.value));
        await page.selectOption('#scale', scales[Math.floor(scales.length / 2)]);
        await page.click('#measure-length');
        await page.click('#measure-length');
        await page.click('#zoom-out');
        await page.click('#home');
        await page.fill('#search', 'Celle');
        await until(() => page.locator('#search-results [role=option]').count(), 'search results for Celle');
        await audit(page, 'search results');
        await page.keyboard.press('Escape');
        await settledMap(s, page);

        // The language switch keeps the map state and leads to the English viewer.
        const href = await page.getAttribute('#lang-switch', 'href');
        assert.ok(href, '#lang-switch has a link');
        await page.click('#lang-switch');
        await page.waitForURL((u) => u.origin === BASE && (/\/en\/karte$/.test(u.pathname) || u.searchParams.get('lang') === 'en'));
        await waitReady(page);
        await settledMap(s, page);
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

        assert.equal(await page.evaluate(() => document.cookie), '', 'document.cookie is empty');
        assert.deepEqual(await s.context.cookies(), [], 'the browser holds no cookie');
        assert.ok(s.log.requests.length > 10, `requests were observed (${s.log.requests.length})`);
        s.check();
    } finally {
        await s.close();
    }
});

test('no Set-Cookie on /karte, /embed and the JSON endpoints', async () => {
    const paths = [
        '/karte',
        '/en/karte',
        '/embed',
        '/api/layers?lang=de',
        '/api/layers?lang=en',
        '/api/search?q=gottingen&lang=de',
        '/api/measurements/luftmessstationen/DENI054?lang=de',
        '/api/measurements/luftmessstationen/NOPE?lang=de',
        '/api/measurements/nope/DENI054?lang=de',
        '/api/qr?text=https%3A%2F%2Fexample.org%2Fkarte',
    ];
    for (const path of paths) {
        const res = await fetch(BASE + path);
        await res.arrayBuffer();
        assert.deepEqual(res.headers.getSetCookie(), [], `Set-Cookie on ${path}`);
        if (path.startsWith('/api/') && res.status === 200 && !path.startsWith('/api/qr')) {
            assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${path}: content type`);
        }
    }
    // A key with nothing measured: an empty list; an unknown layer, or one
    // without measurements: 404.
    const missing = await fetch(`${BASE}/api/measurements/luftmessstationen/NOPE?lang=de`);
    assert.equal(missing.status, 200, 'a key without values');
    assert.deepEqual((await missing.json()).values, [], 'a key without values has an empty list');
    for (const path of ['/api/measurements/nope/DENI054?lang=de', '/api/measurements/fluesse/DENI054?lang=de']) {
        assert.equal((await fetch(BASE + path)).status, 404, path);
    }
    const qr = await fetch(`${BASE}/api/qr?text=hello`);
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type') ?? '', /^image\/svg\+xml/);
});
