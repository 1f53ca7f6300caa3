// Signs a staff member in, opens the lookup page in headless Chromium, finds a household by an Arabic
// spelling variant (hamza, tatweel), opens it, signs out, and saves screenshots. TAMWIN_E2E_URL points at
// a running `tamwin demo`; TAMWIN_E2E_ACCOUNTS at the accounts file it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const accounts = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const supervisor = accounts.accounts.find((a) => a.role === 'governorate_supervisor');

test('find a household by an Arabic name variant and read its holds', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const cspProblems = watchCsp(browser);
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    // Not signed in: the lookup sends to the sign-in page.
    await page.goto(base + '/');
    assert.match(page.url(), /\/sign-in/);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    await page.fill('#username', supervisor.username);
    await page.fill('#password', 'not the password at all');
    await page.click('#sign-in');
    await page.waitForSelector('#sign-in-error');
    await page.screenshot({ path: shots + 'sign-in-refused.png', fullPage: true });
    await page.fill('#password', supervisor.password);
    await page.click('#sign-in');
    await page.waitForSelector('#who');
    assert.equal((await page.textContent('#who-name')).trim(), supervisor.username);
    assert.match(await page.textContent('#who-area'), /كربلاء/);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.getAttribute('html', 'lang'), 'ar');
    await page.screenshot({ path: shots + 'lookup.png', fullPage: true });

    // Stored as أحمد; typed with a bare alef and a tatweel.
    await page.fill('#q', 'احمـد');
    await page.click('#search');
    await page.waitForSelector('#results');
    const rows = await page.locator('tr.result').count();
    assert.ok(rows > 0, 'the variant finds people named أحمد');
    const first = await page.locator('tr.result a').first().textContent();
    assert.match(first, /أحمد/);
    await page.screenshot({ path: shots + 'results.png', fullPage: true });

    await page.locator('tr.result a').first().click();
    await page.waitForSelector('#members');
    assert.ok((await page.locator('tr.member').count()) > 0);
    assert.ok((await page.locator('#card-state').textContent()).trim().length > 0);
    await page.screenshot({ path: shots + 'household.png', fullPage: true });

    // A card with a hold shows its reason and the cure path.
    await page.goto(base + '/?q=' + encodeURIComponent('محمد'));
    await page.waitForSelector('#results');
    const blocked = page.locator('tr.result', { has: page.locator('.state-temporary, .state-suspended, .state-blocked, .state-pending_verification') }).first();
    if (await blocked.count()) {
      await blocked.locator('a').click();
      await page.waitForSelector('#holds .hold');
      assert.ok((await page.locator('#holds .cure').count()) > 0, 'an active hold shows what to do');
      await page.screenshot({ path: shots + 'household-hold.png', fullPage: true });
    }

    // The English switch flips the direction.
    await page.click('#lang-en');
    assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
    await page.screenshot({ path: shots + 'household-en.png', fullPage: true });

    // Signing out ends the session: the lookup asks for sign-in again.
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-form');
    await page.goto(base + '/');
    assert.match(page.url(), /\/sign-in/);
    assert.deepEqual(cspProblems, [], 'nothing blocked by the CSP, no script errors');
  } finally {
    await browser.close();
  }
});
