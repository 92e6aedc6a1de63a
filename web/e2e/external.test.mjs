// Third parties' data in the viewer (issue 15, clauses P3, P7): another
// authority's WMS added through "Karten hinzufügen", drawn, attributed,
// shared by permalink and embed, reprojected where it lacks EPSG:25832;
// files by URL into the drawing and as a layer. Every image, legend and
// file comes through numis (/api/external/…): the browser never contacts
// the third party, which sees numis and nothing of the citizen.
//
// The third party is real and on this machine: MapServer behind nginx,
// started by scripts/e2e.sh (NUMIS_TEST_WMS_URL), and a small file server
// started here on the port e2e.sh kept for it (NUMIS_TEST_FILE_PORT); numis
// runs with the test-only loopback allowance for exactly those ports.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import {
    BASE,
    audit,
    imageStats,
    launchBrowser,
    mapImage,
    onScreen,
    openSession,
    settledMap,
    uiState,
    until,
    waitReady,
} from './helpers.mjs';

const WMS = process.env.NUMIS_TEST_WMS_URL || '';
const FILE_PORT = Number(process.env.NUMIS_TEST_FILE_PORT || 0);
const CI = process.env.CI === 'true';
const NO_WMS = WMS ? false : 'NUMIS_TEST_WMS_URL is not set: scripts/e2e.sh could not start the third-party MapServer';
const NO_FILES = FILE_PORT ? false : 'NUMIS_TEST_FILE_PORT is not set: run the tests with scripts/e2e.sh';

/** A missing third party is a visible skip, and a failure with CI=true. */
function needs(reason) {
    if (reason && CI) return false;
    return reason;
}

/** The layer every test adds: municipalities, filled, all over Lower Saxony. */
const LAYER = 'gemeinden';
/** An empty map (no base map, no layer), so that what is drawn is the external layer. */
const EMPTY = 'layers=&base=none';

const GPX = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="numis e2e" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>Runde am Maschsee</name><trkseg>
    <trkpt lat="52.3560" lon="9.7440"/><trkpt lat="52.3630" lon="9.7480"/><trkpt lat="52.3610" lon="9.7560"/><trkpt lat="52.3540" lon="9.7520"/>
  </trkseg></trk>
</gpx>`;

let browser;
let files;
/** What the file server was asked, with the headers it got (numis's, not the browser's). */
const fileRequests = [];

before(async () => {
    browser = await launchBrowser();
    if (FILE_PORT) {
        files = createServer((req, res) => {
            fileRequests.push({ url: req.url, headers: req.headers });
            if (req.url === '/runde.gpx') {
                res.writeHead(200, { 'content-type': 'application/gpx+xml' });
                res.end(GPX);
            } else {
                res.writeHead(404, { 'content-type': 'text/plain' });
                res.end('not here');
            }
        });
        await new Promise((resolve, reject) => {
            files.once('error', reject);
            files.listen(FILE_PORT, '127.0.0.1', resolve);
        });
    }
});
after(async () => {
    await browser?.close();
    await new Promise((resolve) => (files ? files.close(resolve) : resolve()));
});

/** The share of pixels drawn in one picture and not in the other (alpha only). */
function coverageDiff(a, b) {
    assert.equal(a.width, b.width);
    assert.equal(a.height, b.height);
    let diff = 0;
    for (let i = 3; i < a.data.length; i += 4) {
        if ((a.data[i] > 0) !== (b.data[i] > 0)) diff++;
    }
    return diff / (a.width * a.height);
}

/** Requests of the page to the external routes, by kind. */
function externalRequests(s, kind) {
    return s.log.requests.filter((u) => u.startsWith(`${BASE}/api/external/${kind}`));
}

/**
 * Whether a permalink's `wms` value names the test WMS with `layers`. numis
 * answers the service's address as it uses it (WMS parameters taken out,
 * perhaps an empty query left), so the address is compared without that.
 */
function namesService(value, layers) {
    if (!value) return false;
    const hash = value.lastIndexOf('#');
    return value.slice(0, hash).replace(/\?$/, '') === new URL(WMS).href.replace(/\?$/, '') && value.slice(hash + 1) === layers;
}

/** Opens the layer panel if it is a closed drawer (phone). */
async function openPanel(page) {
    const toggle = page.locator('#panel-toggle');
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
}

/** Opens "Karten hinzufügen", reads the test WMS and waits for its layers. */
async function readService(page) {
    await openPanel(page);
    await page.click('#external-add');
    await page.locator('#external-dialog').waitFor({ state: 'visible' });
    await page.fill('#external-url', WMS);
    await page.click('#external-load');
    await page.locator('#external-service').waitFor({ state: 'visible', timeout: 30_000 });
}

/** Adds LAYER through the dialog (read already) and waits for it in the tree. */
async function addLayer(page, name = LAYER) {
    await page.check(`#external-layer-list input[data-wms-layer="${name}"]`);
    await page.click('#external-add-selected');
    await page.locator('#external-dialog').waitFor({ state: 'hidden' });
    await page.locator('#external-layers [data-external-row]').first().waitFor();
}

