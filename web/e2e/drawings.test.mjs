// Drawing in the viewer (clauses P4, P7–P11): drawn with the mouse, saved,
// shared read-only, copied, edited with the copy's edit link and deleted;
// hostile imports stay text; temporary layers and exports; the embed
// shows a drawing read-only; a wrong edit key is told as such.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
    BASE,
    audit,
    launchBrowser,
    openSession,
    settledMap,
    toUtm32,
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

const ID = /^[A-Za-z0-9_-]{22}$/;
const KEY = /^[A-Za-z0-9_-]{43}$/;

/** GET /api/drawings/{id}: [status, body]. */
async function apiDrawing(id) {
    const res = await fetch(`${BASE}/api/drawings/${id}`);
    return [res.status, await res.json()];
}

/** A drawing made through the API (as another visitor would have). */
async function createDrawing(collection, title) {
    const res = await fetch(`${BASE}/api/drawings?title=${encodeURIComponent(title)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/geo+json' },
        body: JSON.stringify(collection),
    });
    assert.equal(res.status, 201, `POST /api/drawings: ${res.status} ${await res.clone().text()}`);
    return res.json();
}

/** A point of #map by fractions of its box. */
async function mapPoint(page, fx, fy) {
    const box = await page.locator('#map').boundingBox();
    return [box.x + box.width * fx, box.y + box.height * fy];
}

/** Shown names of the drawing's features, in list order. */
function listedNames(page) {
    return page.$$eval('#draw-features button[data-feature] .draw-feature-name', (els) => els.map((e) => e.textContent));
}

const featureCount = async (page) => Number(await page.getAttribute('#draw-features', 'data-count'));

/** Waits until the feature list (or another list with data-count) has `n` entries. */
async function waitCount(page, n, list = '#draw-features') {
    await page.waitForSelector(`${list}[data-count="${n}"]`, { state: 'attached' });
}

/** A German number such as "58,79" or "1.234,5". */
function germanNumber(text) {
    return Number(text.replace(/\./g, '').replace(',', '.'));
}

/** Extent of a GeoJSON FeatureCollection in EPSG:25832. */
function utmExtent(collection) {
    const xs = [];
    const ys = [];
    const walk = (c) => {
        if (typeof c[0] === 'number') {
            const [x, y] = toUtm32(c[0], c[1]);
            xs.push(x);
            ys.push(y);
        } else {
            c.forEach(walk);
        }
    };
    for (const f of collection.features) walk(f.geometry.coordinates);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

const inExtent = (x, y, e, margin = 0) => x >= e[0] - margin && x <= e[2] + margin && y >= e[1] - margin && y <= e[3] + margin;

/** Pixels of a map composite close to an RGB colour. */
function pixelsNear(img, [r, g, b], tolerance = 40) {
    let n = 0;
    for (let i = 0; i < img.data.length; i += 4) {
        if (Math.abs(img.data[i] - r) + Math.abs(img.data[i + 1] - g) + Math.abs(img.data[i + 2] - b) <= tolerance) n++;
    }
    return n;
}

test('a drawing is drawn with the mouse, saved, viewed read-only elsewhere, copied, edited and deleted', async (t) => {
    const a = await openSession(browser);
    const b = await openSession(browser);
    try {
        // --- draw: a polygon and a text label, with the mouse
        const page = await a.context.newPage();
        await page.goto(`${BASE}/karte?x=550000&y=5802000&scale=25000`);
        await waitReady(page);
        await page.click('#draw-button');
        await page.waitForSelector('#draw-panel:not([hidden])');
        assert.equal(await page.getAttribute('#draw-panel', 'data-mode'), 'new');
        assert.equal(await page.getAttribute('#draw-button', 'aria-expanded'), 'true');

        await page.click('#draw-tool-polygon');
        assert.equal(await page.getAttribute('#draw-tool-polygon', 'aria-pressed'), 'true');
        const [x0, y0] = await mapPoint(page, 0.6, 0.45);
        // 120 × 100 pixels at 1:25,000 (7 m a pixel): 840 m × 700 m = 58.8 ha.
        await page.mouse.click(x0, y0);
        await page.mouse.move(x0 + 60, y0, { steps: 3 });
        await page.mouse.click(x0 + 120, y0);
        await page.mouse.move(x0 + 120, y0 + 50, { steps: 3 });
        await page.mouse.click(x0 + 120, y0 + 100);
        await page.mouse.move(x0 + 10, y0 + 100, { steps: 3 });
        await page.mouse.move(x0, y0 + 100, { steps: 2 });
        // Length and area are shown while drawing.
        const live = await page.textContent('#draw-measure');
        assert.match(live, /Fläche: [\d.,]+ ha/, `#draw-measure while drawing: ${live}`);
        assert.ok(await page.isVisible('.draw-tooltip'), 'a tooltip at the sketch shows the measure');
        await page.mouse.dblclick(x0, y0 + 100);
        await until(async () => (await featureCount(page)) === 1, 'the polygon to be listed');
        const measured = await page.textContent('#draw-measure');
        const ha = germanNumber(/Fläche: ([\d.,]+) ha/.exec(measured)?.[1] ?? 'NaN');
        assert.ok(Math.abs(ha - 58.8) < 58.8 * 0.03, `the polygon's area is about 58.8 ha: ${measured}`);

        await page.fill('#draw-text', 'Treffpunkt am Teich');
        await page.click('#draw-tool-text');
        await page.mouse.click(x0 + 60, y0 - 60);
        await until(async () => (await featureCount(page)) === 2, 'the label to be listed');
        // The new label is selected, its text ready to be edited.
        await page.waitForSelector('#draw-selected:not([hidden])');
        assert.equal(await page.inputValue('#draw-feature-name'), 'Treffpunkt am Teich');
        assert.deepEqual(await listedNames(page), ['–', 'Treffpunkt am Teich']);

        // Undo and redo: buttons and keys.
        // (The list follows the map's features a moment later.)
        await page.click('#draw-undo');
        await waitCount(page, 1);
        await page.click('#draw-redo');
        await waitCount(page, 2);
        await page.focus('#map');
        await page.keyboard.press('Control+z');
        await waitCount(page, 1);
        await page.keyboard.press('Control+Shift+z');
        await waitCount(page, 2);
        assert.deepEqual(await listedNames(page), ['–', 'Treffpunkt am Teich'], 'undo and redo restore the features');

        // --- save: the share dialog with both links
        await page.fill('#draw-title', 'Testzeichnung');
        await page.click('#draw-save');
        await page.waitForSelector('#draw-share-dialog[open]');
        await audit(page, 'drawing share dialog');
        const view = await page.inputValue('#draw-share-view');
        const edit = await page.inputValue('#draw-share-edit');
        const viewUrl = new URL(view);
        assert.equal(viewUrl.origin, BASE);
        assert.equal(viewUrl.pathname, '/karte');
        const id = viewUrl.searchParams.get('drawing');
        assert.match(id, ID, `the view link names the drawing: ${view}`);
        assert.equal(viewUrl.hash, '', 'the view link has no key');
        assert.ok(edit.startsWith(`${view}#edit=`), `the edit link is the view link with #edit=: ${edit}`);
        const key = edit.slice(edit.indexOf('#edit=') + 6);
        assert.match(key, KEY);
        assert.ok(await page.isVisible('#draw-share-warning'), 'the warning about the edit link is shown');
        assert.match(await page.textContent('#draw-share-expiry'), /\d{4}/, 'the expiry date is shown');
        for (const qr of ['#draw-share-view-qr', '#draw-share-edit-qr']) {
            const d = await page.getAttribute(`${qr} path`, 'd');
            assert.ok(d && d.length > 200, `${qr} is drawn in the browser`);
        }
        await page.click('#draw-share-edit-copy');
        assert.equal(await page.isVisible('#draw-share-warning'), false, 'the warning goes once the edit link was copied');
        await page.click('#draw-share-close');

        // The address bar carries the id and the key (in the fragment);
        // the ordinary permalink carries the id only.
        const here = new URL(page.url());
        assert.equal(here.searchParams.get('drawing'), id);
        assert.equal(here.hash, `#edit=${key}`);
        assert.equal(await page.getAttribute('#draw-panel', 'data-mode'), 'edit');
        await page.click('#share-button');
        const permalink = await page.inputValue('#share-link');
        assert.equal(new URL(permalink).searchParams.get('drawing'), id, 'the permalink names the drawing');
        assert.ok(!permalink.includes(key), 'the permalink has no key');
        await page.keyboard.press('Escape');
        // The key never travelled to the server in a URL (not even for a QR code).
        assert.deepEqual(a.log.requests.filter((u) => u.includes(key)), [], 'requests carrying the key');

        const [status, original] = await apiDrawing(id);
        assert.equal(status, 200);
        assert.equal(original.title, 'Testzeichnung');
        assert.deepEqual(original.features.map((f) => f.geometry.type), ['Polygon', 'Point']);
        assert.equal(original.features[1].properties.icon, 'text');
        assert.equal(original.features[1].properties.name, 'Treffpunkt am Teich');
        assert.match(original.features[0].properties.stroke, /^#[0-9a-f]{6}$/);

        // --- the view link in a fresh browser: read-only, zoomed to the drawing
        const other = await b.context.newPage();
        await other.goto(view);
        await waitReady(other);
        await other.waitForSelector('body[data-drawing="view"]');
        assert.equal(await other.getAttribute('#draw-panel', 'data-mode'), 'view');
        for (const sel of ['#draw-tools', '#draw-save', '#draw-delete', '#draw-undo']) {
            assert.equal(await other.isVisible(sel), false, `no ${sel} when only viewing`);
        }
        assert.ok(await other.isVisible('#draw-copy'), '"Kopieren und bearbeiten" is offered');
        assert.ok(await other.isVisible('#draw-report'), '"Melden" is offered');
        assert.deepEqual(await listedNames(other), ['–', 'Treffpunkt am Teich']);
        await until(() => urlState(other.url()).x !== null, 'the view in the URL');
        const seen = urlState(other.url());
        assert.ok(inExtent(seen.x, seen.y, utmExtent(original), 50), `the view centres on the drawing: ${seen.x}, ${seen.y}`);
        const img = await settledMap(b, other);
        assert.ok(pixelsNear(img, [200, 16, 46]) > 200, 'the drawing is drawn on the map');
        // Selecting and pressing Delete changes nothing here.
        await other.click('#draw-features button[data-feature]');
        await other.keyboard.press('Delete');
        await other.waitForTimeout(200);
        assert.equal(await featureCount(other), 2, 'a viewer cannot delete a feature');

        // Anyone may report a drawing.
        await other.click('#draw-report');
        await other.waitForSelector('#draw-report-dialog[open]');
        await audit(other, 'drawing report dialog');
        await other.fill('#draw-report-reason', 'Testmeldung: bitte prüfen');
        await other.click('#draw-report-send');
        await other.waitForSelector('#draw-report-dialog', { state: 'hidden' });
        assert.match(await other.textContent('#draw-message'), /Meldung ist eingegangen/);

        // --- copy and edit the copy
        await other.click('#draw-copy');
        await other.waitForSelector('#draw-share-dialog[open]');
        const copyView = await other.inputValue('#draw-share-view');
        const copyEdit = await other.inputValue('#draw-share-edit');
        const copyId = new URL(copyView).searchParams.get('drawing');
        assert.match(copyId, ID);
        assert.notEqual(copyId, id, 'the copy is a new drawing');
        await other.click('#draw-share-close');
        assert.equal(await other.getAttribute('#draw-panel', 'data-mode'), 'edit');
        assert.equal(new URL(other.url()).searchParams.get('drawing'), copyId);
        assert.ok(await other.isVisible('#draw-tools'), 'the copy has the drawing tools');

        await other.click('#draw-tool-point');
        const [px, py] = await mapPoint(other, 0.75, 0.3);
        await other.mouse.click(px, py);
        await waitCount(other, 3);
        await until(async () => (await apiDrawing(copyId))[1].features?.length === 3, 'the autosave of the copy');
        await other.waitForSelector('#draw-save-state[data-state="saved"]');
        assert.match(await other.textContent('#draw-save-state'), /Gespeichert/);
        const [, copied] = await apiDrawing(copyId);
        assert.equal(copied.copied_from, id);
        const [, unchanged] = await apiDrawing(id);
        assert.deepEqual(unchanged.features, original.features, 'the original is unchanged');

        // --- the copy's edit link opens it for editing; delete it there
        const editor = await b.context.newPage();
        await editor.goto(copyEdit);
        await waitReady(editor);
        await editor.waitForSelector('body[data-drawing="edit"]');
        await waitCount(editor, 3);
        await editor.click('#draw-delete');
        await editor.waitForSelector('#draw-delete-dialog[open]');
        await audit(editor, 'drawing delete dialog');
        await editor.click('#draw-delete-confirm');
        await editor.waitForSelector('body[data-drawing="new"]');
        assert.match(await editor.textContent('#draw-message'), /gelöscht/);
        assert.equal(new URL(editor.url()).searchParams.get('drawing'), null, 'the deleted drawing left the URL');
        assert.equal(new URL(editor.url()).hash, '', 'and so did its key');
        const [gone] = await apiDrawing(copyId);
        assert.ok(gone === 404 || gone === 410, `the copy answers ${gone}`);
        assert.equal((await apiDrawing(id))[0], 200, 'the original is still there');

        const dead = await b.context.newPage();
        await dead.goto(copyView);
        await waitReady(dead);
        await dead.waitForSelector('body[data-drawing="missing"], body[data-drawing="gone"]');
        assert.match(await dead.textContent('#draw-message'), /gibt es nicht|abgelaufen/);
        t.diagnostic(`drawing ${id}, copy ${copyId}`);
        a.check();
        // The deleted copy's link answers 404 (or 410), which Chromium logs.
        b.check({ expectedConsole: [/status of (404|410)/] });
    } finally {
        await a.close();
        await b.close();
    }
});

