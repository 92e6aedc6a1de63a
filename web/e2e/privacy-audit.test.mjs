// The privacy audit in the operator console (/verwaltung/datenschutzpruefung,
// issue 19) in the browser. This file starts a numis of its own on the demo
// site, with the statistics written every second (so that a run takes
// seconds, not twelve) and an operator account made on the command line:
//
// - the operator opens the page from the console's navigation by keyboard
//   alone, where no report exists yet, and runs the audit with the button;
// - the page says the run is under way and who started it; its link waits
//   for the end and shows the report: every clause checked holds, each with
//   its verdict in words;
// - the downloads (Markdown, HTML, JSON) are that report;
// - every state of the page passes axe-core on a desktop and on a 375-px
//   phone, where nothing scrolls sideways.
//
// With NUMIS_SHOTS=<directory>, screenshots of the page (1280×800 and
// 375×740) are written there.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, openSession, sleep, until } from './helpers.mjs';

const REPO = resolve(import.meta.dirname, '..', '..');
// scripts/e2e.sh names the binary it built (relative to the repository).
const NUMIS = process.env.NUMIS_BIN ? resolve(REPO, process.env.NUMIS_BIN) : join(REPO, 'target', 'debug', 'numis');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const PAGE = '/verwaltung/datenschutzpruefung';

const operator = { pseudonym: 'E2E Dora Datenschutz', password: `Sumpfporst-${randomBytes(6).toString('hex')}` };

let browser;
let server;
let base;
let tmp;

/** The environment without any NUMIS_* variable of the caller's shell. */
function cleanEnv() {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NUMIS_')));
    return { ...env, RUST_LOG: 'info', NUMIS_STATS__FLUSH_SECONDS: '1' };
}