/** The query of the GetMap requests made through numis for LAYER. */
function getMaps(s) {
    return externalRequests(s, 'wms/map').map((u) => new URL(u).searchParams).filter((q) => q.get('LAYERS') === LAYER);
}

test('"Karten hinzufügen" reads the local MapServer through numis, shows the provider\'s terms, and draws the chosen layer', { skip: needs(NO_WMS) }, async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?${EMPTY}`);
        await waitReady(page);
        const before = await settledMap(s, page);
        assert.ok(imageStats(before).opaque < 0.01, 'the map starts empty (no base map, no layer)');
        assert.equal(await page.locator('#external-layers [data-external-row]').count(), 0, 'no external map at first');

        await readService(page);
        await audit(page, 'add-maps dialog with a service');
        const service = await page.locator('#external-service').innerText();
        assert.match(service, /numis demo/, `the service's title is shown: ${service}`);
        // Access constraints and fees are shown before anything is added,
        // with the provider's word or "keine Angabe" where it states none.
        for (const id of ['#external-provider', '#external-constraints', '#external-fees']) {
            assert.ok((await page.locator(id).innerText()).trim().length > 0, `${id} says something`);
        }
        assert.match(service, /Zugangsbeschränkungen/);
        assert.match(service, /Gebühren/);
        assert.match(service, /Nutzungsbedingungen des Anbieters/, 'the dialog says the provider\'s terms apply');
        // Each layer with its title, CRSs and legend preview (through numis).
        const choice = page.locator(`#external-layer-list li:has(input[data-wms-layer="${LAYER}"])`);
        assert.match(await choice.innerText(), /Gemeinden/);
        assert.match(await choice.innerText(), /EPSG:25832/);
        const preview = choice.locator('img.external-legend-preview');
        await preview.scrollIntoViewIfNeeded();
        await until(() => preview.evaluate((img) => img.complete && img.naturalWidth > 0), 'the legend preview to load');
        assert.ok(externalRequests(s, 'wms/legend').length > 0, 'legends come through /api/external/wms/legend');
        // Nothing is on the map before the user adds it.
        assert.equal(getMaps(s).length, 0, 'no GetMap before adding');

        await addLayer(page);
        assert.ok(await page.evaluate(() => document.activeElement?.id === 'external-add'), 'the focus returns to "Karten hinzufügen"');
        const drawn = await settledMap(s, page);
        const stats = imageStats(drawn);
        assert.ok(stats.opaque > 0.2 && stats.distinct > 4, `the external layer is drawn: ${JSON.stringify(stats)}`);
        const maps = getMaps(s);
        assert.ok(maps.length > 0, 'the image comes through /api/external/wms/map');
        assert.equal(maps[0].get('CRS'), 'EPSG:25832', 'a layer offering EPSG:25832 is asked in it');
        assert.equal(new URL(maps[0].get('url')).origin, new URL(WMS).origin, 'numis is told which service to ask');

        // The tree: the group, the row with the provider, a legend, info.
        const row = page.locator('#external-layers [data-external-row]');
        assert.match(await row.innerText(), /Gemeinden/);
        const legend = page.locator('#legend [data-external-legend] img');
        await legend.scrollIntoViewIfNeeded();
        await until(() => legend.evaluate((img) => img.complete && img.naturalWidth > 0), 'the external legend in #legend');
        await row.locator('button[data-external-info]').click();
        await page.locator('#layer-info').waitFor({ state: 'visible' });
        const info = await page.locator('#layer-info').innerText();
        assert.match(info, /Nutzungsbedingungen des Anbieters/, `the layer info says the provider's terms apply: ${info}`);
        assert.match(info, /Anbieter/);
        assert.match(info, /Zugangsbeschränkungen/);
        await audit(page, 'layer info of an external layer');
        await page.keyboard.press('Escape');

        // The attribution names the source and the provider's terms.
        const { attribution } = await uiState(page);
        assert.match(attribution ?? '', /es gelten die Bedingungen des Anbieters/, `attribution: ${attribution}`);

        // Opacity and the address bar.
        await row.locator('input[data-external-opacity]').fill('60');
        await until(() => new URL(page.url()).searchParams.get('wms')?.endsWith(`#${LAYER}:60`), 'the opacity in the permalink');
        const wms = new URL(page.url()).searchParams.get('wms');
        assert.ok(namesService(wms, `${LAYER}:60`), `the permalink names the service and the layer: ${wms}`);

        // Off and on again; then removed, the map is empty again.
        await row.locator('input[data-external]').uncheck();
        await until(() => !new URL(page.url()).searchParams.has('wms'), 'a hidden external layer to leave the permalink');
        assert.ok(imageStats(await settledMap(s, page)).opaque < 0.01, 'switched off, nothing is drawn');
        await row.locator('input[data-external]').check();
        assert.ok(imageStats(await settledMap(s, page)).opaque > 0.2, 'switched on again, it is drawn');
        await row.locator('button[data-external-remove]').click();
        assert.equal(await page.locator('#external-layers [data-external-row]').count(), 0, 'removed from the tree');
        assert.ok(imageStats(await settledMap(s, page)).opaque < 0.01, 'removed, nothing is drawn');
        assert.doesNotMatch((await uiState(page)).attribution ?? '', /Anbieters/, 'its note leaves the attribution');
        // Every request stayed on the portal's origin (check() fails on any other).
        s.check();
    } finally {
        await s.close();
    }
});

