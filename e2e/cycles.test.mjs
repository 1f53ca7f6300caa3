// A monthly cycle in the browser (issue 15): a governorate supervisor drafts this month's flour cycle
// for Karbala and reads its dry run (persons by district, the flour each agent needs); the drafter
// cannot approve it, a second supervisor does; once generated it is opened, and a family on a phone
// sees its flour and its basket, item by item, with the members counted. Arabic, right to left.
// TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { launch, citizenSignIn, staffSignIn } from './demo.mjs';
import { watchCsp } from './csp.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const { accounts, citizens } = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const named = (username) => accounts.find((a) => a.username === username);

const signIn = (browser, who) => staffSignIn(browser, base, who);

test('a supervisor drafts and dry-runs a cycle, a second approves it, it opens, and a family sees its basket', async () => {
  const browser = await launch();
  const cspProblems = watchCsp(browser);
  try {
    const ali = await signIn(browser, named('governorate-supervisor.karbala'));
    await ali.click('#nav-cycles');
    assert.match(ali.url(), /\/cycles/);
    assert.equal(await ali.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await ali.textContent('h1'), 'الدورات الشهرية');
    // The demo opened this month's basket.
    assert.equal(await ali.locator('tr.cycle[data-status="open"]').count(), 1);
    await ali.selectOption('#programme', 'iq-flour');
    await ali.click('#draft');
    await ali.waitForSelector('#dry-run');
    assert.match(await ali.textContent('#message'), /أُعدّت مسودة الدورة/);
    assert.equal(await ali.getAttribute('#cycle-status', 'data-status'), 'draft');
    const districts = await ali.locator('tr.district').count();
    assert.ok(districts >= 3, `persons by district (${districts})`);
    assert.match(await ali.textContent('tr.item[data-item="flour"]'), /طحين\s*[\d,]+(\.\d+)?\s*كغم/);
    assert.equal(await ali.locator('#approve').count(), 0, 'the drafter cannot approve their own draft');
    await ali.click('#agents summary');
    assert.ok(await ali.locator('tr.agent').count() >= 1);
    // The demo's warehouses (one a district) each show what they must send.
    await ali.click('#warehouses summary');
    const warehouses = await ali.locator('tr.warehouse[data-warehouse^="W"]').count();
    assert.ok(warehouses >= 3, `tonnage per warehouse (${warehouses})`);
    assert.match(await ali.textContent('tr.warehouse[data-warehouse^="W"]'), /مخزن/);
    await ali.screenshot({ path: shots + 'cycle-dry-run.png', fullPage: true });
    const cycleUrl = ali.url().split('?')[0];

    const omar = await signIn(browser, named('governorate-supervisor-2.karbala'));
    await omar.goto(cycleUrl);
    await omar.click('#approve');
    assert.match(await omar.textContent('#message'), /اعتُمدت الدورة/);
    // The server's job runner generates it at once.
    for (let i = 0; i < 40 && !(await omar.locator('#open').count()); i++) {
      await omar.waitForTimeout(250);
      await omar.goto(cycleUrl);
    }
    assert.match(await omar.textContent('#generated'), /\d+/);
    await omar.click('#open');
    assert.equal(await omar.getAttribute('#cycle-status', 'data-status'), 'open');
    assert.match(await omar.textContent('#approved-by'), /governorate-supervisor-2\.karbala/);
    await omar.screenshot({ path: shots + 'cycle-open.png', fullPage: true });

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const home = await citizenSignIn(context, base, citizens[citizens.length - 1].phone);
    await home.waitForSelector('#baskets');
    const flour = home.locator('.basket[data-status="open"] tr.basket-line[data-item="flour"]');
    assert.ok(await flour.count() >= 1, 'the flour ration is on the family\'s page');
    assert.match(await flour.first().textContent(), /كغم/);
    assert.ok(await home.locator('tr.basket-line[data-item="rice"]').count() >= 1, 'and the basket, item by item');
    assert.ok(await home.locator('.basket .counted').count() >= 1, 'with the members it counts');
    const width = await home.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
    await home.locator('#baskets').screenshot({ path: shots + 'citizen-basket.png' });

    // In the open cycle a supervisor takes 500 g of rice off the family's basket, with the reason,
    // from the household page; the family sees it marked, with the reason.
    const card = (await home.textContent('h1 .num')).trim();
    await omar.goto(`${base}/households/${encodeURIComponent(card)}`);
    const open = omar.locator('.basket[data-status="open"]:has(tr.basket-line[data-item="rice"])').first();
    await open.locator('details.adjust summary').click();
    await open.locator('select[name="item"]').selectOption('rice');
    await open.locator('input[name="amount"]').fill('-500');
    await open.locator('input[name="reason"]').fill('نقص في الوزن الشهر الماضي');
    await open.locator('.adjust-submit').click();
    assert.match(await omar.textContent('#message'), /سُجّل التعديل/);
    assert.match(await omar.textContent('.basket[data-status="open"] .adjustments'), /نقص في الوزن/);
    await omar.locator('#baskets').screenshot({ path: shots + 'household-basket-adjusted.png' });
    // Refused whole, with the reason in Arabic: more than the line holds.
    await open.locator('details.adjust summary').click();
    await open.locator('input[name="amount"]').fill('-999999999');
    await open.locator('input[name="reason"]').fill('خطأ');
    await open.locator('.adjust-submit').click();
    assert.match(await omar.textContent('#error'), /لا يمكن/);
    await home.reload();
    assert.ok(await home.locator('.basket[data-status="open"] tr.basket-line[data-item="rice"] .adjusted').count() >= 1, 'the family sees the adjusted item');
    assert.match(await home.textContent('.basket[data-status="open"] .adjustments'), /نقص في الوزن/);
    assert.deepEqual(cspProblems, []);
  } finally {
    await browser.close();
  }
});
