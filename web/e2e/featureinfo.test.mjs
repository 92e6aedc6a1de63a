// A click on the map shows what is there: a municipality's name, an air
// quality station's name, type and latest values, and the station's
// series as charts against their limits, with tables and downloads.
// NUMIS_SCREENSHOTS=DIR keeps screenshots of the charts.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
    BASE,
    apiLayers,
    audit,
    featureInfoAt,
    getJson,
    launchBrowser,
    openSession,
    settledMap,
    toUtm32,
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

/** Clicks the centre of #map, which is the view's centre (x, y of the URL). */
async function clickMapCentre(page) {
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

const text = async (page) => ((await page.locator('#feature-info').innerText()) ?? '').replace(/[ \t]+/g, ' ');

/**
 * Whether `haystack` names `name` on its own: occurrences inside longer
 * strings that the same query returned (e.g. "Region Hannover" for
 * "Hannover") do not count.
 */
function namesOnItsOwn(haystack, name, longer) {
    let rest = haystack;
    for (const l of longer.filter((s) => s !== name && s.includes(name)).sort((a, b) => b.length - a.length)) {
        rest = rest.split(l).join(' ');
    }
    return rest.includes(name);
}

/** Whether `text` has the number `value` as plain or German-formatted number. */
function showsNumber(text, value) {
    const forms = new Set([
        String(value),
        value.toFixed(1),
        value.toLocaleString('de-DE'),
        value.toLocaleString('de-DE', { minimumFractionDigits: 1 }),
    ]);
    const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return [...forms].some((f) => new RegExp(`(?<![\\d.,])${escape(f)}(?![\\d]|[.,]\\d)`).test(text));
}

test('a click on a municipality shows its name in #feature-info', async () => {
    const [x, y, scale] = [550000, 5802000, 25000];
    const api = await apiLayers();
    // The server's own answer at that point says which name to expect.
    const gfi = await featureInfoAt('gemeinden', x, y, scale);
    const municipality = gfi.features.find((f) => f.layer === 'gemeinden');
    assert.ok(municipality, 'GetFeatureInfo finds a municipality at the centre of Hannover');
    const name = municipality.properties.name;
    assert.equal(name, 'Hannover');
    // Everything the base map says at that point, to tell "Hannover" from
    // "Region Hannover".
    const all = await featureInfoAt(api.basemaps[0]?.layers ?? 'gemeinden', x, y, scale);
    const values = all.features.flatMap((f) => Object.values(f.properties).map(String));

    // Municipalities as an overlay if the viewer offers them as one; else
    // they are part of the base map, which the viewer queries as well.
    const layers = api.layers.gemeinden ? '&layers=gemeinden' : '';
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte?x=${x}&y=${y}&scale=${scale}${layers}`);
        await waitReady(page);
        await settledMap(s, page);
        await clickMapCentre(page);
        await page.locator('#feature-info').waitFor({ state: 'visible' });
        const shown = await until(async () => {
            const t = await text(page);
            return namesOnItsOwn(t, name, values) ? t : null;
        }, `#feature-info to name "${name}"`).catch(async (e) => {
            throw new Error(`${e.message}; it shows: ${JSON.stringify(await text(page))}`);
        });
        await audit(page, 'feature info');
        // The properties are shown with their labels from /api/layers.
        const fields = api.layers.gemeinden?.fields;
        if (fields) {
            const label = fields.find((f) => f.field === 'name')?.label;
            assert.ok(shown.includes(label), `#feature-info labels the name "${label}": ${JSON.stringify(shown)}`);
        }
        s.check();
    } finally {
        await s.close();
    }
});

