// The operator console (/verwaltung) in the browser. This file starts a
// numis of its own, on the demo site plus two layers the demo lacks (one
// only the role "intern" sees, and one whose source is broken), with an
// operator and a citizen account made on the command line beforehand:
//
// - an operator logs in; a visitor in a second browser context makes a
//   known number of requests (pages, GetMap on two layers, a search, a
//   drawing created and exported); the dashboard and its CSV show exactly
//   those numbers;
// - the operator blocks and then deletes a reported drawing, and its
//   public link answers 410, then 404;
// - the operator grants the citizen the role that unlocks the restricted
//   layer, and the citizen's viewer lists it at once;
// - the broken layer is flagged in the layer monitor while the map still
//   draws;
// - the citizen without the role gets 403 on every console page and API;
// - every console page passes axe-core on a desktop and a phone.
//
// With NUMIS_SHOTS=<directory>, screenshots of every console page
// (1280×800 and 375×740) are written there.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, openSession, sleep, until } from './helpers.mjs';

const REPO = resolve(import.meta.dirname, '..', '..');
// scripts/e2e.sh names the binary it built (relative to the repository).
const NUMIS = process.env.NUMIS_BIN ? resolve(REPO, process.env.NUMIS_BIN) : join(REPO, 'target', 'debug', 'numis');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };

const operator = { pseudonym: 'E2E Olga Operator', password: `Moorbirke-${randomBytes(6).toString('hex')}` };
const citizen = { pseudonym: 'E2E Bürger Nord', password: `Heidekraut-${randomBytes(6).toString('hex')}` };

let browser;
let server;
let base;
let tmp;

// ------------------------------------------------------------------ the server of this file

/** The demo site, plus a restricted and a broken layer, in a temporary folder. */
function portalSite() {
    const portal = join(tmp, 'portal');
    cpSync(join(REPO, 'site'), join(portal, 'site'), { recursive: true });
    symlinkSync(join(REPO, 'data'), join(portal, 'data'));
    writeFileSync(join(portal, 'site', 'kaputt.geojson'), '{"type":"FeatureCollection","features":[{');
    appendFileSync(join(portal, 'site', 'map.toml'), `
# Added by web/e2e/console.test.mjs.
[[layer]]
id = "intern_kueste"
title = "Küstengewässer (intern)"
source = { type = "geojson", path = "../data/ni_kuestengewaesser.geojson" }
access = "intern"
licence = { id = "DL-DE-BY-2.0", url = "https://www.govdata.de/dl-de/by-2-0" }
attribution = "© GeoBasis-DE / BKG 2016"
[[layer.rule]]
name = "Küstengewässer"
fill = "#ff0000"

[[layer]]
id = "kaputt"
title = "Kaputte Quelle"
source = { type = "geojson", path = "kaputt.geojson" }
licence = { id = "CC-BY-4.0", url = "https://creativecommons.org/licenses/by/4.0/" }
[[layer.rule]]
fill = "#0000ff"
`);
    return join(portal, 'site');
}

