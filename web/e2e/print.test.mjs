// Printing in the viewer (issue 14; clauses L1, L2, L4): the print panel
// opens by keyboard and shows the frame of the sheet on the map; the frame
// moves by dragging and by keys and follows paper and orientation as the
// server's layouts say; a PDF with a drawing and an imported file is made,
// polled for and downloaded, and its text read with pdftotext; PNGs of the
// view at 1× and 2× have the map's size and a source band at the bottom.
// axe-core audits the open panel on a desktop and a phone.
//
// With NUMIS_SHOTS=<directory>, screenshots of the panel with its frame
// (1280×800 and 375×740) are written there.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
    BASE,
    audit,
    decodePng,
    getJson,
    launchBrowser,
    onScreen,
    openSession,
    settledMap,
    sleep,
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

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

/** A short line in the Eilenriede (Hannover), imported as a temporary layer. */
const IMPORT = JSON.stringify({
    type: 'FeatureCollection',
    features: [{
        type: 'Feature',
        properties: { name: 'Eilenriede-Weg', stroke: '#0b4f8a', 'stroke-width': 4 },
        geometry: { type: 'LineString', coordinates: [[9.765, 52.376], [9.775, 52.381], [9.787, 52.378]] },
    }],
});

/** Writes a screenshot when NUMIS_SHOTS names a directory. */
async function shot(page, name) {
    const dir = process.env.NUMIS_SHOTS;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** The frame as the panel tells it: ground size and centre in metres. */
async function frameOf(page) {
    const [frame, center] = await page.evaluate(() => {
        const panel = document.querySelector('#print-panel');
        return [panel?.dataset.frame ?? '', panel?.dataset.center ?? ''];
    });
    const [w, h] = frame.split(',').map(Number);
    const [x, y] = center.split(',').map(Number);
    return { w, h, x, y };
}

/** The ground a layout's map covers at a scale, as the contract defines it. */
function expectedFrame(options, paper, orientation, scale, { legend = true, comment = false } = {}) {
    const layout = options.layouts.find((l) => l.paper === paper && l.orientation === orientation
        && l.legend === legend && l.comment === comment);
    assert.ok(layout, `GET /api/print has a layout for ${paper} ${orientation} legend=${legend} comment=${comment}`);
    return [(layout.map_mm[0] / 1000) * scale, (layout.map_mm[1] / 1000) * scale];
}

function assertFrame(frame, [w, h], what) {
    assert.ok(Math.abs(frame.w - w) <= 1 && Math.abs(frame.h - h) <= 1,
        `${what}: the frame is ${frame.w} × ${frame.h} m, the layout says ${w.toFixed(0)} × ${h.toFixed(0)} m`);
}

/**
 * The map's box and the height of its free part: what the scale bar and
 * the source notes, which lie over its lower edge, leave of it.
 */
function freeMap(page) {
    return page.evaluate(() => {
        const map = document.querySelector('#map').getBoundingClientRect();
        const tops = ['.map-footer', '#attribution']
            .map((selector) => document.querySelector(selector)?.getBoundingClientRect())
            .filter((r) => r && r.height > 0 && r.top > map.top)
            .map((r) => r.top);
        return { width: map.width, height: map.height, free: Math.max(Math.min(map.bottom, ...tops) - map.top, map.height / 2) };
    });
}

/** Mean brightness (0–255) of a square of a map composite around a point given as fractions of its size. */
function brightness(img, fx, fy, half = 12) {
    const cx = Math.round(img.width * fx);
    const cy = Math.round(img.height * fy);
    let sum = 0;
    let n = 0;
    for (let y = Math.max(0, cy - half); y < Math.min(img.height, cy + half); y++) {
        for (let x = Math.max(0, cx - half); x < Math.min(img.width, cx + half); x++) {
            const o = (y * img.width + x) * 4;
            sum += (img.data[o] + img.data[o + 1] + img.data[o + 2]) / 3;
            n++;
        }
    }
    return sum / n;
}

/** Pixels of a composite close to the frame's line (the theme's brand green). */
function frameLinePixels(img) {
    let n = 0;
    for (let i = 0; i < img.data.length; i += 4) {
        if (Math.abs(img.data[i] - 0x1e) + Math.abs(img.data[i + 1] - 0x6b) + Math.abs(img.data[i + 2] - 0x45) <= 30) n++;
    }
    return n;
}

/** Rows `from`..end of an image: how many distinct colours, and how many dark (text) pixels. */
function bandStats(img, from) {
    const colours = new Set();
    let dark = 0;
    for (let y = from; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
            const o = (y * img.width + x) * 4;
            colours.add(img.data.readUInt32BE(o));
            if (img.data[o] + img.data[o + 1] + img.data[o + 2] < 3 * 110) dark++;
        }
    }
    return { colours: colours.size, dark };
}