test('a click on an air quality station shows its name, type and latest values', async () => {
    const api = await apiLayers();
    const layer = api.layers.luftmessstationen;
    assert.ok(layer, '/api/layers has luftmessstationen');
    assert.equal(layer.measurements, true, 'luftmessstationen has measurements');
    assert.equal(layer.queryable, true, 'luftmessstationen is queryable');

    // Allertal (DENI052): a rural station with no other station near it.
    const stations = JSON.parse(await readFile(new URL('../../data/ni_luft_messstationen_uba.geojson', import.meta.url), 'utf8'));
    const station = stations.features.find((f) => f.properties.station_id === 'DENI052');
    const [x, y] = toUtm32(...station.geometry.coordinates).map((v) => Math.round(v));
    const gfi = await featureInfoAt('luftmessstationen', x, y, 25000);
    assert.equal(gfi.features.length, 1, 'GetFeatureInfo finds exactly the station at its position');
    const props = gfi.features[0].properties;
    assert.equal(props.name, 'Allertal');

    const latest = await getJson(`/api/measurements/luftmessstationen/${props.station_id}?lang=de`);
    assert.equal(latest.key, props.station_id);
    assert.ok(latest.values.length >= 1, 'the station has values');

    const { s, page } = await openStation();
    try {
        // Values arrive in a second request; wait for the last label.
        const lastLabel = latest.values.at(-1).label;
        const shown = await until(async () => {
            const t = await text(page);
            return t.includes(props.name) && t.includes(lastLabel) ? t : null;
        }, `#feature-info to show "${props.name}" and "${lastLabel}"`).catch(async (e) => {
            throw new Error(`${e.message}; it shows: ${JSON.stringify(await text(page))}`);
        });

        // Type: the property as GetFeatureInfo gives it, under its label.
        const typeLabel = layer.fields.find((f) => f.field === 'station_type')?.label;
        assert.ok(typeLabel, 'station_type has a label in /api/layers');
        assert.ok(shown.includes(typeLabel), `#feature-info shows the label "${typeLabel}": ${JSON.stringify(shown)}`);
        const typeNames = {
            background: ['background', 'Hintergrund'],
            traffic: ['traffic', 'Verkehr'],
            industrial: ['industrial', 'Industrie'],
        }[props.station_type] ?? [props.station_type];
        assert.ok(typeNames.some((t) => shown.includes(t)),
            `#feature-info shows the station type (${typeNames.join(' or ')}): ${JSON.stringify(shown)}`);

        // Latest values: each parameter's label, followed closely by its
        // value (German or plain number formatting).
        for (const v of latest.values) {
            const at = shown.indexOf(v.label);
            assert.ok(at >= 0, `#feature-info shows "${v.label}": ${JSON.stringify(shown)}`);
            const near = shown.slice(at + v.label.length, at + v.label.length + 80);
            assert.ok(showsNumber(near, v.value), `#feature-info shows ${v.label} = ${v.value} after its label: ${JSON.stringify(near)}`);
        }
        s.check();
    } finally {
        await s.close();
    }
});

/** A number as the viewer shows it (German or English formatting). */
function readNumber(text) {
    const t = text.trim();
    return t.includes(',') ? Number(t.replace(/\./g, '').replace(',', '.')) : Number(t.replace(/,/g, ''));
}

/** Opens the feature info of station DENI052 (Allertal) in a fresh session. */
async function openStation(options = {}) {
    const stations = JSON.parse(await readFile(new URL('../../data/ni_luft_messstationen_uba.geojson', import.meta.url), 'utf8'));
    const station = stations.features.find((f) => f.properties.station_id === 'DENI052');
    const [x, y] = toUtm32(...station.geometry.coordinates).map((v) => Math.round(v));
    const s = await openSession(browser, options);
    const page = await s.context.newPage();
    await page.goto(`${BASE}/karte?x=${x}&y=${y}&scale=25000&layers=luftmessstationen`);
    await waitReady(page);
    await settledMap(s, page);
    await clickMapCentre(page);
    await page.locator('#feature-info').waitFor({ state: 'visible' });
    return { s, page };
}