const HOSTILE_KML = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lt;script&gt;window.__pwned=1&lt;/script&gt;</name>
<Placemark>
  <name>&lt;script&gt;window.__pwned=2&lt;/script&gt;Alpha</name>
  <description><![CDATA[<p>Hallo <script>window.__pwned=3</script><img src=x onerror="window.__pwned=4"><a href="javascript:window.__pwned=5">klick</a> <a href="https://example.org/">ok</a><svg onload="window.__pwned=6"></svg></p>]]></description>
  <Point><coordinates>9.90,52.40</coordinates></Point>
</Placemark>
<Placemark>
  <name>&lt;img src=x onerror="window.__pwned=7"&gt;Beta</name>
  <description>&lt;svg onload=window.__pwned=8&gt;&lt;/svg&gt;&lt;b onmouseover=window.__pwned=9&gt;fett&lt;/b&gt;</description>
  <LineString><coordinates>9.90,52.40 9.95,52.42</coordinates></LineString>
</Placemark>
<Placemark>
  <name>javascript:window.__pwned=10</name>
  <description>&lt;a href="javascript:window.__pwned=11"&gt;x&lt;/a&gt;</description>
  <Point><coordinates>9.92,52.41</coordinates></Point>
</Placemark>
<Placemark>
  <name>1 &lt; 2 &amp;&amp; "drei" &gt; null</name>
  <Polygon><outerBoundaryIs><LinearRing><coordinates>9.91,52.39 9.93,52.39 9.93,52.40 9.91,52.39</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark>
