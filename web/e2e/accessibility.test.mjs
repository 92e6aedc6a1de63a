// Accessibility (BITV 2.0 / WCAG 2.1 AA): axe-core walks every content page,
// the viewer with each of its panels and dialogs open, the embed, and all of
// it again on a 375-px phone; no serious or critical violation may be
// found. A keyboard walk reaches every toolbar control with a focus ring
// that stands out on any background.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
    BASE,
    blocking,
    describeViolation,
    launchBrowser,
    openSession,
    settledMap,
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

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true };

/** Audits what is open and reports its counts (the table in the report). */
async function measure(t, s, page, where) {
    const found = await s.audit(page, where);
    const count = (impact) => found.filter((v) => v.impact === impact).length;
    const ids = found.map((v) => `${v.id}:${v.impact}`).join(', ');
    t.diagnostic(`axe ${where}: all ${found.length}, serious ${count('serious')}, critical ${count('critical')}${ids ? ` (${ids})` : ''}`);
    // Here even moderate and minor findings fail (landmarks, headings,
    // regions): the walk found none, and this keeps it so. Elsewhere the
    // session fails on serious and critical ones only.
    assert.deepEqual(found.map(describeViolation), [], `axe finds nothing on ${where}`);
    return found;
}

/** The content pages: the German ones from the main menu and footer, and their English twins. */
const CONTENT = ['/', '/datenschutz', '/hilfe', '/impressum', '/nutzungshinweise', '/en/', '/en/datenschutz', '/en/hilfe'];

/** The HTML pages of OGC API – Features (a browser asks for HTML), in both languages. */
const OGC_API = [
    '/ogcapi',
    '/ogcapi/conformance',
    '/ogcapi/collections',
    '/ogcapi/collections/orte',
    '/ogcapi/collections/orte/items?limit=10',
    '/ogcapi/collections/orte/items/0',
    '/ogcapi/collections/gemeinden?lang=en',
    '/ogcapi/collections/gemeinden/items?limit=5&lang=en',
];

for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`the OGC API pages have no accessibility violations (${name})`, async (t) => {
        const s = await openSession(browser, options);
        try {
            const page = await s.context.newPage();
            for (const path of OGC_API) {
                const res = await page.goto(`${BASE}${path}`);
                assert.equal(res.status(), 200, `GET ${path}`);
                assert.match(res.headers()['content-type'], /^text\/html/, `${path} is a page`);
                await measure(t, s, page, `${path} (${name})`);
            }
            s.check();
        } finally {
            await s.close();
        }
    });
}

for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`content pages have no serious or critical accessibility violations (${name})`, async (t) => {
        const s = await openSession(browser, options);
        try {
            const page = await s.context.newPage();
            for (const path of CONTENT) {
                const res = await page.goto(`${BASE}${path}`);
                assert.equal(res.status(), 200, `GET ${path}`);
                await measure(t, s, page, `${path} (${name})`);
            }
            s.check();
        } finally {
            await s.close();
        }
    });
}

const GPX = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="numis e2e" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>Eilenriede</name><trkseg>
    <trkpt lat="52.3785" lon="9.7701"/><trkpt lat="52.3801" lon="9.7802"/><trkpt lat="52.3760" lon="9.7905"/>
  </trkseg></trk>
