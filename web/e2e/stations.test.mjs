// The station panel (docs/stations.md): a station's series in a large
// chart beside the map, a choice of parameter and period, a comparison of
// up to four stations (added from the list or by a click on the map), the
// values as a table that equals the CSV download, permalinks, the embed
// and a 375-pixel phone. The demo's air quality stations, 2001–2011.
// NUMIS_SCREENSHOTS=DIR keeps screenshots of the panel.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
    BASE,
    audit,
    getJson,
    launchBrowser,
    mapImage,
    openSession,
    settledMap,
    toUtm32,
    until,
    waitReady,
} from './helpers.mjs';

const LAYER = 'luftmessstationen';
const SHOTS = process.env.NUMIS_SCREENSHOTS;

let browser;
let stations;
before(async () => {
    browser = await launchBrowser();
    stations = JSON.parse(await readFile(new URL('../../data/ni_luft_messstationen_uba.geojson', import.meta.url), 'utf8'));
});
after(async () => {
    await browser?.close();
});

/** The map position of a station of the demo, in EPSG:25832. */
function positionOf(key) {
    const station = stations.features.find((f) => f.properties.station_id === key);
    assert.ok(station, `the demo has station ${key}`);
    return toUtm32(...station.geometry.coordinates).map((v) => Math.round(v));
}

/** A viewer URL centred on station `at`, with the station panel's query `extra`. */
function viewerUrl(path, at, extra = '') {
    const [x, y] = positionOf(at);
    return `${BASE}${path}?x=${x}&y=${y}&scale=25000&layers=${LAYER}${extra}`;
}

async function clickMapCentre(page) {
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** A number as the viewer shows it (German or English formatting). */
function readNumber(text) {
    const t = text.trim();
    if (t === '–') return null;
    return t.includes(',') ? Number(t.replace(/\./g, '').replace(',', '.')) : Number(t.replace(/,/g, ''));
}

/** The panel's table: header cells and rows of [year, ...values]. */
function readTable(page) {
    return page.locator('#station-panel table.series-table').evaluate((table) => ({
        head: [...table.querySelectorAll('thead th')].map((th) => th.textContent),
        rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent)),
    }));
}