</Document></kml>`;

/** Elements and attributes that could carry script, anywhere in the page. */
function activeContent(page) {
    return page.evaluate(() => {
        const out = [];
        for (const el of document.querySelectorAll('*')) {
            for (const a of el.attributes) {
                if (/^on/i.test(a.name)) out.push(`${el.tagName}[${a.name}]`);
                if (/^\s*javascript:/i.test(a.value)) out.push(`${el.tagName}[${a.name}=${a.value}]`);
            }
        }
        for (const el of document.querySelectorAll('#draw-panel img, #draw-panel script, #draw-panel iframe, #draw-panel svg:not([aria-hidden="true"])')) {
            out.push(el.tagName);
        }
        out.push(`scripts:${document.scripts.length}`);
        return out;
    });
}

test('a hostile KML import runs no script and shows its names as text', async () => {
    const s = await openSession(browser);
    try {
        // What the server makes of the file (the viewer shows exactly that, as text).
        const converted = await fetch(`${BASE}/api/convert?to=geojson`, {
            method: 'POST',
            headers: { 'content-type': 'application/vnd.google-earth.kml+xml' },
            body: HOSTILE_KML,
        });
        assert.equal(converted.status, 200, `POST /api/convert: ${converted.status}`);
        const expected = (await converted.json()).features.map((f) => f.properties.name ?? '–');
        assert.equal(expected.length, 4);
        assert.ok(expected.some((n) => n.includes('<')), `a name keeps its literal "<": ${JSON.stringify(expected)}`);
        assert.ok(expected.some((n) => n.startsWith('javascript:')), 'a name is literally "javascript:…"');

        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const before = await activeContent(page);
        await page.click('#draw-button');
        assert.ok(await page.isChecked('#draw-import-into-drawing'), 'imports go into the drawing by default');
        await page.setInputFiles('#draw-import-file', {
            name: 'boese.kml',
            mimeType: 'application/vnd.google-earth.kml+xml',
            buffer: Buffer.from(HOSTILE_KML),
        });
        await until(async () => (await featureCount(page)) === 4, 'the four imported features');
        assert.deepEqual(await listedNames(page), expected, 'the names are shown literally');

        // Each feature's description, shown when it is selected.
        const links = [];
        for (let i = 0; i < 4; i++) {
            await page.click(`#draw-features li:nth-child(${i + 1}) button[data-feature]`);
            await page.waitForSelector('#draw-selected:not([hidden])');
            links.push(...await page.$$eval('#draw-feature-description a', (as) => as.map((a) => a.getAttribute('href'))));
        }
        assert.ok(links.every((h) => /^https?:\/\//.test(h)), `only http(s) links: ${JSON.stringify(links)}`);

        await settledMap(s, page);
        assert.deepEqual(await activeContent(page), before, 'no element or attribute that could run script was added');
        assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined', 'no script of the file ran');
        assert.deepEqual(s.log.requests.filter((u) => new URL(u).pathname === '/x'), [], 'the file\'s <img src=x> was never loaded');
        s.check();
    } finally {
        await s.close();
    }
});

