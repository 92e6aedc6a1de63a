// Search with autocomplete: a hit zooms the map there and sets the marker;
// umlauts do not matter.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, audit, getJson, launchBrowser, openSession, settledMap, assertNotBlank, until, urlState, waitReady } from './helpers.mjs';

let browser;
before(async () => {
    browser = await launchBrowser();
});
after(async () => {
    await browser?.close();
});

/** Types like a user (key by key); returns the options once the list is complete and one matches `expect`. */
async function typeAndWait(s, page, query, expect) {
    const input = page.locator('#search');
    assert.equal(await input.getAttribute('role'), 'combobox', '#search is a combobox');
    await input.click();
    await input.fill('');
    await input.pressSequentially(query, { delay: 40 });
    // Autocomplete waits for a pause in typing; then its request ends.
    await s.networkIdle(700);
    const options = page.locator('#search-results [role=option]');
    // The list answers each keystroke; wait until it shows a match and has
    // stopped changing, so the options belong to the whole query.
    let previous = null;
    await until(async () => {
        const texts = await options.allInnerTexts();
        const key = JSON.stringify(texts);
        const stable = key === previous && texts.some((t) => expect.test(t));
        previous = key;
        return stable;
    }, `an option matching ${expect} for "${query}"`, 15_000, 400).catch(async (e) => {
        throw new Error(`${e.message}; listed: ${JSON.stringify(await options.allInnerTexts())}`);
    });
    assert.equal(await input.inputValue(), query);
    return options;
}

test('search: "Hannover" lists a hit, choosing it zooms to Hannover and sets the marker', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const start = urlState(page.url());
        const options = await typeAndWait(s, page, 'Hannover', /Hannover/);
        await audit(page, 'search results');
        // The hit for the city itself, as the search API lists it; the
        // option shows its label and detail.
        const api = await getJson('/api/search?q=Hannover&lang=de');
        const hit = api.results.find((r) => r.label === 'Hannover' && r.kind !== 'layer');
        assert.ok(hit, `/api/search lists Hannover: ${JSON.stringify(api.results)}`);
        const texts = await options.allInnerTexts();
        const index = texts.findIndex((t) => t.includes(hit.label) && (!hit.detail || t.includes(hit.detail)));
        assert.ok(index >= 0, `an option for ${hit.label} (${hit.detail}): ${JSON.stringify(texts)}`);
        await options.nth(index).click();

        const near = (st) => st.x !== null && st.y !== null && Math.hypot(st.x - 550000, st.y - 5803000) <= 15000;
        const state = await until(() => {
            const st = urlState(page.url());
            return near(st) && st.scale !== null && st.scale <= 250000 ? st : null;
        }, 'the URL to show a view of Hannover at 1:250,000 or closer').catch((e) => {
            throw new Error(`${e.message}; URL is ${page.url()} (started at ${JSON.stringify(start)})`);
        });
        assert.ok(state.scale >= 5000, `a scale of the selector (${state.scale})`);
        // The marker sits on the hit, near Hannover as well.
        const marker = await until(() => urlState(page.url()).marker, 'the URL to carry the marker');
        const [mx, my] = marker.split(',').map(Number);
        assert.ok(Math.hypot(mx - 550000, my - 5803000) <= 15000, `marker ${marker} is near Hannover`);
        // The map shows the new view.
        assertNotBlank(await settledMap(s, page), 'the map after the search', { minColours: 8 });
        s.check();
    } finally {
        await s.close();
    }
});

test('search: "gottingen" finds "Göttingen"', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        await typeAndWait(s, page, 'gottingen', /Göttingen/);
        s.check();
    } finally {
        await s.close();
    }
});