function createAccount(data, { pseudonym, password }, roles) {
    const args = ['account', 'create', pseudonym, '--password-stdin', '--data-dir', data];
    for (const role of roles) args.push('--role', role);
    execFileSync(NUMIS, args, { input: `${password}\n`, env: cleanEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
}

/** The environment without any NUMIS_* variable of the caller's shell. */
function cleanEnv() {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NUMIS_')));
    return { ...env, RUST_LOG: 'info' };
}

async function startServer() {
    tmp = mkdtempSync(join(tmpdir(), 'numis-console-'));
    const site = portalSite();
    const data = join(tmp, 'data');
    mkdirSync(data);
    createAccount(data, operator, ['operator']);
    createAccount(data, citizen, []);
    server = spawn(NUMIS, ['serve', '--bind', '127.0.0.1:0', '--data-dir', data, '--site-dir', site], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stdout.on('data', (d) => { log += d; });
    server.stderr.on('data', (d) => { log += d; });
    await until(() => /numis listening on (http:\/\/[0-9.:]+)/.exec(log), 'the console server listening', 120_000);
    base = /numis listening on (http:\/\/[0-9.:]+)/.exec(log)[1];
    await until(async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok, 'healthy', 60_000);
}

before(async () => {
    await startServer();
    browser = await launchBrowser();
});
after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((done) => server.once('exit', done));
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers

function session(options = {}) {
    return openSession(browser, { allowedOrigins: [base], ...options });
}

/** Asserts what a console page must never do, except the session cookie it has on purpose. */
function checkClean(s, expectedConsole = []) {
    const unexpected = s.log.consoleErrors.filter((m) => !expectedConsole.some((re) => re.test(m)));
    assert.deepEqual(unexpected, [], 'console errors or CSP violations');
    assert.deepEqual(s.log.pageErrors, [], 'uncaught exceptions in the page');
    assert.deepEqual(s.log.dialogs, [], 'dialogs opened');
    assert.deepEqual(s.log.foreignRequests, [], 'requests to another origin');
    assert.deepEqual(s.log.accessibility, [], 'serious or critical accessibility violations (axe-core)');
}

/** Audits the page with axe-core on a desktop and a phone, with screenshots when NUMIS_SHOTS is set. */
async function auditPage(s, page, name) {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        await page.setViewportSize(viewport);
        await sleep(250);
        await s.audit(page, `${name} (${size})`);
        const dir = process.env.NUMIS_SHOTS;
        if (dir) {
            mkdirSync(dir, { recursive: true });
            await page.screenshot({ path: join(dir, `console-${name}-${size}.png`), fullPage: true });
        }
    }
    await page.setViewportSize(DESKTOP);
}

/** Logs `who` in on a fresh page of session `s`; answers the page. */
async function logIn(s, who) {
    const page = await s.context.newPage();
    await page.goto(`${base}/konto/anmelden`);
    await page.getByLabel('Pseudonym').fill(who.pseudonym);
    await page.getByLabel('Passwort', { exact: true }).fill(who.password);
    await Promise.all([
        page.waitForURL((url) => !url.pathname.endsWith('/anmelden')),
        page.locator('form.account-form button[type=submit]').first().click(),
    ]);
    return page;
}

/** The rows of a table on the page (`#tabelle-<id>`), as arrays of cell texts. */
async function tableRows(page, id) {
    return page.locator(`#tabelle-${id} tbody tr`).evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent.trim())));
}

/** A CSV download of the dashboard, through its link. */
async function downloadCsv(page, tableId) {
    const link = page.locator(`a[href*="csv=${tableId}"]`).first();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await download.path();
    return readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
}

const LINE = JSON.stringify({
    type: 'FeatureCollection',
    features: [{
        type: 'Feature',
        properties: { name: 'Deichweg' },
        geometry: { type: 'LineString', coordinates: [[8.2, 53.5], [8.3, 53.55], [8.35, 53.52]] },
    }],
});

function getMap(layers) {
    return `/ows?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=${layers}&STYLES=&CRS=EPSG:25832` +
        '&BBOX=330000,5680000,690000,5990000&WIDTH=256&HEIGHT=220&FORMAT=image/png';
}

// ------------------------------------------------------------------ the dashboard