test('a permalink and an embed with an external map show it again, fetched anew through numis', { skip: needs(NO_WMS) }, async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?${EMPTY}`);
        await waitReady(page);
        await readService(page);
        await addLayer(page);
        const shown = await settledMap(s, page);
        await page.locator('#external-layers input[data-external-opacity]').fill('70');
        await until(() => new URL(page.url()).searchParams.get('wms')?.endsWith(':70'), 'the opacity in the address');

        // The share dialog's permalink, opened in a fresh page.
        await page.click('#share-button');
        const permalink = await page.locator('#share-link').inputValue();
        await page.keyboard.press('Escape');
        assert.ok(namesService(new URL(permalink).searchParams.get('wms'), `${LAYER}:70`), `permalink: ${permalink}`);
        const again = await s.context.newPage();
        await again.goto(permalink);
        await waitReady(again);
        await again.locator('#external-layers [data-external-row]').waitFor();
        assert.equal(await again.locator('#external-layers input[data-external-opacity]').inputValue(), '70', 'the opacity is restored');
        assert.ok(await again.locator('#external-layers input[data-external]').isChecked(), 'the layer is on');
        const restored = await settledMap(s, again);
        assert.ok(coverageDiff(shown, restored) < 0.01, "the permalink shows the same external map (at 70 % instead of 100 %)");
        assert.ok(imageStats(restored).opaque > 0.2, 'the restored layer is drawn');
        assert.match((await uiState(again)).attribution ?? '', /Bedingungen des Anbieters/);
        assert.ok(namesService(new URL(again.url()).searchParams.get('wms'), `${LAYER}:70`), 'the restored view keeps it in its address');

        // The embed dialog's snippet carries it; the embed shows it.
        await again.click('#embed-button');
        const snippet = await again.locator('#embed-snippet').inputValue();
        await again.keyboard.press('Escape');
        const src = /src="([^"]+)"/.exec(snippet)?.[1]?.replace(/&amp;/g, '&');
        assert.ok(src, `the snippet has a src: ${snippet}`);
        assert.ok(namesService(new URL(src).searchParams.get('wms'), `${LAYER}:70`), `the embed carries the external map: ${src}`);
        const before = getMaps(s).length;
        const embed = await s.context.newPage();
        await embed.goto(src);
        await waitReady(embed);
        await until(() => getMaps(s).length > before, 'the embed to ask its image through numis');
        const embedded = await settledMap(s, embed);
        // The embed's map is wider (no panel): Lower Saxony covers less of it.
        assert.ok(imageStats(embedded).opaque > 0.1, 'the embed draws the external layer');
        assert.match((await uiState(embed)).attribution ?? '', /Bedingungen des Anbieters/, 'the embed attributes it');
        s.check();
    } finally {
        await s.close();
    }
});

for (const [offered, expected] of [[['EPSG:3857', 'EPSG:4326'], 'EPSG:3857'], [['EPSG:4326'], 'EPSG:4326']]) {
    test(`a layer without EPSG:25832 is asked in ${expected} and reprojected by the viewer`, { skip: needs(NO_WMS) }, async () => {
        const s = await openSession(browser);
        try {
            const page = await s.context.newPage();
            await page.goto(`${BASE}/karte?${EMPTY}`);
            await waitReady(page);
            await readService(page);
            await addLayer(page);
            const native = await settledMap(s, page);
            await page.locator('#external-layers button[data-external-remove]').click();
            await page.keyboard.press('Escape');

            // The same service as a provider without EPSG:25832 would describe
            // it: numis's real answer, with the layer's CRS list cut down. The
            // images still come from the real MapServer, in the CRS asked.
            await page.route('**/api/external/wms/capabilities?**', async (route) => {
                const response = await route.fetch();
                const body = await response.json();
                for (const layer of body.layers) layer.crs = offered;
                await route.fulfill({ response, json: body });
            });
            await page.click('#external-add');
            await page.click('#external-load');
            await page.locator(`#external-layer-list input[data-wms-layer="${LAYER}"]`).waitFor();
            const choice = await page.locator(`#external-layer-list li:has(input[data-wms-layer="${LAYER}"])`).innerText();
            assert.match(choice, new RegExp(`umgerechnet`), `the dialog says the layer is reprojected: ${choice}`);
            const asked = getMaps(s).length;
            await addLayer(page);
            const reprojected = await settledMap(s, page);
            const maps = getMaps(s).slice(asked);
            assert.ok(maps.length > 0, 'images were asked');
            assert.ok(maps.every((q) => q.get('CRS') === expected), `asked in ${expected}: ${maps.map((q) => q.get('CRS'))}`);
            // Raster reprojection puts the provider's picture where the map's
            // own would be: the municipalities cover the same pixels.
            const difference = coverageDiff(native, reprojected);
            assert.ok(difference < 0.01, `reprojected from ${expected}, the layer lies where it lies in EPSG:25832 (${(difference * 100).toFixed(1)} % of pixels differ)`);
            assert.ok(imageStats(reprojected).opaque > 0.2, 'the reprojected layer is drawn');
            s.check();
        } finally {
            await s.close();
        }
    });
}

