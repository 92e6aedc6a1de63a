// /karte renders a map; switching a layer changes the map and the
// attribution; on a phone-sized screen the map and the layer list work.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
    BASE,
    apiLayers,
    assertNotBlank,
    diffFraction,
    getJson,
    launchBrowser,
    onScreen,
    openSession,
    settledMap,
    uiState,
    until,
    waitReady,
} from './helpers.mjs';

let browser;
before(async () => {
    browser = await launchBrowser();
});
after(async () => {
    await browser?.close();
});

test('/karte renders: ready, and the map canvas is not blank', async (t) => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        const res = await page.goto(`${BASE}/karte`);
        assert.equal(res.status(), 200);
        await waitReady(page);
        assert.equal(await page.getAttribute('body', 'data-mode'), 'karte');
        const img = await settledMap(s, page);
        // The whole of Lower Saxony with its base map and default layers:
        // many colours, no colour covering nearly everything.
        const st = assertNotBlank(img, '/karte', { minColours: 64, maxDominant: 0.95 });
        t.diagnostic(`map ${img.width}×${img.height}: ${st.distinct} colours, dominant ${(st.dominant * 100).toFixed(1)} %`);
        s.check();
    } finally {
        await s.close();
    }
});

/** The attribution strings of a layer as /api/layers gives them. */
function attributionsOf(entry) {
    const a = entry.attribution;
    return (Array.isArray(a) ? a : [a]).filter(Boolean);
}

const norm = (text) => text.replace(/\s+/g, ' ').trim();

test('switching a layer changes the map pixels and the attribution', async (t) => {
    const api = await apiLayers();
    // A layer whose attribution no other layer or base map shares, so its
    // presence in #attribution says exactly whether it is switched on.
    const others = (id) => [
        ...api.basemaps.flatMap(attributionsOf),
        ...Object.values(api.layers).filter((l) => l.id !== id).flatMap(attributionsOf),
    ].map(norm);
    const candidates = ['nationalparke', 'luftmessstationen'].filter((id) => api.layers[id]);
    const id = candidates.find((c) => attributionsOf(api.layers[c]).some((a) => !others(c).includes(norm(a))));
    assert.ok(id, `a layer with its own attribution among ${candidates.join(', ')}`);
    const own = attributionsOf(api.layers[id]).map(norm).find((a) => !others(id).includes(a));

    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const box = page.locator(`input[type=checkbox][data-layer="${id}"]`);
        const attribution = async () => norm((await page.textContent('#attribution')) ?? '');

        const initial = await settledMap(s, page);
        const initiallyOn = await box.isChecked();
        assert.equal(initiallyOn, api.layers[id].visible, `${id} starts as map.toml says`);
        assert.equal((await attribution()).includes(own), initiallyOn,
            `#attribution ${initiallyOn ? 'shows' : 'does not show'} "${own}" while ${id} is ${initiallyOn ? 'on' : 'off'}`);

        // First switch: off if it was on, on if it was off.
        await box.click();
        assert.equal(await box.isChecked(), !initiallyOn);
        await until(async () => (await attribution()).includes(own) === !initiallyOn,
            `#attribution to ${initiallyOn ? 'drop' : 'show'} "${own}"`);
        const toggled = await settledMap(s, page);
        const d1 = diffFraction(initial, toggled);
        assert.ok(d1 > 0.001, `switching ${id} changed ${(d1 * 100).toFixed(3)} % of the map pixels`);

        // Second switch: back to the start, and the map with it.
        await box.click();
        assert.equal(await box.isChecked(), initiallyOn);
        await until(async () => (await attribution()).includes(own) === initiallyOn,
            `#attribution to ${initiallyOn ? 'show' : 'drop'} "${own}" again`);
        const back = await settledMap(s, page);
        const d2 = diffFraction(toggled, back);
        assert.ok(d2 > 0.001, `switching ${id} back changed ${(d2 * 100).toFixed(3)} % of the map pixels`);
        const d3 = diffFraction(initial, back);
        assert.ok(d3 < d1 / 10, `switching twice restores the map (${(d3 * 100).toFixed(3)} % differ from the start)`);
        t.diagnostic(`${id}: ${(d1 * 100).toFixed(2)} % of pixels changed, ${(d3 * 100).toFixed(3)} % differ after switching back`);

        // The attribution lists exactly the visible layers: every checked
        // layer's note is there, and so is the base map's.
        const ui = await uiState(page);
        const text = await attribution();
        for (const [layer, on] of Object.entries(ui.switches)) {
            if (!on || !api.layers[layer]) continue;
            for (const a of attributionsOf(api.layers[layer])) {
                assert.ok(text.includes(norm(a)), `#attribution has "${a}" of the visible layer ${layer}`);
            }
        }
        s.check();
    } finally {
        await s.close();
    }
});