test('known requests of a visitor are exactly the dashboard\'s numbers and its CSV', async () => {
    const admin = await session();
    const olga = await logIn(admin, operator);
    // "Mein NUMIS" leads an operator to the console.
    await Promise.all([
        olga.waitForURL(/\/verwaltung$/),
        olga.getByRole('link', { name: /Zur Verwaltung/ }).click(),
    ]);

    // The visitor: a fresh context, no cookie.
    const visitor = await session();
    const page = await visitor.context.newPage();
    for (const path of ['/', '/datenschutz', '/datenschutz', '/impressum']) {
        const response = await page.goto(`${base}${path}`);
        assert.equal(response.status(), 200, path);
    }
    const api = visitor.context.request;
    for (const layers of ['land', 'land', 'gemeinden']) {
        const r = await api.get(`${base}${getMap(layers)}`);
        assert.equal(r.status(), 200, layers);
    }
    assert.equal((await api.get(`${base}/api/search?q=Norden`)).status(), 200);
    const created = await api.post(`${base}/api/drawings`, {
        headers: { 'content-type': 'application/geo+json' },
        data: LINE,
    });
    assert.equal(created.status(), 201);
    const { id } = await created.json();
    assert.equal((await api.get(`${base}/api/drawings/${id}.kml`)).status(), 200);
    assert.deepEqual(await visitor.context.cookies(base), [], 'the visitor holds no cookie');
    await visitor.context.close();

    await olga.goto(`${base}/verwaltung?zeitraum=7`);
    await olga.getByRole('heading', { level: 1, name: 'Statistik' }).waitFor();
    await assert.doesNotReject(olga.getByText('Besucherinnen, Besucher oder Sitzungen zählt numis nicht').waitFor());
    const pages = await tableRows(olga, 'seiten');
    assert.deepEqual(pages.find((r) => r[0] === '/datenschutz')?.slice(1), ['2', '50,0 %']);
    assert.deepEqual(pages.find((r) => r[0] === '/impressum')?.slice(1), ['1', '25,0 %']);
    const layers = await tableRows(olga, 'ebenen');
    assert.deepEqual(layers.find((r) => r[0].endsWith('(land)'))?.slice(1), ['2', '0', '0']);
    assert.deepEqual(layers.find((r) => r[0].endsWith('(gemeinden)'))?.slice(1), ['1', '0', '0']);
    const done = await tableRows(olga, 'aktionen');
    assert.equal(done.find((r) => r[0] === 'Suchen')?.[1], '1');
    assert.equal(done.find((r) => r[0] === 'Zeichnungen gespeichert')?.[1], '1');
    assert.equal(done.find((r) => r[0] === 'Zeichnungen exportiert')?.[1], '1');

    const csvPages = await downloadCsv(olga, 'seiten');
    assert.deepEqual(csvPages[0], ['Seite', 'Seitenaufrufe', 'Anteil']);
    assert.deepEqual(csvPages.find((r) => r[0] === '/datenschutz'), ['/datenschutz', '2', '50']);
    const csvWms = await downloadCsv(olga, 'wms');
    assert.deepEqual(csvWms.find((r) => r[0] === 'GetMap'), ['GetMap', '3']);

    // The chart's numbers are a table too, behind a disclosure.
    await olga.locator('details.stats-data summary').first().click();
    const days = await tableRows(olga, 'tage');
    assert.equal(days.length, 7);
    assert.deepEqual(days[6].slice(1), ['4', '0', '0', '3'], 'today: pages, map, embeds, layers drawn');

    // Keyboard: the period form is reachable and works without a mouse.
    await olga.selectOption('#zeitraum', '365');
    await olga.getByRole('button', { name: 'Anzeigen' }).focus();
    await Promise.all([olga.waitForURL(/zeitraum=365/), olga.keyboard.press('Enter')]);
    assert.equal(await olga.locator('#zeitraum').inputValue(), '365');
    await olga.getByText('(365 Tage)').waitFor();

    await olga.goto(`${base}/verwaltung?zeitraum=7`);
    await auditPage(admin, olga, 'dashboard');
    await olga.goto(`${base}/en/admin?zeitraum=30`);
    await olga.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
    await auditPage(admin, olga, 'dashboard-en');
    checkClean(admin);
    await admin.context.close();
});

// ------------------------------------------------------------------ moderation