/** A CSV download of the panel, parsed (quoted fields allowed). */
async function readCsv(href) {
    const res = await fetch(new URL(href, BASE));
    assert.equal(res.status, 200, `GET ${href}`);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
    const lines = (await res.text()).trim().split('\n');
    const split = (line) => [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1);
    const [head, ...rows] = lines.map(split);
    return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/** The stations listed in the panel, by key. */
function shownStations(page) {
    return page.locator('#station-panel .station-list li').evaluateAll((lis) => lis.map((li) => li.dataset.station));
}

/** Waits for the panel's chart for `count` stations and answers its lines' dots. */
async function chartLines(page, count) {
    const chart = page.locator('#station-panel svg.series-chart');
    await until(async () => (await page.locator('#station-panel .station-list li').count()) === count
        && (await chart.count()) === 1
        && (await chart.locator('g.chart-series').count()) === count, `the panel's chart with ${count} lines`);
    return chart.locator('g.chart-series').evaluateAll((groups) => groups.map((g) => ({
        name: g.dataset.name,
        cls: g.getAttribute('class'),
        dots: [...g.querySelectorAll('circle.chart-dot')].map((c) => ({ cx: Number(c.getAttribute('cx')), cy: Number(c.getAttribute('cy')) })),
    })));
}

test('a station opens from feature info into the panel: chart against the limit, parameter and period, table equal to the CSV', async () => {
    const api = await getJson(`/api/series/${LAYER}/DENI052?lang=de`);
    const withValues = api.series.filter((s) => s.points.length > 0);
    const s = await openSession(browser);
    const page = await s.context.newPage();
    try {
        await page.goto(viewerUrl('/karte', 'DENI052'));
        await waitReady(page);
        await settledMap(s, page);
        await clickMapCentre(page);
        const open = page.locator('#feature-info button.station-open');
        await open.waitFor({ state: 'visible' });
        assert.equal(await open.getAttribute('data-action'), 'open');
        // By keyboard: the button takes Enter, focus goes to the panel's heading.
        await open.focus();
        await page.keyboard.press('Enter');
        const panel = page.locator('#station-panel');
        await panel.waitFor({ state: 'visible' });
        await until(async () => (await page.locator('#station-panel-title').textContent()) === 'Allertal', 'the panel named after the station');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'station-panel-title', 'focus moves to the panel');
        assert.equal(await panel.getAttribute('role'), null, 'a docked panel, not a modal dialog');

        // Every parameter with values is offered, the first one shown.
        const offered = await page.locator('#station-parameter option').evaluateAll((os) => os.map((o) => o.value));
        assert.deepEqual(offered, withValues.map((x) => x.parameter));
        const first = withValues[0];
        const [line] = await chartLines(page, 1);
        assert.equal(line.dots.length, first.points.length, 'a dot per value');
        if (first.limit) {
            const limitY = Number(await page.locator('#station-panel line.chart-limit').getAttribute('y1'));
            for (const [i, p] of first.points.entries()) {
                if (p.value !== first.limit.value) assert.equal(line.dots[i].cy < limitY, p.value > first.limit.value, `${p.date} against the limit`);
            }
        }

        // Another parameter and a period, chosen by keyboard.
        const second = withValues[1];
        await page.locator('#station-parameter').focus();
        await page.locator('#station-parameter').selectOption(second.parameter);
        await until(async () => (await page.locator('#station-panel figure.station-chart').getAttribute('data-parameter')) === second.parameter, 'the chart of the second parameter');
        await page.locator('#station-from').selectOption('2005');
        await page.locator('#station-to').selectOption('2008');
        await until(async () => (await readTable(page)).rows.length === 4, 'the table of 2005–2008');
        const table = await readTable(page);
        assert.deepEqual(table.rows.map((r) => r[0]), ['2005', '2006', '2007', '2008']);

        // The table equals the CSV download of what is shown, and the API.
        const csvHref = await page.locator('#station-panel a.series-download[data-format="csv"]').getAttribute('href');
        const href = new URL(csvHref, BASE);
        assert.equal(href.searchParams.get('parameter'), second.parameter);
        assert.equal(href.searchParams.get('from'), '2005');
        assert.equal(href.searchParams.get('to'), '2008');
        const csv = await readCsv(csvHref);
        assert.deepEqual(table.rows.map((r) => readNumber(r[1])), csv.map((r) => Number(r.value)));
        assert.deepEqual(csv.map((r) => r.date.slice(0, 4)), ['2005', '2006', '2007', '2008']);
        assert.ok(csv.every((r) => r.station === 'DENI052' && r.parameter === second.parameter && r.source.includes('Umweltbundesamt')), 'every row names station, parameter and source');
        const expected = second.points.filter((p) => p.date >= '2005' && p.date < '2009').map((p) => p.value);
        assert.deepEqual(csv.map((r) => Number(r.value)), expected);
        const jsonHref = await page.locator('#station-panel a.series-download[data-format="json"]').getAttribute('href');
        const json = await (await fetch(new URL(jsonHref, BASE))).json();
        assert.deepEqual(json.series.map((x) => x.parameter), [second.parameter]);
        assert.ok((await page.locator('#station-panel .series-source').textContent()).includes(api.source));

        // The state is in the URL: a permalink opens the same panel.
        const url = new URL(page.url());
        assert.deepEqual(url.searchParams.getAll('station'), [`${LAYER}/DENI052`]);
        assert.equal(url.searchParams.get('parameter'), second.parameter);
        assert.equal(url.searchParams.get('from'), '2005');
        assert.equal(url.searchParams.get('to'), '2008');
        await audit(page, 'the station panel');
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/station-panel.png` });

        // Escape closes it, focus returns to the button that opened it, and the URL forgets it.
        await page.locator('#station-parameter').focus();
        await page.keyboard.press('Escape');
        await panel.waitFor({ state: 'hidden' });
        await until(async () => !new URL(page.url()).searchParams.has('station'), 'the URL without the station');
        assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('station-open')), true, 'focus back on the opener');
        s.check();
    } finally {
        await s.close();
    }
});

test('up to four stations are compared in one chart, added from the list or by a click on the map', async () => {
    const names = new Map((await getJson(`/api/series/${LAYER}`)).stations.map((x) => [x.station, x.name]));
    const parameter = 'NO2_annual_mean';
    const series = async (key) => (await getJson(`/api/series/${LAYER}/${key}?parameter=${parameter}&lang=de`)).series[0];
    const s = await openSession(browser);
    const page = await s.context.newPage();
    try {
        // A link with one station, centred on Göttingen (another station).
        await page.goto(viewerUrl('/karte', 'DENI042', `&station=${LAYER}/DENI052&parameter=${parameter}`));
        await waitReady(page);
        await page.locator('#station-panel').waitFor({ state: 'visible' });
        await chartLines(page, 1);

        // From the list.
        await page.locator('#station-add').selectOption('DENI054');
        await page.locator('#station-add-button').click();
        await chartLines(page, 2);
        assert.equal(await page.locator('#station-panel-title').textContent(), '2 Stationen im Vergleich');
        assert.ok((await page.locator('#status').textContent()).includes(names.get('DENI054')), 'the addition is announced');

        // By a click on the map: feature info offers to add Göttingen.
        await settledMap(s, page);
        await clickMapCentre(page);
        const add = page.locator('#feature-info button.station-open');
        await add.waitFor({ state: 'visible' });
        assert.equal(await add.getAttribute('data-action'), 'add');
        await add.click();
        await chartLines(page, 3);
        // The map marks it with a ring in its line's colour (the third: green).
        const ring = await until(async () => {
            const img = await mapImage(page);
            const [cx, cy] = [img.width / 2, img.height / 2];
            let count = 0;
            for (let y = Math.round(cy - 20); y <= cy + 20; y++) {
                for (let x = Math.round(cx - 20); x <= cx + 20; x++) {
                    const i = (y * img.width + x) * 4;
                    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
                    if (Math.abs(r - 0x2d) < 25 && Math.abs(g - 0x7d) < 25 && Math.abs(b - 0x46) < 25) count++;
                }
            }
            return count >= 20 ? count : null;
        }, 'a green ring around Göttingen on the map');
        assert.ok(ring >= 20);
        assert.ok((await page.locator('#feature-info .station-action').textContent()).length > 0, 'feature info says the station is shown');

        // The fourth from the list; then the list is full.
        await page.locator('#station-add').selectOption('DENI011');
        await page.locator('#station-add-button').click();
        const lines = await chartLines(page, 4);
        assert.deepEqual(await shownStations(page), ['DENI052', 'DENI054', 'DENI042', 'DENI011']);
        assert.ok(await page.locator('#station-panel .station-full').isVisible(), 'the panel says four is the most');
        assert.ok(!(await page.locator('#station-panel .station-add').isVisible()), 'nothing more to add');

        // Each line is its station's series, in the order added, each with a look of its own.
        const keys = ['DENI052', 'DENI054', 'DENI042', 'DENI011'];
        assert.deepEqual(lines.map((l) => l.name), keys.map((k) => names.get(k)));
        assert.equal(new Set(lines.map((l) => l.cls)).size, 4, 'four line styles');
        const table = await readTable(page);
        assert.deepEqual(table.head.slice(1).map((h) => h.replace(/ \(.*\)$/, '')), keys.map((k) => names.get(k)));
        for (const [i, key] of keys.entries()) {
            const expected = await series(key);
            assert.equal(lines[i].dots.length, expected.points.length, `${key}: a dot per value`);
            const byYear = new Map(expected.points.map((p) => [p.date.slice(0, 4), p.value]));
            for (const row of table.rows) {
                assert.equal(readNumber(row[i + 1]), byYear.get(row[0]) ?? null, `${key} ${row[0]} in the table`);
            }
        }
        // One download per station, each of exactly that station's shown series.
        const downloads = await page.locator('#station-panel a.series-download[data-format="csv"]').evaluateAll((as) => as.map((a) => [a.dataset.station, a.getAttribute('href')]));
        assert.deepEqual(downloads.map(([k]) => k), keys);
        for (const [key, href] of downloads) {
            const csv = await readCsv(href);
            assert.ok(csv.length > 0 && csv.every((r) => r.station === key && r.parameter === parameter), `${key}: its CSV`);
        }
        await audit(page, 'the station panel comparing four stations');
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/station-compare.png` });

        // A fifth station cannot join: feature info says why (the same link, centred on Ostfriesland).
        const state = new URL(page.url()).searchParams;
        const [x, y] = positionOf('DENI029');
        state.set('x', String(x));
        state.set('y', String(y));
        await page.goto(`${BASE}/karte?${state}`);
        await waitReady(page);
        await chartLines(page, 4);
        await settledMap(s, page);
        await clickMapCentre(page);
        const offer = page.locator('#feature-info button.station-open');
        await offer.waitFor({ state: 'visible' });
        assert.equal(await offer.getAttribute('data-action'), 'open', 'a fifth station starts a new comparison');
        assert.ok((await page.locator('#feature-info .station-action').textContent()).includes('Höchstens vier'));

        // Removing one by keyboard: focus stays in the list.
        const remove = page.locator('#station-panel .station-list li[data-station="DENI054"] button.station-remove');
        await remove.focus();
        await page.keyboard.press('Enter');
        await chartLines(page, 3);
        assert.deepEqual(await shownStations(page), ['DENI052', 'DENI042', 'DENI011']);
        assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('station-remove')), true, 'focus on the next remove button');
        assert.deepEqual(new URL(page.url()).searchParams.getAll('station'), ['DENI052', 'DENI042', 'DENI011'].map((k) => `${LAYER}/${k}`));
        s.check();
    } finally {
        await s.close();
    }
});

