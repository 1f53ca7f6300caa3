// Electronic powers of attorney, the whole journey on phones (issue 17): the head of a family makes a
// grant on their page, confirms with the civil registry's code; the proxy accepts on their own page
// with theirs after reading what they are asked; the head pays the fee on the sandbox provider's page and is sent back; the outlet's
// operator collects by proxy with a code the registry texts the proxy; the head's phone receives the
// receipt naming the proxy; the head revokes, and the next collection by proxy is refused. Arabic,
// right to left. TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
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

// The newest message to this phone whose text matches, from the demo's outbox (the stand-in for the
// phone): Tamwin's own and the civil registry's.
async function message(context, to, pattern) {
  const outbox = await context.newPage();
  for (let i = 0; i < 20; i++) {
    await outbox.goto(base + '/demo/outbox');
    const all = await outbox.locator('.sms').evaluateAll((els) =>
      els.map((e) => ({ to: e.querySelector('.num').textContent, body: e.querySelector('.sms-body').textContent })));
    const tail = to.replace(/\D/g, '').slice(-9);
    const m = all.find((x) => x.to.replace(/\D/g, '').endsWith(tail) && pattern.test(x.body));
    if (m) {
      await outbox.close();
      return m.body;
    }
    await outbox.waitForTimeout(250);
  }
  await outbox.close();
  throw new Error(`no message to ${to} matching ${pattern}`);
}
const codeOf = (body) => body.match(/(\d{6})/)[1];

async function noOverflow(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 392, `${what} fits a phone (${width}px)`);
}

