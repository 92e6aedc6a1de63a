// Hostile URL parameters change nothing: nothing of them runs or becomes an
// element, and the viewer shows its defaults as if they were not there.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
    BASE,
    assertNotBlank,
    diffFraction,
    imageStats,
    launchBrowser,
    mapImage,
    openSession,
    settledMap,
    uiState,
    urlState,
    waitReady,
} from './helpers.mjs';

const PARAMS = ['lang', 'x', 'y', 'scale', 'layers', 'base', 'marker', 'tree', 'wheel', 'drawing', 'unknown', '__proto__'];

const PAYLOADS = [
    '"><script>window.__pwned=1</script>',
    "'><img src=x onerror=\"window.__pwned=1\">",
    'javascript:alert(1)',
    '</style><style>body{display:none}</style>',
    '1e309',
    'NaN',
    '-1',
    // Very long: 4,200 characters of markup.
    '<svg onload=alert(1)>'.repeat(200),
];

const FRAGMENTS = [
    '"><img src=x onerror=window.__pwned=1>',
    'x=1&y=2&layers=<script>window.__pwned=1</script>',
    'javascript:alert(1)',
];

// Values that are valid by the contract and so may move the view: a centre
// far outside Lower Saxony is still a centre.
const validValue = (param, value) => ['x', 'y'].includes(param) && value === '-1';

const PAGES = ['/karte', '/embed'];
const WORKERS = 2;
// Small pages load faster; the layout is the same code at any size.
const VIEWPORT = { width: 640, height: 480 };

let browser;
let defaultsOnce;
before(async () => {
    browser = await launchBrowser();
});

/** What each page shows without parameters: the reference (computed once). */
function defaults() {
    defaultsOnce ??= (async () => {
        const out = {};
        const s = await openSession(browser, { viewport: VIEWPORT });
        try {
            for (const path of PAGES) {
                const page = await s.context.newPage();
                await page.goto(BASE + path);
                await waitReady(page);
                const img = await settledMap(s, page);
                assertNotBlank(img, `${path} without parameters`, { minColours: 16 });
                out[path] = { ui: await uiState(page), dom: await domSignature(page), img, url: urlState(page.url()) };
                await page.close();
            }
            s.check();
        } finally {
            await s.close();
        }
        return out;
    })();
    return defaultsOnce;
}
after(async () => {
    await browser?.close();
});

/**
 * The elements that could carry injected code or styles, and every
 * inline event handler attribute, as comparable strings.
 */
function domSignature(page) {
    return page.evaluate(() => {
        const active = [...document.querySelectorAll('script, style, link, meta, base, iframe, frame, object, embed')].map(
            (el) => `${el.tagName.toLowerCase()}[${[...el.attributes].map((a) => `${a.name}=${a.value}`).sort().join(' ')}]`,
        );
        const handlers = [];
        for (const el of document.querySelectorAll('*')) {
            for (const a of el.attributes) {
                if (/^on/i.test(a.name)) handlers.push(`${el.tagName.toLowerCase()}[${a.name}]`);
                if (/^\s*javascript:/i.test(a.value)) handlers.push(`${el.tagName.toLowerCase()}[${a.name}=${a.value.slice(0, 40)}]`);
            }
        }
        return { active: active.sort(), handlers };
    });
}