test('a link with an unknown station opens only the stations there are', async () => {
    const s = await openSession(browser);
    const page = await s.context.newPage();
    try {
        await page.goto(viewerUrl('/karte', 'DENI052', `&station=${LAYER}/NOPE&station=${LAYER}/DENI052&station=gemeinden/DENI054`));
        await waitReady(page);
        await chartLines(page, 1);
        assert.deepEqual(await shownStations(page), ['DENI052']);
        await until(async () => new URL(page.url()).searchParams.getAll('station').join() === `${LAYER}/DENI052`, 'the URL without the unknown station');
        assert.ok((await page.locator('#status').textContent()).includes('NOPE'), 'the unknown station is named');

        await page.goto(viewerUrl('/karte', 'DENI052', `&station=${LAYER}/NOPE`));
        await waitReady(page);
        await until(async () => !new URL(page.url()).searchParams.has('station'), 'the URL without any station');
        assert.ok(await page.locator('#station-panel').isHidden(), 'no panel for no station');
        s.check({ expectedConsole: [/404/] });
    } finally {
        await s.close();
    }
});

test('the embed opens the station panel from its link, and its full-map link keeps it', async () => {
    const s = await openSession(browser, { viewport: { width: 960, height: 640 } });
    const page = await s.context.newPage();
    try {
        await page.goto(viewerUrl('/embed', 'DENI052', `&station=${LAYER}/DENI052&station=${LAYER}/DENI054`));
        await waitReady(page);
        const lines = await chartLines(page, 2);
        assert.equal(lines.length, 2);
        const full = await page.locator('a.open-full').getAttribute('href');
        assert.deepEqual(new URL(full, BASE).searchParams.getAll('station'), [`${LAYER}/DENI052`, `${LAYER}/DENI054`]);
        await audit(page, 'the station panel in the embed');
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/station-embed.png` });
        s.check();
    } finally {
        await s.close();
    }
});

test('the station panel fits a 375-pixel phone, below the map', async () => {
    const s = await openSession(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await s.context.newPage();
    try {
        await page.goto(viewerUrl('/karte', 'DENI052', `&station=${LAYER}/DENI052&station=${LAYER}/DENI054`));
        await waitReady(page);
        await chartLines(page, 2);
        const map = await page.locator('#map').boundingBox();
        const panel = await page.locator('#station-panel').boundingBox();
        assert.ok(map.height >= 150, `the map keeps room for clicks: ${map.height}`);
        assert.ok(panel.y >= map.y + map.height - 1, `the panel lies below the map: ${JSON.stringify({ map, panel })}`);
        for (const selector of ['#station-panel svg.series-chart', '#station-parameter', '#station-from', '#station-to', '#station-add']) {
            const box = await page.locator(selector).boundingBox();
            assert.ok(box && box.x >= 0 && box.x + box.width <= 375.5, `${selector} stays on the screen: ${JSON.stringify(box)}`);
        }
        assert.ok((await page.locator('#station-panel svg.series-chart').boundingBox()).width >= 300, 'the chart is wide enough to read');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(overflow <= 375, `no sideways scrolling: ${overflow}`);
        await audit(page, 'the station panel on a phone');
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/station-phone.png` });
        s.check();
    } finally {
        await s.close();
    }
});
