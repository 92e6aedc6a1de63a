// Open-data downloads in the browser (clause L5): the layer information
// dialog of an open layer lists its files with size and licence, and its
// link downloads a ZIP; a layer without an open licence lists none; the
// catalogue page /daten (and /en/data) passes axe-core on desktop and phone.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { BASE, describeViolation, launchBrowser, openSession, waitReady } from './helpers.mjs';

let browser;
before(async () => {
    browser = await launchBrowser();
});
after(async () => {
    await browser?.close();
});

/** Opens the layer panel if it is a closed drawer (phone). */
async function openPanel(page) {
    const toggle = page.locator('#panel-toggle');
    if ((await toggle.count()) && (await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
}

test('the layer information lists the downloads of an open layer, and its link downloads a ZIP', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        await openPanel(page);
        await page.locator('#layer-tree button[data-info="nationalparke"]').click();
        const link = page.locator('#layer-info .layer-downloads a.download[data-format="gpkg"]');
        await link.waitFor();
        const text = await page.locator('#layer-info .layer-downloads').innerText();
        assert.match(text, /GeoJSON/);
        assert.match(text, /GeoPackage \(ZIP, [\d,]+ (kB|MB)\)/);
        assert.match(text, /dl-de\/by-2-0/, 'the licence is named');
        assert.match(text, /KML für Google Earth/);
        const found = await s.audit(page, 'layer info with downloads');
        assert.deepEqual(found.map(describeViolation), [], 'axe finds nothing in the dialog');
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        assert.equal(download.suggestedFilename(), 'numis-nationalparke-gpkg.zip');
        const bytes = await readFile(await download.path());
        assert.equal(bytes.subarray(0, 4).toString('binary'), 'PK\x03\x04', 'a ZIP');
        await page.click('#layer-info-close');

        await page.locator('#layer-tree button[data-info="luftmessstationen"]').click();
        await page.locator('#layer-info[open]').waitFor();
        // The list is asked once; give a late answer the chance to show.
        await page.waitForTimeout(500);
        assert.equal(await page.locator('#layer-info .layer-downloads a').count(), 0, 'no open data, no downloads');
        s.check();
    } finally {
        await s.close();
    }
});

for (const [name, options] of [
    ['desktop', { viewport: { width: 1280, height: 800 } }],
    ['phone', { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true }],
]) {
    test(`the catalogue page of open data passes axe-core (${name})`, async () => {
        const s = await openSession(browser, options);
        try {
            const page = await s.context.newPage();
            for (const path of ['/daten', '/en/data']) {
                const res = await page.goto(`${BASE}${path}`);
                assert.equal(res.status(), 200, `GET ${path}`);
                assert.ok(await page.locator('main h2').count() >= 9, 'a section per open layer and the interfaces');
                const found = await s.audit(page, `${path} (${name})`);
                assert.deepEqual(found.map(describeViolation), [], `axe finds nothing on ${path}`);
            }
            s.check();
        } finally {
            await s.close();
        }
    });
}
