// The outlet's page on a phone (issue 16): the ration agent's operator scans a family's card (the QR's
// text typed in as a scanner types it), sees what is left this month and who may collect, hands out
// part of the rice, then the rest; more than is left is refused in Arabic and writes nothing; each
// collection ends on a receipt, lists in the day's collections and reaches the family's phone; the
// family's page shows who collected what, where and when. Arabic, right to left.
// TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { launch, citizenSignIn } from './demo.mjs';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const { accounts, citizens } = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const operator = accounts.find((a) => a.role === 'outlet_operator');
const phone = { viewport: { width: 390, height: 844 }, isMobile: true };

// Grams as the page writes them: "9 كغم" or "8.5 كغم" with Arabic or Latin digits.
const kilograms = (text) => {
  const m = text.replace(/[٠-٩]/g, (d) => '٠١٢٣٤٥٦٧٨٩'.indexOf(d)).match(/([\d,]+(?:\.\d+)?)\s*كغم/);
  return m ? Math.round(parseFloat(m[1].replace(/,/g, '')) * 1000) : NaN;
};

test('an outlet hands out part of a basket, then the rest, never more, and the family sees each collection', async () => {
  const browser = await launch();
  const cspProblems = watchCsp(browser);
  try {
    // The family's card QR, as printed on the card.
    const family = await browser.newContext(phone);
    const home = await citizenSignIn(family, base, citizens[0].phone);
    const qr = await home.evaluate(async () => (await (await fetch('/api/v1/me/card-qr')).json()).qr);
    assert.match(qr, /^TMW1:/);
    const card = (await home.textContent('h1 .num')).trim();
    const digits = card.replace(/\D/g, '');

    // The operator signs in on a phone and lands on the outlet's page.
    const shop = await (await browser.newContext(phone)).newPage();
    await shop.goto(base + '/sign-in');
    await shop.fill('#username', operator.username);
    await shop.fill('#password', operator.password);
    await shop.click('#sign-in');
    await shop.waitForSelector('#scan-form');
    assert.match(shop.url(), /\/outlet/);
    assert.equal(await shop.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await shop.textContent('h1'), 'منفذ التوزيع');

    // Scan: what is left now, who may collect.
    await shop.fill('#card', qr);
    await shop.click('#look-up');
    await shop.waitForSelector('#collect-form');
    assert.equal((await shop.getAttribute('#outlet-card', 'data-card')).replace(/\D/g, ''), digits);
    assert.ok(await shop.locator('#identified').count() === 1, 'identified by the QR');
    const rice = shop.locator('tr.take-line[data-item="rice"]');
    const riceLeft = kilograms(await rice.locator('td').first().textContent());
    assert.ok(riceLeft >= 3000, `rice left this month (${riceLeft} g)`);
    assert.ok(await shop.locator('#collector option').count() >= 1, 'who may collect');
    assert.equal(await shop.locator('tr.take-line[data-item="flour"]').count(), 0, 'flour is the flour agent\'s');
    const width = await shop.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
    await shop.screenshot({ path: shots + 'outlet-card.png', fullPage: true });

    // A partial collection: 1 kg of rice and nothing else.
    for (const input of await shop.locator('input.qty').all()) await input.fill('0');
    await shop.fill('#q-rice', '1000');
    await shop.click('#collect');
    await shop.waitForSelector('#receipt');
    assert.match(await shop.textContent('#receipt-taken'), /رز/);
    assert.equal(await shop.locator('#receipt-taken li').count(), 1);
    assert.equal(kilograms(await shop.textContent('#receipt-left li[data-item="rice"]')), riceLeft - 1000);
    await shop.screenshot({ path: shots + 'outlet-receipt.png', fullPage: true });

    // More than is left (a page grown stale): refused in Arabic, nothing written.
    await shop.click('#next-card');
    await shop.fill('#card', qr);
    await shop.click('#look-up');
    await shop.waitForSelector('#collect-form');
    for (const input of await shop.locator('input.qty').all()) await input.fill('0');
    await shop.evaluate(() => document.getElementById('q-rice').removeAttribute('max'));
    await shop.fill('#q-rice', String(riceLeft));
    await shop.click('#collect');
    await shop.waitForSelector('#error');
    assert.match(await shop.textContent('#error'), /أكثر ممّا بقي/);
    assert.equal(kilograms(await shop.locator('tr.take-line[data-item="rice"] td').first().textContent()), riceLeft - 1000);
    await shop.screenshot({ path: shots + 'outlet-refused.png', fullPage: true });

    // The rest of the rice.
    for (const input of await shop.locator('input.qty').all()) await input.fill('0');
    await shop.fill('#q-rice', String(riceLeft - 1000));
    await shop.click('#collect');
    await shop.waitForSelector('#receipt');
    assert.equal(kilograms(await shop.textContent('#receipt-left li[data-item="rice"]')), 0);

    // The day's list shows both; the family's phone has both receipts.
    await shop.click('#next-card');
    const rows = shop.locator('tr.day-row');
    assert.ok(await rows.count() >= 2, 'the day\'s collections');
    assert.ok((await rows.first().textContent()).replace(/\D/g, '').includes(digits));
    await shop.locator('#day').screenshot({ path: shots + 'outlet-day.png' });
    const outbox = await family.newPage();
    await outbox.goto(base + '/demo/outbox');
    const receipts = await outbox.locator('.sms-body').evaluateAll((els, d) =>
      els.map((e) => e.textContent).filter((t) => t.replace(/\D/g, '').includes(d) && t.includes('رز')), digits);
    assert.ok(receipts.length >= 2, `a receipt per collection (${receipts.length})`);

    // The family's page: who collected what, where and when.
    await home.reload();
    await home.waitForSelector('#collections');
    assert.ok(await home.locator('#collections li.collection').count() >= 2);
    const familyWidth = await home.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(familyWidth <= 390, `the family's page fits a phone (${familyWidth}px)`);
    assert.match(await home.textContent('#collections'), /رز/);
    assert.ok(await home.locator('#collections .agent').count() >= 1, 'the family\'s agent, its address and days');
    await home.locator('#collections').screenshot({ path: shots + 'citizen-collections.png' });

    // The family says it did not make the first collection; Karbala's supervisor assigns and resolves
    // the complaint, and the family reads the reply.
    await home.click('#complain summary');
    await home.selectOption('#complaint-kind', 'collection_not_made');
    const receipt = await home.locator('#complaint-receipt option').nth(1).getAttribute('value');
    await home.selectOption('#complaint-receipt', receipt);
    await home.fill('#complaint-statement', 'لم نستلم الرز في هذا اليوم');
    await home.click('#complaint-submit');
    await home.waitForSelector('#message');
    assert.match(await home.textContent('#message'), /وصلت شكواكم/);
    const supervisor = accounts.find((a) => a.username === 'governorate-supervisor.karbala');
    const sup = await (await browser.newContext(phone)).newPage();
    await sup.goto(base + '/sign-in');
    await sup.fill('#username', supervisor.username);
    await sup.fill('#password', supervisor.password);
    await sup.click('#sign-in');
    await sup.click('#nav-complaints');
    const complaint = sup.locator('.complaint[data-status="open"]').first();
    assert.match(await complaint.textContent(), /استلام لم نقم به/);
    assert.equal(await complaint.locator('[id^="disputed-"]').count(), 1, 'flagged for auditors');
    await complaint.locator('input[name="to"]').fill('inspector.karbala');
    await complaint.locator('button.assign').click();
    assert.match(await sup.textContent('#message'), /أُسندت الشكوى/);
    const assigned = sup.locator('.complaint[data-status="assigned"]').first();
    await assigned.locator('textarea[name="reply"]').fill('زار المفتش الوكيل وأعاد الكمية إلى بطاقتكم');
    await assigned.locator('button.resolve').click();
    assert.match(await sup.textContent('#message'), /حُلّت الشكوى/);
    await sup.screenshot({ path: shots + 'complaints.png', fullPage: true });
    // Auditors find the disputed collection on their own page, from the screening workspace.
    const auditor = accounts.find((a) => a.role === 'auditor');
    const aud = await (await browser.newContext(phone)).newPage();
    await aud.goto(base + '/sign-in');
    await aud.fill('#username', auditor.username);
    await aud.fill('#password', auditor.password);
    await aud.click('#sign-in');
    await aud.goto(base + '/screening');
    await aud.click('#disputed-link');
    assert.equal(await aud.locator('.disputed-row').count(), 1, 'the disputed collection, for auditors');
    assert.match(await aud.textContent('#disputed'), /بالرمز المربّع/);
    assert.match(await aud.textContent('#disputed'), /رز/);
    const audWidth = await aud.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(audWidth <= 390, `the auditors' list fits a phone (${audWidth}px)`);
    await aud.screenshot({ path: shots + 'disputed.png', fullPage: true });
    await sup.click('#nav-outlets');
    assert.ok(await sup.locator('.outlet[data-outlet]').count() >= 3, 'the outlets of Karbala');
    await sup.screenshot({ path: shots + 'outlets.png' });
    await home.reload();
    assert.match(await home.textContent('#complaints .reply'), /زار المفتش/);
    await home.locator('#complaints').screenshot({ path: shots + 'citizen-complaint.png' });
    assert.deepEqual(cspProblems, []);
  } finally {
    await browser.close();
  }
});
