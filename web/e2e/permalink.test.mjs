// The address bar is a permalink: after zooming, panning, switching a layer
// and changing an opacity, opening location.href elsewhere restores the view.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
    BASE,
    assertNotBlank,
    diffFraction,
    launchBrowser,
    openSession,
    parseLayers,
    settledMap,
    sleep,
    uiState,
    until,
    urlState,
    waitReady,
} from './helpers.mjs';

let browser;
before(async () => {
    browser = await launchBrowser();
});
after(async () => {
    await browser?.close();
});

test('permalink: location.href restores centre, scale, layers and opacity', async (t) => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        await settledMap(s, page);
        const start = await uiState(page);

        // Zoom in twice with the tool, then drag the map by an odd amount so
        // the centre is not a round number.
        const scaleBefore = Number(start.scale);
        await page.click('#zoom-in');
        await until(async () => Number((await uiState(page)).scale) < scaleBefore, 'the scale to shrink after zoom-in');
        await page.click('#zoom-in');
        await settledMap(s, page);
        const box = await page.locator('#map').boundingBox();
        const cx = box.x + box.width / 2;
        const cy = box.y + box.height / 2;
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        await page.mouse.move(cx + 60, cy - 20, { steps: 5 });
        await page.mouse.move(cx + 137, cy - 61, { steps: 5 });
        await page.mouse.up();

        // Switch one layer (whatever it was) and set another visible layer's
        // opacity to 40 %.
        const switches = start.switches;
        const ids = Object.keys(switches);
        assert.ok(ids.length >= 2, `at least two layer switches: ${ids}`);
        const flipped = ids.includes('fluesse') ? 'fluesse' : ids[0];
        await page.click(`input[type=checkbox][data-layer="${flipped}"]`);
        let faded = ids.find((id) => id !== flipped && switches[id]);
        if (!faded) {
            faded = ids.find((id) => id !== flipped);
            await page.click(`input[type=checkbox][data-layer="${faded}"]`);
        }
        const slider = page.locator(`input[type=range][data-opacity="${faded}"]`);
        await slider.fill('40');

        // The address bar follows.
        await until(async () => {
            const layers = parseLayers(urlState(await page.evaluate(() => location.href)).layers);
            return layers[faded] === 40 && (flipped in layers) === !switches[flipped];
        }, `the URL to carry ${faded}:40 and ${flipped} ${switches[flipped] ? 'off' : 'on'}`).catch((e) => {
            throw new Error(`${e.message}; URL is ${page.url()}`);
        });
        // Once the map is still, the address must be too.
        const imgA = await settledMap(s, page);
        let href = await page.evaluate(() => location.href);
        href = await until(async () => {
            await sleep(500);
            const now = await page.evaluate(() => location.href);
            const stable = now === href;
            href = now;
            return stable ? now : null;
        }, 'the URL to stop changing');
        const a = urlState(href);
        const uiA = await uiState(page);
        assert.ok(a.scale < scaleBefore, `zoomed in: ${a.scale} < ${scaleBefore}`);
        assert.equal(uiA.switches[flipped], !switches[flipped]);
        assert.equal(Number(uiA.opacity[faded]), 40);
        assert.equal(a.path, '/karte');

        // A new page with the same address shows the same.
        const page2 = await s.context.newPage();
        await page2.goto(href);
        await waitReady(page2);
        const imgB = await settledMap(s, page2);
        const b = urlState(await page2.evaluate(() => location.href));
        const uiB = await uiState(page2);
        assert.ok(Math.abs(b.x - a.x) <= 1, `x ${b.x} vs ${a.x}`);
        assert.ok(Math.abs(b.y - a.y) <= 1, `y ${b.y} vs ${a.y}`);
        assert.equal(b.scale, a.scale, 'scale');
        assert.deepEqual(parseLayers(b.layers), parseLayers(a.layers), 'layers and opacities in the URL');
        assert.equal(b.base, a.base, 'base map');
        assert.equal(uiB.scale, uiA.scale, 'the scale selector');
        assert.equal(uiB.basemap, uiA.basemap, 'the base map chooser');
        assert.deepEqual(uiB.switches, uiA.switches, 'the layer switches');
        assert.deepEqual(uiB.opacity, uiA.opacity, 'the opacity sliders');
        assertNotBlank(imgB, 'the map opened from the permalink', { minColours: 8 });
        const d = diffFraction(imgA, imgB);
        assert.ok(d < 0.05, `the restored map looks like the original (${(d * 100).toFixed(2)} % of pixels differ)`);
        t.diagnostic(`${href} restored; ${(d * 100).toFixed(3)} % of pixels differ`);
        s.check();
    } finally {
        await s.close();
    }
});