test('a reported drawing is blocked, then deleted, and its public link answers 410, then 404', async () => {
    const visitor = await session();
    const api = visitor.context.request;
    const created = await api.post(`${base}/api/drawings?title=${encodeURIComponent('Beschimpfung am Deich')}`, {
        headers: { 'content-type': 'application/geo+json' },
        data: LINE,
    });
    assert.equal(created.status(), 201);
    const { id } = await created.json();
    const reported = await api.post(`${base}/api/drawings/${id}/report`, {
        headers: { 'content-type': 'application/json' },
        data: JSON.stringify({ reason: 'Beleidigung <b>im Titel</b>' }),
    });
    assert.equal(reported.status(), 202);
    await visitor.context.close();

    const admin = await session();
    const olga = await logIn(admin, operator);
    await olga.goto(`${base}/verwaltung/zeichnungen?sortierung=gemeldet`);
    await auditPage(admin, olga, 'drawings');
    await Promise.all([
        olga.waitForURL(new RegExp(`/verwaltung/zeichnungen/${id}$`)),
        olga.getByRole('link', { name: 'Zeichnung „Beschimpfung am Deich“ öffnen' }).click(),
    ]);
    await olga.getByText('Beleidigung <b>im Titel</b>').waitFor();
    assert.equal(await olga.locator('.moderation-map-box svg path').count(), 1, 'the line on the small map');
    const mapImage = await olga.locator('.moderation-map-box svg image').getAttribute('href');
    assert.match(mapImage, /^\/ows\?/, 'the base map comes from our own WMS');
    await until(() => olga.locator('.moderation-map-box svg image').evaluate((img) => img.getBBox().width > 0), 'the base map drawn');
    await auditPage(admin, olga, 'drawing');

    await Promise.all([olga.waitForURL(/gesperrt/), olga.getByRole('button', { name: 'Sperren' }).click()]);
    await olga.getByText('Die Zeichnung ist gesperrt.').waitFor();
    assert.equal((await fetch(`${base}/api/drawings/${id}`)).status, 410, 'blocked: gone for the public');

    await Promise.all([olga.waitForURL(/loeschen$/), olga.getByRole('link', { name: 'Löschen …' }).click()]);
    await auditPage(admin, olga, 'confirm');
    await Promise.all([
        olga.waitForURL(/\/verwaltung\/zeichnungen\?/),
        olga.getByRole('button', { name: 'Endgültig löschen' }).click(),
    ]);
    await olga.getByText('Die Zeichnung ist gelöscht.').waitFor();
    assert.equal((await fetch(`${base}/api/drawings/${id}`)).status, 404, 'deleted: not found');

    await olga.goto(`${base}/verwaltung/protokoll`);
    const entries = await olga.locator('table tbody tr').evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent.trim())));
    const mine = entries.filter((e) => e.includes(operator.pseudonym));
    assert.ok(mine.length >= 2, `block and delete in the audit trail: ${JSON.stringify(entries)}`);
    await auditPage(admin, olga, 'audit');
    checkClean(admin);
    await admin.context.close();
});

// ------------------------------------------------------------------ accounts

