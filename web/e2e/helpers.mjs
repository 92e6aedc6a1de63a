// Shared helpers of the end-to-end tests: the server under test, the
// browser, collectors of everything a page must not do (console errors,
// uncaught exceptions, CSP violations, dialogs, requests to other origins,
// cookies, serious or critical accessibility violations found by axe-core)
// and pixel access to the map.
//
// scripts/e2e.sh starts numis and sets NUMIS_URL (e.g. http://127.0.0.1:41234).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

if (!process.env.NUMIS_URL) {
    throw new Error('NUMIS_URL is not set; run the tests with scripts/e2e.sh');
}
/** The origin of the server under test, without a trailing slash. */
export const BASE = new URL(process.env.NUMIS_URL).origin;

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Long enough for a debug build rendering its first tiles. */
export const READY_TIMEOUT = 30_000;

export function launchBrowser() {
    return chromium.launch({
        executablePath: CHROMIUM,
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
    });
}

export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** GET a JSON document from the server under test. */
export async function getJson(path) {
    const res = await fetch(BASE + path);
    assert.equal(res.status, 200, `GET ${path}: status`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `GET ${path}: content type`);
    return res.json();
}

let layersCache;
/** `/api/layers?lang=de`, fetched once per test file. */
export async function apiLayers() {
    layersCache ??= getJson('/api/layers?lang=de');
    return layersCache;
}

/**
 * A fresh browser context with collectors. Everything observed in any page
 * or frame of the context is recorded; `check()` asserts that nothing
 * forbidden happened.
 *
 * options.allowedOrigins: origins besides BASE that requests may go to.
 * options.viewport, options.isMobile, options.hasTouch: passed on.
 */
