// Screening in the browser: an auditor starts a run over the demo's registry and civil registry, sees
// the queue with names, cards, districts and counts, pages it, opens a finding (both records side by
// side, the explanation field by field) and confirms it; the household's citizen sees it on their card
// page with the reason and the cure path and appeals with a PDF; the auditor finds the appeal in the
// inbox with its age and rejects it with a note, which the citizen then reads with what to do next; the
// citizen appeals again and the auditor upholds it, which clears the finding.
// TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const accounts = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const auditor = accounts.accounts.find((a) => a.role === 'auditor');

const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

test('an auditor confirms a finding, the citizen appeals with a document, the auditor upholds it', async () => {
  const browser = await launch();
  const cspProblems = watchCsp(browser);
  try {
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await staff.newPage();
    await page.goto(base + '/sign-in');
    await page.fill('#username', auditor.username);
    await page.fill('#password', auditor.password);
    await page.click('#sign-in');
    await page.click('#nav-screening');
    assert.match(page.url(), /\/screening/);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');

    // A run over the whole registry, followed on the page until it is done.
    await page.click('#start-run button');
    await page.waitForSelector('#message');
    for (let i = 0; i < 120 && !(await page.locator('#runs tr.run[data-status="done"]').count()); i++) {
      await page.waitForTimeout(1000);
      await page.goto(base + '/screening');
    }
    assert.ok(await page.locator('#runs tr.run[data-status="done"]').count(), 'the run finished');
    assert.ok((await page.locator('#findings tr.finding').count()) > 0, 'the run found something');
    assert.ok(await page.locator('#counts tbody tr').count(), 'the counts by kind and status');
    assert.match(await page.locator('#findings tr.finding td.card-number').first().textContent(), /\d{6}/, 'each finding names its card');
    await page.screenshot({ path: shots + 'screening-queue.png', fullPage: true });
    if (await page.locator('#next-page').count()) {
      const first = await page.locator('#findings tr.finding a').first().getAttribute('href');
      await page.click('#next-page');
      assert.match(page.url(), /after=/);
      assert.ok((await page.locator('#findings tr.finding').count()) > 0, 'the next page has findings');
      assert.notEqual(await page.locator('#findings tr.finding a').first().getAttribute('href'), first);
      await page.goto(base + '/screening');
    }

    // A held match (a pair, explained field by field; not a fictitious finding, which has no other
    // record) on a household with a mobile number (its citizen will appeal).
    const list = [];
    for (const kind of ['duplicate', 'same_id', 'deceased', 'abroad']) {
      list.push(...(await (await staff.request.get(
        base + '/api/v1/screening/findings?status=pending&decision=hold&limit=100&kind=' + kind)).json()).items);
    }
    let chosen = null;
    for (const f of list) {
      const d = await (await staff.request.get(base + '/api/v1/screening/findings/' + f.finding.finding_id)).json();
      const h = await (await staff.request.get(base + '/api/v1/households/' + d.member.card_number.replace(/\D/g, ''))).json();
      if (h.phone) { chosen = { id: f.finding.finding_id, phone: h.phone }; break; }
    }
    assert.ok(chosen, 'a held finding on a household with a phone');
    await page.goto(base + '/screening/findings/' + chosen.id);
    assert.ok((await page.locator('#sides tbody tr').count()) >= 5, 'the records side by side');
    assert.ok((await page.locator('#explanation tbody tr').count()) > 0, 'the explanation field by field');
    await page.screenshot({ path: shots + 'screening-finding.png', fullPage: true });
    await page.fill('#note', 'راجعت السجلين');
    await page.click('#confirm');
    await page.waitForSelector('#status[data-status="confirmed"]');

    // The citizen signs in with the household's number and a code from the demo's outbox.
    const home = await browser.newContext({ viewport: { width: 420, height: 860 } });
    const citizen = await home.newPage();
    await citizen.goto(base + '/citizen/sign-in');
    await citizen.fill('#phone', chosen.phone);
    await citizen.click('#send-code');
    await citizen.waitForSelector('#code-sent');
    const outbox = await home.newPage();
    await outbox.goto(base + '/demo/outbox');
    const bodies = await outbox.locator('.sms-body').allTextContents();
    const code = bodies.map((b) => b.match(/(\d{6})/)).find((m) => m)[1];
    assert.ok(bodies.some((b) => b.includes('تموين')), 'the household was told of the confirmed finding');
    await citizen.fill('#code', code);
    await citizen.click('#verify-code');
    await citizen.waitForSelector('#findings-link');
    await citizen.click('#findings-link');
    const card = citizen.locator(`.citizen-finding[data-finding="${chosen.id}"]`);
    await card.waitFor();
    assert.ok((await card.locator('.cure').textContent()).length > 10, 'the cure path is shown');
    await card.locator('textarea[name="statement"]').fill('أنا شخص واحد مسجل في بطاقة واحدة، وأرفق بطاقتي الموحدة');
    await card.locator('input[name="document"]').setInputFiles({
      name: 'unified-card.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% unified card scan\n'),
    });
    await card.locator('button[type="submit"]').click();
    await citizen.waitForSelector('#appeal-result:not([hidden])');
    await citizen.waitForSelector(`.citizen-finding[data-finding="${chosen.id}"] .appeal-status`);
    assert.match(await card.locator('.appeal-status').textContent(), /قيد النظر/);
    await citizen.screenshot({ path: shots + 'screening-citizen-appeal.png', fullPage: true });

    // The auditor finds the appeal in the inbox with its age, reads it and its document, and rejects it
    // with a note.
    await page.goto(base + '/screening/appeals');
    const row = page.locator(`#appeals tr.appeal-row:has(a[href*="${chosen.id}"])`);
    await row.waitFor();
    assert.equal((await row.locator('td.age').textContent()).trim(), '0');
    await page.screenshot({ path: shots + 'screening-appeals-inbox.png', fullPage: true });
    await row.locator('a').first().click();
    const appeal = page.locator('article.appeal[data-status="open"]');
    await appeal.waitFor();
    const doc = await staff.request.get(base + (await appeal.locator('a.document').getAttribute('href')));
    assert.equal(doc.status(), 200);
    assert.match(await doc.text(), /%PDF/);
    const reason = 'البطاقتان لشخص واحد بالاسم والتولد واسم الأم';
    await appeal.locator('input[name="note"]').fill(reason);
    await appeal.locator('button.reject').click();
    await page.waitForSelector('article.appeal[data-status="rejected"]');

    // The citizen reads why, and what to do next; and appeals again with another document.
    await citizen.reload();
    await card.waitFor();
    assert.match(await card.locator('.appeal-status').textContent(), /رُفض|مرفوض/);
    assert.equal((await card.locator('.appeal-note').textContent()).trim(), reason);
    assert.match(await card.locator('.next-step').textContent(), /مجدداً/);
    await citizen.screenshot({ path: shots + 'screening-citizen-rejected.png', fullPage: true });
    await card.locator('textarea[name="statement"]').fill('أرفق كتاب المحكمة الذي يثبت أننا شخصان');
    await card.locator('input[name="document"]').setInputFiles({
      name: 'court.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% court letter\n'),
    });
    await card.locator('button[type="submit"]').click();
    await citizen.waitForSelector('#appeal-result:not([hidden])');
    await citizen.waitForFunction((id) => {
      const s = document.querySelector(`.citizen-finding[data-finding="${id}"] .appeal-status`);
      return s && /قيد النظر/.test(s.textContent);
    }, chosen.id);

    // The auditor upholds the second appeal: the finding is cleared, and the citizen sees why.
    await page.goto(base + '/screening/findings/' + chosen.id);
    const second = page.locator('article.appeal[data-status="open"]');
    await second.waitFor();
    await second.locator('input[name="note"]').fill('كتاب المحكمة يثبت شخصين');
    await second.locator('button.uphold').click();
    await page.waitForSelector('#status[data-status="cleared"]');
    await page.screenshot({ path: shots + 'screening-appeal-upheld.png', fullPage: true });
    await citizen.reload();
    await card.waitFor();
    assert.equal((await card.locator('.appeal-note').textContent()).trim(), 'كتاب المحكمة يثبت شخصين');
    assert.equal(await card.locator('.appeal-form').count(), 0, 'nothing left to appeal');
    assert.deepEqual(cspProblems, [], 'nothing blocked by the CSP, no script errors');
  } finally {
    await browser.close();
  }
});
