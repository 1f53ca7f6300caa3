// The background jobs page in the browser (issue 14, point 4): the ministry administrator opens it from
// the header, reads each job's schedule, last run and next run in Arabic, right to left, and runs a job
// now; the page says it will run, and the run appears as run by hand. The auditor sees the page without
// the button. TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { staffSignIn } from './demo.mjs';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const { accounts } = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const account = (role) => accounts.find((a) => a.role === role);

const signIn = (browser, who) => staffSignIn(browser, base, who);

test('the administrator follows the background jobs and runs one now; the auditor only reads', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  const cspProblems = watchCsp(browser);
  try {
    const page = await signIn(browser, account('ministry_admin'));
    await page.click('#nav-jobs');
    assert.match(page.url(), /\/jobs/);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.textContent('h1'), 'المهام الخلفية');
    // The server's runner ran the ten-minute passes at its start.
    const reminders = page.locator('tr.job[data-job="appointments.reminders"]');
    assert.equal(await reminders.getAttribute('data-outcome'), 'ok');
    assert.match(await reminders.textContent(), /كل\s*10\s*دقائق/);
    assert.match(await page.locator('tr.job[data-job="hub.reconcile"]').textContent(), /02:00/);
    await page.click('#run-appointments\\.reminders');
    assert.match(await page.textContent('#message'), /ستعمل المهمة في أقرب فرصة/);
    // Woken at once: the extra run is there after a moment.
    for (let i = 0; i < 20 && !(await page.locator('#runs-appointments\\.reminders tr.run').nth(1).count()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await page.click('#runs-appointments\\.reminders summary');
    assert.match(await page.locator('#runs-appointments\\.reminders tr.run').first().textContent(), /تشغيل يدوي/);
    await page.screenshot({ path: shots + 'jobs.png', fullPage: true });

    const auditor = await signIn(browser, account('auditor'));
    await auditor.goto(base + '/jobs');
    assert.ok(await auditor.locator('tr.job').count() >= 9, 'every job listed');
    assert.equal(await auditor.locator('button[id^="run-"]').count(), 0, 'no run-now for the auditor');
    assert.deepEqual(cspProblems, []);
  } finally {
    await browser.close();
  }
});
