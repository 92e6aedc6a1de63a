// "Mein NUMIS" in the browser: registration with its recovery codes,
// login and logout with the session cookie ("remember me" alone makes it
// outlive the browser), the login state in the viewer (never in the
// embed), drawings bound to the account and added to it, saved views,
// the display preferences cookie, the export, the second factor (TOTP)
// and the deletion of the account. A visitor who never logs in holds no
// cookie at the end of a walk over every public page.
//
// With NUMIS_SHOTS=<directory>, screenshots of the account pages and of
// the viewer's logged-in state (1280×800 and 375×740) are written there.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32, inflateRawSync } from 'node:zlib';
import {
    BASE,
    apiLayers,
    audit,
    launchBrowser,
    openSession,
    sleep,
    uiState,
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

const SESSION_COOKIE = 'numis_session';
const PREFS_COOKIE = 'numis_prefs';
const ID = /^[A-Za-z0-9_-]{22}$/;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const YEAR = 365 * 24 * 3600;

/** The citizen of this file: registered once, by the first test that needs it. */
const user = {
    pseudonym: `E2E Kranich-${randomBytes(4).toString('hex')}`,
    password: `Heideblüte-${randomBytes(6).toString('hex')}-Moor`,
    registered: false,
    /** The TOTP secret once the second factor is on, and the last step used. */
    totp: null,
    lastStep: 0,
};
/** What earlier tests made and later ones look for. */
const made = { drawing: null, claimed: null, view: null };

// ------------------------------------------------------------------ helpers

/**
 * Asserts what `session.check()` asserts, except the cookies: logged-in
 * sessions get one on purpose.
 */
function checkClean(s, expectedConsole = []) {
    const unexpected = s.log.consoleErrors.filter((m) => !expectedConsole.some((re) => re.test(m)));
    assert.deepEqual(unexpected, [], 'console errors or CSP violations');
    assert.deepEqual(s.log.pageErrors, [], 'uncaught exceptions in the page');
    assert.deepEqual(s.log.dialogs, [], 'dialogs opened');
    assert.deepEqual(s.log.foreignRequests, [], 'requests to another origin');
    assert.deepEqual(s.log.accessibility, [], 'serious or critical accessibility violations (axe-core)');
}

/** Screenshots of the page at desktop and phone width, when NUMIS_SHOTS names a directory. */
async function shoot(page, name, { fullPage = true } = {}) {
    const dir = process.env.NUMIS_SHOTS;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const before = page.viewportSize() ?? DESKTOP;
    await page.setViewportSize(DESKTOP);
    await sleep(300);
    await page.screenshot({ path: join(dir, `${name}-desktop.png`), fullPage });
    await page.setViewportSize(PHONE);
    await sleep(500);
    await page.screenshot({ path: join(dir, `${name}-phone.png`), fullPage });
    await page.setViewportSize(before);
    await sleep(300);
}

/** A form's submit buttons. */
const SUBMIT = 'button:not([type]), button[type=submit], input[type=submit]';

/**
 * Submits a form of the page (its first submit button, or `button`) and
 * waits until the answer is shown. Returns the status of the POST itself
 * (303 for a redirect).
 */
async function submit(page, form, button = SUBMIT) {
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
    const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
    await page.locator(form).locator(button).first().click();
    const answer = await response;
    await committed;
    await page.waitForLoadState('domcontentloaded');
    return answer.status();
}

/**
 * Submits the form holding the control `[name=NAME][value=VALUE]` (or just
 * `[name=NAME]`): with that control itself when it is a submit button
 * (`<button name="action" value="begin">`), else with the form's first
 * submit button (a hidden field). Returns the status of the POST.
 */
async function submitWith(page, name, value = null) {
    const control = `[name="${name}"]${value === null ? '' : `[value="${value}"]`}`;
    const isButton = await page.locator(control).first()
        .evaluate((el) => el.tagName === 'BUTTON' || (el.tagName === 'INPUT' && el.type === 'submit'));
    return submit(page, `form:has(${control})`, isButton ? control : SUBMIT);
}

async function sessionCookie(context) {
    return (await context.cookies(BASE)).find((c) => c.name === SESSION_COOKIE) ?? null;
}

/** RFC 6238 with SHA-1, 6 digits, 30-second steps (RFC 4226's truncation). */
function totp(secret, step) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const ch of secret.replace(/[\s=]/g, '').toUpperCase()) {
        const value = alphabet.indexOf(ch);
        assert.ok(value >= 0, `base32 digit ${ch}`);
        bits += value.toString(2).padStart(5, '0');
    }
    const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(step));
    const mac = createHmac('sha1', key).update(counter).digest();
    const offset = mac[mac.length - 1] & 0x0f;
    const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
    return String(number).padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/**
 * A code the server takes now: a step within its window of ±1 that is
 * later than the last one used (a used code is refused as a replay).
 */
async function nextCode() {
    while (user.lastStep + 1 > currentStep() + 1) await sleep(1000);
    const step = Math.max(currentStep(), user.lastStep + 1);
    user.lastStep = step;
    return totp(user.totp, step);
}

/**
 * Fails at once, with the reason, when the server has no page at `path`
 * (another part of the server brings it).
 */