before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'numis-privacy-audit-'));
    const data = join(tmp, 'data');
    mkdirSync(data);
    execFileSync(NUMIS, ['account', 'create', operator.pseudonym, '--password-stdin', '--role', 'operator', '--data-dir', data], {
        input: `${operator.password}\n`,
        env: cleanEnv(),
        stdio: ['pipe', 'ignore', 'pipe'],
    });
    server = spawn(NUMIS, ['serve', '--bind', '127.0.0.1:0', '--data-dir', data, '--site-dir', join(REPO, 'site')], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stdout.on('data', (d) => { log += d; });
    server.stderr.on('data', (d) => { log += d; });
    await until(() => /numis listening on (http:\/\/[0-9.:]+)/.exec(log), 'the server listening', 120_000);
    base = /numis listening on (http:\/\/[0-9.:]+)/.exec(log)[1];
    await until(async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok, 'healthy', 60_000);
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

/** Axe-core on a desktop and a phone; on the phone nothing scrolls sideways. */
async function checkPage(s, page, name) {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        await page.setViewportSize(viewport);
        await sleep(250);
        await s.audit(page, `${name} (${size})`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} (${size}): ${overflow} px sideways scrolling`);
        const dir = process.env.NUMIS_SHOTS;
        if (dir) {
            mkdirSync(dir, { recursive: true });
            await page.screenshot({ path: join(dir, `console-${name}-${size}.png`), fullPage: true });
        }
    }
    await page.setViewportSize(DESKTOP);
}

/** Presses Tab until the focused element's text matches `name`; answers its text. */
async function tabTo(page, name, limit = 60) {
    for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        const text = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
        if (name.test(text)) return text;
    }
    throw new Error(`no focusable element ${name} within ${limit} Tab presses`);
}

/** A download through its link: the file's name and text. */
async function download(page, name) {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
    return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

test('an operator runs the privacy audit from the console and reads its report', async () => {
    const s = await openSession(browser, { allowedOrigins: [base] });
    const page = await s.context.newPage();
    await page.goto(`${base}/konto/anmelden`);
    await page.getByLabel('Pseudonym').fill(operator.pseudonym);
    await page.getByLabel('Passwort', { exact: true }).fill(operator.password);
    await Promise.all([
        page.waitForURL((url) => !url.pathname.endsWith('/anmelden')),
        page.locator('form.account-form button[type=submit]').first().click(),
    ]);

    // From the dashboard to the page through the console's navigation, by keyboard.
    await page.goto(`${base}/verwaltung`);
    await tabTo(page, /^Datenschutzprüfung$/);
    await Promise.all([page.waitForURL(new RegExp(`${PAGE}$`)), page.keyboard.press('Enter')]);
    await page.getByRole('heading', { level: 1, name: 'Datenschutzprüfung' }).waitFor();
    assert.equal(
        await page.locator('.console-nav a[aria-current="page"]').textContent(),
        'Datenschutzprüfung',
        'the navigation marks the page',
    );
    await page.getByText('Es gibt noch keinen Bericht.').waitFor();
    await checkPage(s, page, 'privacy-audit-empty');

    // The button, by keyboard: the answer comes at once, the run goes on.
    await tabTo(page, /^Prüfung jetzt ausführen$/);
    const pressed = Date.now();
    await Promise.all([page.waitForURL(new RegExp(`${PAGE}$`)), page.keyboard.press('Enter')]);
    const status = page.getByRole('status').filter({ hasText: 'Die Prüfung läuft seit' });
    await status.waitFor();
    assert.ok(Date.now() - pressed < 1500, 'the button did not wait for the audit');
    assert.match(await status.textContent(), new RegExp(`gestartet von ${operator.pseudonym}`));
    await checkPage(s, page, 'privacy-audit-running');

    // The page's link waits on the server until the run has ended.
    await Promise.all([
        page.waitForURL(/\?warten$/, { timeout: 60_000 }),
        page.getByRole('link', { name: 'Auf das Ergebnis warten' }).click(),
    ]);
    await page.getByText('Alle geprüften Zusagen halten.').waitFor();
    assert.equal(await page.getByText('Die Prüfung läuft seit').count(), 0);
    const rows = await page.locator('.audit-row').evaluateAll((items) => items.map((li) => ({
        clause: li.querySelector('.audit-clause').textContent.replace('Klausel', '').trim(),
        verdict: li.querySelector('.audit-row-head .audit-verdict').textContent.replace('Urteil:', '').trim(),
        evidence: li.querySelectorAll('.audit-evidence li').length,
    })));
    assert.ok(rows.length >= 9, JSON.stringify(rows));
    for (const row of rows) {
        const expected = row.clause === 'L7' ? 'Nicht anwendbar' : 'Hält';
        assert.equal(row.verdict, expected, `${row.clause}: ${JSON.stringify(rows)}`);
        assert.ok(row.evidence > 0, `${row.clause} has evidence`);
    }
    assert.match(await page.locator('.audit-summary').textContent(), /von \d+ Zusagen halten, 1 ist nicht anwendbar\./);
    await checkPage(s, page, 'privacy-audit');

    // The downloads are the report the page shows.
    const json = await download(page, 'Bericht als JSON');
    assert.match(json.name, /^numis-audit-\d{4}-\d{2}-\d{2}-\d{4}\.json$/);
    const report = JSON.parse(json.text);
    assert.equal(report.reached, true);
    assert.deepEqual(report.rows.map((r) => r.clause), rows.map((r) => r.clause));
    const markdown = await download(page, 'Bericht als Markdown');
    assert.match(markdown.name, /\.md$/);
    assert.ok(markdown.text.startsWith(`# numis audit of ${report.url}`), markdown.text.slice(0, 200));
    const html = await download(page, 'Bericht als HTML');
    assert.match(html.name, /\.html$/);
    assert.match(html.text, /<h1>numis audit of /);

    // The run is in the audit trail, under the operator's pseudonym.
    await page.goto(`${base}/verwaltung/protokoll`);
    const entries = await page.locator('table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent));
    assert.ok(
        entries.some((e) => e.includes('Datenschutzprüfung ausgeführt') && e.includes(operator.pseudonym)),
        JSON.stringify(entries),
    );

    // The English page.
    await page.goto(`${base}/en/admin/privacy-audit`);
    await page.getByText('Every promise checked holds.').waitFor();
    await checkPage(s, page, 'privacy-audit-en');

    // Everything a console page must never do (the session cookie it has on purpose).
    assert.deepEqual(s.log.consoleErrors, [], 'console errors or CSP violations');
    assert.deepEqual(s.log.pageErrors, [], 'uncaught exceptions in the page');
    assert.deepEqual(s.log.foreignRequests, [], 'requests to another origin');
    assert.deepEqual(s.log.accessibility, [], 'serious or critical accessibility violations (axe-core)');
    await s.close();
});