test('a GPX by URL goes into the drawing and, as a temporary layer, into the permalink; the file server sees numis only', { skip: needs(NO_FILES) }, async () => {
    const s = await openSession(browser);
    const fileUrl = `http://127.0.0.1:${FILE_PORT}/runde.gpx`;
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        await page.click('#draw-button');
        await page.locator('#draw-panel').waitFor({ state: 'visible' });
        await page.locator('#draw-import-url').scrollIntoViewIfNeeded();
        await audit(page, 'drawing panel with load by URL');

        // Into the drawing.
        assert.ok(await page.isChecked('#draw-import-into-drawing'));
        const asked = fileRequests.length;
        await page.fill('#draw-import-url', fileUrl);
        await page.press('#draw-import-url', 'Enter');
        await until(async () => (await page.getAttribute('#draw-features', 'data-count')) === '1', 'the track in the drawing');
        assert.match(await page.locator('#draw-features').innerText(), /Runde am Maschsee/);
        assert.equal(fileRequests.length, asked + 1, 'the file was fetched once');
        const seen = fileRequests[fileRequests.length - 1];
        assert.match(seen.headers['user-agent'] ?? '', /^numis\//, `the file server sees numis: ${seen.headers['user-agent']}`);
        for (const header of ['cookie', 'referer', 'x-forwarded-for', 'forwarded', 'origin']) {
            assert.equal(seen.headers[header], undefined, `no ${header} reaches the file server`);
        }
        assert.ok(externalRequests(s, 'file').length > 0, 'the browser asked /api/external/file');
        assert.ok(!new URL(page.url()).searchParams.has('file'), 'a file in the drawing is not a permalink parameter');

        // As a temporary layer: listed, in the permalink.
        await page.check('#draw-import-as-layer');
        await page.fill('#draw-import-url', fileUrl);
        await page.click('#draw-import-url-load');
        await until(async () => (await page.getAttribute('#draw-layers', 'data-count')) === '1', 'the temporary layer');
        assert.match(await page.locator('#draw-layers').innerText(), /runde\.gpx/);
        await until(() => new URL(page.url()).searchParams.get('file') === fileUrl, 'the file in the permalink');

        // A file that is not there: the server's sentence.
        await page.fill('#draw-import-url', `http://127.0.0.1:${FILE_PORT}/fehlt.gpx`);
        await page.click('#draw-import-url-load');
        // (The progress line "„fehlt.gpx“ wird gelesen …" names the file
        // too: wait for the failure itself.)
        await until(async () => /^(?=[\s\S]*fehlt\.gpx)(?=[\s\S]*konnte nicht gelesen werden)/.test(await page.locator('#draw-message').innerText()), 'the failure message');
        // Not an address: said at once, nothing asked.
        const before = externalRequests(s, 'file').length;
        await page.fill('#draw-import-url', 'javascript:alert(1)');
        await page.click('#draw-import-url-load');
        await until(async () => /http:\/\/ oder https:\/\//.test(await page.locator('#draw-message').innerText()), 'the invalid-address message');
        assert.equal(externalRequests(s, 'file').length, before, 'an invalid address is not sent');

        // The permalink shows the file again as a temporary layer.
        const again = await s.context.newPage();
        await again.goto(page.url());
        await waitReady(again);
        await until(async () => (await again.getAttribute('#draw-layers', 'data-count')) === '1', 'the file from the permalink');
        await again.click('#draw-button');
        assert.match(await again.locator('#draw-layers').innerText(), /runde\.gpx/);
        // Removing it takes it out of the address.
        await again.click('#draw-layers [data-layer-action="remove"]');
        await until(() => !new URL(again.url()).searchParams.has('file'), 'the file to leave the permalink');

        // The embed shows it too.
        const embedUrl = `${BASE}/embed?file=${encodeURIComponent(fileUrl)}`;
        const asking = fileRequests.length;
        const embed = await s.context.newPage();
        await embed.goto(embedUrl);
        await waitReady(embed);
        await until(() => fileRequests.length > asking, 'the embed to load the file through numis');
        await until(async () => (await embed.evaluate(() => new URL(location.href).searchParams.get('file'))) === fileUrl, 'the embed keeps the file in its address');
        s.check({ expectedConsole: [/status of (404|502)/] });
    } finally {
        await s.close();
    }
});

test('invalid external parameters in a link are ignored without errors and without a request', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        const junk = new URLSearchParams();
        for (const value of [
            'javascript:alert(1)#x',
            'ftp://example.org/wms#a',
            'http://user:pw@example.org/wms#a',
            '/relative/wms#a',
            'https://example.org/wms',
            'https://example.org/wms#',
            `https://example.org/${'a'.repeat(5000)}#a`,
            'http://[::1#a',
            '%E0%A4%A#%E0%A4%A',
        ]) junk.append('wms', value);
        for (const value of ['data:,x', 'javascript:alert(1)', 'file:///etc/passwd', '//example.org/x.gpx', `https://example.org/${'b'.repeat(3000)}.gpx`]) junk.append('file', value);
        await page.goto(`${BASE}/karte?${junk}`);
        await waitReady(page);
        await settledMap(s, page);
        assert.equal(await page.locator('#external-layers [data-external-row]').count(), 0, 'no external layer');
        assert.deepEqual(s.log.requests.filter((u) => u.includes('/api/external/')), [], 'nothing was asked of numis for junk');
        const address = new URL(page.url()).searchParams;
        assert.ok(!address.has('wms') && !address.has('file'), `the junk is gone from the address: ${page.url()}`);

        // Many valid-looking services: at most 5 are asked, at most 20 layers.
        const many = new URLSearchParams();
        for (let i = 0; i < 40; i++) many.append('wms', `https://example.org/wms${i}#a,b,c`);
        await page.route('**/api/external/wms/capabilities?**', (route) => route.fulfill({ status: 502, json: { error: 'the test answers for the provider' } }));
        await page.goto(`${BASE}/karte?${many}`);
        await waitReady(page);
        await until(async () => /ließ sich nicht laden/.test(await page.locator('#status').innerText()), 'the failures announced');
        await settledMap(s, page);
        assert.equal(s.log.requests.filter((u) => u.includes('/api/external/wms/capabilities')).length, 5, 'at most five services from a link');
        s.check({ expectedConsole: [/status of 502/] });
    } finally {
        await s.close();
    }
});