/** Loads `url` in a fresh page of `s` and returns what is wrong with it (empty if nothing). */
async function probe(s, path, url, { sameView }) {
    const problems = [];
    const page = await s.context.newPage();
    try {
        const res = await page.goto(url);
        if (res.status() !== 200) problems.push(`status ${res.status()}`);
        await waitReady(page);
        const pwned = await page.evaluate(() => typeof window.__pwned);
        if (pwned !== 'undefined') problems.push('window.__pwned is set');
        const body = await page.evaluate(() => ({
            display: getComputedStyle(document.body).display,
            visibility: getComputedStyle(document.body).visibility,
        }));
        if (body.display === 'none' || body.visibility === 'hidden') problems.push(`body is hidden (${JSON.stringify(body)})`);
        const dom = await domSignature(page);
        const ref = (await defaults())[path];
        if (JSON.stringify(dom) !== JSON.stringify(ref.dom)) {
            const extra = dom.active.filter((e) => !ref.dom.active.includes(e));
            problems.push(`elements differ from the default page: extra ${JSON.stringify(extra)}, handlers ${JSON.stringify(dom.handlers)}`);
        }
        const ui = await uiState(page);
        for (const key of Object.keys(ref.ui)) {
            if (JSON.stringify(ui[key]) !== JSON.stringify(ref.ui[key])) {
                problems.push(`${key} is ${JSON.stringify(ui[key])}, default ${JSON.stringify(ref.ui[key])}`);
            }
        }
        // Ready means the first frame is complete (all tiles loaded and
        // faded in), so one look usually suffices; if it differs, look
        // again once the map is still.
        let img = await mapImage(page);
        if (sameView && diffFraction(img, ref.img) > 0.005) img = await settledMap(s, page);
        const stats = imageStats(img);
        if (stats.distinct < 16 || stats.opaque < 0.9) {
            problems.push(`the map is blank (${stats.distinct} colours, ${(stats.opaque * 100).toFixed(0)} % drawn)`);
        }
        if (sameView) {
            const d = diffFraction(img, ref.img);
            if (d > 0.005) problems.push(`the map differs from the default view in ${(d * 100).toFixed(2)} % of its pixels`);
            const u = urlState(page.url());
            for (const key of ['x', 'y', 'scale', 'layers', 'base', 'marker']) {
                if (u[key] !== ref.url[key]) problems.push(`the URL's ${key} is ${u[key]}, default ${ref.url[key]}`);
            }
        }
    } catch (e) {
        problems.push(String(e.message ?? e).split('\n')[0]);
    } finally {
        await page.close();
    }
    return problems;
}

/** Runs all probes with a few browser contexts in parallel; asserts none found anything. */
async function runProbes(cases) {
    await defaults();
    const sessions = await Promise.all(Array.from({ length: WORKERS }, () => openSession(browser, { viewport: VIEWPORT })));
    const failures = [];
    try {
        let next = 0;
        await Promise.all(
            sessions.map(async (s) => {
                while (next < cases.length) {
                    const c = cases[next++];
                    const problems = await probe(s, c.path, c.url, c);
                    if (problems.length) failures.push(`${c.label}: ${problems.join('; ')}`);
                }
            }),
        );
        assert.deepEqual(failures, [], `${failures.length} of ${cases.length} hostile URLs changed something`);
        for (const s of sessions) s.check();
    } finally {
        await Promise.all(sessions.map((s) => s.close()));
    }
}

const short = (v) => (v.length > 40 ? `${v.slice(0, 30)}…(${v.length} chars)` : v);

// Each parameter alone with every payload on /karte (the viewer's one URL
// parser serves both pages), the embed-only ones on /embed as well; then
// every parameter at once with every payload on both pages, which covers
// the HTML shell of each page against every parameter.
const EMBED_ONLY = ['tree', 'wheel'];

describe('hostile parameters change nothing', () => {
    for (const param of PARAMS) {
        test(`parameter ${param}`, async () => {
            const cases = [];
            for (const path of EMBED_ONLY.includes(param) ? PAGES : ['/karte']) {
                for (const value of PAYLOADS) {
                    const q = new URLSearchParams([[param, value]]);
                    cases.push({
                        path,
                        url: `${BASE}${path}?${q}`,
                        label: `${path}?${param}=${short(value)}`,
                        sameView: !validValue(param, value),
                    });
                }
            }
            await runProbes(cases);
        });
    }

    test('all parameters at once, on /karte and /embed', async () => {
        const cases = [];
        for (const path of PAGES) {
            // The long payload in every parameter would make a URL of some
            // 100 kB, which a server rightly refuses (414); it is tested
            // with each parameter alone above.
            for (const value of PAYLOADS.filter((v) => v.length < 1000)) {
                const q = new URLSearchParams(PARAMS.map((p) => [p, value]));
                cases.push({
                    path,
                    url: `${BASE}${path}?${q}`,
                    label: `${path}?(every parameter)=${short(value)}`,
                    sameView: !validValue('x', value),
                });
            }
        }
        await runProbes(cases);
    });

    test('fragment', async () => {
        const cases = [];
        for (const path of PAGES) {
            for (const fragment of FRAGMENTS) {
                cases.push({ path, url: `${BASE}${path}#${fragment}`, label: `${path}#${short(fragment)}`, sameView: true });
            }
        }
        await runProbes(cases);
    });
});