</gpx>`;

/** Clicks #map at a fraction of its box. */
async function clickMap(page, fx = 0.5, fy = 0.5, options = {}) {
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy, options);
}

/** Opens the layer panel if it is a closed drawer (phone). */
async function openPanel(page) {
    const toggle = page.locator('#panel-toggle');
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
    await until(async () => (await toggle.getAttribute('aria-expanded')) === 'true', 'the layer panel to open');
}

async function closePanelOnPhone(page, phone) {
    if (!phone) return;
    const toggle = page.locator('#panel-toggle');
    if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
}

/** Opens each panel and dialog of the viewer in turn and audits it. */
async function walkViewer(t, s, page, label, phone) {
    await measure(t, s, page, `${label}`);

    // Layer list and layer information.
    await openPanel(page);
    await measure(t, s, page, `${label} layers`);
    await page.locator('#layer-tree button[data-info]').first().click();
    await page.locator('#layer-info[open]').waitFor();
    await measure(t, s, page, `${label} layer info`);
    await page.click('#layer-info-close');
    await closePanelOnPhone(page, phone);

    // Feature information at the centre (Hannover).
    await settledMap(s, page);
    await clickMap(page);
    await page.locator('#feature-info').waitFor({ state: 'visible' });
    await s.networkIdle(500);
    await measure(t, s, page, `${label} feature info`);
    await page.click('#feature-info-close');

    // Search results.
    await page.locator('#search').click();
    await page.locator('#search').pressSequentially('Hannover', { delay: 30 });
    await page.locator('#search-results [role=option]').first().waitFor();
    await s.networkIdle(500);
    await measure(t, s, page, `${label} search results`);
    await page.locator('#search').press('Escape');
    await page.locator('#search').fill('');

    // Measuring a distance.
    await page.click('#measure-length');
    await clickMap(page, 0.3, 0.4);
    await clickMap(page, 0.6, 0.45);
    await clickMap(page, 0.6, 0.7, { clickCount: 2 });
    await measure(t, s, page, `${label} measure`);
    await page.click('#measure-length');

    // Share and embed dialogs.
    await page.click('#share-button');
    await page.locator('#share-dialog[open]').waitFor();
    await measure(t, s, page, `${label} share dialog`);
    await page.click('#share-close');
    await page.click('#embed-button');
    await page.locator('#embed-dialog[open]').waitFor();
    const preview = await until(() => page.frames().find((f) => f !== page.mainFrame() && f.url().includes('/embed')), 'the embed preview frame');
    await waitReady(preview);
    await measure(t, s, page, `${label} embed dialog`);
    await page.click('#embed-close');

    // Drawing: the panel, an import, and the save dialog.
    await page.click('#draw-button');
    await page.locator('#draw-panel').waitFor({ state: 'visible' });
    await measure(t, s, page, `${label} draw`);
    await page.setInputFiles('#draw-import-file', { name: 'eilenriede.gpx', mimeType: 'application/gpx+xml', buffer: Buffer.from(GPX) });
    await page.locator('#draw-features li').first().waitFor();
    await s.networkIdle(500);
    await measure(t, s, page, `${label} import`);
    await page.click('#draw-save');
    await page.locator('#draw-share-dialog[open]').waitFor();
    await measure(t, s, page, `${label} save dialog`);
    await page.click('#draw-share-close');

    // Printing: the panel with its frame (on a phone folded, then
    // unfolded), and the image tab with the terms.
    await page.click('#print-button');
    await page.locator('#print-create:not([disabled])').waitFor({ state: 'attached' });
    await measure(t, s, page, `${label} print`);
    if (phone) {
        await page.click('#print-sheet');
        await measure(t, s, page, `${label} print settings`);
    }
    await page.click('#print-tab-image');
    await page.locator('#image-terms').waitFor();
    await measure(t, s, page, `${label} print image`);
    await page.click('#print-close');
}

for (const [name, options, path] of [
    ['desktop', DESKTOP, '/karte'],
    ['desktop', DESKTOP, '/en/karte'],
    ['phone', PHONE, '/karte'],
]) {
    test(`${path} with each panel and dialog open has no serious or critical accessibility violations (${name})`, async (t) => {
        const s = await openSession(browser, options);
        try {
            const page = await s.context.newPage();
            await page.goto(`${BASE}${path}?x=550000&y=5802000&scale=25000`);
            await waitReady(page);
            await walkViewer(t, s, page, `${path} (${name})`, name === 'phone');
            s.check();
        } finally {
            await s.close();
        }
    });
}

for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`/embed, with and without its layer list, has no serious or critical accessibility violations (${name})`, async (t) => {
        const s = await openSession(browser, options);
        try {
            const page = await s.context.newPage();
            for (const query of ['', '?tree=1&wheel=ctrl', '?lang=en&tree=1']) {
                await page.goto(`${BASE}/embed${query}`);
                await waitReady(page);
                await measure(t, s, page, `/embed${query} (${name})`);
            }
            s.check();
        } finally {
            await s.close();
        }
    });
}

// ------------------------------------------------------------------ the focus ring

/** WCAG relative luminance of an `rgb(…)`/`rgba(…)` colour. */
function luminance(css) {
    const m = css.match(/rgba?\(([^)]+)\)/);
    assert.ok(m, `a colour: ${css}`);
    const [r, g, b] = m[1].split(',').map((v) => Number.parseFloat(v) / 255);
    const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}

/**
 * What the focused element shows: outline colour and width, and the halo of
 * its box shadow; for an element that draws its ring on an overlay (the
 * map), the overlay's border and shadow.
 */
function focusRing(page) {
    return page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const a = getComputedStyle(el, '::after');
        const overlay = s.outlineStyle === 'none' && a.content !== 'none' && a.borderTopStyle !== 'none';
        const label = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
        return {
            label,
            inToolbar: !!el.closest('.toolbar, .map-controls, .site-header, .map-footer'),
            outlineStyle: overlay ? a.borderTopStyle : s.outlineStyle,
            outlineWidth: Number.parseFloat(overlay ? a.borderTopWidth : s.outlineWidth),
            outlineColor: overlay ? a.borderTopColor : s.outlineColor,
            halo: (overlay ? a : s).boxShadow.match(/rgba?\([^)]+\)/)?.[0] ?? null,
        };
    });
}

test('Tab from the top of /karte reaches the skip link and every toolbar control, each with a two-tone focus ring', async (t) => {
    const s = await openSession(browser, DESKTOP);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        // Every control of the toolbars and map controls that is shown.
        const controls = await page.evaluate(() => [...document.querySelectorAll(
            '.toolbar :is(button, a[href], input, select), .map-controls :is(button, a[href], input, select), .map-footer :is(button, a[href], input, select)',
        )].filter((el) => el.getClientRects().length > 0 && !el.disabled).map((el) => `#${el.id}`));
        assert.ok(controls.length >= 10, `toolbar controls found: ${controls.join(' ')}`);
        assert.ok(controls.every((c) => c !== '#'), `every toolbar control has an id: ${controls.join(' ')}`);

        const reached = [];
        const rings = [];
        for (let i = 0; i < 80; i++) {
            await page.keyboard.press('Tab');
            const ring = await focusRing(page);
            if (!ring) continue;
            if (i === 0) {
                assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#map',
                    `the first Tab stop is a skip link to the map, not ${ring.label}`);
                await page.keyboard.press('Enter');
                assert.equal(await page.evaluate(() => document.activeElement.id), 'map', 'the skip link moves the focus to the map');
                await page.evaluate(() => document.activeElement.blur());
                continue;
            }
            reached.push(ring.label);
            rings.push(ring);
        }
        const missing = controls.filter((c) => !reached.includes(c));
        assert.deepEqual(missing, [], `Tab reaches every toolbar control (reached: ${reached.join(' ')})`);

        // A two-tone ring: an outline of at least 2 px and a halo in a
        // colour that contrasts at least 9:1 with it, so that on any
        // background one of the two has 3:1 (WCAG 1.4.11): for outline O,
        // halo H and background B, contrast(O,B)·contrast(B,H) = contrast(O,H).
        for (const ring of rings) {
            assert.notEqual(ring.outlineStyle, 'none', `${ring.label} shows a focus outline`);
            assert.ok(ring.outlineWidth >= 2, `${ring.label}: outline ${ring.outlineWidth} px`);
            assert.ok(ring.halo, `${ring.label}: a halo around the outline (box-shadow)`);
            const c = contrast(ring.outlineColor, ring.halo);
            assert.ok(c >= 9, `${ring.label}: outline ${ring.outlineColor} and halo ${ring.halo} contrast ${c.toFixed(2)}:1`);
        }
        t.diagnostic(`${rings.length} focus stops, ${controls.length} toolbar controls, all reached`);
        s.check();
    } finally {
        await s.close();
    }
});