const GPX = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="numis-e2e" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="53.860" lon="8.690"><name>Start</name></wpt>
  <trk><name>Deichweg</name><trkseg>
    <trkpt lat="53.860" lon="8.690"/><trkpt lat="53.866" lon="8.700"/><trkpt lat="53.872" lon="8.712"/>
  </trkseg></trk>
</gpx>`;

test('an import as a temporary layer zooms to it and can be removed; a dropped file joins the drawing, which exports as KML and GPX', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const start = urlState(page.url());
        await page.click('#draw-button');
        await page.check('#draw-import-as-layer');
        await page.setInputFiles('#draw-import-file', { name: 'deichweg.gpx', mimeType: 'application/gpx+xml', buffer: Buffer.from(GPX) });
        await waitCount(page, 1, '#draw-layers');
        assert.match(await page.textContent('#draw-layers'), /deichweg\.gpx/);
        const [wx, wy] = toUtm32(8.69, 53.86);
        const [ex, ey] = toUtm32(8.712, 53.872);
        await until(() => {
            const u = urlState(page.url());
            return u.scale < start.scale && inExtent(u.x, u.y, [wx, wy, ex, ey], 100);
        }, 'the view to zoom to the imported track');
        const zoomed = urlState(page.url());
        assert.ok(zoomed.scale <= 25000, `zoomed in to the track: 1:${zoomed.scale}`);
        assert.equal(await featureCount(page), 0, 'a temporary layer is not part of the drawing');
        const img = await settledMap(s, page);
        assert.ok(pixelsNear(img, [200, 16, 46]) > 50, 'the track is drawn');

        await page.click('#draw-layers [data-layer-action="remove"]');
        await waitCount(page, 0, '#draw-layers');
        const without = await settledMap(s, page);
        assert.ok(pixelsNear(without, [200, 16, 46]) < pixelsNear(img, [200, 16, 46]) / 4, 'the removed layer is no longer drawn');

        // Draw a line, name it, export it.
        await page.click('#draw-tool-line');
        const [x0, y0] = await mapPoint(page, 0.6, 0.5);
        await page.mouse.click(x0, y0);
        await page.mouse.move(x0 + 80, y0 - 40, { steps: 3 });
        await page.mouse.click(x0 + 80, y0 - 40);
        await page.mouse.move(x0 + 160, y0, { steps: 3 });
        await page.mouse.dblclick(x0 + 160, y0);
        await until(async () => (await featureCount(page)) === 1, 'the line to be listed');
        assert.match(await page.textContent('#draw-measure'), /Länge: [\d.,]+ (m|km)/);
        // The list is drawn anew when the line is committed; select the
        // line once its entry is there to stay (pressed = selected).
        await until(async () => {
            await page.click('#draw-features button[data-feature]');
            return page.$('#draw-features button[data-feature][aria-pressed="true"]');
        }, 'the line to be selected from the list');
        await page.fill('#draw-feature-name', 'Wanderweg');
        await page.press('#draw-feature-name', 'Enter');
        await until(async () => (await listedNames(page)).join() === 'Wanderweg', 'the list to show the new name');
        assert.deepEqual(await listedNames(page), ['Wanderweg']);

        // A file dropped onto the map goes into the drawing.
        await page.check('#draw-import-into-drawing');
        const dropped = JSON.stringify({
            type: 'FeatureCollection',
            features: [{ type: 'Feature', properties: { name: 'Aus Datei' }, geometry: { type: 'Point', coordinates: [9.74, 52.37] } }],
        });
        const transfer = await page.evaluateHandle((text) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], 'punkt.geojson', { type: 'application/geo+json' }));
            return dt;
        }, dropped);
        await page.dispatchEvent('#map', 'dragover', { dataTransfer: transfer });
        await page.dispatchEvent('#map', 'drop', { dataTransfer: transfer });
        await waitCount(page, 2);
        assert.deepEqual(await listedNames(page), ['Wanderweg', 'Aus Datei']);

        for (const [format, pattern] of [
            ['kml', /<kml[\s\S]*Wanderweg[\s\S]*<LineString>[\s\S]*<coordinates>[\s\S]*Aus Datei/],
            ['gpx', /<gpx[\s\S]*Aus Datei[\s\S]*Wanderweg[\s\S]*<trkpt |<gpx[\s\S]*Wanderweg[\s\S]*<trkpt [\s\S]*Aus Datei/],
        ]) {
            await page.selectOption('#draw-export-format', format);
            const [download] = await Promise.all([page.waitForEvent('download'), page.click('#draw-export')]);
            assert.match(download.suggestedFilename(), new RegExp(`\\.${format}$`));
            const content = await readFile(await download.path(), 'utf8');
            assert.match(content, pattern, `the ${format} export has the named line: ${content.slice(0, 300)}`);
        }
        s.check();
    } finally {
        await s.close();
    }
});

const MAGENTA_DRAWING = {
    type: 'FeatureCollection',
    features: [
        {
            type: 'Feature',
            properties: { name: 'Magenta', stroke: '#ff00ff', 'stroke-width': 4, fill: '#ff00ff', 'fill-opacity': 0.6 },
            geometry: { type: 'Polygon', coordinates: [[[9.70, 52.36], [9.76, 52.36], [9.76, 52.40], [9.70, 52.40], [9.70, 52.36]]] },
        },
        { type: 'Feature', properties: { name: 'Punkt', icon: 'star', stroke: '#ff00ff' }, geometry: { type: 'Point', coordinates: [9.73, 52.38] } },
    ],
};

test('the embed shows a drawing read-only, zoomed to it unless the URL names a view', async () => {
    const created = await createDrawing(MAGENTA_DRAWING, 'Einbettung');
    const s = await openSession(browser, { viewport: { width: 640, height: 480 } });
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/embed?drawing=${created.id}`);
        await waitReady(page);
        await page.waitForSelector('body[data-drawing="view"]');
        for (const sel of ['#draw-panel', '#draw-button', '#draw-copy', '#draw-tools']) {
            assert.equal(await page.locator(sel).count(), 0, `the embed has no ${sel}`);
        }
        await until(() => urlState(page.url()).x !== null, 'the view in the URL');
        const u = urlState(page.url());
        assert.ok(inExtent(u.x, u.y, utmExtent(MAGENTA_DRAWING), 100), `the embed centres on the drawing: ${u.x}, ${u.y}`);
        assert.equal(new URL(page.url()).searchParams.get('drawing'), created.id, 'the embed keeps the drawing in its URL');
        const img = await settledMap(s, page);
        const magenta = pixelsNear(img, [255, 0, 255], 150);
        assert.ok(magenta > 2000, `the polygon is drawn (${magenta} magenta pixels)`);
        const full = new URL(await page.getAttribute('#open-full', 'href'), BASE);
        assert.equal(full.searchParams.get('drawing'), created.id, '"open in the full viewer" keeps the drawing');

        // An explicit view is kept.
        const fixed = await s.context.newPage();
        await fixed.goto(`${BASE}/embed?drawing=${created.id}&x=500000&y=5800000&scale=500000`);
        await waitReady(fixed);
        await fixed.waitForSelector('body[data-drawing="view"]');
        const kept = urlState(fixed.url());
        assert.deepEqual([kept.x, kept.y, kept.scale], [500000, 5800000, 500000], 'the URL\'s own view stays');
        s.check();
    } finally {
        await s.close();
    }
});

