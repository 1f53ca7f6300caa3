// Pre-registration end to end in headless Chromium, right to left: a head of household signs in on a
// phone-sized screen, books an hour at Karbala's first update centre with the documents each adult
// holds, and prints the form (an A4 PDF with the signed QR); then the centre's officer checks the
// household in by the form's code, records each adult present with the originals seen (checked through
// the in-process civil registry), issues a temporary card to the adult who came without the unified card
// and prints it, completes the visit, and finds the same form refused a second time; the head then sees
// the update done (no booking offered again) and the temporary card with its QR.
// The demo runs with its clock on a weekday morning (scripts/test.sh) so the centre is open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { watchCsp } from './csp.mjs';
import { citizenSignIn } from './demo.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const accounts = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
// Not the first family: citizen.test.mjs signs that one in.
const family = accounts.citizens[1] ?? accounts.citizen;
const officer = accounts.accounts.find((a) => a.role === 'centre_officer');

test('a head books an appointment and prints the form; the officer checks the family in and completes the visit', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const cspProblems = watchCsp(browser);
  try {
    // ---- the head, on a phone ----
    const phone = await browser.newContext({ viewport: { width: 400, height: 860 }, isMobile: true, hasTouch: true });
    const page = await citizenSignIn(phone, base, family.phone);
    await page.click('#appointment-link');
    await page.waitForSelector('#book-form');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    // Every adult brings the unified card; minors have no documents to declare.
    const adults = page.locator('tr.member', { has: page.locator('input[value="unified_card"]') });
    const n = await adults.count();
    assert.ok(n > 0, 'the family has adults to attend');
    for (let i = 0; i < n; i++) await adults.nth(i).locator('input[value="unified_card"]').check();
    // A daughter not on the card yet is proposed; she joins it only when the officer sees her documents.
    await page.locator('details.new-member').evaluate((d) => { d.open = true; });
    await page.fill('input[name="new_given_name"]', 'رقية');
    await page.fill('input[name="new_father_name"]', 'حسين');
    await page.fill('input[name="new_grandfather_name"]', 'كاظم');
    await page.fill('input[name="new_mother_name"]', 'زينب علي حسن');
    await page.fill('input[name="new_birth_date"]', '2012-04-05');
    await page.selectOption('select[name="new_relation"]', 'daughter');
    // Karbala's first centre, which may be among the other centres of the governorate (folded away).
    await page.locator('details.other-centres').evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
    const slot = page.locator('fieldset[data-centre="KRB-C01"] input[name="slot"]').first();
    const chosen = await slot.getAttribute('value');
    await slot.check();
    await page.screenshot({ path: shots + 'appointment-book.png', fullPage: true });
    await page.click('#book');

    // The printable form: centre, day and hour as chosen, the adults, and the QR with the signed token.
    await page.waitForSelector('#appointment-form');
    assert.match(page.url(), /\/citizen\/appointment\/form/);
    const [, when] = chosen.split('|');
    assert.equal((await page.textContent('#form-day')).trim(), when.slice(0, 10));
    assert.equal((await page.textContent('#form-hour')).trim(), when.slice(11));
    assert.match(await page.textContent('#form-centre'), /حي الحسين/);
    assert.equal(await page.locator('tr.attendee').count(), n);
    assert.match(await page.textContent('tr.attendee'), /البطاقة الوطنية الموحدة/);
    assert.ok((await page.locator('#qr svg').count()) === 1, 'the QR is drawn');
    const token = await page.getAttribute('#qr', 'data-token');
    assert.match(token, /^TMW1:/);
    await page.screenshot({ path: shots + 'appointment-form.png', fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: shots + 'appointment-form.pdf', format: 'A4', printBackground: true });
    assert.ok(statSync(shots + 'appointment-form.pdf').size > 10_000, 'an A4 PDF was printed');
    await page.screenshot({ path: shots + 'appointment-form-print.png', fullPage: true });

    // ---- the officer, at the centre ----
    const desk = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const o = await desk.newPage();
    await o.goto(base + '/sign-in');
    await o.fill('#username', officer.username);
    await o.fill('#password', officer.password);
    await o.click('#sign-in');
    await o.waitForSelector('#who');
    await o.click('#nav-centre');
    await o.waitForSelector('#check-in');
    assert.equal(await o.getAttribute('html', 'dir'), 'rtl');
    // A forged form is refused with the reason.
    await o.fill('#scan', token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    await o.click('#check-in button[type="submit"]');
    await o.waitForSelector('#check-in-error');
    assert.match(await o.textContent('#check-in-error'), /QR/);
    await o.screenshot({ path: shots + 'centre-forged.png', fullPage: true });
    // The day's queue lists the booking; a handheld scanner types the real code into the field.
    assert.ok((await o.locator('#queue tr.appt[data-status="booked"]').count()) > 0);
    await o.screenshot({ path: shots + 'centre-queue.png', fullPage: true });
    await o.fill('#scan', token);
    await o.click('#check-in button[type="submit"]');
    await o.waitForSelector('#visit[data-status="checked_in"]');
    await o.screenshot({ path: shots + 'visit-checked-in.png', fullPage: true });

    // Each adult: present, unified card seen; the civil registry answers through the hub. The first
    // left it at home and shows the civil-status ID with the nationality certificate instead.
    const noCard = await o.locator('.member-check[data-attendance="expected"]').first().getAttribute('data-member');
    for (;;) {
      const open = o.locator('.member-check[data-attendance="expected"] form.member-form').first();
      if ((await open.count()) === 0) break;
      const who = await open.locator('xpath=ancestor::section[1]').getAttribute('data-member');
      await open.locator('input[value="present"]').check();
      if (who === noCard) {
        await open.locator('input[value="civil_id"]').check();
        await open.locator('input[value="nationality_certificate"]').check();
      } else {
        await open.locator('input[value="unified_card"]').check();
      }
      await open.locator('button.record').click();
      await o.waitForSelector('#visit-message');
    }
    assert.equal(await o.locator('.member-check[data-attendance="present"]').count(), n);
    await o.screenshot({ path: shots + 'visit-members.png', fullPage: true });
    // Only that adult may get a temporary card; the officer issues it and prints it from the visit.
    assert.equal(await o.locator('button.issue-temp').count(), 1);
    await o.click(`.member-check[data-member="${noCard}"] button.issue-temp`);
    await o.waitForSelector(`.member-check[data-member="${noCard}"] a.print-temp`);
    assert.equal(await o.locator('button.issue-temp').count(), 0, 'issued once');
    await o.click(`.member-check[data-member="${noCard}"] a.print-temp`);
    await o.waitForSelector('.temp-card');
    assert.ok((await o.locator('.temp-card .qr svg').count()) === 1, 'the temporary card has its QR');
    await o.emulateMedia({ media: 'print' });
    await o.pdf({ path: shots + 'temporary-card.pdf', format: 'A4', printBackground: true });
    assert.ok(statSync(shots + 'temporary-card.pdf').size > 10_000, 'the temporary card was printed');
    await o.emulateMedia({ media: 'screen' });
    await o.screenshot({ path: shots + 'visit-temporary-card.png', fullPage: true });
    await o.goBack();
    await o.waitForSelector('#visit[data-status="checked_in"]');
    // A correction with its reason (here the name as read off the card, unchanged): recorded and checked again.
    const first = o.locator('.member-check details.correct').first();
    await first.evaluate((d) => { d.open = true; });
    await first.locator('input[name="reason"]').fill('مطابقة الاسم مع البطاقة الموحدة');
    await first.locator('button.correct-submit').click();
    await o.waitForSelector('#visit-message');
    assert.match(await o.textContent('#visit-message'), /صُحّحت/);
    // The proposed daughter, seen with her documents, is added to the card.
    await o.click('#proposals button.accept');
    await o.waitForSelector('#proposals .proposal[data-accepted="true"]');
    // She has no unified card yet: she gets a temporary card too.
    await o.click('#proposals button.issue-temp');
    await o.waitForSelector('#proposals a.print-temp');
    // The head's declarations for eligibility, confirmed at the visit: the sector and an income in dinars.
    await o.selectOption('#declarations select[name="head_sector"]', 'private');
    await o.fill('#declarations input[name="head_monthly_income"]', '850000');
    await o.click('#declarations button.decl-save');
    await o.waitForSelector('#visit-message');
    assert.match(await o.textContent('#visit-message'), /حُفظت التصريحات/);
    assert.equal(await o.inputValue('#declarations input[name="head_monthly_income"]'), '850000');
    assert.equal(await o.inputValue('#declarations select[name="head_sector"]'), 'private');
    await o.locator('#declarations').screenshot({ path: shots + 'visit-declarations.png' });
    await o.click('#complete');
    await o.waitForSelector('#visit[data-status="completed"]');
    assert.ok(Number(await o.textContent('#visit-minutes')) >= 0);
    await o.screenshot({ path: shots + 'visit-completed.png', fullPage: true });

    // The same form again: already used.
    await o.goto(base + '/centre');
    await o.fill('#scan', token);
    await o.click('#check-in button[type="submit"]');
    await o.waitForSelector('#check-in-error');
    assert.match(await o.textContent('#check-in-error'), /استُعملت/);

    // The head sees the update done: the day, the centre, who was verified, the card's state; no
    // booking offered again, since every adult was seen.
    await page.emulateMedia({ media: 'screen' });
    await page.goto(base + '/citizen/appointment');
    await page.waitForSelector('#update-done');
    assert.equal(await page.locator('#current').count(), 0, 'no open appointment after the visit');
    assert.equal(await page.locator('#book-form').count(), 0, 'no booking offered again');
    assert.equal((await page.textContent('#update-day')).trim(), when.slice(0, 10));
    assert.match(await page.textContent('#update-centre'), /حي الحسين/);
    assert.equal(await page.locator('#update-done ul.verified li').count(), n);
    assert.equal(await page.getAttribute('#update-done', 'data-visit-needed'), 'false');
    await page.screenshot({ path: shots + 'citizen-update-done.png', fullPage: true });
    await page.goto(base + '/citizen');
    await page.waitForSelector('#update-done');
    assert.ok(['active', 'temporary'].includes(await page.getAttribute('#update-state', 'data-state')));
    await page.screenshot({ path: shots + 'citizen-home-update-done.png', fullPage: true });
    await page.goto(base + '/citizen/appointment');
    await page.waitForSelector('#home-visit');

    // An adult who cannot come is visited at home by the district's mobile team.
    await page.selectOption('#home-visit select[name="reason"]', 'elderly');
    await page.click('#request-home-visit');
    await page.waitForSelector('#appt-message');
    assert.match(await page.textContent('#appt-message'), /\d{4}-\d{2}-\d{2}/);
    await page.locator('#home-visit').screenshot({ path: shots + 'home-visit.png' });

    // The family's temporary card, issued at the visit, with its QR; and by the API.
    await page.goto(base + '/citizen/temporary-cards');
    await page.waitForSelector('h1');
    assert.equal(await page.locator('.temp-card').count(), 2);
    assert.equal(await page.locator('.temp-card .qr svg').count(), 2);
    assert.equal(await page.locator('#print-temp-cards').count(), 1);
    await page.screenshot({ path: shots + 'citizen-temporary-cards.png', fullPage: true });
    const cards = await page.evaluate(async () => (await fetch('/api/v1/me/temporary-cards')).json());
    assert.equal(cards.length, 2);
    assert.ok(cards.some((c) => c.member_id === noCard), 'the adult seen without the unified card');
    assert.ok(cards.some((c) => /رقية/.test(c.member_name)), 'the daughter added at the visit');
    assert.ok(cards.every((c) => c.status === 'active' && c.token.startsWith('TMW1:')));
    assert.deepEqual(cspProblems, [], 'nothing blocked by the CSP, no script errors');
  } finally {
    await browser.close();
  }
});