test("a station's charts plot every value of its series against the limit, with table and downloads", async () => {
    const api = await getJson('/api/series/luftmessstationen/DENI052?lang=de');
    const series = api.series.filter((p) => p.points.length > 0);
    assert.ok(series.length >= 2, 'Allertal has several parameters');
    const { s, page } = await openStation();
    try {
        const figures = page.locator('#feature-info .station-series figure.series');
        await until(async () => (await figures.count()) === series.length,
            `${series.length} charts in #feature-info`);
        for (const [index, expected] of series.entries()) {
            const figure = figures.nth(index);
            assert.equal(await figure.getAttribute('data-parameter'), expected.parameter);
            const chart = figure.locator('svg.series-chart');
            assert.equal(await chart.getAttribute('role'), 'img');
            const name = await chart.getAttribute('aria-label');
            assert.ok(name.includes(expected.label) && name.includes(expected.unit), `the chart names what it shows: ${name}`);
            // One dot per value, in date order, higher values higher up.
            const dots = await chart.locator('circle.chart-dot').evaluateAll(
                (cs) => cs.map((c) => ({ cx: Number(c.getAttribute('cx')), cy: Number(c.getAttribute('cy')) })));
            assert.equal(dots.length, expected.points.length, `${expected.parameter}: a dot per value`);
            for (let i = 1; i < dots.length; i++) {
                assert.ok(dots[i].cx > dots[i - 1].cx, `${expected.parameter}: dates run left to right`);
                const [a, b] = [expected.points[i - 1].value, expected.points[i].value];
                if (a !== b) assert.equal(dots[i].cy < dots[i - 1].cy, b > a, `${expected.parameter}: ${b} against ${a} is drawn ${b > a ? 'higher' : 'lower'}`);
            }
            // The limit line: values over it are drawn above it.
            if (expected.limit) {
                const limitY = Number(await chart.locator('line.chart-limit').getAttribute('y1'));
                const label = await chart.locator('text.chart-limit-label').textContent();
                assert.equal(label, expected.limit.label);
                for (const [i, p] of expected.points.entries()) {
                    if (p.value !== expected.limit.value) {
                        assert.equal(dots[i].cy < limitY, p.value > expected.limit.value,
                            `${expected.parameter} ${p.date}: ${p.value} against the limit ${expected.limit.value}`);
                    }
                }
            }
            // The table, opened by keyboard, has every value.
            const summary = figure.locator('summary');
            await summary.focus();
            await page.keyboard.press('Enter');
            const rows = await figure.locator('table.series-table tbody tr').evaluateAll(
                (trs) => trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent]));
            assert.deepEqual(rows.map(([year]) => year), expected.points.map((p) => p.date.slice(0, 4)));
            assert.deepEqual(rows.map(([, value]) => readNumber(value)), expected.points.map((p) => p.value));
        }
        await audit(page, 'feature info with the station charts and tables open');
        if (process.env.NUMIS_SCREENSHOTS) {
            await page.locator('#feature-info .station-series').screenshot({ path: `${process.env.NUMIS_SCREENSHOTS}/station-charts.png` });
        }

        // Downloads: the CSV has every value, each row with source and licence.
        const csvHref = await page.locator('#feature-info a.series-download[data-format="csv"]').getAttribute('href');
        const csv = await (await fetch(new URL(csvHref, BASE))).text();
        const lines = csv.trim().split('\n');
        assert.equal(lines[0], 'station,parameter,unit,date,value,source,licence');
        assert.equal(lines.length - 1, api.series.reduce((n, p) => n + p.points.length, 0));
        assert.ok(lines.slice(1).every((l) => l.includes('Umweltbundesamt')), 'every row carries the source');
        const jsonHref = await page.locator('#feature-info a.series-download[data-format="json"]').getAttribute('href');
        assert.deepEqual((await (await fetch(new URL(jsonHref, BASE))).json()).series, api.series);
        const source = await page.locator('#feature-info .series-source').textContent();
        assert.ok(source.includes(api.source), `the source note is shown: ${source}`);
        s.check();
    } finally {
        await s.close();
    }
});

test("a station's charts fit a 375-pixel phone", async () => {
    const { s, page } = await openStation({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    try {
        const chart = page.locator('#feature-info svg.series-chart').first();
        await chart.waitFor({ state: 'visible' });
        await chart.scrollIntoViewIfNeeded();
        const box = await chart.boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= 375, `the chart stays on the screen: ${JSON.stringify(box)}`);
        assert.ok(box.width >= 200, `the chart is wide enough to read: ${box.width}`);
        await audit(page, 'feature info with the station charts on a phone');
        if (process.env.NUMIS_SCREENSHOTS) {
            await page.screenshot({ path: `${process.env.NUMIS_SCREENSHOTS}/station-charts-phone.png`, fullPage: false });
        }
        s.check();
    } finally {
        await s.close();
    }
});