test('at 375×667 the map fills the screen and the layer panel toggle opens the tree', async () => {
    const s = await openSession(browser, { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const img = await settledMap(s, page);
        assertNotBlank(img, '/karte at 375×667');

        const map = await page.locator('#map').boundingBox();
        assert.ok(map, '#map is laid out');
        assert.ok(map.width >= 300 && map.height >= 300, `#map is ${map.width}×${map.height}`);
        assert.ok(map.x >= 0 && map.x + map.width <= 375 + 0.5, `#map fits the width (x ${map.x}, width ${map.width})`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(overflow <= 375, `no horizontal scrolling (page is ${overflow} px wide)`);

        // The layer panel toggle: a disclosure button for the tree.
        const toggle = page.locator('#panel-toggle');
        assert.ok(await toggle.isVisible(), '#panel-toggle is visible');
        assert.equal(await toggle.getAttribute('aria-controls'), 'layer-tree');
        const tb = await toggle.boundingBox();
        assert.ok(tb.x >= 0 && tb.y >= 0 && tb.x + tb.width <= 375 && tb.y + tb.height <= 667, 'the toggle is on screen');
        assert.ok(tb.width >= 24 && tb.height >= 24, `the toggle is large enough to tap (${tb.width}×${tb.height})`);

        const tree = page.locator('#layer-tree');
        const firstSwitch = tree.locator('input[type=checkbox][data-layer]').first();
        // On a phone the tree must not cover the map from the start.
        assert.equal(await onScreen(firstSwitch), false, 'the layer tree is closed at first on a phone');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'the toggle says the tree is closed');
        await toggle.tap();
        await until(() => onScreen(firstSwitch), 'the toggle to open the tree').catch((e) => {
            throw new Error(`${e.message}: the layer switches are not on screen after tapping the toggle`);
        });
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'the toggle says the tree is open');

        // The opened tree is usable: a switch can be tapped and takes effect.
        const before = await firstSwitch.isChecked();
        const box = await firstSwitch.boundingBox();
        await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
        await until(async () => (await firstSwitch.isChecked()) !== before, 'the tapped switch to change');

        // And the toggle closes the tree again, giving the map back.
        await toggle.tap();
        await until(async () => !(await onScreen(firstSwitch)), 'the toggle to close the tree');
        s.check();
    } finally {
        await s.close();
    }
});

test('the attribution control shows the server\'s answer for the visible layers and base map', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const shown = () => page.locator('#attribution li').allInnerTexts().then((l) => l.map(norm));
        const expected = async () => {
            const ui = await uiState(page);
            const layers = Object.entries(ui.switches).filter(([, on]) => on).map(([id]) => id);
            const q = new URLSearchParams({ layers: layers.join(','), base: ui.basemap, lang: 'de' });
            const answer = await getJson(`/api/attribution?${q}`);
            assert.ok(Array.isArray(answer.notes) && answer.notes.length > 0, `/api/attribution?${q} has notes`);
            return answer.notes.map(norm);
        };
        let want = await expected();
        await until(async () => JSON.stringify(await shown()) === JSON.stringify(want), 'the notes of /api/attribution')
            .catch(async (e) => { throw new Error(`${e.message}: shows ${JSON.stringify(await shown())}, wants ${JSON.stringify(want)}`); });

        // After switching a layer, the control follows the server again.
        await page.locator('input[type=checkbox][data-layer]').first().click();
        want = await expected();
        await until(async () => JSON.stringify(await shown()) === JSON.stringify(want), 'the notes after switching a layer')
            .catch(async (e) => { throw new Error(`${e.message}: shows ${JSON.stringify(await shown())}, wants ${JSON.stringify(want)}`); });
        s.check();
    } finally {
        await s.close();
    }
});