/** Registers the citizen through the API of the form, unless a test did in the browser. */
async function ensureRegistered() {
    if (user.registered) return;
    const res = await fetch(`${BASE}/konto/registrieren`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ pseudonym: user.pseudonym, password: user.password, password_repeat: user.password }),
        redirect: 'manual',
    });
    assert.equal(res.status, 201, `registration: ${res.status}`);
    user.registered = true;
}

/** Logs the page in through the login form (with the second factor when it is on). */
async function login(page, { remember = false, lang = 'de' } = {}) {
    await page.goto(`${BASE}${lang === 'en' ? '/en/account/login' : '/konto/anmelden'}`);
    await page.fill('#pseudonym', user.pseudonym);
    await page.fill('#password', user.password);
    if (remember) await page.check('#remember');
    let status = await submit(page, 'form.account-form');
    if (status === 401 && user.totp && (await page.locator('#code').count())) {
        await page.fill('#password', user.password);
        await page.fill('#code', await nextCode());
        status = await submit(page, 'form.account-form');
    }
    assert.equal(status, 303, `login: ${status} ${await page.locator('.account-error').textContent().catch(() => '')}`);
    assert.equal(new URL(page.url()).pathname, lang === 'en' ? '/en/account' : '/konto', 'the login leads to the overview');
}

/** A new browser context, logged in. */
async function loggedIn(options = {}) {
    await ensureRegistered();
    const s = await openSession(browser, options);
    const page = await s.context.newPage();
    await login(page, options);
    return { s, page };
}

/** Logs out with the overview's button; the cookie must go. */
async function logout(page) {
    await page.goto(`${BASE}/konto`);
    const status = await submit(page, 'form[action$="/abmelden"]');
    assert.equal(status, 303, 'logout redirects');
    assert.equal(new URL(page.url()).pathname, '/konto/anmelden');
    assert.equal(await sessionCookie(page.context()), null, 'the session cookie is gone after logging out');
}

/** fetch() inside the page (same origin, with the session): [status, JSON body or null]. */
function pageFetch(page, path, init = {}) {
    return page.evaluate(async ([path, init]) => {
        const res = await fetch(path, { credentials: 'same-origin', ...init });
        let body = null;
        try {
            body = await res.json();
        } catch {
            // Not JSON.
        }
        return [res.status, body];
    }, [path, init]);
}

/**
 * Records the headers of every request of the context that changes
 * something under /api/ (to check the CSRF token and the key).
 */
function recordUnsafe(context) {
    const seen = [];
    context.on('request', (req) => {
        if (!['POST', 'PUT', 'DELETE'].includes(req.method())) return;
        const url = new URL(req.url());
        if (url.origin !== BASE || !url.pathname.startsWith('/api/')) return;
        seen.push(req.allHeaders().then((headers) => ({ method: req.method(), path: url.pathname, headers })));
    });
    return () => Promise.all(seen);
}

/** Draws a rectangle-ish polygon with the mouse in the middle of the map. */
async function drawPolygon(page) {
    await page.click('#draw-tool-polygon');
    const box = await page.locator('#map').boundingBox();
    const x0 = box.x + box.width * 0.45;
    const y0 = box.y + box.height * 0.4;
    await page.mouse.click(x0, y0);
    await page.mouse.move(x0 + 60, y0, { steps: 3 });
    await page.mouse.click(x0 + 120, y0);
    await page.mouse.move(x0 + 120, y0 + 50, { steps: 3 });
    await page.mouse.click(x0 + 120, y0 + 100);
    await page.mouse.move(x0 + 10, y0 + 100, { steps: 3 });
    await page.mouse.move(x0, y0 + 100, { steps: 2 });
    await page.mouse.dblclick(x0, y0 + 100);
    await page.waitForSelector('#draw-features[data-count="1"]', { state: 'attached' });
}

/**
 * A small ZIP reader (stored and deflated entries, as any zip writer
 * makes them): name → contents, each checked against its CRC-32.
 */
function unzip(buf) {
    let end = -1;
    for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
        if (buf.readUInt32LE(i) === 0x06054b50) {
            end = i;
            break;
        }
    }
    assert.ok(end >= 0, 'zip: the end of the central directory');
    const count = buf.readUInt16LE(end + 10);
    let pos = buf.readUInt32LE(end + 16);
    const files = new Map();
    for (let n = 0; n < count; n++) {
        assert.equal(buf.readUInt32LE(pos), 0x02014b50, 'zip: a central directory entry');
        const method = buf.readUInt16LE(pos + 10);
        const crc = buf.readUInt32LE(pos + 16);
        const size = buf.readUInt32LE(pos + 20);
        const nameLength = buf.readUInt16LE(pos + 28);
        const extraLength = buf.readUInt16LE(pos + 30);
        const commentLength = buf.readUInt16LE(pos + 32);
        const local = buf.readUInt32LE(pos + 42);
        const name = buf.toString('utf8', pos + 46, pos + 46 + nameLength);
        pos += 46 + nameLength + extraLength + commentLength;
        assert.equal(buf.readUInt32LE(local), 0x04034b50, `zip: the local header of ${name}`);
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + size);
        assert.ok(method === 0 || method === 8, `zip: ${name} is stored or deflated (method ${method})`);
        const data = method === 0 ? raw : inflateRawSync(raw);
        assert.equal(crc32(data) >>> 0, crc, `zip: the CRC-32 of ${name}`);
        files.set(name, data);
    }
    return files;
}

// ------------------------------------------------------------------ tests

