// The web console from an admin's side: the first admin is invited with `coopnet invite`,
// sets a password and logs in; an application sent with the public form is approved and
// the new co-op appears in the directory; a form posted without its CSRF token is refused;
// repeated wrong passwords lock an account.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startInstance, watch } from './lib/harness.mjs';

const PASSWORD = 'correct horse battery staple';

let server;
let browser;
before(async () => {
  server = await startInstance();
  browser = await launchBrowser();
}, { timeout: 120_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A one-time invite link from the CLI. */
async function invite(...args) {
  const out = (await server.cli(['invite', ...args])).trim();
  assert.match(out, new RegExp(`^${server.url}/console/invite/[0-9a-f]{64}$`));
  return out;
}

/** Opens an invite link and creates the account; ends on the console's overview. */
async function accept(page, link, email) {
  await page.goto(link);
  if (await page.isVisible('#f-email')) await page.fill('#f-email', email);
  await page.fill('#f-display_name', 'Ada Admin');
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-password_confirm', PASSWORD);
  await Promise.all([page.waitForURL(`${server.url}/console`), page.click('main form button[type=submit]')]);
}

async function logIn(page, email, password) {
  await page.goto(`${server.url}/console/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('main form button[type=submit]')]);
}

test('invite -> set password -> log out -> log in', { timeout: 60_000 }, async () => {
  const link = await invite('--role', 'admin');
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await accept(page, link, 'ada@example.org');
  assert.equal((await page.textContent('h1')).trim(), 'Overview');
  assert.match(await page.textContent('.who'), /ada@example\.org/);
  // The session cookie is HttpOnly: scripts cannot read it.
  assert.equal(await page.evaluate(() => document.cookie.includes('coopnet_session')), false);

  await Promise.all([page.waitForURL(/\/console\/login$/), page.click('form[action="/console/logout"] button')]);
  await page.goto(`${server.url}/console/admin/members`);
  assert.match(page.url(), /\/console\/login\?next=/, 'signed out: sent to the login page');
  await page.fill('#f-email', 'ADA@example.org');
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL(`${server.url}/console/admin/members`), page.click('main form button[type=submit]')]);
  assert.equal((await page.textContent('h1')).trim(), 'Member co-ops');
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.consoleErrors, []);
  await page.close();
});

test('an application is sent, approved, and the co-op appears in the directory', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/apply`);
  await page.fill('#f-name', 'Bread and Roses Bakery');
  await page.fill('#f-slug', 'Bad handle!');
  await page.fill('#f-summary', 'A worker-owned bakery.');
  await page.fill('#f-applicant_name', 'Rosa');
  await page.fill('#f-contact_email', 'rosa@bakery.example');
  await page.click('main form button[type=submit]');
  // The domain rules answer inline, tied to the field.
  assert.ok(await page.isVisible('#f-slug-error'));
  assert.equal(await page.getAttribute('#f-slug', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#f-slug', 'aria-describedby'), /f-slug-error/);
  await page.fill('#f-slug', 'bread-and-roses');
  await page.fill('#f-country', 'GB');
  await page.click('main form button[type=submit]');
  assert.equal((await page.textContent('h1')).trim(), 'Thank you');

  await page.goto(`${server.url}/console/admin/applications`);
  const row = page.locator('tr', { hasText: 'Bread and Roses Bakery' });
  await row.locator('form[action$="/approve"] button').click();
  await page.waitForLoadState('load');
  const link = (await page.textContent('.secret-value')).trim();
  assert.match(link, new RegExp(`^${server.url}/console/invite/`));

  await page.goto(`${server.url}/coops?q=${encodeURIComponent('Bread and Roses')}`);
  assert.ok(await page.isVisible('ul.results a[href="/coops/bread-and-roses"]'));
  await page.goto(`${server.url}/coops/bread-and-roses`);
  assert.equal((await page.textContent('h1')).trim(), 'Bread and Roses Bakery');
  await page.close();
});

test('a console form posted without its CSRF token is refused', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/console/admin/members`);
  await page.fill('#f-slug', 'forged-coop');
  await page.fill('#f-name', 'Forged');
  // Strip the hidden token, as a form on another site would lack it.
  await page.evaluate(() => document.querySelectorAll('input[name=csrf]').forEach((i) => i.remove()));
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${server.url}/console/admin/members` && r.request().method() === 'POST'),
    page.click('#add button[type=submit]'),
  ]);
  assert.equal(response.status(), 403);
  assert.equal((await page.textContent('h1')).trim(), 'Form refused');
  const check = await fetch(`${server.url}/api/v1/coops/forged-coop`);
  assert.equal(check.status, 404);
  await page.close();
});

test('five wrong passwords lock the account', { timeout: 60_000 }, async () => {
  // A separate account, so that the admin above stays usable.
  const link = await invite('--role', 'editor', '--coop', 'outlandish', '--email', 'locked@example.org');
  const { context, close } = await launchBrowser();
  try {
    const page = await context.newPage();
    await accept(page, link, 'locked@example.org');
    await Promise.all([page.waitForURL(/\/console\/login$/), page.click('form[action="/console/logout"] button')]);
    for (let i = 1; i <= 4; i++) {
      await logIn(page, 'locked@example.org', `wrong password ${i}`);
      assert.match(await page.textContent('.alert'), /Wrong e-mail or password/);
    }
    await logIn(page, 'locked@example.org', 'wrong password 5');
    assert.match(await page.textContent('.alert'), /locked/);
    await logIn(page, 'locked@example.org', PASSWORD);
    assert.match(await page.textContent('.alert'), /locked/, 'the right password is refused while locked');
    assert.match(page.url(), /\/console\/login$/);
  } finally {
    await close();
  }
});