/** The PNG the image tab saves at `ratio`, decoded. */
async function exportPng(page, ratio) {
    await page.check(`#image-ratio-${ratio}`);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#image-save')]);
    assert.match(download.suggestedFilename(), /\.png$/, 'the image is saved as a PNG file');
    await page.waitForSelector('#image-progress[data-state="done"]');
    return decodePng(readFileSync(await download.path()));
}

test('the print panel shows a movable frame, prints a PDF with the drawing and an import, and saves PNGs (desktop)', async () => {
    const s = await openSession(browser, DESKTOP);
    const options = await getJson('/api/print');
    assert.ok(options.papers.includes('A4') && options.papers.includes('A3'), `papers offered: ${options.papers}`);
    const work = mkdtempSync(join(tmpdir(), 'numis-print-'));
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?x=552000&y=5805000&scale=50000`);
        await waitReady(page);

        // --- something of the user's: an imported line (a temporary
        // layer) and a drawn point
        await page.click('#draw-button');
        await page.check('#draw-import-as-layer');
        await page.setInputFiles('#draw-import-file', { name: 'weg.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(IMPORT) });
        await page.waitForSelector('#draw-layers[data-count="1"]', { state: 'attached' });
        await page.click('#draw-tool-point');
        const box = await page.locator('#map').boundingBox();
        await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.5);
        await page.waitForSelector('#draw-features[data-count="1"]', { state: 'attached' });
        await page.selectOption('#scale', '25000');
        await until(() => urlState(page.url()).scale === 25000, 'the view at 1:25,000');

        // --- open the panel by keyboard: it takes the drawing panel's place
        await page.focus('#print-button');
        await page.keyboard.press('Enter');
        await page.waitForSelector('#print-panel:not([hidden])');
        assert.equal(await page.getAttribute('#print-button', 'aria-expanded'), 'true');
        assert.ok(await page.isHidden('#draw-panel'), 'the drawing panel closed');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'print-tab-pdf', 'the focus is in the panel');
        await page.waitForSelector('#print-panel[data-frame]', { state: 'attached' });
        await page.waitForSelector('#print-create:not([disabled])');

        // The frame starts in the middle of the map's free part (above the
        // source notes), at a scale of the list, with the size of the
        // sheet's map area (A4 landscape, legend on), fitting into it.
        const view = urlState(page.url());
        const resolution = view.scale * 0.00028;
        const free = await freeMap(page);
        assert.ok(free.free < free.height, 'the source notes lie over the map\'s lower edge');
        let frame = await frameOf(page);
        const middle = view.y + ((free.height - free.free) / 2) * resolution;
        assert.ok(Math.abs(frame.x - view.x) <= resolution && Math.abs(frame.y - middle) <= resolution,
            `the frame starts in the middle of the free map: ${frame.x},${frame.y} vs ${view.x},${middle.toFixed(0)}`);
        assert.equal(await page.inputValue('#print-paper'), 'A4');
        assert.ok(await page.isChecked('#print-landscape'));
        const fitted = Number(await page.inputValue('#print-scale'));
        assert.ok(Number.isFinite(fitted) && fitted > 0, `a scale of the list is chosen: ${fitted}`);
        assertFrame(frame, expectedFrame(options, 'A4', 'landscape', fitted), 'A4 landscape');
        assert.ok(frame.w / resolution <= free.width && frame.h / resolution <= free.free,
            'the chosen scale lets the frame fit into the free map');
        await audit(page, 'print panel, PDF tab');

        // The frame is drawn: outside it the map is dimmed. The image tab
        // hides it (the image is the whole view), so the two composites
        // differ in the corners and not in the middle.
        const framed = await settledMap(s, page);
        await shot(page, 'print-desktop');
        await page.click('#print-tab-image');
        await page.waitForSelector('#print-image:not([hidden])');
        const plain = await settledMap(s, page);
        assert.equal(framed.width, plain.width);
        const corner = brightness(plain, 0.03, 0.05) - brightness(framed, 0.03, 0.05);
        const fy = free.free / 2 / free.height;
        const inside = Math.abs(brightness(plain, 0.5, fy, 4) - brightness(framed, 0.5, fy, 4));
        assert.ok(corner > 25, `the area outside the frame is dimmed (by ${corner.toFixed(1)})`);
        assert.ok(inside < 3, `inside the frame the map is unchanged (difference ${inside.toFixed(1)})`);
        const line = frameLinePixels(framed);
        assert.ok(line > 400 && frameLinePixels(plain) < line / 20, `the frame's line is drawn: ${line} pixels, without it ${frameLinePixels(plain)}`);
        await audit(page, 'print panel, image tab');
        // The tabs work with the arrow keys.
        await page.focus('#print-tab-image');
        await page.keyboard.press('ArrowLeft');
        assert.equal(await page.getAttribute('#print-tab-pdf', 'aria-selected'), 'true');
        assert.ok(await page.isHidden('#print-image'));

        // --- paper and orientation change the frame as the layouts say
        await page.selectOption('#print-scale', '25000');
        frame = await frameOf(page);
        assertFrame(frame, expectedFrame(options, 'A4', 'landscape', 25000), 'A4 landscape at 1:25,000');
        const landscapeRatio = frame.w / frame.h;
        await page.click('label[for="print-portrait"]');
        frame = await frameOf(page);
        assertFrame(frame, expectedFrame(options, 'A4', 'portrait', 25000), 'A4 portrait');
        assert.ok(landscapeRatio > 1 && frame.w / frame.h < 1, `the frame turns: ${landscapeRatio.toFixed(2)} → ${(frame.w / frame.h).toFixed(2)}`);
        await page.selectOption('#print-paper', 'A3');
        frame = await frameOf(page);
        assertFrame(frame, expectedFrame(options, 'A3', 'portrait', 25000), 'A3 portrait');
        await page.fill('#print-comment', 'Rundweg mit Treffpunkt');
        frame = await frameOf(page);
        assertFrame(frame, expectedFrame(options, 'A3', 'portrait', 25000, { comment: true }), 'A3 portrait with a comment');
        await page.selectOption('#print-paper', 'A4');
        await page.click('label[for="print-landscape"]');

        // --- move the frame: drag it with the mouse
        const start = await frameOf(page);
        const inMap = await page.locator('#map').boundingBox();
        const cx = inMap.x + inMap.width / 2;
        const cy = inMap.y + free.free / 2;
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        await page.mouse.move(cx + 60, cy + 20, { steps: 4 });
        await page.mouse.move(cx + 120, cy + 60, { steps: 4 });
        await page.mouse.up();
        const dragged = await frameOf(page);
        assert.ok(Math.abs(dragged.x - start.x - 120 * resolution) <= 2 * resolution
            && Math.abs(dragged.y - start.y + 60 * resolution) <= 2 * resolution,
            `dragging 120 px right and 60 px down moves the frame by ${dragged.x - start.x}, ${dragged.y - start.y} m`);
        assert.equal(urlState(page.url()).x, view.x, 'dragging the frame does not pan the map');

        // ... and by keyboard: the east button, then the arrow key
        await page.focus('#print-move-e');
        await page.keyboard.press('Enter');
        const east = await frameOf(page);
        assert.ok(Math.abs(east.x - dragged.x - 0.1 * east.w) <= 1 && east.y === dragged.y,
            `the east button moves the frame a tenth of its width: ${east.x - dragged.x} m`);
        await page.keyboard.press('ArrowUp');
        const north = await frameOf(page);
        assert.ok(Math.abs(north.y - east.y - 0.1 * north.h) <= 1 && north.x === east.x,
            `the up arrow moves the frame a tenth of its height north: ${north.y - east.y} m`);
        assert.match(await page.textContent('#print-frame-center'), new RegExp(`E\\s${north.x}\\sN\\s${north.y}`));

        // --- print: title, 1:25,000, the drawing and the import
        await page.fill('#print-title', 'Druckprobe Eilenriede');
        const sent = [];
        page.on('request', (req) => {
            if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/print') sent.push(req.postDataJSON());
        });
        const [download] = await Promise.all([
            page.waitForEvent('download', { timeout: 120_000 }),
            page.click('#print-create'),
        ]);
        await page.waitForSelector('#print-progress[data-state="done"]');
        assert.match(await page.textContent('#print-progress'), /fertig/);
        assert.equal(sent.length, 1, 'one print job was sent');
        const spec = sent[0];
        assert.deepEqual(spec.center, [north.x, north.y], 'the frame\'s centre is sent');
        assert.notDeepEqual(spec.center, [view.x, view.y], 'the centre sent is the moved frame\'s, not the map\'s');
        assert.equal(spec.paper, 'A4');
        assert.equal(spec.orientation, 'landscape');
        assert.equal(spec.scale, 25000);
        assert.equal(spec.dpi, options.dpis[0]);
        assert.equal(spec.title, 'Druckprobe Eilenriede');
        assert.equal(spec.comment, 'Rundweg mit Treffpunkt');
        assert.equal(spec.lang, 'de');
        assert.equal(spec.legend, true);
        assert.equal(spec.grid, false);
        assert.equal(spec.layers[0], 'grundkarte', 'the base map is printed first (bottom)');
        assert.deepEqual(spec.overlays.map((o) => o.kind), ['drawing', 'import']);
        const point = spec.overlays[0].geojson.features[0];
        assert.equal(point.geometry.type, 'Point');
        for (const c of point.geometry.coordinates) {
            assert.ok(Math.abs(c * 1e7 - Math.round(c * 1e7)) < 1e-6, `coordinates have at most 7 decimals: ${c}`);
        }
        assert.equal(spec.overlays[1].geojson.features[0].properties.name, 'Eilenriede-Weg');
        const link = new URL(spec.permalink, BASE);
        assert.equal(link.pathname, '/karte');
        assert.equal(Number(link.searchParams.get('x')), north.x, 'the permalink shows the printed area');
        assert.equal(Number(link.searchParams.get('scale')), 25000);

        // The PDF: downloaded, and kept as a link.
        assert.match(download.suggestedFilename(), /\.pdf$/, 'the PDF is downloaded');
        const pdfPath = join(work, 'karte.pdf');
        await download.saveAs(pdfPath);
        assert.equal(readFileSync(pdfPath).subarray(0, 5).toString(), '%PDF-');
        const href = await page.getAttribute('#print-download', 'href');
        const res = await fetch(new URL(href, BASE));
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type'), /^application\/pdf/);
        const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
        assert.match(text, /Druckprobe Eilenriede/, 'the title is printed');
        assert.match(text, /Rundweg mit Treffpunkt/, 'the comment is printed');
        assert.match(text, /1:25\.000/, 'the scale is printed');
        assert.match(text, /Quellen/, 'the source notes are printed');
        assert.match(text, /Daten geändert/, 'a drawing on the map adds "Daten geändert"');

        // --- the image: the view at 1× and 2×, with a source band
        await page.click('#print-tab-image');
        const size = await page.locator('#map').boundingBox();
        const [w, h] = [Math.round(size.width), Math.round(size.height)];
        assert.match(await page.textContent('label[for="image-ratio-1"]'), new RegExp(`${w.toLocaleString('de-DE')} × ${h.toLocaleString('de-DE')}`));
        assert.match(await page.textContent('#image-terms'), /höchstens zehn Bilder je Website/);
        for (const ratio of [1, 2]) {
            const png = await exportPng(page, ratio);
            assert.equal(png.width, w * ratio, `the ${ratio}× image is as wide as the map`);
            assert.ok(png.height > h * ratio, `the ${ratio}× image is taller than the map by its source band: ${png.height} vs ${h * ratio}`);
            const band = bandStats(png, h * ratio);
            assert.ok(band.colours >= 3 && band.dark >= 50 * ratio,
                `the ${ratio}× image's source band holds text: ${band.colours} colours, ${band.dark} dark pixels`);
        }
        await shot(page, 'print-image-desktop');

        // --- Escape closes the panel; the focus goes back to its button
        await page.click('#print-tab-pdf');
        await page.focus('#print-title');
        await page.keyboard.press('Escape');
        assert.ok(await page.isHidden('#print-panel'));
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'print-button');
        assert.equal(await page.getAttribute('#print-button', 'aria-expanded'), 'false');
        const closed = await settledMap(s, page);
        assert.ok(frameLinePixels(closed) < line / 20, `closing the panel removes the frame: ${frameLinePixels(closed)} pixels of its line`);
        assert.ok(brightness(closed, 0.03, 0.05) - brightness(framed, 0.03, 0.05) > 25, 'and the dimming');
        s.check();
    } finally {
        rmSync(work, { recursive: true, force: true });
        await s.close();
    }
});

