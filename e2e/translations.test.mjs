// The three languages in the browser (run after screening.test.mjs, whose run and appeal give the pages
// findings to show). In Kurdish (Sorani): a citizen on a phone-sized screen signs in,
// switches to کوردی and sees their card right to left in Kurdish words, the choice remembered on the
// next page; an auditor's screening page likewise. Then the main pages of staff and citizen in Arabic,
// Kurdish and English: no raw codes (`registry_rule`, `civil_registry`, `female`, `running`…) and no
// English prose on an Arabic or Kurdish page, no interface text of the Arabic catalog on a Kurdish page
// and none of the Arabic or Kurdish catalogs on an English one (people's names and addresses are data,
// and stay as written).
// TAMWIN_E2E_URL and TAMWIN_E2E_ACCOUNTS as for lookup.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { watchCsp } from './csp.mjs';
import { citizenSignIn, launch } from './demo.mjs';

const base = process.env.TAMWIN_E2E_URL ?? 'http://127.0.0.1:8080';
const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const accounts = JSON.parse(readFileSync(process.env.TAMWIN_E2E_ACCOUNTS, 'utf8'));
const staff = (role) => accounts.accounts.find((a) => a.role === role);
// A household no other browser test signs in (citizen.test.mjs takes the first, appointment.test.mjs
// the second): a number gets three codes a quarter of an hour.
const phoneOf = (i) => (accounts.citizens?.[i] ?? accounts.citizen).phone;