test('a wrong edit key is told on saving; an unknown drawing is told on opening', async () => {
    const created = await createDrawing(MAGENTA_DRAWING, 'Falscher Schlüssel');
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?drawing=${created.id}#edit=${'A'.repeat(43)}`);
        await waitReady(page);
        await page.waitForSelector('body[data-drawing="edit"]');
        await page.click('#draw-tool-point');
        const [x, y] = await mapPoint(page, 0.7, 0.4);
        await page.mouse.click(x, y);
        await page.waitForSelector('#draw-save-state[data-state="failed"]');
        assert.match(await page.textContent('#draw-message'), /Bearbeitungslink ist nicht gültig/);
        assert.equal((await apiDrawing(created.id))[1].features.length, 2, 'nothing was changed');

        // A hostile edit key is no key: the drawing opens read-only.
        const hostile = await s.context.newPage();
        await hostile.goto(`${BASE}/karte?drawing=${created.id}#edit=<img src=x onerror=window.__pwned=1>${'D'.repeat(43)}`);
        await waitReady(hostile);
        await hostile.waitForSelector('body[data-drawing="view"]');
        assert.equal(await hostile.isVisible('#draw-tools'), false, 'no tools without a valid key');
        assert.equal(await hostile.evaluate(() => typeof window.__pwned), 'undefined');

        // A well-formed id that does not exist; and a malformed one is ignored.
        const missing = await s.context.newPage();
        await missing.goto(`${BASE}/karte?drawing=${'B'.repeat(22)}`);
        await waitReady(missing);
        await missing.waitForSelector('body[data-drawing="missing"]');
        assert.match(await missing.textContent('#draw-message'), /gibt es nicht/);
        const malformed = await s.context.newPage();
        await malformed.goto(`${BASE}/karte?drawing=${'C'.repeat(21)}`);
        await waitReady(malformed);
        assert.equal(await malformed.getAttribute('body', 'data-drawing'), 'new');
        assert.equal(new URL(malformed.url()).searchParams.get('drawing'), null, 'a malformed id is dropped');
        s.check({ expectedConsole: [/status of 40[34]/] });
    } finally {
        await s.close();
    }
});
