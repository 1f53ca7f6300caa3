// A citizen signs in with the household's mobile number and a one-time code read from the demo's
// outbox page (the stand-in for the phone), sees their card and who read their data. A wrong code is
// refused first. TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const { citizen } = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));

test('a citizen signs in with a one-time code and sees who read their data', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const cspProblems = watchCsp(browser);
  try {
    const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
    const page = await context.newPage();
    await page.goto(base + '/citizen');
    assert.match(page.url(), /\/citizen\/sign-in/);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    await page.fill('#phone', citizen.phone);
    await page.click('#send-code');
    await page.waitForSelector('#code-sent');
    await page.screenshot({ path: shots + 'citizen-code.png', fullPage: true });

    // The demo's outbox stands in for the phone.
    const phone = await context.newPage();
    await phone.goto(base + '/demo/outbox');
    // Other messages (a birth notice) may be there too: the code is the newest message with six digits.
    const bodies = await phone.locator('.sms-body').allTextContents();
    await phone.screenshot({ path: shots + 'outbox.png', fullPage: true });
    const code = bodies.map((b) => b.match(/(\d{6})/)).find((m) => m)[1];

    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    await page.fill('#code', wrong);
    await page.click('#verify-code');
    await page.waitForSelector('#citizen-error');

    await page.fill('#code', code);
    await page.click('#verify-code');
    await page.waitForSelector('#data-uses');
    assert.match(page.url(), /\/citizen$/);
    assert.ok((await page.locator('tr.member').count()) > 0, 'the own household is shown');
    assert.match(await page.textContent('#who-role'), /مواطن/);
    await page.screenshot({ path: shots + 'citizen-home.png', fullPage: true });

    // The demo registered a birth in this family at the civil registry; the CRVS notification made it a
    // suggestion that waits for the head. Confirming adds the newborn to the card.
    await page.waitForSelector('#suggestions .suggestion[data-status="pending"]');
    assert.match(await page.textContent('#suggestions'), /زينب/);
    const before = await page.locator('tr.member').count();
    await page.click('#suggestions button.confirm');
    await page.waitForSelector('#suggestions .suggestion[data-status="confirmed"]');
    assert.equal(await page.locator('tr.member').count(), before + 1, 'the newborn is on the card');
    await page.screenshot({ path: shots + 'citizen-birth-confirmed.png', fullPage: true });

    // "Your card at home": a member's new unified card is on its way, tracked step by step.
    await page.waitForSelector('#deliveries .delivery[data-status="out_for_delivery"]');
    assert.equal(await page.locator('#deliveries .steps li').count(), 3, 'requested, printed, out for delivery');
    await page.locator('#deliveries').screenshot({ path: shots + 'citizen-delivery.png' });

    // The code worked once: used again, it is refused.
    await page.click('#sign-out');
    await page.waitForSelector('#phone');
    const pre = (await context.cookies()).find((c) => c.name === 'tamwin_pre').value;
    const again = await context.request.post(base + '/citizen/sign-in', {
      form: { phone: citizen.phone, code, csrf: pre },
      maxRedirects: 0,
    });
    assert.equal(again.status(), 401, 'a used code is refused');
    assert.match(await again.text(), /citizen-error/);
    assert.deepEqual(cspProblems, [], 'nothing blocked by the CSP, no script errors');
  } finally {
    await browser.close();
  }
});