test('registration lists 10 recovery codes; logout and login; "remember me" alone makes the cookie last', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/konto/anmelden`);
        await audit(page, 'login page');
        await shoot(page, 'login');

        await page.goto(`${BASE}/konto/registrieren`);
        await audit(page, 'registration page');
        await shoot(page, 'register');
        assert.equal(await sessionCookie(s.context), null, 'no cookie before registering');
        await page.fill('#pseudonym', user.pseudonym);
        await page.fill('#password', user.password);
        await page.fill('#password_repeat', user.password);
        assert.equal(await submit(page, 'form.account-form'), 201, 'the registration answers 201 with the codes');
        user.registered = true;
        const codes = await page.locator('ol.recovery-codes li code').allTextContents();
        assert.equal(codes.length, 10, `10 recovery codes: ${codes.join(' ')}`);
        assert.equal(new Set(codes).size, 10, 'the codes differ');
        for (const code of codes) assert.ok(code.trim().length >= 8, `a code of some length: ${code}`);
        await audit(page, 'recovery codes page');
        await shoot(page, 'codes');
        const registered = await sessionCookie(s.context);
        assert.ok(registered, 'the registration logs in');
        assert.equal(registered.expires, -1, 'a session cookie (no expiry) after registering');
        assert.equal(registered.httpOnly, true, 'the session cookie is HttpOnly');
        assert.equal(registered.sameSite, 'Lax');

        await page.goto(`${BASE}/konto`);
        assert.equal(new URL(page.url()).pathname, '/konto');
        assert.match(await page.textContent('main'), new RegExp(user.pseudonym), 'the overview names the pseudonym');
        await audit(page, 'overview page');
        await shoot(page, 'overview');

        await logout(page);
        await audit(page, 'login page after logout');
        await page.goto(`${BASE}/konto`);
        assert.equal(new URL(page.url()).pathname, '/konto/anmelden', 'logged out, the overview leads to the login');

        // Without "remember me": a session cookie, gone with the browser.
        await login(page);
        const plain = await sessionCookie(s.context);
        assert.ok(plain, 'logged in again');
        assert.equal(plain.expires, -1, 'without "remember me" the cookie is a session cookie');
        await logout(page);

        // With it: a cookie with an expiry.
        await login(page, { remember: true });
        const kept = await sessionCookie(s.context);
        assert.ok(kept, 'logged in with "remember me"');
        assert.ok(kept.expires > Date.now() / 1000 + 3600, `"remember me" gives the cookie an expiry: ${kept.expires}`);
        assert.notEqual(kept.value, plain.value, 'every login is a new session');
        await logout(page);
        assert.deepEqual((await s.context.cookies()).map((c) => c.name), [], 'no cookie is left');

        // A wrong password: refused with the form again, and no cookie.
        await page.fill('#pseudonym', user.pseudonym);
        await page.fill('#password', `${user.password}x`);
        assert.equal(await submit(page, 'form.account-form'), 401, 'a wrong password is refused');
        assert.ok(await page.locator('.account-error[role=alert]').isVisible(), 'the refusal is announced');
        assert.equal(await sessionCookie(s.context), null);
        await audit(page, 'login page with an error');
        checkClean(s, [/status of 40[13]/]);
    } finally {
        await s.close();
    }
});

test('a visitor who never logs in holds no cookie after every public page, the viewer and the embed', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        // The pages the portal links, in both languages, and the account
        // pages anyone may open.
        const pages = new Set(['/', '/en', '/karte', '/en/karte', '/embed', '/embed?lang=en',
            '/konto/anmelden', '/konto/registrieren', '/en/account/login', '/en/account/register',
            '/konto', '/en/account', '/konto/passwort-vergessen', '/konto/anzeige', '/en/account/display']);
        for (const start of ['/', '/en']) {
            await page.goto(BASE + start);
            for (const href of await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
                const url = new URL(href, BASE);
                if (/^\/(api|ows|assets)\b/.test(url.pathname) || url.pathname.endsWith('.pdf')) continue;
                pages.add(url.pathname + url.search);
            }
        }
        const statuses = {};
        for (const path of pages) {
            const response = await page.goto(BASE + path);
            statuses[path] = response?.status();
            if (path.startsWith('/karte') || path.startsWith('/en/karte') || path.startsWith('/embed')) {
                await waitReady(page);
            } else if (response?.status() === 200 && /^\/(konto|en\/account)/.test(new URL(page.url()).pathname)) {
                await audit(page, `account page ${path}`);
            }
        }
        assert.ok(Object.keys(statuses).length >= 12, `pages visited: ${JSON.stringify(statuses)}`);
        assert.equal(statuses['/karte'], 200);
        assert.equal(statuses['/embed'], 200);
        assert.deepEqual(await s.context.cookies(), [], 'the browser holds no cookie at all');
        assert.deepEqual(s.log.cookies, [], 'no answer tried to set one');
        assert.equal(await page.evaluate(() => document.cookie), '');
        // Without a session the viewer does not even ask who is logged in.
        assert.deepEqual(s.log.requests.filter((u) => new URL(u).pathname.startsWith('/api/me')), [],
            'no request to /api/me without a session');
        // Pages another part of the server may not have yet answer 404.
        checkClean(s, [/status of 404/]);
    } finally {
        await s.close();
    }
});

test('the viewer shows the login state in its header, and the embed shows nothing of it', async () => {
    // Logged out: "Anmelden" to the login page (and "Log in" in English).
    const anon = await openSession(browser);
    try {
        const page = await anon.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const link = page.locator('.main-nav .nav-account a#account-link');
        await link.waitFor();
        assert.equal(await link.textContent(), 'Anmelden');
        assert.equal(await link.getAttribute('href'), '/konto/anmelden');
        assert.equal(await link.getAttribute('data-state'), 'logged-out');
        assert.equal(await page.isVisible('#save-view-button'), false, 'no "save view" while logged out');
        await shoot(page, 'viewer-logged-out', { fullPage: false });
        await page.goto(`${BASE}/en/karte`);
        await waitReady(page);
        await link.waitFor();
        assert.equal(await link.textContent(), 'Log in');
        assert.equal(await link.getAttribute('href'), '/en/account/login');
        assert.deepEqual(anon.log.requests.filter((u) => u.includes('/api/me')), [], 'no /api/me without a session');
        anon.check();
    } finally {
        await anon.close();
    }

    // Logged in: the pseudonym, linking to "Mein NUMIS".
    const { s, page } = await loggedIn();
    try {
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        const link = page.locator('.main-nav .nav-account a#account-link[data-state="logged-in"]');
        await link.waitFor();
        assert.equal(await link.getAttribute('href'), '/konto');
        assert.equal(await link.locator('.account-name').textContent(), user.pseudonym);
        const name = await link.evaluate((a) => a.textContent.replace(/\s+/g, ' ').trim());
        assert.ok(name.startsWith('Mein NUMIS') && name.endsWith(user.pseudonym), `the link's name: ${name}`);
        assert.ok(await page.isVisible('#save-view-button'), '"Ansicht speichern" is offered');
        await audit(page, 'viewer, logged in');
        await shoot(page, 'viewer-logged-in', { fullPage: false });
        // On a phone the entry stays in the header, on one line.
        await page.setViewportSize(PHONE);
        await sleep(300);
        const box = await link.boundingBox();
        const header = await page.locator('header.site-header').boundingBox();
        assert.ok(box && box.height < 60 && box.y >= header.y && box.y + box.height <= header.y + header.height + 1,
            `the account link sits in the header on a phone: ${JSON.stringify(box)}`);
        await page.setViewportSize(DESKTOP);

        await page.goto(`${BASE}/en/karte`);
        await waitReady(page);
        await link.waitFor();
        assert.equal(await link.getAttribute('href'), '/en/account');
        assert.ok((await link.textContent()).startsWith('My NUMIS'));

        // The embed: nothing about accounts, and /api/me is not asked.
        const asked = s.log.requests.filter((u) => u.includes('/api/me')).length;
        assert.ok(asked >= 2, 'the viewer asked /api/me with a session');
        await page.goto(`${BASE}/embed`);
        await waitReady(page);
        assert.equal(await page.locator('#account-link, #save-view-button, .nav-account').count(), 0, 'nothing of accounts in the embed');
        assert.equal(s.log.requests.filter((u) => u.includes('/api/me')).length, asked, 'the embed does not ask /api/me');
        checkClean(s);
    } finally {
        await s.close();
    }
});

