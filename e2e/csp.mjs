// Listens to every page a test opens for what the Content-Security-Policy blocks (the browser reports
// "Refused to execute inline script…" on the console) and for script errors, so a test can assert that
// the pages work under the policy.
const hooked = new WeakSet();

export function watchCsp(browser) {
  const problems = [];
  const hook = (page) => {
    if (hooked.has(page)) return;
    hooked.add(page);
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) {
        problems.push(page.url() + ': ' + m.text());
      }
    });
    page.on('pageerror', (e) => problems.push(page.url() + ': ' + e.message));
  };
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...a) => {
    const c = await newContext(...a);
    c.on('page', hook);
    return c;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...a) => {
    const p = await newPage(...a);
    hook(p);
    return p;
  };
  return problems;
}