test('a head grants a proxy, both confirm, the fee is paid, the proxy collects, the head revokes', async () => {
  const browser = await launch();
  const cspProblems = watchCsp(browser);
  try {
    // The proxy: the head of another family, as the civil registry knows them.
    const proxyContext = await browser.newContext(phone);
    const proxyHome = await citizenSignIn(proxyContext, base, citizens[1].phone);
    const proxyHousehold = await proxyHome.evaluate(async () => (await fetch('/api/v1/me/household')).json());
    const proxyHead = proxyHousehold.members.find((m) => m.relation === 'head' && m.national_id);
    assert.ok(proxyHead, 'the proxy has a national ID');

    // The head makes the grant: sugar only, from today for three months, elderly.
    const family = await browser.newContext(phone);
    const home = await citizenSignIn(family, base, citizens[0].phone);
    const card = (await home.textContent('h1 .num')).trim();
    await home.click('#proxies-link');
    await home.waitForSelector('#grant-form');
    assert.equal(await home.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await home.textContent('h1'), 'الوكالات');
    await home.fill('#proxy-nid', proxyHead.national_id);
    await home.fill('#proxy-born', proxyHead.birth_date);
    await home.check('input[name="item"][value="sugar"]');
    await home.selectOption('#grant-reason', 'elderly');
    await noOverflow(home, 'the grant form');
    await home.screenshot({ path: shots + 'proxy-grant-form.png', fullPage: true });
    await home.click('#grant-submit');
    await home.waitForSelector('#message');
    const grant = home.locator('article.grant[data-status="confirming"]').first();
    assert.equal(await grant.count(), 1, 'the grant awaits both confirmations');

    // Both codes come from the civil registry, to each side's own phone.
    const headCode = codeOf(await message(family, citizens[0].phone, /لتأكيد هويتك/));
    await grant.locator('.head-code').fill(headCode);
    await grant.locator('.confirm-submit').click();
    await home.waitForSelector('#message');
    assert.match(await home.textContent('#message'), /سُجّل تأكيدك/);

    const proxyPage = await proxyContext.newPage();
    await proxyPage.goto(base + '/proxy');
    assert.equal(await proxyPage.textContent('h1'), 'وكالة باسمك');
    const proxyCode = codeOf(await message(proxyContext, citizens[1].phone, /وكالة إلكترونية/));
    await proxyPage.fill('#answer-nid', proxyHead.national_id);
    await proxyPage.fill('#answer-code', proxyCode);
    await proxyPage.click('#read-grant');
    // The proxy reads what they are asked before answering.
    await proxyPage.waitForSelector('#seen');
    assert.match(await proxyPage.textContent('#seen'), /سكر/);
    assert.equal((await proxyPage.textContent('#seen .num')).replace(/\D/g, ''), card.replace(/\D/g, ''));
    await proxyPage.screenshot({ path: shots + 'proxy-reads.png', fullPage: true });
    await proxyPage.click('#accept');
    await proxyPage.waitForSelector('#answered');
    assert.equal(await proxyPage.getAttribute('#answered', 'data-status'), 'awaiting_payment');
    assert.match(await proxyPage.textContent('#answered'), /سكر/);
    await noOverflow(proxyPage, 'the proxy\'s page');
    await proxyPage.screenshot({ path: shots + 'proxy-accepted.png', fullPage: true });

    // The fee, on the sandbox provider's page; back to the head's page, where the grant takes effect.
    await home.goto(base + '/citizen/proxies');
    await home.locator('article.grant[data-status="awaiting_payment"] .pay-submit').click();
    await home.waitForSelector('#message');
    await home.locator('article.grant[data-status="awaiting_payment"] .pay-link').click();
    await home.waitForSelector('#pay');
    assert.ok(!home.url().startsWith(base), 'on the provider\'s own page');
    await home.screenshot({ path: shots + 'proxy-provider.png', fullPage: true });
    await home.click('#pay');
    await home.waitForURL(/\/citizen\/proxies/);
    for (let i = 0; i < 40 && await home.locator('article.grant[data-status="active"]').count() === 0; i++) {
      await home.waitForTimeout(250);
      await home.reload();
    }
    assert.equal(await home.locator('article.grant[data-status="active"]').count(), 1, 'in effect once paid');
    await home.screenshot({ path: shots + 'proxy-active.png', fullPage: true });

    // At the outlet: the proxy carries no card of theirs; the registry texts them a code for here.
    const shop = await (await browser.newContext(phone)).newPage();
    await shop.goto(base + '/sign-in');
    await shop.fill('#username', operator.username);
    await shop.fill('#password', operator.password);
    await shop.click('#sign-in');
    await shop.waitForSelector('#scan-form');
    const byProxy = async () => {
      await shop.goto(base + '/outlet');
      await shop.click('#by-proxy summary');
      await shop.fill('#proxy-for-card', card);
      await shop.fill('#proxy-nid', proxyHead.national_id);
      await shop.click('#proxy-look-up');
    };
    await byProxy();
    await shop.waitForSelector('#proxy-grant');
    assert.match(await shop.textContent('#proxy-grant'), /سكر/);
    assert.equal(await shop.locator('#collector').count(), 0, 'no member list: the proxy collects');
    await shop.click('#send-proxy-code');
    await shop.waitForSelector('#message');
    const atOutlet = codeOf(await message(proxyContext, citizens[1].phone, /بالوكالة/));
    const sugar = shop.locator('tr.take-line[data-item="sugar"] input.qty');
    await sugar.fill('500');
    for (const other of await shop.locator('tr.take-line input.qty').all()) {
      if (other !== sugar && (await other.getAttribute('name')) !== 'q_sugar') await other.fill('0');
    }
    await shop.fill('#code', atOutlet);
    await noOverflow(shop, 'the card by proxy');
    await shop.screenshot({ path: shots + 'proxy-outlet.png', fullPage: true });
    await shop.click('#collect');
    await shop.waitForSelector('#receipt-taken');
    await shop.screenshot({ path: shots + 'proxy-receipt.png', fullPage: true });

    // The head's phone: the receipt says their proxy collected.
    const receipt = await message(family, citizens[0].phone, /وكيلكم/);
    assert.match(receipt, /سكر 500 g/);

    // The head revokes; the next collection by proxy is refused at the outlet.
    await home.goto(base + '/citizen/proxies');
    const active = home.locator('article.grant[data-status="active"]');
    await active.locator('details.revoke summary').click();
    await active.locator('input[name="reason"]').fill('لم نعد نحتاجها');
    await active.locator('.revoke-submit').click();
    await home.waitForSelector('#message');
    assert.equal(await home.locator('article.grant[data-status="revoked"]').count() >= 1, true);
    await home.screenshot({ path: shots + 'proxy-revoked.png', fullPage: true });
    await byProxy();
    await shop.waitForSelector('#error');
    assert.match(await shop.textContent('#error'), /وكالة/);
    await shop.screenshot({ path: shots + 'proxy-refused.png', fullPage: true });
    // The proxy's page also lets a proxy give a grant up: a code asked for answers the same whether or
    // not a grant names them.
    await proxyPage.goto(base + '/proxy');
    await proxyPage.fill('#give-up-nid-1', proxyHead.national_id);
    await proxyPage.click('#give-up-code');
    await proxyPage.waitForSelector('#message');
    assert.match(await proxyPage.textContent('#message'), /إن كانت وكالة باسمك/);
    await noOverflow(proxyPage, 'the proxy\'s page');
    await proxyPage.screenshot({ path: shots + 'proxy-give-up.png', fullPage: true });
    assert.deepEqual(cspProblems, []);
  } finally {
    await browser.close();
  }
});