export async function openSession(browser, options = {}) {
    const allowed = new Set([BASE, ...(options.allowedOrigins ?? [])]);
    const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 800 },
        isMobile: options.isMobile ?? false,
        hasTouch: options.hasTouch ?? false,
        locale: 'de-DE',
        serviceWorkers: 'block',
    });
    context.setDefaultTimeout(20_000);
    const log = {
        consoleErrors: [],
        pageErrors: [],
        dialogs: [],
        foreignRequests: [],
        requests: [],
        cookies: [],
        accessibility: [],
    };
    let inflight = 0;
    let lastActivity = Date.now();

    // CSP violations are logged by Chromium as console errors as well; this
    // makes sure they are seen even if the log entry is not reported.
    await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
            console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
        });
    });
    context.on('console', (msg) => {
        if (msg.type() === 'error') {
            const loc = msg.location();
            log.consoleErrors.push(`${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
        }
    });
    context.on('weberror', (err) => log.pageErrors.push(String(err.error()?.stack ?? err.error())));
    context.on('dialog', (dialog) => {
        log.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        dialog.dismiss().catch(() => {});
    });
    context.on('request', (req) => {
        inflight++;
        lastActivity = Date.now();
        const url = req.url();
        log.requests.push(url);
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        let origin;
        try {
            origin = new URL(url).origin;
        } catch {
            origin = url;
        }
        if (!allowed.has(origin)) log.foreignRequests.push(url);
    });
    const done = () => {
        inflight = Math.max(0, inflight - 1);
        lastActivity = Date.now();
    };
    context.on('requestfinished', done);
    context.on('requestfailed', done);
    context.on('response', async (res) => {
        try {
            const cookie = await res.headerValue('set-cookie');
            if (cookie !== null) log.cookies.push(`${res.url()}: ${cookie}`);
        } catch {
            // The page went away before the headers could be read.
        }
    });

    const session = {
        context,
        log,
        /** Resolves once no request has been in flight for `quietMs`. */
        async networkIdle(quietMs = 400, timeout = 20_000) {
            const deadline = Date.now() + timeout;
            while (Date.now() < deadline) {
                if (inflight === 0 && Date.now() - lastActivity >= quietMs) return;
                await sleep(50);
            }
            throw new Error(`network not idle after ${timeout} ms (${inflight} requests in flight)`);
        },
        /**
         * Asserts that nothing forbidden happened in this session.
         * `expectedConsole`: regular expressions of console errors a test
         * provokes on purpose (each must then match at least one).
         */
        check({ expectedConsole = [] } = {}) {
            const unexpected = log.consoleErrors.filter((m) => !expectedConsole.some((re) => re.test(m)));
            assert.deepEqual(unexpected, [], 'console errors or CSP violations');
            assert.deepEqual(log.pageErrors, [], 'uncaught exceptions in the page');
            assert.deepEqual(log.dialogs, [], 'dialogs opened');
            assert.deepEqual(log.foreignRequests, [], 'requests to another origin');
            assert.deepEqual(log.cookies, [], 'Set-Cookie in responses');
            assert.deepEqual(log.accessibility, [], 'serious or critical accessibility violations (axe-core)');
        },
        /**
         * Runs axe-core in a page or frame (and its frames) and records what
         * it finds; `check()` then fails on any serious or critical
         * violation. Returns all violations, for tests that look closer.
         */
        async audit(pageOrFrame, what) {
            const violations = await axeViolations(pageOrFrame);
            log.accessibility.push(...violations.filter(blocking).map((v) => `${what}: ${describeViolation(v)}`));
            return violations;
        },
        close: () => context.close(),
    };
    sessions.set(context, session);
    return session;
}

/** The session of each context, so that helpers given a page can audit it. */
const sessions = new WeakMap();

/** The session a page or frame belongs to, if openSession made its context. */
function sessionOf(pageOrFrame) {
    const page = typeof pageOrFrame.page === 'function' ? pageOrFrame.page() : pageOrFrame;
    return sessions.get(page.context());
}

/**
 * Waits until the viewer says it is ready (layer list loaded, first frame
 * rendered), then audits it with axe-core (see `session.audit`), so every
 * viewer any test opens is checked for accessibility.
 */
export async function waitReady(pageOrFrame, timeout = READY_TIMEOUT) {
    await pageOrFrame.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout });
    const session = sessionOf(pageOrFrame);
    if (session) await session.audit(pageOrFrame, `viewer ${pageOrFrame.url()}`);
}

/**
 * Audits what a test has just opened (a dialog, a panel, a content page)
 * with axe-core, recorded in its session like `session.audit`.
 */
export async function audit(pageOrFrame, what) {
    const session = sessionOf(pageOrFrame);
    assert.ok(session, 'audit(): the page belongs to a session of openSession');
    return session.audit(pageOrFrame, what);
}

// ------------------------------------------------------------------ accessibility

/** The rules axe-core runs: WCAG 2.1 A and AA (BITV 2.0) and its best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Violations that fail a test: those axe-core rates serious or critical. */
export function blocking(violation) {
    return violation.impact === 'serious' || violation.impact === 'critical';
}

/** One line per violation: rule, impact and the elements it found. */
export function describeViolation(v) {
    const nodes = v.nodes.slice(0, 4).join(' | ');
    const more = v.nodes.length > 4 ? ` (+${v.nodes.length - 4} more)` : '';
    return `${v.id} [${v.impact}] ${v.help}: ${nodes}${more}`;
}

/**
 * Injects axe-core into a page or frame and all frames inside it, runs it
 * with AXE_TAGS and returns the violations as
 * { id, impact, help, nodes: [selector] }.
 *
 * The script is evaluated through the DevTools protocol, which the pages'
 * Content-Security-Policy (no inline script) does not apply to, so the
 * pages are audited with the policy they really have.
 */
export async function axeViolations(pageOrFrame) {
    const root = typeof pageOrFrame.mainFrame === 'function' ? pageOrFrame.mainFrame() : pageOrFrame;
    const frames = [];
    const collect = (frame) => {
        frames.push(frame);
        frame.childFrames().forEach(collect);
    };
    collect(root);
    // Frames first, so the top frame's axe finds axe in each of them.
    for (const frame of frames.reverse()) {
        if (frame.isDetached()) continue;
        await frame.evaluate(`window.axe || (() => { ${AXE_SOURCE}\n})()`).catch(() => {});
    }
    return root.evaluate(async (tags) => {
        const result = await window.axe.run(document, {
            runOnly: { type: 'tag', values: tags },
            resultTypes: ['violations'],
            frameWaitTime: 5000,
        });
        return result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(' ') : t)).join(' >>> ')),
        }));
    }, AXE_TAGS);
}

// ------------------------------------------------------------------ pixels

/**
 * The map as the user sees it, without controls: the canvases inside #map
 * composited in document order (with their CSS opacity) onto one canvas of
 * the size of #map. Returns { width, height, data } with RGBA bytes.
 */
export async function mapImage(pageOrFrame) {
    const dataUrl = await pageOrFrame.evaluate(() => {
        const map = document.querySelector('#map');
        if (!map) return null;
        const box = map.getBoundingClientRect();
        const out = document.createElement('canvas');
        out.width = Math.max(1, Math.round(box.width));
        out.height = Math.max(1, Math.round(box.height));
        const ctx = out.getContext('2d');
        for (const canvas of map.querySelectorAll('canvas')) {
            if (!canvas.width || !canvas.height) continue;
            const style = getComputedStyle(canvas);
            if (style.display === 'none' || style.visibility === 'hidden') continue;
            const r = canvas.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            let opacity = 1;
            let hidden = false;
            for (let el = canvas; el && el !== map.parentElement; el = el.parentElement) {
                const s = getComputedStyle(el);
                opacity *= Number.parseFloat(s.opacity);
                if (s.display === 'none') hidden = true;
            }
            if (hidden || opacity === 0) continue;
            ctx.globalAlpha = opacity;
            ctx.drawImage(canvas, r.left - box.left, r.top - box.top, r.width, r.height);
        }
        return out.toDataURL('image/png');
    });
    assert.ok(dataUrl, 'the page has a #map');
    return decodePng(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
}

/**
 * Waits until the map stopped changing: no request in flight, and two
 * composites 300 ms apart are equal. Returns the last composite.
 */
export async function settledMap(session, pageOrFrame, timeout = 30_000) {
    const deadline = Date.now() + timeout;
    let previous = null;
    while (Date.now() < deadline) {
        await session.networkIdle(300, Math.max(1000, deadline - Date.now()));
        const img = await mapImage(pageOrFrame);
        if (previous && diffFraction(previous, img) === 0) return img;
        previous = img;
        await sleep(300);
    }
    throw new Error(`the map did not settle within ${timeout} ms`);
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes). */
export function decodePng(buf) {
    assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
    let pos = 8;
    let width = 0;
    let height = 0;
    let channels = 0;
    const idat = [];
    while (pos < buf.length) {
        const len = buf.readUInt32BE(pos);
        const type = buf.toString('latin1', pos + 4, pos + 8);
        const body = buf.subarray(pos + 8, pos + 8 + len);
        if (type === 'IHDR') {
            width = body.readUInt32BE(0);
            height = body.readUInt32BE(4);
            const depth = body[8];
            const colour = body[9];
            assert.equal(depth, 8, 'PNG bit depth');
            assert.equal(body[12], 0, 'PNG interlace');
            channels = { 2: 3, 6: 4 }[colour];
            assert.ok(channels, `PNG colour type ${colour}`);
        } else if (type === 'IDAT') {
            idat.push(body);
        } else if (type === 'IEND') {
            break;
        }
        pos += 12 + len;
    }
    const raw = inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const pixels = Buffer.alloc(stride * height);
    for (let y = 0; y < height; y++) {
        const filter = raw[y * (stride + 1)];
        const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        const out = y * stride;
        for (let i = 0; i < stride; i++) {
            const a = i >= channels ? pixels[out + i - channels] : 0;
            const b = y > 0 ? pixels[out - stride + i] : 0;
            const c = i >= channels && y > 0 ? pixels[out - stride + i - channels] : 0;
            let v = line[i];
            switch (filter) {
                case 0:
                    break;
                case 1:
                    v += a;
                    break;
                case 2:
                    v += b;
                    break;
                case 3:
                    v += (a + b) >> 1;
                    break;
                case 4: {
                    const p = a + b - c;
                    const pa = Math.abs(p - a);
                    const pb = Math.abs(p - b);
                    const pc = Math.abs(p - c);
                    v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    break;
                }
                default:
                    throw new Error(`PNG filter ${filter}`);
            }
            pixels[out + i] = v & 0xff;
        }
    }
    if (channels === 4) return { width, height, data: pixels };
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) {
        data[j] = pixels[i];
        data[j + 1] = pixels[i + 1];
        data[j + 2] = pixels[i + 2];
        data[j + 3] = 255;
    }
    return { width, height, data };
}

/**
 * Distinct colours, the share of the most frequent colour, and the share of
 * pixels that are not fully transparent.
 */
export function imageStats(img) {
    const counts = new Map();
    let opaque = 0;
    const n = img.width * img.height;
    for (let i = 0; i < n; i++) {
        const o = i * 4;
        const alpha = img.data[o + 3];
        if (alpha > 0) opaque++;
        const key = alpha === 0 ? 0 : (img.data.readUInt32BE(o) >>> 0) + 1;
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let top = 0;
    for (const c of counts.values()) top = Math.max(top, c);
    return { pixels: n, distinct: counts.size, dominant: top / n, opaque: opaque / n };
}

/** Asserts that a map composite shows a drawn map, not an empty canvas. */
export function assertNotBlank(img, what, { minColours = 32, maxDominant = 0.98, minOpaque = 0.9 } = {}) {
    const s = imageStats(img);
    const info = `${what}: ${img.width}×${img.height}, ${s.distinct} colours, dominant colour ${(s.dominant * 100).toFixed(1)} %, opaque ${(s.opaque * 100).toFixed(1)} %`;
    assert.ok(img.width >= 100 && img.height >= 100, `${info}: the map is too small`);
    assert.ok(s.opaque >= minOpaque, `${info}: too few drawn pixels`);
    assert.ok(s.distinct >= minColours, `${info}: too few colours`);
    assert.ok(s.dominant <= maxDominant, `${info}: almost one colour`);
    return s;
}

/** The share of pixels that differ (any channel by more than 8) between two composites. */
export function diffFraction(a, b) {
    if (a.width !== b.width || a.height !== b.height) return 1;
    let diff = 0;
    const n = a.width * a.height;
    for (let i = 0; i < n * 4; i += 4) {
        if (
            Math.abs(a.data[i] - b.data[i]) > 8 ||
            Math.abs(a.data[i + 1] - b.data[i + 1]) > 8 ||
            Math.abs(a.data[i + 2] - b.data[i + 2]) > 8 ||
            Math.abs(a.data[i + 3] - b.data[i + 3]) > 8
        ) {
            diff++;
        }
    }
    return diff / n;
}

/** Polls `fn` until it returns a truthy value; returns it or throws with the last value. */
export async function until(fn, what, timeout = 15_000, interval = 150) {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
        last = await fn();
        if (last) return last;
        await sleep(interval);
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
}

// ------------------------------------------------------------------ state

/** The map state from a viewer URL's query. */
export function urlState(href) {
    const u = new URL(href);
    const num = (k) => (u.searchParams.has(k) ? Number(u.searchParams.get(k)) : null);
    return {
        path: u.pathname,
        x: num('x'),
        y: num('y'),
        scale: num('scale'),
        layers: u.searchParams.get('layers'),
        base: u.searchParams.get('base'),
        marker: u.searchParams.get('marker'),
    };
}

/** Parses a `layers` value into { id: opacity } (opacity 100 when not given). */
export function parseLayers(value) {
    const out = {};
    for (const part of (value ?? '').split(',').filter(Boolean)) {
        const [id, op] = part.split(':');
        out[id] = op === undefined ? 100 : Number(op);
    }
    return out;
}

/**
 * What the viewer shows, read from its controls: the scale selector, the
 * base map chooser, the layer switches and opacity sliders, the page
 * language and whether the layer list is shown.
 */
export function uiState(pageOrFrame) {
    return pageOrFrame.evaluate(() => {
        const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
        const switches = {};
        for (const el of document.querySelectorAll('input[type=checkbox][data-layer]')) {
            switches[el.dataset.layer] = el.checked;
        }
        const opacity = {};
        for (const el of document.querySelectorAll('input[type=range][data-opacity]')) {
            opacity[el.dataset.opacity] = el.value;
        }
        return {
            lang: document.documentElement.lang,
            mode: document.body.dataset.mode,
            scale: document.querySelector('#scale')?.value ?? null,
            basemap: document.querySelector('#basemap')?.value ?? null,
            switches,
            opacity,
            treeVisible: visible(document.querySelector('#layer-tree')),
            attribution: document.querySelector('#attribution')?.textContent.replace(/\s+/g, ' ').trim() ?? null,
        };
    });
}

// ------------------------------------------------------------------ projection

/**
 * Geographic (GRS80/WGS84) longitude and latitude to UTM zone 32N
 * (EPSG:25832) with Krüger's series; better than a millimetre in the zone.
 */
export function toUtm32(lon, lat) {
    const a = 6378137;
    const f = 1 / 298.257222101;
    const k0 = 0.9996;
    const n = f / (2 - f);
    const A = (a / (1 + n)) * (1 + (n * n) / 4 + n ** 4 / 64);
    const alpha = [
        n / 2 - (2 / 3) * n ** 2 + (5 / 16) * n ** 3 + (41 / 180) * n ** 4,
        (13 / 48) * n ** 2 - (3 / 5) * n ** 3 + (557 / 1440) * n ** 4,
        (61 / 240) * n ** 3 - (103 / 140) * n ** 4,
        (49561 / 161280) * n ** 4,
    ];
    const e = Math.sqrt(f * (2 - f));
    const phi = (lat * Math.PI) / 180;
    const lam = ((lon - 9) * Math.PI) / 180;
    const t = Math.sinh(Math.atanh(Math.sin(phi)) - e * Math.atanh(e * Math.sin(phi)));
    const xi0 = Math.atan2(t, Math.cos(lam));
    const eta0 = Math.atanh(Math.sin(lam) / Math.sqrt(1 + t * t));
    let xi = xi0;
    let eta = eta0;
    for (let j = 1; j <= 4; j++) {
        xi += alpha[j - 1] * Math.sin(2 * j * xi0) * Math.cosh(2 * j * eta0);
        eta += alpha[j - 1] * Math.cos(2 * j * xi0) * Math.sinh(2 * j * eta0);
    }
    return [500000 + k0 * A * eta, k0 * A * xi];
}

/**
 * The server's own GetFeatureInfo answer at a point (EPSG:25832), with a
 * 101×101 pixel window of `scale` around it and the point in its centre.
 */
export async function featureInfoAt(layers, x, y, scale = 25000) {
    const half = (50.5 * scale * 0.00028);
    const q = new URLSearchParams({
        SERVICE: 'WMS',
        VERSION: '1.3.0',
        REQUEST: 'GetFeatureInfo',
        LAYERS: layers,
        QUERY_LAYERS: layers,
        STYLES: '',
        CRS: 'EPSG:25832',
        BBOX: [x - half, y - half, x + half, y + half].join(','),
        WIDTH: '101',
        HEIGHT: '101',
        I: '50',
        J: '50',
        INFO_FORMAT: 'application/json',
        FEATURE_COUNT: '10',
    });
    const res = await fetch(`${BASE}/ows?${q}`);
    assert.equal(res.status, 200, 'GetFeatureInfo status');
    return res.json();
}

/**
 * Whether an element can really be seen and hit: it has a box inside the
 * viewport, and what is at its centre is the element itself or inside it
 * (or its label, for a form control).
 */
export function onScreen(locator) {
    return locator.evaluate((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return false;
        if (r.right <= 0 || r.bottom <= 0 || r.left >= innerWidth || r.top >= innerHeight) return false;
        const x = Math.min(Math.max((r.left + r.right) / 2, 0), innerWidth - 1);
        const y = Math.min(Math.max((r.top + r.bottom) / 2, 0), innerHeight - 1);
        const hit = document.elementFromPoint(x, y);
        if (!hit) return false;
        if (el.contains(hit)) return true;
        return [...(el.labels ?? [])].some((label) => label.contains(hit));
    }).catch(() => false);
}