test('the mouse position is hidden from assistive technology and the map sits in the main landmark with a heading', async () => {
    const s = await openSession(browser, DESKTOP);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const facts = await page.evaluate(() => ({
            mouse: document.querySelector('#mouse-position')?.getAttribute('aria-hidden'),
            mouseLive: document.querySelector('#mouse-position')?.getAttribute('aria-live'),
            mapInMain: !!document.querySelector('main #map'),
            h1: document.querySelector('h1')?.textContent.trim() ?? null,
            current: document.querySelector('header nav a[aria-current="page"]')?.getAttribute('href') ?? null,
        }));
        assert.equal(facts.mouse, 'true', '#mouse-position is aria-hidden');
        assert.equal(facts.mouseLive, null, '#mouse-position is no live region');
        assert.ok(facts.mapInMain, '#map is inside <main>');
        assert.ok(facts.h1, 'the viewer has an <h1>');
        assert.equal(facts.current, '/karte', 'the navigation marks the map as the current page');
        s.check();
    } finally {
        await s.close();
    }
});

test('on a phone the search field shows its whole placeholder', async () => {
    const s = await openSession(browser, PHONE);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const fit = await page.locator('#search').evaluate((input) => {
            const s = getComputedStyle(input);
            const canvas = document.createElement('canvas').getContext('2d');
            canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
            const text = canvas.measureText(input.placeholder).width;
            const room = input.clientWidth - Number.parseFloat(s.paddingLeft) - Number.parseFloat(s.paddingRight);
            return { placeholder: input.placeholder, text, room };
        });
        assert.ok(fit.text <= fit.room, `"${fit.placeholder}" needs ${fit.text.toFixed(0)} px, the field has ${fit.room.toFixed(0)} px`);
        s.check();
    } finally {
        await s.close();
    }
});

test('every blocking violation counts: the audit itself finds a missing label', async () => {
    // The audit must be able to fail: a page with an unlabeled input.
    const s = await openSession(browser, DESKTOP);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/hilfe`);
        await page.evaluate(() => document.querySelector('main').append(document.createElement('input')));
        const found = await s.audit(page, 'hilfe with an unlabeled input');
        assert.ok(found.some((v) => v.id === 'label' && blocking(v)), `axe reports the unlabeled input: ${found.map((v) => v.id)}`);
        s.log.accessibility.length = 0;
        s.check();
    } finally {
        await s.close();
    }
});
