// Exemptions from the abroad rule in the browser: a governorate supervisor finds a member the demo's
// reconciliation held as abroad, grants an exemption for study with the university's letter (a PDF
// chosen in the file field), sees it listed with its document, opens the document, and the abroad hold
// is lifted. A bad request (no document) is refused on the page with its message.
// TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const accounts = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const supervisor = accounts.accounts.find((a) => a.role === 'governorate_supervisor');

const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

/// A member with an active abroad hold, from the households the supervisor sees.
async function heldAbroad(request) {
  let after = '';
  for (let page = 0; page < 40; page++) {
    const list = await (await request.get(`${base}/api/v1/households?limit=100${after ? '&after=' + after : ''}`)).json();
    for (const h of list.households ?? list.items ?? []) {
      const d = await (await request.get(`${base}/api/v1/households/${h.card_number}`)).json();
      const hold = d.holds.find((x) => x.active && x.reason === 'abroad' && x.member_id);
      const m = hold && d.members.find((x) => x.member_id === hold.member_id && x.national_id);
      if (m) return { card: h.card_number, nid: m.national_id };
    }
    if (!list.next_after) break;
    after = list.next_after;
  }
  return null;
}

test('a supervisor grants an exemption with its document and the abroad hold is lifted', async () => {
  const browser = await launch();
  const cspProblems = watchCsp(browser);
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(base + '/sign-in');
    await page.fill('#username', supervisor.username);
    await page.fill('#password', supervisor.password);
    await page.click('#sign-in');
    await page.click('#nav-exemptions');
    assert.match(page.url(), /\/exemptions/);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');

    const held = await heldAbroad(ctx.request);
    assert.ok(held, 'the demo holds some member as abroad');
    await page.fill('#exemption-lookup input[name="national_id"]', held.nid);
    await page.click('#exemption-lookup button');
    await page.waitForSelector('#exemptions-none');

    // Without a document the browser's own check stops the form; sent anyway, the API refuses it.
    const refused = await page.evaluate(async ([nid, csrf]) => {
      const res = await fetch('/api/v1/exemptions', { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ national_id: nid, reason: 'study', valid_until: '2027-06-30', evidence: 'letter' }) });
      return [res.status, (await res.json()).code];
    }, [held.nid, await page.locator('input[name="csrf"]').first().inputValue()]);
    assert.deepEqual(refused, [409, 'document_required']);

    const letter = shots + 'university-letter.pdf';
    writeFileSync(letter, '%PDF-1.4\n% University of Baghdad, letter 4471: enrolled for 2026/2027\n%%EOF\n');
    const until = new Date(Date.now() + 200 * 86400e3).toISOString().slice(0, 10);
    await page.selectOption('#exemption-form select[name="reason"]', 'study');
    await page.fill('#exemption-form input[name="valid_until"]', until);
    await page.fill('#exemption-form input[name="evidence"]', 'كتاب جامعة بغداد 4471');
    await page.setInputFiles('#exemption-form input[name="document"]', letter);
    await page.click('#exemption-submit');
    await page.waitForSelector('#exemption-message');
    assert.equal(await page.locator('#exemptions-table tr.exemption-row').count(), 1);
    const row = await page.locator('#exemptions-table tr.exemption-row').innerText();
    assert.match(row, /دراسة/);
    assert.match(row, /كتاب جامعة بغداد 4471/);
    await page.screenshot({ path: shots + 'exemptions.png', fullPage: true });

    // The document opens as it was sent.
    const href = await page.getAttribute('a.exemption-document', 'href');
    const doc = await ctx.request.get(base + href);
    assert.equal(doc.status(), 200);
    assert.equal(doc.headers()['content-type'], 'application/pdf');
    assert.match(await doc.text(), /letter 4471/);

    // The abroad hold is lifted, with the exemption as the reason.
    const after = await (await ctx.request.get(`${base}/api/v1/households/${held.card}`)).json();
    const holds = after.holds.filter((x) => x.reason === 'abroad' && x.member_id);
    assert.ok(holds.length > 0 && holds.every((x) => !x.active), 'no abroad hold stays active');
    assert.ok(holds.some((x) => /exempt/.test(x.lift_reason ?? '')), 'lifted for the exemption');
    assert.deepEqual(cspProblems, [], 'nothing blocked by the CSP, no script errors');
  } finally {
    await browser.close();
  }
});
