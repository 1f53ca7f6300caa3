// What several browser tests do with the demo: launch Debian's Chromium, and sign a citizen in with the
// one-time code read from the demo's outbox page (the stand-in for the phone).
import { chromium } from 'playwright-core';

export const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

export async function citizenSignIn(context, base, phone) {
  const page = await context.newPage();
  await page.goto(base + '/citizen/sign-in');
  await page.fill('#phone', phone);
  await page.click('#send-code');
  await page.waitForSelector('#code-sent');
  // This number's newest message with six digits.
  const outbox = await context.newPage();
  await outbox.goto(base + '/demo/outbox');
  const tail = phone.slice(-9);
  const messages = await outbox.locator('.sms').evaluateAll((els) =>
    els.map((e) => ({ to: e.querySelector('.num').textContent, body: e.querySelector('.sms-body').textContent })));
  const code = messages.filter((m) => m.to.replace(/\D/g, '').endsWith(tail))
    .map((m) => m.body.match(/(\d{6})/)).find((m) => m)[1];
  await outbox.close();
  await page.fill('#code', code);
  await page.click('#verify-code');
  await page.waitForSelector('#appointment-link');
  return page;
}

// A member of staff signed in on a desktop-sized page.
export async function staffSignIn(browser, base, who) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(base + '/sign-in');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await page.click('#sign-in');
  return page;
}
