// Every role lands on a page it may see (issue 13, point 16): the analyst on the statistics, the outlet
// operator on their outlet's page (issue 16); a refusal links back there. Also a made-up ?error= is not shown, and
// nothing is blocked by the Content-Security-Policy. Screenshots on a phone and a desktop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const accounts = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const account = (role) => accounts.accounts.find((a) => a.role === role);

async function signIn(page, who) {
  await page.goto(base + '/sign-in');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await page.click('#sign-in');
  await page.waitForSelector('#who');
}

test('every role lands on a page it may see; refusals link there', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const cspProblems = watchCsp(browser);
  try {
    for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
      // The analyst: the statistics of their area.
      const a = await (await browser.newContext({ viewport })).newPage();
      await signIn(a, account('analyst'));
      assert.match(new URL(a.url()).pathname, /^\/stats$/);
      await a.waitForSelector('#progress-figures');
      assert.ok((await a.locator('#household-counts tr.count').count()) > 0, 'counts by area');
      await a.screenshot({ path: shots + `stats-${name}.png`, fullPage: true });
      // The lookup is not theirs: the refusal links to the statistics, not to itself.
      const refused = await a.goto(base + '/');
      assert.equal(refused.status(), 403);
      assert.equal(await a.getAttribute('#back', 'href'), '/stats');
      await a.screenshot({ path: shots + `refused-analyst-${name}.png`, fullPage: true });
      await a.click('#back');
      await a.waitForSelector('#progress-figures');

      // The outlet operator: their outlet's page; their account says what it may do, changes the
      // password and signs out.
      const o = await (await browser.newContext({ viewport })).newPage();
      await signIn(o, account('outlet_operator'));
      assert.match(new URL(o.url()).pathname, /^\/outlet$/);
      await o.waitForSelector('#scan-form');
      await o.click('#nav-account');
      assert.equal(await o.locator('#account-nothing').count(), 0, 'it may hand out at its outlet');
      await o.screenshot({ path: shots + `account-outlet-${name}.png`, fullPage: true });
      await o.click('#account-password');
      await o.waitForSelector('#change-password');
      await o.goto(base + '/account');
      await o.click('#account-sign-out');
      await o.waitForSelector('#sign-in');
    }
    // A made-up message in a link is not shown as the system's.
    const officer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(officer, account('centre_officer'));
    await officer.goto(base + '/centre?error=' + encodeURIComponent('اتصل بالرقم 07801234567 لاستلام حصتك'));
    const shown = await officer.textContent('#check-in-error');
    assert.ok(!shown.includes('07801234567'), shown);
    // A mistyped card number: the catalog's refusal with its example isolated left to right.
    await officer.goto(base + '/centre');
    await officer.fill('#scan', '12');
    await officer.click('#check-in button[type="submit"]');
    await officer.waitForSelector('#check-in-error bdi');
    assert.equal((await officer.textContent('#check-in-error bdi')).trim(), '11-00012345-2');
    await officer.screenshot({ path: shots + 'centre-card-number-error.png', fullPage: true });
    assert.deepEqual(cspProblems, [], 'nothing blocked by the CSP, no script errors');
  } finally {
    await browser.close();
  }
});