test('a role granted in the console unlocks the restricted layer for the citizen at once', async () => {
    const people = await session();
    const bürger = await logIn(people, citizen);
    const layerIds = async () => {
        const r = await bürger.request.get(`${base}/api/layers?lang=de`);
        assert.equal(r.status(), 200);
        return JSON.stringify(await r.json());
    };
    assert.ok(!(await layerIds()).includes('intern_kueste'), 'hidden without the role');

    const admin = await session();
    const olga = await logIn(admin, operator);
    await olga.goto(`${base}/verwaltung/konten?suche=${encodeURIComponent('bürger')}`);
    await auditPage(admin, olga, 'accounts');
    await Promise.all([
        olga.waitForURL(/\/verwaltung\/konten\/[^/?]+$/),
        olga.getByRole('link', { name: citizen.pseudonym }).click(),
    ]);
    await auditPage(admin, olga, 'account');
    await olga.getByLabel('Rolle aus der Kartenkonfiguration').selectOption('intern');
    await Promise.all([olga.waitForURL(/\?/), olga.getByRole('button', { name: 'Vergeben' }).click()]);
    await olga.getByText('Die Rolle wurde vergeben.').waitFor();
    assert.ok((await layerIds()).includes('intern_kueste'), 'the citizen sees the layer on the next request');
    const png = await bürger.request.get(`${base}${getMap('intern_kueste')}`);
    assert.equal(png.headers()['content-type'], 'image/png', 'and may draw it');

    // Revoked again: gone at once.
    await Promise.all([
        olga.waitForURL(/\?/),
        olga.getByRole('button', { name: /intern/ }).filter({ hasText: /Entziehen|entziehen/ }).first().click(),
    ]);
    assert.ok(!(await layerIds()).includes('intern_kueste'), 'hidden again after the revoke');
    checkClean(admin);
    await admin.context.close();
    await people.context.close();
});

// ------------------------------------------------------------------ layer monitor and configuration

test('a broken layer is flagged in the layer monitor while the map still draws', async () => {
    const admin = await session();
    const olga = await logIn(admin, operator);
    await olga.goto(`${base}/verwaltung/ebenen`);
    const first = olga.locator('.layers-card').first();
    assert.match(await first.locator('h2').textContent(), /Kaputte Quelle/, 'the broken layer comes first');
    assert.match(await first.locator('.layers-error').textContent(), /Fehler:/);
    assert.equal(await olga.locator('.layers-card-failed').count(), 1, 'only the broken layer');
    await auditPage(admin, olga, 'layers');

    // The rest of the map is served: the viewer draws its start view.
    const visitor = await session();
    const map = await visitor.context.newPage();
    const image = await visitor.context.request.get(`${base}${getMap('land,gemeinden')}`);
    assert.equal(image.headers()['content-type'], 'image/png');
    await map.goto(`${base}/karte`);
    await map.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 30_000 });
    await visitor.context.close();

    await olga.goto(`${base}/verwaltung/konfiguration`);
    await olga.locator('#pruefung').waitFor();
    assert.match(await olga.locator('main').textContent(), /kaputt/, 'numis check names the broken source');
    await auditPage(admin, olga, 'config');
    checkClean(admin);
    await admin.context.close();
});

// ------------------------------------------------------------------ the door

test('a citizen without the role gets 403 on every console page and API', async () => {
    const people = await session();
    const bürger = await logIn(people, citizen);
    assert.equal(await bürger.getByRole('link', { name: /Zur Verwaltung/ }).count(), 0, 'no console link for a citizen');
    const pages = [
        '/verwaltung', '/en/admin', '/verwaltung?csv=seiten', '/verwaltung/zeichnungen',
        '/verwaltung/konten', '/verwaltung/ebenen', '/verwaltung/konfiguration', '/verwaltung/protokoll',
        '/verwaltung/datenschutzpruefung', '/verwaltung/datenschutzpruefung/bericht.json',
        '/en/admin/drawings', '/en/admin/accounts', '/en/admin/layers', '/en/admin/configuration', '/en/admin/audit',
        '/en/admin/privacy-audit',
        '/api/admin/drawings', '/api/admin/audit', '/api/admin/layers',
    ];
    for (const path of pages) {
        const response = await bürger.request.get(`${base}${path}`, { maxRedirects: 0 });
        assert.equal(response.status(), 403, path);
    }
    const page = await bürger.goto(`${base}/verwaltung`);
    assert.equal(page.status(), 403);
    await people.audit(bürger, 'console refused');
    // The console is never framed, not even by the portal itself.
    const headers = (await bürger.request.get(`${base}/verwaltung`)).headers();
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    checkClean(people, [/status of 403 \(Forbidden\)/]);
    await people.context.close();
});