const catalog = (lang) => Object.fromEntries(
  readFileSync(new URL(`../crates/web/i18n/${lang}.txt`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#') && l.includes(' = '))
    .map((l) => [l.slice(0, l.indexOf(' = ')).trim(), l.slice(l.indexOf(' = ') + 3).trim()]),
);
const ckb = catalog('ckb');

async function signInStaff(context, role) {
  const page = await context.newPage();
  const a = staff(role);
  await page.goto(base + '/sign-in');
  await page.fill('#username', a.username);
  await page.fill('#password', a.password);
  await page.click('#sign-in');
  return page;
}

test('a citizen and an auditor read their pages in Kurdish, right to left', async () => {
  const browser = await launch();
  const cspProblems = watchCsp(browser);
  try {
    const phoneSized = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await citizenSignIn(phoneSized, base, phoneOf(2));
    // The switch offers the three languages, the page's own marked.
    assert.equal((await page.locator('#langs').textContent()).replace(/\s+/g, ' ').trim(), 'العربية / کوردی / English');
    assert.equal(await page.getAttribute('#lang-current', 'lang'), 'ar');
    await page.click('#lang-ckb');
    await page.waitForSelector('#data-uses');
    assert.equal(await page.getAttribute('html', 'lang'), 'ckb');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.getAttribute('#lang-current', 'lang'), 'ckb');
    assert.equal((await page.textContent('#who-role')).trim(), ckb.role_citizen);
    const body = await page.locator('main').innerText();
    assert.ok(body.includes(ckb.members), 'the members in Kurdish words');
    assert.ok(body.includes(ckb.uses_title), "who read the household's data, in Kurdish");
    assert.ok(/[ێۆڕڵە]/.test(body), 'Kurdish letters');
    await page.screenshot({ path: shots + 'ckb-citizen.png', fullPage: true });
    // Remembered: the next page, opened without ?lang=, is Kurdish too.
    await page.goto(base + '/citizen/appointment');
    assert.equal(await page.getAttribute('html', 'lang'), 'ckb');
    assert.ok((await page.locator('main').innerText()).includes(ckb.appt_title));

    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const staffPage = await signInStaff(desk, 'auditor');
    await staffPage.goto(base + '/screening?lang=ckb');
    assert.equal(await staffPage.getAttribute('html', 'lang'), 'ckb');
    assert.equal(await staffPage.getAttribute('html', 'dir'), 'rtl');
    assert.equal((await staffPage.textContent('#nav-screening')).trim(), ckb.screening_title);
    assert.equal((await staffPage.textContent('#who-role')).trim(), ckb.role_auditor);
    assert.ok((await staffPage.locator('main').innerText()).includes(ckb.screening_start));
    await staffPage.screenshot({ path: shots + 'ckb-screening.png' });
    assert.deepEqual(cspProblems, []);
  } finally {
    await browser.close();
  }
});

// Words a page in Arabic or Kurdish may show in Latin letters: names of formats and of the product.
const LATIN_OK = new Set(['QR', 'PDF', 'JPEG', 'PNG', 'API', 'SMS', 'JSON', 'MB', 'Tamwin']);
// Codes that must never be shown as they are, in any language.
const RAW = /\b(registry_rule|civil_registry|update_centre|temporary_card|same_id|in_effect|no_national_id|best_registry_match|pending_verification|checked_in|no_show|not_verified_in_person|data_mismatch|other_relative|out_for_delivery)\b|\((web|api|cli)\)/;

function problems(lang, text) {
  const found = [];
  const raw = text.match(RAW);
  if (raw) found.push('raw code ' + raw[0]);
  // Interface texts of the other catalogs (names and addresses are data and may be Arabic).
  for (const other of { ar: [], ckb: ['ar'], en: ['ar', 'ckb'] }[lang]) {
    for (const v of Object.values(catalog(other))) {
      const t = v.replace(/<[^>]+>/g, '');
      if (t.length >= 8 && !/\{/.test(t) && text.includes(t)) found.push(`${other} text “${t}”`);
    }
  }
  if (lang !== 'en') {
    // Latin words with no digit in them (identifiers, hashes, card and centre codes have digits).
    const words = (text.match(/[A-Za-z0-9][A-Za-z0-9_:\-.+/@]*/g) ?? [])
      .filter((w) => /[A-Za-z]/.test(w) && !/\d/.test(w) && !LATIN_OK.has(w));
    // Staff usernames are identifiers too (`auditor.karbala`); rule names of the engine (`given+father+date`).
    const prose = words.filter((w) => !/^[a-z-]+\.[a-z]+$/.test(w) && !w.includes('+'));
    if (prose.length) found.push('Latin ' + [...new Set(prose)].slice(0, 20).join(' '));
  }
  return found;
}

async function visible(page) {
  return page.evaluate(() => {
    const b = document.body.cloneNode(true);
    b.querySelectorAll('#langs, script, style, svg').forEach((e) => e.remove());
    return b.innerText;
  });
}

test('no raw codes, no English on Arabic or Kurdish pages, no interface text of another language', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const auditor = await signInStaff(context, 'auditor');
    await auditor.goto(base + '/?q=' + encodeURIComponent('حسين'));
    const cards = await auditor.locator('a[href^="/households/"]').evaluateAll((as) => as.slice(0, 2).map((a) => a.getAttribute('href').split('?')[0]));
    await auditor.goto(base + '/screening');
    const findings = await auditor.locator('#findings tr.finding a').evaluateAll((as) => as.slice(0, 2).map((a) => a.getAttribute('href').split('?')[0]));
    const pages = [
      [auditor, ['/screening', '/screening/appeals', '/exemptions', '/account', ...cards, ...findings]],
    ];
    const officerCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    pages.push([await signInStaff(officerCtx, 'centre_officer'), ['/centre', '/account']]);
    const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    pages.push([await signInStaff(adminCtx, 'ministry_admin'), ['/admin/users', '/stats']]);
    const citizenCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    pages.push([await citizenSignIn(citizenCtx, base, phoneOf(2)), ['/citizen', '/citizen/appointment', '/citizen/findings', '/citizen/temporary-cards']]);
    const anonCtx = await browser.newContext();
    pages.push([await anonCtx.newPage(), ['/sign-in', '/citizen/sign-in', '/no-such-page']]);

    const found = [];
    for (const [page, paths] of pages) {
      for (const path of paths) {
        for (const lang of ['ar', 'ckb', 'en']) {
          await page.goto(`${base}${path}?lang=${lang}`);
          assert.equal(await page.getAttribute('html', 'lang'), lang, `${path} in ${lang}`);
          for (const p of problems(lang, await visible(page))) found.push(`${path} (${lang}): ${p}`);
        }
      }
    }
    assert.deepEqual(found, []);
  } finally {
    await browser.close();
  }
});