test('on a phone the print panel is a sheet below the map: folded it leaves the map to the frame, unfolded it holds every setting', async () => {
    const s = await openSession(browser, PHONE);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?x=552000&y=5805000&scale=100000`);
        await waitReady(page);
        await page.tap('#print-button');
        await page.waitForSelector('#print-panel[data-frame]', { state: 'attached' });
        await page.waitForSelector('#print-create:not([disabled])');

        // Folded: what will be printed, the button, and a large map.
        assert.equal(await page.getAttribute('#print-sheet', 'aria-expanded'), 'false');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'print-sheet', 'the focus is on the sheet\'s toggle');
        assert.match(await page.textContent('#print-summary'), /^A4 quer · 1:[\d.]+$/);
        assert.ok(await onScreen(page.locator('#print-create')), 'the print button is on the screen');
        assert.ok(await page.isHidden('#print-paper'), 'the settings are folded away');
        const map = await page.locator('#map').boundingBox();
        const panel = await page.locator('#print-panel').boundingBox();
        assert.ok(map.height >= 300, `the map keeps most of the screen: ${map.height} px`);
        assert.ok(panel.y >= map.y + map.height - 1 && panel.y + panel.height <= 741, 'the sheet lies below the map, on the screen');
        const frame = await frameOf(page);
        const free = await freeMap(page);
        const resolution = urlState(page.url()).scale * 0.00028;
        assert.ok(frame.w / resolution <= free.width && frame.h / resolution <= free.free,
            `the frame fits above the source notes: ${(frame.w / resolution).toFixed(0)} × ${(frame.h / resolution).toFixed(0)} px`
            + ` in ${free.width} × ${free.free.toFixed(0)}`);
        await audit(page, 'print sheet, folded (phone)');
        await settledMap(s, page);
        await shot(page, 'print-phone');

        // Unfolded: every control can be reached and seen.
        await page.tap('#print-sheet');
        assert.equal(await page.getAttribute('#print-sheet', 'aria-expanded'), 'true');
        const controls = ['#print-tab-image', '#print-paper', 'label[for="print-landscape"]', '#print-scale', '#print-title', '#print-move-e', '#print-create'];
        for (const id of controls) {
            await page.locator(id).scrollIntoViewIfNeeded();
            assert.ok(await onScreen(page.locator(id)), `${id} is on the screen`);
        }
        await page.tap('#print-move-e');
        assert.ok((await frameOf(page)).x > frame.x, 'the east button moves the frame');
        await page.locator('#print-body').evaluate((el) => el.scrollTo(0, 0));
        await sleep(200);
        await audit(page, 'print sheet, unfolded (phone)');
        await shot(page, 'print-phone-settings');
        s.check();
    } finally {
        await s.close();
    }
});