test('logged in, a saved drawing is bound to the account, editable without the key, and a drawing opened with its key can be added', async () => {
    const { s, page } = await loggedIn();
    const unsafe = recordUnsafe(s.context);
    try {
        const [meStatus, me] = await pageFetch(page, '/api/me');
        assert.equal(meStatus, 200);
        assert.equal(me.pseudonym, user.pseudonym);

        // --- draw and save: "In Mein NUMIS gespeichert"
        await page.goto(`${BASE}/karte?x=550000&y=5802000&scale=25000`);
        await waitReady(page);
        await page.click('#draw-button');
        await drawPolygon(page);
        await page.fill('#draw-title', 'Meine Kontozeichnung');
        await page.click('#draw-save');
        await page.waitForSelector('#draw-share-dialog[open]');
        assert.ok(await page.isVisible('#draw-share-account'), 'the dialog says the drawing is in Mein NUMIS');
        assert.match(await page.textContent('#draw-share-account'), /In Mein NUMIS gespeichert/);
        assert.equal(await page.getAttribute('#draw-share-account-link', 'href'), '/konto/zeichnungen');
        assert.equal(await page.isVisible('#draw-share-warning'), false, 'no warning that the edit link is the only way back');
        await audit(page, 'drawing share dialog, saved in Mein NUMIS');
        await shoot(page, 'draw-saved-in-account', { fullPage: false });
        const id = new URL(await page.inputValue('#draw-share-view')).searchParams.get('drawing');
        assert.match(id, ID);
        made.drawing = id;
        await page.click('#draw-share-close');
        assert.ok(await page.isVisible('#draw-account-saved'), 'the panel says so too');
        assert.equal(await page.getAttribute('#draw-account-link', 'href'), '/konto/zeichnungen');

        const [, mine] = await pageFetch(page, `/api/drawings/${id}`);
        assert.equal(mine.yours, true, 'the server bound the drawing to the account');
        const anonymous = await (await fetch(`${BASE}/api/drawings/${id}`)).json();
        assert.equal(anonymous.yours, undefined, 'only the owner is told');

        // The autosave (PUT with the key) goes through with the CSRF token.
        await page.fill('#draw-title', 'Meine Kontozeichnung, geändert');
        await until(async () => (await (await fetch(`${BASE}/api/drawings/${id}`)).json()).title === 'Meine Kontozeichnung, geändert',
            'the autosave of the title');
        await page.waitForSelector('#draw-save-state[data-state="saved"]');

        // --- opened again without the key: the owner edits it
        await page.goto(`${BASE}/karte?drawing=${id}`);
        await waitReady(page);
        await page.waitForSelector('body[data-drawing="edit"]');
        assert.equal(new URL(page.url()).hash, '', 'no key anywhere');
        assert.ok(await page.isVisible('#draw-account-saved'), 'opened as the owner\'s');
        assert.ok(await page.isVisible('#draw-tools'), 'with the drawing tools');
        assert.equal(await page.isVisible('#draw-claim'), false);
        await page.fill('#draw-title', 'Ohne Schlüssel geändert');
        await until(async () => (await (await fetch(`${BASE}/api/drawings/${id}`)).json()).title === 'Ohne Schlüssel geändert',
            'the owner\'s autosave without the key');
        await page.waitForSelector('#draw-save-state[data-state="saved"]');
        await page.click('#draw-links');
        await page.waitForSelector('#draw-share-dialog[open]');
        assert.equal(await page.isVisible('#draw-share-edit'), false, 'without the key there is no edit link to show');
        assert.ok(await page.isVisible('#draw-share-account'));
        await audit(page, 'drawing share dialog of the owner, without key');
        await page.keyboard.press('Escape');

        // --- a drawing made anonymously, opened with its edit link: "add to my drawings"
        const res = await fetch(`${BASE}/api/drawings?title=Anonym`, {
            method: 'POST',
            headers: { 'content-type': 'application/geo+json' },
            body: JSON.stringify({
                type: 'FeatureCollection',
                features: [{ type: 'Feature', properties: { name: 'Punkt' }, geometry: { type: 'Point', coordinates: [9.9, 52.4] } }],
            }),
        });
        assert.equal(res.status, 201);
        const other = await res.json();
        await page.goto(`${BASE}/karte?drawing=${other.id}#edit=${other.edit_key}`);
        await waitReady(page);
        await page.waitForSelector('body[data-drawing="edit"]');
        await page.waitForSelector('#draw-claim:not([hidden])');
        assert.equal(await page.textContent('#draw-claim'), 'Zu meinen Zeichnungen hinzufügen');
        await audit(page, 'drawing panel with "add to my drawings"');
        await page.click('#draw-claim');
        await page.waitForSelector('#draw-account-saved:not([hidden])');
        assert.equal(await page.isVisible('#draw-claim'), false, 'the offer goes once accepted');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'draw-account-link', 'the focus goes to the link');
        assert.match(await page.textContent('#draw-message'), /in Mein NUMIS gespeichert/);
        const [, claimed] = await pageFetch(page, `/api/drawings/${other.id}`);
        assert.equal(claimed.yours, true, 'the drawing is now the account\'s');
        made.claimed = other.id;

        // Every request that changed something carried the session's token;
        // the owner's change went without the key, the claim with it.
        const requests = await unsafe();
        assert.ok(requests.length >= 4, `unsafe requests: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
        for (const r of requests) {
            assert.equal(r.headers['x-csrf-token'], me.csrf, `${r.method} ${r.path} carries the CSRF token`);
        }
        assert.ok(requests.some((r) => r.method === 'PUT' && r.path === `/api/drawings/${id}` && !r.headers.authorization),
            'the owner saved without the key');
        const claim = requests.find((r) => r.path === `/api/me/drawings/${other.id}`);
        assert.equal(claim?.headers.authorization, `Bearer ${other.edit_key}`, 'the claim proves the key');
        checkClean(s);
    } finally {
        await s.close();
    }
});

test('a login in another tab: the open viewer learns it at its next save, which then carries the token', async () => {
    await ensureRegistered();
    const s = await openSession(browser);
    const unsafe = recordUnsafe(s.context);
    try {
        // The viewer opens logged out …
        const viewer = await s.context.newPage();
        await viewer.goto(`${BASE}/karte?x=550000&y=5802000&scale=25000`);
        await waitReady(viewer);
        await viewer.waitForSelector('#account-link[data-state="logged-out"]');
        // … and the login happens in another tab of the same browser.
        const other = await s.context.newPage();
        await login(other);
        await other.close();

        // Its next change is refused for the missing token once, then sent
        // again with the token of the session it now learns.
        await viewer.click('#draw-button');
        await drawPolygon(viewer);
        await viewer.fill('#draw-title', 'Nach dem Anmelden im anderen Tab');
        await viewer.click('#draw-save');
        await viewer.waitForSelector('#draw-share-dialog[open]');
        assert.ok(await viewer.isVisible('#draw-share-account'), 'saved in Mein NUMIS');
        const id = new URL(await viewer.inputValue('#draw-share-view')).searchParams.get('drawing');
        const [, saved] = await pageFetch(viewer, `/api/drawings/${id}`);
        assert.equal(saved.yours, true);
        await viewer.waitForSelector('#account-link[data-state="logged-in"]');
        assert.ok(await viewer.isVisible('#save-view-button'), '"Ansicht speichern" appears');
        const posts = (await unsafe()).filter((r) => r.method === 'POST' && r.path === '/api/drawings');
        assert.equal(posts.length, 2, 'the save was sent twice');
        assert.equal(posts[0].headers['x-csrf-token'], undefined, 'first without a token');
        assert.match(posts[1].headers['x-csrf-token'] ?? '', /.{16,}/, 'then with the new one');
        // The refusal of the first attempt is the one error in the log.
        checkClean(s, [/status of 403/]);
    } finally {
        await s.close();
    }
});

test('"Ansicht speichern" saves the map view under a name, and the saved state restores it', async () => {
    const api = await apiLayers();
    const extra = Object.keys(api.layers).filter((id) => !api.layers[id].visible).slice(0, 2);
    assert.equal(extra.length, 2, 'two layers that are off by default');
    const layers = `${extra[0]}:60,${extra[1]}`;
    const { s, page } = await loggedIn();
    try {
        await page.goto(`${BASE}/karte?x=560000&y=5790000&scale=50000&layers=${layers}&base=none`);
        await waitReady(page);
        const button = page.locator('#save-view-button');
        await button.waitFor();
        await button.click();
        await page.waitForSelector('#save-view-dialog[open]');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'save-view-name', 'the name field has the focus');
        const labelled = await page.locator('#save-view-dialog').evaluate((d) => document.getElementById(d.getAttribute('aria-labelledby'))?.textContent);
        assert.equal(labelled, 'Ansicht speichern', 'the dialog is named by its heading');
        await audit(page, 'save view dialog');
        await shoot(page, 'save-view-dialog', { fullPage: false });
        // The focus stays in the modal dialog (past its last control the
        // browser may take it to its own controls, never to the page).
        for (let i = 0; i < 8; i++) {
            await page.keyboard.press('Tab');
            const where = await page.evaluate(() => {
                const active = document.activeElement;
                return !active || active === document.body || !!active.closest('#save-view-dialog') ? 'dialog' : active.outerHTML.slice(0, 80);
            });
            assert.equal(where, 'dialog', 'Tab stays in the dialog');
        }
        await page.keyboard.press('Escape');
        await page.waitForSelector('#save-view-dialog', { state: 'hidden' });
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'save-view-button', 'Escape closes it, back to the button');

        await button.click();
        await page.click('#save-view-submit');
        assert.match(await page.textContent('#save-view-error'), /Namen/, 'an empty name is refused');
        assert.equal(await page.getAttribute('#save-view-name', 'aria-invalid'), 'true');
        await audit(page, 'save view dialog with an error');
        await page.fill('#save-view-name', 'Mein Blick auf die Aller');
        await page.keyboard.press('Enter');
        await page.waitForSelector('#save-view-done:not([hidden])');
        assert.match(await page.textContent('#save-view-done'), /„Mein Blick auf die Aller“ ist in Mein NUMIS gespeichert/);
        assert.equal(await page.getAttribute('#save-view-link', 'href'), '/konto/ansichten');
        await audit(page, 'save view confirmation');

        const state = new URL(page.url()).search.slice(1);
        const [status, body] = await pageFetch(page, '/api/me/views');
        assert.equal(status, 200);
        const view = body.views.find((v) => v.name === 'Mein Blick auf die Aller');
        assert.ok(view, `the view is saved: ${JSON.stringify(body)}`);
        assert.equal(view.state, state, 'its state is the permalink\'s query');
        made.view = { name: view.name, state: view.state };

        // The state opens the same view.
        const again = await s.context.newPage();
        await again.goto(`${BASE}/karte?${view.state}`);
        await waitReady(again);
        const restored = urlState(again.url());
        assert.deepEqual([restored.x, restored.y, restored.scale], [560000, 5790000, 50000], 'centre and scale');
        assert.equal(restored.layers, layers, 'the layers and their opacity');
        assert.equal(restored.base, 'none', 'the base map');
        const ui = await uiState(again);
        assert.equal(ui.basemap, 'none');
        assert.equal(ui.switches[extra[0]], true);
        assert.equal(ui.opacity[extra[0]], '60');
        checkClean(s);
    } finally {
        await s.close();
    }
});

test('every settings and recovery page passes the accessibility audit on a desktop and a phone, in German and English', async () => {
    const { s, page } = await loggedIn();
    try {
        const pages = [
            '/konto/profil', '/konto/passwort', '/konto/wiederherstellungscodes', '/konto/sitzungen',
            '/en/account/profile', '/en/account/password', '/en/account/recovery-codes', '/en/account/sessions',
        ];
        for (const viewport of [DESKTOP, PHONE]) {
            await page.setViewportSize(viewport);
            for (const path of pages) {
                const response = await page.goto(BASE + path);
                assert.equal(response.status(), 200, path);
                await audit(page, `${path} (${viewport.width} px)`);
            }
        }
    } finally {
        await s.close();
    }
    // The recovery pages are for visitors who are not logged in.
    const anonymous = await openSession(browser);
    try {
        const page = await anonymous.context.newPage();
        for (const path of ['/konto/passwort-vergessen', '/en/account/forgot-password']) {
            const response = await page.goto(BASE + path);
            assert.equal(response.status(), 200, path);
            await audit(page, path);
        }
    } finally {
        await anonymous.close();
    }
});

test('the viewer starts with the preferred base map of the numis_prefs cookie unless the URL names one', async () => {
    const s = await openSession(browser);
    try {
        // Set as the display page sets it (the viewer only reads it).
        await s.context.addCookies([{ name: PREFS_COOKIE, value: encodeURIComponent('lang=de&base=none'), url: BASE, sameSite: 'Lax' }]);
        const page = await s.context.newPage();
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        assert.equal((await uiState(page)).basemap, 'none', 'the preferred base map');
        assert.equal(urlState(page.url()).base, 'none', 'and in the address');
        await page.goto(`${BASE}/karte?base=grundkarte`);
        await waitReady(page);
        assert.equal((await uiState(page)).basemap, 'grundkarte', 'the URL wins');
        await page.goto(`${BASE}/embed`);
        await waitReady(page);
        assert.equal(urlState(page.url()).base, 'grundkarte', 'the embed shows what its site chose');

        // An unknown base map in the cookie changes nothing.
        await s.context.addCookies([{ name: PREFS_COOKIE, value: encodeURIComponent('lang=de&base=nope'), url: BASE }]);
        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        assert.equal((await uiState(page)).basemap, 'grundkarte');
        // The viewer never writes a cookie: only the one set here is there.
        assert.deepEqual((await s.context.cookies()).map((c) => c.name), [PREFS_COOKIE]);
        assert.deepEqual(s.log.cookies, []);
        checkClean(s);
    } finally {
        await s.close();
    }
});

// ---- the library: drawings, views, display, export, deletion

test('my drawings and my views list what the viewer saved, and a view reopens from there', async () => {
    assert.ok(made.drawing && made.view, 'the drawing and view tests ran first');
    const { s, page } = await loggedIn();
    try {
        await page.goto(`${BASE}/konto/zeichnungen`);
        assert.equal(new URL(page.url()).pathname, '/konto/zeichnungen');
        await audit(page, 'my drawings');
        for (const id of [made.drawing, made.claimed]) {
            assert.equal(await page.locator(`a[href*="drawing=${id}"]`).count() > 0, true, `the list links drawing ${id}`);
        }
        assert.match(await page.textContent('main'), /Ohne Schlüssel geändert/, 'with its title');

        await page.goto(`${BASE}/konto/ansichten`);
        await audit(page, 'my views');
        const row = page.locator('li, tr').filter({ hasText: made.view.name }).last();
        const open = row.locator('a[href*="/karte?"]').first();
        const href = await open.getAttribute('href');
        assert.equal(new URL(href, BASE).search.slice(1), made.view.state, `the view opens its state: ${href}`);
        await open.click();
        await page.waitForURL((u) => u.pathname === '/karte');
        await waitReady(page);
        const restored = urlState(page.url());
        const saved = urlState(`${BASE}/karte?${made.view.state}`);
        assert.deepEqual(
            [restored.x, restored.y, restored.scale, restored.layers, restored.base],
            [saved.x, saved.y, saved.scale, saved.layers, saved.base],
            'centre, scale, layers and base map restored',
        );
        checkClean(s);
    } finally {
        await s.close();
    }
});

test('display preferences: "remember" sets numis_prefs for a year, and the viewer follows it; without it no cookie', async () => {
    const s = await openSession(browser);
    try {
        const page = await s.context.newPage();
        await page.goto(`${BASE}/konto/anzeige`);
        await audit(page, 'display preferences page');
        const form = 'form:has([name="base"])';
        const base = page.locator(`${form} [name="base"]`);
        const options = await base.first().evaluate((el) => (el.tagName === 'SELECT'
            ? [...el.options].map((o) => o.value)
            : [...el.form.querySelectorAll('[name="base"]')].map((o) => o.value)));
        // Another base map than the viewer's default, where there is one.
        const chosen = options.includes('none') ? 'none' : options[options.length - 1];
        const choose = async () => {
            if ((await base.first().evaluate((el) => el.tagName)) === 'SELECT') await base.selectOption(chosen);
            else await page.check(`${form} [name="base"][value="${chosen}"]`);
        };
        await choose();

        // Without "remember": no cookie.
        if (await page.locator(`${form} [name="remember"]`).isChecked()) await page.uncheck(`${form} [name="remember"]`);
        await submit(page, form);
        assert.deepEqual(await s.context.cookies(), [], 'no cookie without "remember"');

        await page.goto(`${BASE}/konto/anzeige`);
        await choose();
        await page.check(`${form} [name="remember"]`);
        await submit(page, form);
        const prefs = (await s.context.cookies()).find((c) => c.name === PREFS_COOKIE);
        assert.ok(prefs, 'numis_prefs is set');
        const left = prefs.expires - Date.now() / 1000;
        assert.ok(Math.abs(left - YEAR) < 3 * 24 * 3600, `it lasts about a year: ${Math.round(left / 86400)} days`);
        assert.equal(prefs.httpOnly, false, 'the viewer may read it');
        assert.equal(prefs.sameSite, 'Lax');
        assert.equal(new URLSearchParams(decodeURIComponent(prefs.value)).get('base'), chosen);
        assert.equal(await sessionCookie(s.context), null, 'and no session cookie');

        await page.goto(`${BASE}/karte`);
        await waitReady(page);
        assert.equal((await uiState(page)).basemap, chosen, 'the viewer starts with the preferred base map');

        await page.goto(`${BASE}/konto/anzeige`);
        await submitWith(page, 'forget');
        assert.deepEqual(await s.context.cookies(), [], '"forget" removes it');
        checkClean(s, [/status of 40[0-9]/]);
    } finally {
        await s.close();
    }
});

test('the export is a ZIP with konto.json, every drawing as GeoJSON and KML, and ansichten.json', async () => {
    assert.ok(made.drawing, 'the drawing test ran first');
    const { s, page } = await loggedIn();
    try {
        await page.goto(`${BASE}/konto/export`);
        await audit(page, 'export page');
        const token = (await sessionCookie(s.context)).value;
        const [download] = await Promise.all([
            page.waitForEvent('download'),
            page.locator('form:has([name="csrf"])').locator(SUBMIT).first().click(),
        ]);
        assert.match(download.suggestedFilename(), /^mein-numis-\d{4}-\d{2}-\d{2}\.zip$/);
        const zip = await readFile(await download.path());
        const files = unzip(zip);
        const names = [...files.keys()];
        for (const name of ['konto.json', `zeichnungen/${made.drawing}.geojson`, `zeichnungen/${made.drawing}.kml`, 'ansichten.json']) {
            assert.ok(files.has(name), `${name} in ${names.join(', ')}`);
        }
        const konto = JSON.parse(files.get('konto.json').toString('utf8'));
        assert.equal(konto.pseudonym, user.pseudonym);
        const geojson = JSON.parse(files.get(`zeichnungen/${made.drawing}.geojson`).toString('utf8'));
        assert.equal(geojson.type, 'FeatureCollection');
        assert.equal(geojson.features.length, 1);
        assert.match(files.get(`zeichnungen/${made.drawing}.kml`).toString('utf8'), /<kml[\s>]/);
        assert.match(files.get('ansichten.json').toString('utf8'), /Mein Blick auf die Aller/);
        for (const [name, data] of files) {
            assert.ok(!data.toString('latin1').includes(token), `${name} holds no session token`);
            assert.ok(!data.toString('latin1').includes(user.password), `${name} holds no password`);
        }
        checkClean(s);
    } finally {
        await s.close();
    }
});

// ---- security: the second factor

test('the second factor: switched on with a computed TOTP code, then the login asks for it', async () => {
    const { s, page } = await loggedIn();
    try {
        await page.goto(`${BASE}/konto/zwei-faktor`);
        await audit(page, 'two-factor page');
        assert.equal(await submitWith(page, 'action', 'begin'), 200);
        const secret = (await page.textContent('#totp-secret')).replace(/\s/g, '').toUpperCase();
        assert.match(secret, /^[A-Z2-7]{16,}=*$/, `a base32 secret: ${secret}`);
        const qr = page.locator('svg').filter({ has: page.locator('path, rect') }).first();
        const qrName = await qr.evaluate((el) => el.getAttribute('aria-label') || el.querySelector('title')?.textContent
            || (el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby'))?.textContent) || '');
        assert.ok(qrName.trim(), 'the QR code has an accessible name');
        await audit(page, 'two-factor setup page');
        user.totp = secret;
        await page.fill('form:has([name="action"][value="confirm"]) [name="code"]', await nextCode());
        const confirmed = await submitWith(page, 'action', 'confirm');
        assert.ok(confirmed === 303 || confirmed === 200, `confirmed: ${confirmed}`);
        assert.equal(await page.locator('.account-error').count(), 0, `no refusal: ${await page.locator('.account-error').textContent().catch(() => '')}`);

        await logout(page);
        // The password alone is not enough any more.
        await page.fill('#pseudonym', user.pseudonym);
        await page.fill('#password', user.password);
        assert.equal(await submit(page, 'form.account-form'), 401, 'the code is asked for');
        assert.ok(await page.isVisible('#code'), 'a field for the code');
        assert.equal(await sessionCookie(s.context), null, 'no session without the code');
        await audit(page, 'login page asking for the code');
        await page.fill('#password', user.password);
        await page.fill('#code', await nextCode());
        assert.equal(await submit(page, 'form.account-form'), 303, 'password and code log in');
        assert.ok(await sessionCookie(s.context));
        checkClean(s, [/status of 401/]);
    } finally {
        await s.close();
    }
});

// ---- the last one: erasure (library pages)

test('deleting the account with its drawings: they are gone, the login fails, the cookie too', async () => {
    assert.ok(made.drawing, 'the drawing test ran first');
    const { s, page } = await loggedIn();
    try {
        await page.goto(`${BASE}/konto/loeschen`);
        await audit(page, 'delete account page');
        const form = 'form:has([name="drawings"])';
        await page.fill(`${form} [name="password"]`, user.password);
        const choice = page.locator(`${form} [name="drawings"]`);
        if ((await choice.first().evaluate((el) => el.tagName)) === 'SELECT') await choice.selectOption('delete');
        else await page.check(`${form} [name="drawings"][value="delete"]`);
        assert.equal(await submit(page, form), 303, 'the deletion redirects');
        assert.equal(await sessionCookie(s.context), null, 'the cookie is gone');
        await audit(page, 'page after deleting the account');
        for (const id of [made.drawing, made.claimed].filter(Boolean)) {
            assert.equal((await fetch(`${BASE}/api/drawings/${id}`)).status, 404, `drawing ${id} is gone`);
        }
        await page.goto(`${BASE}/konto/anmelden`);
        await page.fill('#pseudonym', user.pseudonym);
        await page.fill('#password', user.password);
        assert.equal(await submit(page, 'form.account-form'), 401, 'the login fails');
        assert.equal(await sessionCookie(s.context), null);
        checkClean(s, [/status of 40[134]/]);
    } finally {
        await s.close();
    }
});