test('the add-maps dialog by keyboard: focus inside, errors announced, layers ticked and added, focus returned', { skip: needs(NO_WMS) }, async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?${EMPTY}`);
        await waitReady(page);
        await page.focus('#external-add');
        await page.keyboard.press('Enter');
        await page.locator('#external-dialog').waitFor({ state: 'visible' });
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'external-url', 'the address field has the focus');
        await audit(page, 'add-maps dialog, empty');

        // Not an address: the error is said and the field marked.
        await page.keyboard.type('kein-dienst');
        await page.keyboard.press('Enter');
        await until(async () => (await page.locator('#external-error').innerText()).length > 0, 'the error');
        assert.equal(await page.getAttribute('#external-error', 'role'), 'alert');
        assert.equal(await page.getAttribute('#external-url', 'aria-invalid'), 'true');
        // An address numis refuses (a private network): the server's sentence.
        await page.fill('#external-url', 'http://10.1.2.3/wms');
        await page.keyboard.press('Enter');
        await until(async () => /privat|private|never contacted|nie/i.test(await page.locator('#external-error').innerText()), 'numis\'s refusal');
        await audit(page, 'add-maps dialog with an error');

        await page.fill('#external-url', WMS);
        await page.keyboard.press('Enter');
        await page.locator('#external-service').waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await page.locator('#external-status').innerText(), /Ebenen/, 'the result is announced');
        assert.equal(await page.getAttribute('#external-status', 'aria-live'), 'polite');
        // Tab through to the layer wanted, tick it with Space.
        let found = false;
        for (let i = 0; i < 60 && !found; i++) {
            await page.keyboard.press('Tab');
            found = await page.evaluate((name) => document.activeElement?.getAttribute('data-wms-layer') === name, LAYER);
        }
        assert.ok(found, 'Tab reaches the layer\'s checkbox');
        await page.keyboard.press('Space');
        // The focus never leaves the dialog.
        for (let i = 0; i < 80; i++) {
            await page.keyboard.press('Tab');
            const inside = await page.evaluate(() => !!document.activeElement?.closest('#external-dialog'));
            assert.ok(inside, `Tab ${i + 1} stays in the dialog`);
            if (await page.evaluate(() => document.activeElement?.id === 'external-add-selected')) break;
        }
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'external-add-selected', 'Tab reaches "Ausgewählte hinzufügen"');
        await page.keyboard.press('Enter');
        await page.locator('#external-dialog').waitFor({ state: 'hidden' });
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'external-add', 'the focus is back on the opener');
        await page.locator('#external-layers [data-external-row]').waitFor();
        // Escape closes the dialog, and the focus returns as well.
        await page.keyboard.press('Enter');
        await page.locator('#external-dialog').waitFor({ state: 'visible' });
        await page.keyboard.press('Escape');
        await page.locator('#external-dialog').waitFor({ state: 'hidden' });
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'external-add');
        s.check({ expectedConsole: [/status of 400/] });
    } finally {
        await s.close();
    }
});

test('on a 375-px phone the dialog fits the screen and an external map is added and drawn', { skip: needs(NO_WMS) }, async () => {
    const s = await openSession(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?${EMPTY}`);
        await waitReady(page);
        await readService(page);
        const box = await page.locator('#external-dialog').boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= 375, `the dialog fits the width: ${JSON.stringify(box)}`);
        const overflow = await page.locator('#external-dialog').evaluate((d) => d.scrollWidth - d.clientWidth);
        assert.ok(overflow <= 1, `nothing in the dialog is wider than it (${overflow} px)`);
        await audit(page, 'add-maps dialog on a phone');
        const tick = page.locator(`#external-layer-list input[data-wms-layer="${LAYER}"]`);
        await tick.scrollIntoViewIfNeeded();
        await tick.check();
        assert.ok(await onScreen(page.locator('#external-add-selected')), '"Ausgewählte hinzufügen" stays on screen');
        await page.click('#external-add-selected');
        await page.locator('#external-dialog').waitFor({ state: 'hidden' });
        // The drawer covers the map on a phone: close it to look.
        const toggle = page.locator('#panel-toggle');
        if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
        const drawn = await settledMap(s, page);
        assert.ok(imageStats(drawn).opaque > 0.1, 'the external layer is drawn on the phone');
        const img = await mapImage(page);
        assert.ok(img.width <= 375, 'the map fits the phone');
        s.check();
    } finally {
        await s.close();
    }
});
